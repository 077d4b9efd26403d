/**
 * Fatigue damage by the Palmgren–Miner rule, D = Σ nᵢ/Nᵢ, from rainflow counts of strain ranges and an S–N curve.
 *
 * The S–N curve is the three-part one of EN 1993-1-9:2005 §7.1 (Fig. 7.1, direct stress ranges), written for any
 * detail by its reference strength and slopes:
 *   Δσ^m1 · N = Δσ_C^m1 · N_C              for Δσ ≥ Δσ_D   (m1 = 3, N_C = 2·10⁶)
 *   Δσ^m2 · N = Δσ_D^m2 · N_D              for Δσ_L ≤ Δσ < Δσ_D   (m2 = 5, N_D = 5·10⁶)
 *   no damage                               for Δσ < Δσ_L, Δσ_L at N_L = 10⁸ (the cut-off limit)
 * so Δσ_D = (2/5)^(1/3)·Δσ_C ≈ 0.737·Δσ_C (the constant-amplitude fatigue limit) and Δσ_L = (5/100)^(1/5)·Δσ_D ≈
 * 0.549·Δσ_D ≈ 0.405·Δσ_C. The detail category is Δσ_C in MPa (N/mm²), 36 … 160 in the standard's tables. A curve
 * of another code with the same three-part shape fits by giving its own Δσ_C, slopes and cycle counts (GB 50017's
 * categories are not tabulated here: their constants were not among the sources checked). Partial factors: the
 * verification compares γ_Ff·Δσ with
 * Δσ_C/γ_Mf, so each counted range is multiplied by γ_Ff·γ_Mf (both 1 by default: the expected damage).
 *
 * Strain to stress is Hooke's law, Δσ = E·Δε (E = 210 000 MPa for structural steel, EN 1993-1-1 §3.2.6); a strain
 * range of k rainflow classes is k·classWidth µε, so the damage of one cycle in each range class is computed once
 * here (detmath's pow), and a period's damage is a sum over the half-cycle histogram, off the sample path.
 *
 * Device code.
 */
import { pow } from "../../runtime/detmath.js";

export interface SnCurve {
  /** Δσ_C: the fatigue strength at `referenceCycles`, MPa (the EN 1993-1-9 detail category). */
  referenceStressMPa: number;
  /** N_C (EN 1993-1-9: 2·10⁶). */
  referenceCycles: number;
  /** Slope above the knee (EN 1993-1-9: 3). */
  m1: number;
  /** N_D, the knee: the constant-amplitude fatigue limit (EN 1993-1-9: 5·10⁶). */
  kneeCycles: number;
  /** Slope between the knee and the cut-off (EN 1993-1-9: 5). */
  m2: number;
  /** N_L, the cut-off: ranges below Δσ_L do no damage (EN 1993-1-9: 10⁸). */
  cutoffCycles: number;
}

/** The detail categories (Δσ_C, MPa) of EN 1993-1-9's tables for direct stress. */
export const EN1993_DETAIL_CATEGORIES: readonly number[] = Object.freeze([160, 140, 125, 112, 100, 90, 80, 71, 63, 56, 50, 45, 40, 36]);

/** The EN 1993-1-9 direct-stress curve of a detail category (Δσ_C in MPa). */
export function en1993Curve(detailCategory: number): SnCurve {
  if (EN1993_DETAIL_CATEGORIES.indexOf(detailCategory) < 0) {
    throw new RangeError(`fatigue: detailCategory must be one of EN 1993-1-9's ${EN1993_DETAIL_CATEGORIES.join(", ")} MPa, got ${String(detailCategory)}`);
  }
  return Object.freeze({ referenceStressMPa: detailCategory, referenceCycles: 2e6, m1: 3, kneeCycles: 5e6, m2: 5, cutoffCycles: 1e8 });
}

/** Throws naming the field when the curve cannot be used. */
export function checkCurve(curve: SnCurve): void {
  const need = (ok: boolean, field: string, what: string, v: unknown) => {
    if (!ok) throw new RangeError(`fatigue: curve.${field} must be ${what}, got ${String(v)}`);
  };
  need(curve.referenceStressMPa > 0 && curve.referenceStressMPa < 2000, "referenceStressMPa", "a stress range in MPa between 0 and 2000", curve.referenceStressMPa);
  need(curve.referenceCycles >= 1 && Number.isFinite(curve.referenceCycles), "referenceCycles", "a finite number of cycles ≥ 1", curve.referenceCycles);
  need(curve.m1 >= 1 && curve.m1 <= 20, "m1", "a slope from 1 to 20", curve.m1);
  need(curve.m2 >= 1 && curve.m2 <= 40, "m2", "a slope from 1 to 40", curve.m2);
  need(curve.kneeCycles >= curve.referenceCycles && Number.isFinite(curve.kneeCycles), "kneeCycles", "at least referenceCycles", curve.kneeCycles);
  need(curve.cutoffCycles >= curve.kneeCycles, "cutoffCycles", "at least kneeCycles (Infinity: no cut-off)", curve.cutoffCycles);
}

/** Stress range at the knee, Δσ_D, MPa. */
export function kneeStress(curve: SnCurve): number {
  return curve.referenceStressMPa * pow(curve.referenceCycles / curve.kneeCycles, 1 / curve.m1);
}

/** Stress range at the cut-off, Δσ_L, MPa (0 when there is none). */
export function cutoffStress(curve: SnCurve): number {
  return curve.cutoffCycles === Infinity ? 0 : kneeStress(curve) * pow(curve.kneeCycles / curve.cutoffCycles, 1 / curve.m2);
}

/** Cycles to failure at a constant stress range (MPa): Infinity below the cut-off. */
export function cyclesToFailure(curve: SnCurve, stressRangeMPa: number): number {
  if (!(stressRangeMPa > 0)) return Infinity;
  const knee = kneeStress(curve);
  if (stressRangeMPa >= knee) return curve.referenceCycles * pow(curve.referenceStressMPa / stressRangeMPa, curve.m1);
  if (stressRangeMPa < cutoffStress(curve)) return Infinity;
  return curve.kneeCycles * pow(knee / stressRangeMPa, curve.m2);
}

export interface MinerConfig {
  curve: SnCurve;
  /** Young's modulus, GPa (structural steel 210). */
  youngsModulusGPa: number;
  /** The rainflow class width, µε (a range of k classes is k·classWidth µε). */
  classWidth: number;
  /** The rainflow class count (ranges 0 … classes − 1). */
  classes: number;
  /** Partial factor on the stress ranges (EN 1993-1-9 γ_Ff, default 1). */
  gammaFf?: number;
  /** Partial factor on the fatigue strength (EN 1993-1-9 γ_Mf, default 1). */
  gammaMf?: number;
}

/** Miner's-rule damage of rainflow half-cycle counts, per range class. */
export class MinerDamage {
  /** Damage of one full cycle in each range class (index k: k·classWidth µε). */
  readonly perCycle: Float64Array;
  /** Stress range of each range class as verified (γ_Ff·γ_Mf·E·Δε), MPa. */
  readonly stressRange: Float64Array;

  constructor(config: MinerConfig) {
    checkCurve(config.curve);
    const { youngsModulusGPa: e, classWidth, classes } = config;
    const gFf = config.gammaFf ?? 1;
    const gMf = config.gammaMf ?? 1;
    if (!(e >= 1 && e <= 1000)) throw new RangeError(`fatigue: youngsModulusGPa must be between 1 and 1000 GPa (steel 210), got ${String(e)}`);
    if (!(classWidth > 0) || !Number.isFinite(classWidth)) throw new RangeError(`fatigue: classWidth must be a finite number of µε > 0, got ${String(classWidth)}`);
    if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`fatigue: classes must be a whole number ≥ 2, got ${String(classes)}`);
    if (!(gFf >= 1 && gFf <= 3)) throw new RangeError(`fatigue: gammaFf must be between 1 and 3, got ${String(gFf)}`);
    if (!(gMf >= 1 && gMf <= 3)) throw new RangeError(`fatigue: gammaMf must be between 1 and 3, got ${String(gMf)}`);
    this.perCycle = new Float64Array(classes);
    this.stressRange = new Float64Array(classes);
    // E in MPa times the strain range (µε·10⁻⁶): 210 GPa gives 0.21 MPa per µε.
    const mpaPerMicrostrain = e * 1e-3;
    for (let k = 1; k < classes; k++) {
      const s = gFf * gMf * mpaPerMicrostrain * k * classWidth;
      this.stressRange[k] = s;
      this.perCycle[k] = 1 / cyclesToFailure(config.curve, s);
    }
  }

  /**
   * Σ nᵢ/Nᵢ over a histogram of half cycles per range class (rainflow's `halfCycles`). A sum cut into pieces: over
   * classes `from` … `to` − 1 only, added to `sum` (the pieces before it), which gives the whole's sum bit for bit.
   */
  damage(halfCycles: ArrayLike<number>, from = 1, to = Infinity, sum = 0): number {
    const per = this.perCycle;
    let n = halfCycles.length < per.length ? halfCycles.length : per.length;
    if (to < n) n = to;
    let d = sum;
    for (let k = from > 1 ? from : 1; k < n; k++) {
      const h = halfCycles[k]!;
      if (h !== 0) d += h * 0.5 * per[k]!;
    }
    return d;
  }
}
