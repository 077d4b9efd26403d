/**
 * Air physics shared by environment models: saturation vapour pressure (Magnus, Sonntag 1990 constants), relative
 * humidity from a dew point, the barometric formula, and a periodic monthly-table interpolator.
 * Portable and deterministic (runtime/detmath.ts, no Math.exp/pow).
 */
import { exp, pow } from "../../../runtime/detmath.js";

/** Magnus coefficients over water, valid −45…60 °C (Sonntag 1990, as in Sensirion's humidity note). */
export const MAGNUS_WATER = Object.freeze({ a: 17.62, b: 243.12 });
/** Magnus coefficients over ice, valid −65…0.01 °C. */
export const MAGNUS_ICE = Object.freeze({ a: 22.46, b: 272.62 });
/** Saturation vapour pressure at 0 °C, Pa (6.112 hPa). */
export const MAGNUS_E0_PA = 611.2;

/** Saturation vapour pressure over liquid water at tC (°C), in Pa. */
export function saturationVaporPressure(tC: number): number {
  return MAGNUS_E0_PA * exp((MAGNUS_WATER.a * tC) / (MAGNUS_WATER.b + tC));
}

/** Saturation vapour pressure over ice at tC (°C), in Pa. */
export function saturationVaporPressureIce(tC: number): number {
  return MAGNUS_E0_PA * exp((MAGNUS_ICE.a * tC) / (MAGNUS_ICE.b + tC));
}

/**
 * Relative humidity in % (with respect to water, the WMO convention also below 0 °C) of air at tC whose dew point
 * is dewPointC: 100·e(Td)/e_s(T), one exp.
 */
export function relativeHumidity(tC: number, dewPointC: number): number {
  const { a, b } = MAGNUS_WATER;
  return 100 * exp((a * dewPointC) / (b + dewPointC) - (a * tC) / (b + tC));
}

/** Standard gravity (m/s²), molar mass of dry air (kg/mol), gas constant (J/(mol·K)), ISA lapse rate (K/m). */
export const G0 = 9.80665;
export const M_AIR = 0.0289644;
export const R_GAS = 8.3144598;
export const LAPSE = 0.0065;
/** The barometric exponent g·M/(R·L) ≈ 5.2559. */
export const BAROMETRIC_EXPONENT = (G0 * M_AIR) / (R_GAS * LAPSE);

/**
 * Pressure (Pa) at elevation h (m) from the barometric formula for a constant lapse rate,
 * p = p0·(1 − L·h/T0)^(g·M/(R·L)), where T0 (K) is the temperature the column would have at sea level.
 * ISA: p0 = 101325 Pa, T0 = 288.15 K.
 */
export function barometricPressure(elevationM: number, seaLevelPa = 101325, seaLevelTempK = 288.15): number {
  return seaLevelPa * pow(1 - (LAPSE * elevationM) / seaLevelTempK, BAROMETRIC_EXPONENT);
}

/** A monthly table as `monthly` reads it fastest: a model's own copy (a typed array cannot be frozen). */
export function monthlyTable(table: readonly number[]): Float64Array {
  if (table.length !== 12) throw new RangeError(`a monthly table has 12 entries, got ${table.length}`);
  return Float64Array.from(table);
}

/**
 * A 12-entry monthly table (January first, each value meant for the middle of its month) read at `yearFraction`
 * (0 = 1 January 00:00, 1 = the next), with a periodic Catmull–Rom spline: continuous in value and slope.
 * A model that reads a table several times a second keeps it as a Float64Array (`monthlyTable`): V8 reads a frozen
 * array of doubles at about half the speed.
 */
export function monthly(table: ArrayLike<number>, yearFraction: number): number {
  const pos = yearFraction * 12 - 0.5;
  const i = Math.floor(pos);
  const f = pos - i;
  // i mod 12, also for negative i; the neighbours wrap by comparison, not `%` (a floating-point fmod on V8, which
  // made this the wind's costliest line at four calls an instant)
  const m = (i >= 0 && i < 12 ? i : i - 12 * Math.floor(i / 12)) | 0;
  const m2 = m === 11 ? 0 : m + 1;
  const p0 = table[m === 0 ? 11 : m - 1]!;
  const p1 = table[m]!;
  const p2 = table[m2]!;
  const p3 = table[m2 === 11 ? 0 : m2 + 1]!;
  return p1 + 0.5 * f * (p2 - p0 + f * (2 * p0 - 5 * p1 + 4 * p2 - p3 + f * (3 * (p1 - p2) + p3 - p0)));
}
