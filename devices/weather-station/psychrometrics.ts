/**
 * Dew point, frost point and frost risk from air temperature and relative humidity.
 *
 * The formulas of WMO-No. 8 (Guide to Instruments and Methods of Observation, Annex 4.B), t in °C, pressures in hPa:
 *   saturation vapour pressure over water  e_w(t) = 6.112·exp(17.62·t / (243.12 + t))   (−45 … 60 °C)
 *   saturation vapour pressure over ice    e_i(t) = 6.112·exp(22.46·t / (272.62 + t))   (−65 … 0.01 °C)
 *   relative humidity is over water:       U = 100·e / e_w(t), so the vapour pressure is e = U/100·e_w(t)
 *   dew point   t_d: e_w(t_d) = e  →  t_d = 243.12·ln(e/6.112) / (17.62 − ln(e/6.112))
 *   frost point t_f: e_i(t_f) = e  →  t_f = 272.62·ln(e/6.112) / (22.46 − ln(e/6.112))
 * The Annex's enhancement factor f(p) multiplies e and both saturation pressures alike and cancels here, so the
 * station needs no pressure for these. A hygrometer's RH is over water at every temperature (WMO's convention, and
 * the SHT3x's and BME280's), so below 0 °C the frost point comes from the vapour pressure over water, never from
 * the ice formula applied to the RH (that shortcut puts the frost point about 0.45 °C too low at −4 °C, 1.1 °C at −10 °C, 2 °C at −20 °C).
 *
 * ln(e/6.112) = ln(U/100) + 17.62·t/(243.12 + t) is formed directly rather than as ln(exp(…)): the same quantity
 * with one rounding less. `ln` comes from runtime/detmath so the figures are bit-identical on V8 and XS.
 */
import { ln } from "../../runtime/detmath.js";

const WATER_A = 17.62;
const WATER_B = 243.12;
const ICE_A = 22.46;
const ICE_B = 272.62;

/** ln(e / 6.112 hPa) for air at `temperature` °C and `humidity` %RH over water; NaN for impossible inputs. */
function lnVapourRatio(temperature: number, humidity: number): number {
  if (!(humidity > 0) || humidity > 100 || temperature !== temperature) return NaN;
  return ln(humidity / 100) + (WATER_A * temperature) / (WATER_B + temperature);
}

/** The temperature where the Magnus form with constants a, b reaches the vapour pressure whose ratio is e^g. */
function saturatedAt(g: number, a: number, b: number): number {
  return (b * g) / (a - g);
}

/** Dew point over water, °C. NaN for impossible inputs. Check: 20 °C, 50 %RH → 9.26 °C. */
export function dewPoint(temperature: number, humidity: number): number {
  return saturatedAt(lnVapourRatio(temperature, humidity), WATER_A, WATER_B);
}

/**
 * Frost point, °C: the temperature at which the air's vapour pressure saturates over ice. Defined while the vapour
 * pressure is at most e_i(0) = 6.112 hPa (frost point ≤ 0 °C); above that the air reaches saturation over water
 * first, at a dew point above 0 °C, and this returns NaN.
 */
export function frostPoint(temperature: number, humidity: number): number {
  const g = lnVapourRatio(temperature, humidity);
  return g <= 0 ? saturatedAt(g, ICE_A, ICE_B) : NaN;
}

export interface FrostRule {
  /** 2 m air temperature at or below which surfaces may be at or below 0 °C (radiative cooling), °C. */
  airMaxC: number;
  /** Largest gap between air temperature and frost point (or dew point) for deposition to be likely, °C. */
  spreadC: number;
}

/**
 * Frost risk: hoarfrost forms when a surface is at or below 0 °C and below the frost point (Karlsson 2001).
 * A station measures air at 2 m, not the surface, which on a clear night runs a few degrees colder; so the flag
 * is raised when the air is near freezing and within `spreadC` of the temperature where its vapour deposits: the
 * frost point while that is at or below 0 °C (vapour pressure ≤ 6.112 hPa), otherwise the dew point (above 0 °C:
 * dew forms first and freezes on a surface that cools on below 0 °C).
 */
export function frostRisk(temperature: number, humidity: number, rule: FrostRule): boolean {
  if (!(temperature <= rule.airMaxC)) return false;
  const g = lnVapourRatio(temperature, humidity);
  if (g !== g) return false;
  const point = g <= 0 ? saturatedAt(g, ICE_A, ICE_B) : saturatedAt(g, WATER_A, WATER_B);
  return temperature - point <= rule.spreadC;
}
