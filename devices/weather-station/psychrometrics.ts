/**
 * Dew point, frost point and frost risk from air temperature and relative humidity.
 *
 * Magnus formula with the Sonntag (1990) constants that Sensirion's humidity application note gives:
 * over water a = 17.62, b = 243.12 °C (−45…60 °C); over ice a = 22.46, b = 272.62 °C (−65…0.01 °C).
 * γ = ln(RH/100) + a·T/(b + T);  Td = b·γ/(a − γ).  Check: 20 °C, 50 %RH → 9.26 °C.
 * `ln` comes from runtime/detmath so the numbers are bit-identical on V8 and XS.
 */
import { ln } from "../../runtime/detmath.js";

const WATER_A = 17.62;
const WATER_B = 243.12;
const ICE_A = 22.46;
const ICE_B = 272.62;

function magnus(temperature: number, humidity: number, a: number, b: number): number {
  if (!(humidity > 0) || humidity > 100 || temperature !== temperature) return NaN;
  const gamma = ln(humidity / 100) + (a * temperature) / (b + temperature);
  return (b * gamma) / (a - gamma);
}

/** Dew point over water, °C. NaN for impossible inputs. */
export function dewPoint(temperature: number, humidity: number): number {
  return magnus(temperature, humidity, WATER_A, WATER_B);
}

/**
 * Frost point (saturation over ice), °C. Meaningful below 0 °C, where it is the temperature at which a surface
 * collects hoarfrost. Note RH from hygrometers is relative to water, so this uses the ice constants on a
 * water-referenced RH: it is the common approximation, good to a few tenths of a degree near 0 °C.
 */
export function frostPoint(temperature: number, humidity: number): number {
  return magnus(temperature, humidity, ICE_A, ICE_B);
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
 * is raised when the air is near freezing and nearly saturated with respect to ice.
 */
export function frostRisk(temperature: number, humidity: number, rule: FrostRule): boolean {
  if (!(temperature <= rule.airMaxC)) return false;
  const point = temperature <= 0 ? frostPoint(temperature, humidity) : dewPoint(temperature, humidity);
  return point === point && temperature - point <= rule.spreadC;
}
