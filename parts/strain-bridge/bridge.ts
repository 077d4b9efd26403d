/**
 * Wheatstone bridges of foil strain gauges: the ratio Vout/Vex a bridge gives for a strain, and back. One module for
 * both directions, so the ADC models (which make a voltage from the world's strain) and the drivers (which make a
 * strain from a code) cannot disagree about the bridge.
 *
 * Each gauge changes its resistance by ΔR/R = GF·ε. With the bridge excited by Vex and the arms arranged as below,
 * the output Vout = V(+) − V(−) is positive for tensile strain (ε > 0):
 * - "full": four active gauges, two in tension (+ε) and two in compression (−ε), each pair in opposite arms (a beam
 *   in bending; National Instruments' "full-bridge type I"). The two half-bridges give (1 + x)/2 and (1 − x)/2 of
 *   Vex with x = GF·ε, so Vout/Vex = GF·ε exactly.
 * - "half": two active gauges, +ε and −ε, in adjacent arms, with two fixed completion resistors ("half-bridge type
 *   II"): Vout/Vex = GF·ε/2 exactly.
 * - "quarter": one active gauge and three fixed resistors ("quarter-bridge type I"): Vout/Vex = GF·ε/(4 + 2·GF·ε),
 *   not linear in ε.
 * Source: standard bridge theory as National Instruments documents it for these configurations (NI-DAQmx help,
 * "Full-Bridge Type I", "Half-Bridge Type II", "Quarter-Bridge Type I": sensitivity about 2.0, 1.0 and 0.5 mV/V at
 * 1000 µε with GF 2, and the conversion equations ε = Vr/GF, 2·Vr/GF, 4·Vr/(GF·(1 − 2·Vr)) with Vr = Vout/Vex, up to
 * NI's sign convention). Lead resistance and Poisson arrangements are not modelled.
 *
 * Device code: plain arithmetic, no allocation (by kind).
 */

export type BridgeType = "full" | "half" | "quarter";

export const BRIDGE_TYPES: readonly BridgeType[] = Object.freeze(["full", "half", "quarter"] as BridgeType[]);

/**
 * A bridge type as a number (its index in BRIDGE_TYPES), for the sample paths: comparing strings there costs an
 * allocation per comparison on XS when the code is not preloaded, numbers cost nothing.
 */
export function bridgeKind(type: BridgeType): number {
  return BRIDGE_TYPES.indexOf(type);
}

/** Vout/Vex (V/V) of a bridge of gauges with gauge factor `gf` under `microstrain` µε. */
export function bridgeRatio(type: BridgeType, gf: number, microstrain: number): number {
  return ratioOfKind(bridgeKind(type), gf, microstrain);
}

/** The strain (µε) that gives the bridge ratio `ratio` (V/V): the inverse of `bridgeRatio`. */
export function strainFromRatio(type: BridgeType, gf: number, ratio: number): number {
  return strainOfKind(bridgeKind(type), gf, ratio);
}

/** `bridgeRatio` by `bridgeKind`. */
export function ratioOfKind(kind: number, gf: number, microstrain: number): number {
  const x = gf * microstrain * 1e-6;
  return kind === 0 ? x : kind === 1 ? x / 2 : x / (4 + 2 * x);
}

/** `strainFromRatio` by `bridgeKind`. */
export function strainOfKind(kind: number, gf: number, ratio: number): number {
  if (kind === 0) return (ratio / gf) * 1e6;
  if (kind === 1) return ((2 * ratio) / gf) * 1e6;
  return ((4 * ratio) / (gf * (1 - 2 * ratio))) * 1e6;
}

/** A strain ADC's latest sample, copied out by its driver's `readInto` without allocating. */
export interface StrainReading {
  /** Strain, µε (tension positive). */
  microstrain: number;
  /** Bridge output over excitation, V/V. */
  ratio: number;
  /** The raw 24-bit two's-complement code. */
  code: number;
  /** `clock.microseconds()` when the conversion was read. */
  atUs: number;
  /** Temperature the ADC measured, °C (NaN: none yet, or the ADC has no sensor). */
  temperature: number;
  /** Samples so far. */
  count: number;
}

/** A strain ADC's sample in the Sensor Class Pattern's shape (a new object per call). */
export interface StrainSample {
  strainGauge: { strain: number; ratio: number; code: number };
  thermometer?: { temperature: number };
}

/** Throws a RangeError naming `who` when the bridge description cannot be used. */
export function checkBridge(who: string, type: unknown, gf: unknown): void {
  if (type !== "full" && type !== "half" && type !== "quarter") throw new RangeError(`${who}: bridge must be "full", "half" or "quarter", got ${String(type)}`);
  if (typeof gf !== "number" || !(gf > 0.5 && gf < 10)) throw new RangeError(`${who}: gaugeFactor must be a number between 0.5 and 10 (foil gauges: about 2), got ${String(gf)}`);
}
