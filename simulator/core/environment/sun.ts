/**
 * The sun as the simulated worlds need it: the fraction of the tropical year, the solar declination and equation of
 * time (Spencer 1971, Fourier series in the day angle), the half-length of the day between sunrise and sunset (the
 * sun's centre 0.833° below the horizon: refraction and the solar radius), and the sine of the solar elevation.
 * The weather (kunming.ts) places its diurnal temperature shape with it; the lake (dianchi.ts) its light.
 *
 * Portable and deterministic (runtime/detmath.ts): the same bits on V8 and XS.
 */
import { acos, cos, sin } from "../../../runtime/detmath.js";

export const PI = 3.141592653589793;
export const TWO_PI = 6.283185307179586;
export const DEG = PI / 180;
const TROPICAL_YEAR_DAYS = 365.2425;

/** Year fraction from solar days since 1970-01-01 (day 0 is 1 January; drifts < 1 day against the calendar). */
export function yearFractionOfDays(days: number): number {
  const y = days / TROPICAL_YEAR_DAYS;
  return y - Math.floor(y);
}

/** Solar declination (rad) at the day angle g = 2π·(year fraction) (Spencer 1971, ±0.0006 rad). */
export function solarDeclination(g: number): number {
  const g2 = 2 * g;
  const g3 = 3 * g;
  return 0.006918 - 0.399912 * cos(g) + 0.070257 * sin(g) - 0.006758 * cos(g2) + 0.000907 * sin(g2) - 0.002697 * cos(g3) + 0.00148 * sin(g3);
}

/** Equation of time (minutes, apparent minus mean solar time) at the day angle g (Spencer 1971). */
export function equationOfTime(g: number): number {
  const g2 = 2 * g;
  return 229.18 * (0.000075 + 0.001868 * cos(g) - 0.032077 * sin(g) - 0.014615 * cos(g2) - 0.040849 * sin(g2));
}

/** Hours from solar noon to sunset (or from sunrise to noon) at declination `decl` and a latitude given by its sine and cosine. */
export function halfDayHours(decl: number, sinLat: number, cosLat: number): number {
  let cw = (sin(-0.833 * DEG) - sinLat * sin(decl)) / (cosLat * cos(decl));
  if (cw > 1) cw = 1;
  else if (cw < -1) cw = -1;
  return (acos(cw) * 12) / PI;
}

/** Sine of the solar elevation at `hoursFromNoon` from apparent solar noon (negative below the horizon). */
export function sinElevation(decl: number, sinLat: number, cosLat: number, hoursFromNoon: number): number {
  return sinLat * sin(decl) + cosLat * cos(decl) * cos((PI * hoursFromNoon) / 12);
}
