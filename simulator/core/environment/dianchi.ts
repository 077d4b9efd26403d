/**
 * The water a buoy on Dianchi (滇池, 24°48′N 102°40′E, surface 1886.5 m, mean depth 4.4 m, 298 km²: Wikipedia
 * "Dian Lake") measures: a shallow, wind-mixed, hypereutrophic plateau lake with cyanobacterial blooms every summer.
 *
 * Like the Kunming weather (kunming.ts) it is a pure function of (seed, absolute time): the lake at virtual time t
 * is the lake at Unix time epochMs + t/1000, and asking more often, less often or out of order changes nothing. It
 * reads the air it lies under only through the Atmosphere interface (air temperature and pressure, wind, rain), at
 * fixed instants on absolute-time lattices, so it is a pure function of the two seeds.
 *
 * Lags are causal exponential filters evaluated as finite sums over a lattice: y(k) = Σⱼ wⱼ·x(k − j), j < n, with
 * x memoised per lattice point and y interpolated linearly between points. A sum, not a recursion, so the bits of
 * y(k) never depend on which instants were asked before (a recursion's rounding would).
 *
 * Components:
 * - Light: clear-sky sin(solar elevation) (sun.ts) × cloud transmission (a monthly cloudiness, seeded weather noise,
 *   and rain, which darkens the sky).
 * - Water temperature at the probe (0.5 m) relaxes towards the equilibrium temperature, air temperature + a solar
 *   gain − a long-wave loss. The whole 4.4 m column with a surface heat-exchange coefficient of about 35 W/(m²·K)
 *   (the usual 20–50 of Edinger–Geyer's equilibrium-temperature method) has a time constant ρ·c·h/K ≈ 6 days; the
 *   top layer, warmed by the sun by day and mixed down at night, adds 15 % of a 6-hour response. So the water
 *   follows the air lagged by days and damped (synoptic swings to under half), about 1.7 °C warmer on average, with
 *   a diurnal range of about 1.5 °C peaking in the late afternoon (the solar gain and the mean excess are design
 *   values: no Dianchi temperature record could be found to fit them to).
 * - Dissolved oxygen as the departure D (percentage points of saturation) of a one-box budget:
 *   dD/dt = production − respiration − k·D, k = 0.8/day (reaeration over the mixed depth, design value).
 *   Production ∝ active biomass × light, the active part B·3/(3 + B) as a dense bloom shades itself; respiration
 *   ∝ the same × the light a day of this season would bring on average,
 *   so a sunny day ends with a net gain and a dull one with a loss, while by day D rises and by night it falls: the
 *   diurnal cycle, its maximum in the late afternoon and its minimum at dawn. A small net heterotrophy keeps the
 *   yearly mean a little below saturation. DO (mg/L) = (1 + D/100) × Benson–Krause saturation at the water's
 *   temperature and salinity and the air's pressure (parts/ezo/oxygen.ts).
 * - Biomass: a seasonal background (high in summer) plus blooms. Each local calendar year has 1–3 seeded blooms with
 *   onsets between 1 June and 30 September (Dianchi's worst bloom season is the end of the second quarter through
 *   the third: 春城晚报 2023, quoting the Dianchi Plateau Lake Research Institute) that grow for 2–3.5 days, hold for
 *   1–4 and decay over 2–3.5 days, at 2–4 times the summer background. While a bloom grows it is net autotrophic
 *   (oxygen accumulates: day-time supersaturation), while it decays net heterotrophic; at its peak the diurnal swing
 *   is several times the usual one, with night-time depletion.
 * - pH follows D through the carbonate system (CO₂ uptake by day): about 8.45 at saturation, above 9 when D passes
 *   +30, saturating near 10; lower, with a gentler slope, when oxygen is depleted (respiration's CO₂).
 * - Turbidity: a seeded background of 6–11 NTU + algal cells (5 NTU per unit of biomass) + sediment stirred up by
 *   wind above 3 m/s (a shallow lake), lagged by a 4-hour response + a little fast noise. Blooms raise it by tens of
 *   NTU over their growth.
 * - Specific conductance around 470 µS/cm, diluted a few % in the rainy season, lowered slightly during blooms
 *   (calcite precipitates at high pH), with slow seeded variation. No Dianchi figure could be found to check it;
 *   Lake Taihu, the comparable eutrophic lake of the lower Yangtze, measures 477 ± 23 µS/cm (王瑞 et al., 环境科学
 *   2019, 40(10):4469).
 * - ORP (mV against an Ag/AgCl reference, as the EZO-ORP probe reads): around 250 mV, lower at high pH and low
 *   oxygen. Natural fresh waters sit at 400–600 mV against the hydrogen electrode (FAO, "Redox potential"; DataStream
 *   gives 300–500 mV for healthy lakes), and Ag/AgCl reads about 200 mV below it.
 * Values marked "design" above are chosen for plausible behaviour, not fitted to Dianchi measurements (none with
 * these numbers were found); test/environment/dianchi.test.ts prints what the model gives.
 *
 * Portable (XS and V8, bit-identical): runtime/detmath.ts for every transcendental, no Date, no Math.round.
 */
import type { Micros } from "../engine.js";
import type { Atmosphere, WaterQuantities, WindState } from "./types.js";
import { acos, cos, exp, sin } from "../../../runtime/detmath.js";
import { oxygenSaturation } from "../../../parts/ezo/oxygen.js";
import { salinityFromConductivity } from "../../../parts/ezo/seawater.js";
import { deriveSeed, hashNoise, splineNoise, type Seed } from "../rng.js";
import { monthly } from "./air.js";
import { DEG, equationOfTime, PI, sinElevation, solarDeclination, TWO_PI, yearFractionOfDays } from "./sun.js";

/** A bloom as the scenario may fix it instead of the seeded ones. */
export interface BloomSpec {
  /** Unix ms when the biomass starts to grow. */
  onsetMs: number;
  /** Days of growth, of the peak, and of decay. */
  growthDays: number;
  peakDays: number;
  decayDays: number;
  /** Peak biomass in units of the summer background (2–4 for the seeded blooms). */
  intensity: number;
}

/** A bloom of the lake, in virtual time. */
export interface Bloom extends BloomSpec {
  /** virtual µs of the onset */
  start: Micros;
  /** virtual µs when the decay ends */
  end: Micros;
}

export interface DianchiLakeOptions {
  seed: Seed;
  /** The air over the lake; its epochMs is the lake's. */
  atmosphere: Atmosphere;
  latitudeDeg?: number;
  longitudeDeg?: number;
  /** These blooms instead of the seeded ones (every year). */
  blooms?: readonly BloomSpec[];
}

/** Every quantity at one instant (charts, test oracles). */
export interface LakeSnapshot {
  temperature: number;
  pH: number;
  oxygen: number;
  /** Dissolved oxygen as % of saturation at the air's pressure. */
  saturation: number;
  conductivity: number;
  orp: number;
  turbidity: number;
  /** Phytoplankton biomass in units of the summer background. */
  biomass: number;
  /** Relative irradiance at the surface (1: clear sky, sun at the zenith). */
  light: number;
}

export interface DianchiLake extends WaterQuantities {
  readonly seed: number;
  readonly epochMs: number;
  /** Dissolved oxygen, % of saturation at the air's pressure. */
  saturation(t: Micros): number;
  biomass(t: Micros): number;
  light(t: Micros): number;
  snapshot(t: Micros): LakeSnapshot;
  /** Blooms overlapping [t0, t1), in onset order. */
  blooms(t0: Micros, t1: Micros): Bloom[];
}

export function createDianchiLake(options: DianchiLakeOptions): DianchiLake {
  return new DianchiLakeModel(options);
}

// ───────────────────────── constants ─────────────────────────

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Beijing time: bloom years are local calendar years. */
const UTC8_MS = 8 * HOUR_MS;

/** Monthly mean cloudiness (0–1), design: sunny dry season, overcast monsoon (Kunming's rain normals, kunming.ts). */
const CLOUD: readonly number[] = Object.freeze([0.3, 0.3, 0.3, 0.35, 0.5, 0.7, 0.75, 0.72, 0.68, 0.6, 0.45, 0.35]);
/** Fraction of clear-sky light a full overcast lets through. */
const OVERCAST_LOSS = 0.75;
/** Background phytoplankton biomass by month, in units of the summer background (design). */
const BIOMASS: readonly number[] = Object.freeze([0.5, 0.5, 0.6, 0.75, 0.9, 1.0, 1.0, 1.0, 0.95, 0.85, 0.7, 0.55]);
/** Relative dilution of conductance by the wet season's inflow, by month (design). */
const DILUTION: readonly number[] = Object.freeze([0, 0, 0, 0, 0.01, 0.03, 0.05, 0.06, 0.06, 0.05, 0.03, 0.01]);

// temperature: hourly lattice
const TAU_SLOW_H = 144;
const TAU_FAST_H = 6;
const FAST_SHARE = 0.15;
const SLOW_TAPS = 4 * TAU_SLOW_H;
const FAST_TAPS = 6 * TAU_FAST_H;
/** Equilibrium temperature = air + SOLAR_GAIN_C × light − LONGWAVE_C (design, tuned to a 1–3 °C warmer lake). */
const SOLAR_GAIN_C = 12;
const LONGWAVE_C = 0.3;
// turbidity: wind stirring, hourly lattice
const TAU_STIR_H = 4;
const STIR_TAPS = 6 * TAU_STIR_H;
const STIR_WIND_MS = 3;
const STIR_NTU = 1.2;
// oxygen: 20-minute lattice
const DO_STEP_MS = 20 * 60_000;
const DO_STEP_H = DO_STEP_MS / HOUR_MS;
const REAERATION_PER_H = 0.8 / 24;
const DO_TAPS = Math.ceil(4 / REAERATION_PER_H / DO_STEP_H);
/** Production, percentage points of saturation per hour per unit of active biomass at light 1 (design). */
const PRODUCTION = 10.5;
/** Self-shading: active biomass B·K/(K + B), so a dense bloom photosynthesises less per cell (design). */
const SHADING = 3;
/** Net heterotrophy, percentage points per hour (about 2 % below saturation on average: 0.06/k). */
const HETEROTROPHY = 0.06;
/** Net production of a growing bloom per unit of biomass growth rate (per hour), and the decay's demand. */
const GROWTH_GAIN = 30;
const DECAY_DEMAND = 20;
const D_FLOOR = -95;
// blooms
const BLOOM_FIRST_DAY = 151; // 1 June (day of year, 0 = 1 January, non-leap)
const BLOOM_LAST_DAY = 272; // 30 September
const BLOOM_MAX_DAYS = 12;

/** A memo of a series on an integer lattice, in a ring keyed by index (a pure cache: values never change). */
class LatticeMemo {
  readonly #key: Float64Array;
  readonly #val: Float64Array;
  readonly #f: (k: number) => number;
  constructor(size: number, f: (k: number) => number) {
    this.#key = new Float64Array(size).fill(NaN);
    this.#val = new Float64Array(size);
    this.#f = f;
  }
  at(k: number): number {
    const n = this.#key.length;
    const i = k - n * Math.floor(k / n);
    if (this.#key[i] === k) return this.#val[i]!;
    const v = this.#f(k);
    this.#key[i] = k;
    this.#val[i] = v;
    return v;
  }
}

/** Σⱼ w[j]·x(k − j): a causal filter's output at lattice point k. */
function convolve(w: Float64Array, x: LatticeMemo, k: number): number {
  let s = 0;
  for (let j = 0; j < w.length; j++) s += w[j]! * x.at(k - j);
  return s;
}

/** Exponential-decay weights a^j (a = e^(−step/τ)), scaled to sum to `total` (1: a mean; step·Σ a^j: an integral). */
function expWeights(taps: number, stepOverTau: number, normalise: boolean, scale = 1): Float64Array {
  const w = new Float64Array(taps);
  const a = exp(-stepOverTau);
  let v = 1;
  let sum = 0;
  for (let j = 0; j < taps; j++) {
    w[j] = v;
    sum += v;
    v *= a;
  }
  for (let j = 0; j < taps; j++) w[j] = normalise ? w[j]! / sum : w[j]! * scale;
  return w;
}

/** Linear interpolation of a lattice output between points floor(pos) and floor(pos) + 1. */
function between(y: LatticeMemo, pos: number): number {
  const k = Math.floor(pos);
  const a = y.at(k);
  return a + (y.at(k + 1) - a) * (pos - k);
}

/** x²(3 − 2x) on [0, 1]. */
function smoothstep(x: number): number {
  return x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x);
}

// ───────────────────────── model ─────────────────────────

class DianchiLakeModel implements DianchiLake {
  readonly seed: number;
  readonly epochMs: number;
  readonly #air: Atmosphere;
  readonly #sinLat: number;
  readonly #cosLat: number;
  readonly #tanLat: number;
  readonly #lonHours: number;
  readonly #fixed: readonly BloomSpec[] | undefined;
  readonly #sCloud: number;
  readonly #sBloom: number;
  readonly #sTurb: number;
  readonly #sTurbFast: number;
  readonly #sCond: number;
  readonly #sPH: number;
  readonly #sOrp: number;
  // filters
  readonly #wSlow = expWeights(SLOW_TAPS, 1 / TAU_SLOW_H, true);
  readonly #wFast = expWeights(FAST_TAPS, 1 / TAU_FAST_H, true);
  readonly #wStir = expWeights(STIR_TAPS, 1 / TAU_STIR_H, true);
  readonly #wDO = expWeights(DO_TAPS, REAERATION_PER_H * DO_STEP_H, false, DO_STEP_H);
  /** equilibrium temperature at each hour, °C */
  readonly #tEq: LatticeMemo;
  /** water temperature at each hour, °C */
  readonly #tWater: LatticeMemo;
  /** wind stirring at each hour, NTU */
  readonly #stirIn: LatticeMemo;
  readonly #stir: LatticeMemo;
  /** oxygen budget forcing at each 20-minute point, percentage points per hour */
  readonly #doIn: LatticeMemo;
  readonly #d: LatticeMemo;
  // per-day sun: declination, equation of time and the season's expected mean light
  readonly #dayKey = new Float64Array(4).fill(NaN);
  readonly #dayDecl = new Float64Array(4);
  readonly #dayNoon = new Float64Array(4);
  readonly #dayMeanLight = new Float64Array(4);
  // seeded blooms of one local year
  #bloomYear = NaN;
  #yearBlooms: BloomSpec[] = [];
  readonly #wind: WindState = { speed: 0, direction: 0 };
  /** the bloom growth rate #bloomAt leaves behind (no allocation per call) */
  readonly #rate = new Float64Array(1);

  constructor(o: DianchiLakeOptions) {
    const s = o.seed;
    this.seed = deriveSeed(s, "");
    this.#air = o.atmosphere;
    this.epochMs = o.atmosphere.epochMs;
    const lat = (o.latitudeDeg ?? 24.8) * DEG;
    this.#sinLat = sin(lat);
    this.#cosLat = cos(lat);
    this.#tanLat = this.#sinLat / this.#cosLat;
    this.#lonHours = (o.longitudeDeg ?? 102.67) / 15;
    if (o.blooms) for (const b of o.blooms) checkBloom(b);
    this.#fixed = o.blooms ? Object.freeze(o.blooms.map((b) => Object.freeze({ ...b }))) : undefined;
    const d = (label: string): number => deriveSeed(s, `dianchi/${label}`);
    this.#sCloud = d("cloud");
    this.#sBloom = d("bloom");
    this.#sTurb = d("turbidity");
    this.#sTurbFast = d("turbidity/fast");
    this.#sCond = d("conductivity");
    this.#sPH = d("ph");
    this.#sOrp = d("orp");
    this.#tEq = new LatticeMemo(SLOW_TAPS + 8, (k) => this.#equilibrium(k));
    this.#tWater = new LatticeMemo(8, (k) => {
      const slow = convolve(this.#wSlow, this.#tEq, k);
      return slow + FAST_SHARE * (convolve(this.#wFast, this.#tEq, k) - slow);
    });
    this.#stirIn = new LatticeMemo(STIR_TAPS + 8, (k) => {
      const u = this.#air.windInto(this.#virtual(k * HOUR_MS), this.#wind).speed - STIR_WIND_MS;
      return u > 0 ? STIR_NTU * u * u : 0;
    });
    this.#stir = new LatticeMemo(8, (k) => convolve(this.#wStir, this.#stirIn, k));
    this.#doIn = new LatticeMemo(DO_TAPS + 8, (m) => this.#oxygenForcing(m * DO_STEP_MS));
    this.#d = new LatticeMemo(8, (m) => convolve(this.#wDO, this.#doIn, m));
  }

  #virtual(unixMs: number): Micros {
    return (unixMs - this.epochMs) * 1000;
  }

  #unix(t: Micros): number {
    return this.epochMs + t / 1000;
  }

  // ─────────── sun and light ───────────

  /** Cache index of the sun of solar day `day` (local mean solar days since 1970-01-01). */
  #sun(day: number): number {
    const c = day & 3;
    if (this.#dayKey[c] === day) return c;
    const g = TWO_PI * yearFractionOfDays(day + 0.5);
    const decl = solarDeclination(g);
    // the season's expected mean light: the clear-sky daily mean of sin(elevation), less the month's usual cloud
    let cw = -this.#tanLat * (sin(decl) / cos(decl));
    if (cw > 1) cw = 1;
    else if (cw < -1) cw = -1;
    const w0 = acos(cw);
    const clearMean = (this.#sinLat * sin(decl) * w0 + this.#cosLat * cos(decl) * sin(w0)) / PI;
    this.#dayKey[c] = day;
    this.#dayDecl[c] = decl;
    this.#dayNoon[c] = 12 - equationOfTime(g) / 60;
    this.#dayMeanLight[c] = clearMean * (1 - OVERCAST_LOSS * monthly(CLOUD, yearFractionOfDays(day + 0.5)));
    return c;
  }

  /** Relative irradiance at Unix ms. */
  #lightAt(ms: number): number {
    const solarH = ms / HOUR_MS + this.#lonHours;
    const day = Math.floor(solarH / 24);
    const c = this.#sun(day);
    const e = sinElevation(this.#dayDecl[c]!, this.#sinLat, this.#cosLat, solarH - 24 * day - this.#dayNoon[c]!);
    if (!(e > 0)) return 0;
    return e * (1 - OVERCAST_LOSS * this.#cloudAt(ms, solarH / 24));
  }

  /** Cloudiness 0–1: the month's mean, seeded weather on a 18-hour scale, and rain. */
  #cloudAt(ms: number, solarDays: number): number {
    let c = monthly(CLOUD, yearFractionOfDays(solarDays)) + 0.2 * splineNoise(this.#sCloud, ms / (18 * HOUR_MS));
    c = c < 0 ? 0 : c > 1 ? 1 : c;
    const rain = this.#air.rainRate(this.#virtual(ms));
    if (rain > 0) {
      const r = 0.5 + rain / 4;
      c += (1 - c) * (r > 1 ? 1 : r);
    }
    return c;
  }

  /** The season's expected daily mean light at Unix ms (what respiration is scaled to). */
  #meanLightAt(ms: number): number {
    const day = Math.floor((ms / HOUR_MS + this.#lonHours) / 24);
    return this.#dayMeanLight[this.#sun(day)]!;
  }

  // ─────────── biomass and blooms ───────────

  #blooms(year: number): readonly BloomSpec[] {
    if (this.#fixed) return this.#fixed;
    if (year === this.#bloomYear) return this.#yearBlooms;
    const out: BloomSpec[] = [];
    const h = (i: number, j: number): number => hashNoise(this.#sBloom, year, 16 * i + j);
    const n = 1 + Math.floor(3 * h(0, 0));
    const jan1 = localYearStartMs(year);
    for (let i = 1; i <= n; i++) {
      const day = BLOOM_FIRST_DAY + Math.floor((BLOOM_LAST_DAY + 1 - BLOOM_FIRST_DAY) * h(i, 1));
      // whole minutes, so onsets land on whole µs of any virtual timeline
      const onsetMs = jan1 + day * DAY_MS + Math.floor(h(i, 2) * 1440) * 60_000;
      out.push({ onsetMs, growthDays: 2 + 1.5 * h(i, 3), peakDays: 1 + 3 * h(i, 4), decayDays: 2 + 1.5 * h(i, 5), intensity: 2 + 2 * h(i, 6) });
    }
    out.sort((a, b) => a.onsetMs - b.onsetMs);
    this.#bloomYear = year;
    this.#yearBlooms = out;
    return out;
  }

  /** Bloom biomass at Unix ms and its rate of change (per hour) into `rate[0]`. */
  #bloomAt(ms: number, rate: Float64Array): number {
    const list = this.#blooms(localYear(ms));
    let b = 0;
    let db = 0;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      const g = s.growthDays * DAY_MS;
      const p = s.peakDays * DAY_MS;
      const d = s.decayDays * DAY_MS;
      const x = ms - s.onsetMs;
      if (x <= 0 || x >= g + p + d) continue;
      if (x < g) {
        const u = x / g;
        b += s.intensity * smoothstep(u);
        db += (s.intensity * 6 * u * (1 - u) * HOUR_MS) / g;
      } else if (x < g + p) {
        b += s.intensity;
      } else {
        const u = (x - g - p) / d;
        b += s.intensity * (1 - smoothstep(u));
        db -= (s.intensity * 6 * u * (1 - u) * HOUR_MS) / d;
      }
    }
    rate[0] = db;
    return b;
  }

  #biomassAt(ms: number): number {
    return monthly(BIOMASS, yearFractionOfDays((ms / HOUR_MS + this.#lonHours) / 24)) + this.#bloomAt(ms, this.#rate);
  }

  // ─────────── lattice inputs ───────────

  #equilibrium(k: number): number {
    const ms = k * HOUR_MS;
    return this.#air.air(this.#virtual(ms)).temperature + SOLAR_GAIN_C * this.#lightAt(ms) - LONGWAVE_C;
  }

  #oxygenForcing(ms: number): number {
    const biomass = this.#biomassAt(ms); // leaves the bloom's growth rate in #rate
    const growth = this.#rate[0]!;
    const net = growth > 0 ? GROWTH_GAIN * growth : DECAY_DEMAND * growth;
    const active = (SHADING * biomass) / (SHADING + biomass);
    return PRODUCTION * active * (this.#lightAt(ms) - this.#meanLightAt(ms)) + net - HETEROTROPHY;
  }

  // ─────────── quantities ───────────

  temperature(t: Micros): number {
    return between(this.#tWater, this.#unix(t) / HOUR_MS);
  }

  /** Departure of dissolved oxygen from saturation, percentage points. */
  #departure(ms: number): number {
    const d = between(this.#d, ms / DO_STEP_MS);
    return d > D_FLOOR ? d : D_FLOOR;
  }

  saturation(t: Micros): number {
    return 100 + this.#departure(this.#unix(t));
  }

  oxygen(t: Micros): number {
    const cs = oxygenSaturation(this.temperature(t), salinityFromConductivity(this.conductivity(t), 25), this.#air.air(t).pressure / 1000);
    return cs * (1 + this.#departure(this.#unix(t)) / 100);
  }

  pH(t: Micros): number {
    const ms = this.#unix(t);
    const x = this.#departure(ms) / 50;
    const carbonate = x >= 0 ? (1.6 * x) / (1 + x) : (0.9 * x) / (1 - x);
    return 8.45 + 0.1 * splineNoise(this.#sPH, ms / (200 * HOUR_MS)) + carbonate;
  }

  conductivity(t: Micros): number {
    const ms = this.#unix(t);
    const yf = yearFractionOfDays((ms / HOUR_MS + this.#lonHours) / 24);
    const bloom = this.#bloomAt(ms, this.#rate);
    return 470 * (1 - monthly(DILUTION, yf)) + 10 * splineNoise(this.#sCond, ms / (120 * HOUR_MS)) - 4 * bloom;
  }

  orp(t: Micros): number {
    const ms = this.#unix(t);
    const sat = 100 + this.#departure(ms);
    return 250 - 40 * (this.pH(t) - 8.45) + 0.3 * (sat - 100) + 8 * splineNoise(this.#sOrp, ms / (30 * HOUR_MS));
  }

  turbidity(t: Micros): number {
    const ms = this.#unix(t);
    const base = 8.5 + 2.5 * splineNoise(this.#sTurb, ms / (240 * HOUR_MS));
    const algae = 5 * this.#biomassAt(ms);
    const fast = 1 + 0.04 * splineNoise(this.#sTurbFast, ms / 600_000);
    const v = (base + algae + between(this.#stir, ms / HOUR_MS)) * fast;
    return v > 0.5 ? v : 0.5;
  }

  biomass(t: Micros): number {
    return this.#biomassAt(this.#unix(t));
  }

  light(t: Micros): number {
    return this.#lightAt(this.#unix(t));
  }

  snapshot(t: Micros): LakeSnapshot {
    return {
      temperature: this.temperature(t),
      pH: this.pH(t),
      oxygen: this.oxygen(t),
      saturation: this.saturation(t),
      conductivity: this.conductivity(t),
      orp: this.orp(t),
      turbidity: this.turbidity(t),
      biomass: this.biomass(t),
      light: this.light(t),
    };
  }

  blooms(t0: Micros, t1: Micros): Bloom[] {
    const ms0 = this.#unix(t0);
    const ms1 = this.#unix(t1);
    const out: Bloom[] = [];
    const y0 = localYear(ms0 - BLOOM_MAX_DAYS * DAY_MS);
    const y1 = localYear(ms1);
    for (let y = y0; y <= (this.#fixed ? y0 : y1); y++) {
      for (const s of this.#blooms(y)) {
        const endMs = s.onsetMs + (s.growthDays + s.peakDays + s.decayDays) * DAY_MS;
        if (endMs <= ms0 || s.onsetMs >= ms1) continue;
        out.push({ ...s, start: this.#virtual(s.onsetMs), end: this.#virtual(endMs) });
      }
    }
    return out;
  }
}

function checkBloom(b: BloomSpec): void {
  const bad = (field: string, v: number): never => {
    throw new RangeError(`dianchi: bloom ${field} must be a positive number, got ${v}`);
  };
  if (!Number.isFinite(b.onsetMs)) throw new RangeError(`dianchi: bloom onsetMs must be a Unix time in ms, got ${b.onsetMs}`);
  if (!(b.growthDays > 0)) bad("growthDays", b.growthDays);
  if (!(b.peakDays >= 0)) throw new RangeError(`dianchi: bloom peakDays must be ≥ 0, got ${b.peakDays}`);
  if (!(b.decayDays > 0)) bad("decayDays", b.decayDays);
  if (!(b.intensity > 0)) bad("intensity", b.intensity);
}

// ───────────────────────── local calendar (UTC+8) ─────────────────────────

/** Days from 1970-01-01 to 1 January of `year` (proleptic Gregorian). */
function daysToYear(year: number): number {
  const y = year - 1;
  return 365 * (year - 1970) + (Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)) - 477;
}

/** Unix ms of 1 January 00:00 Beijing time of `year`. */
function localYearStartMs(year: number): number {
  return daysToYear(year) * DAY_MS - UTC8_MS;
}

/** Beijing-time calendar year of Unix ms. */
function localYear(ms: number): number {
  let y = 1970 + Math.floor((ms + UTC8_MS) / (365.2425 * DAY_MS));
  while (localYearStartMs(y + 1) <= ms) y++;
  while (localYearStartMs(y) > ms) y--;
  return y;
}
