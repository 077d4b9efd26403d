/**
 * Dissolved oxygen as % of saturation at the lake's own air pressure.
 *
 * The saturation concentration is Benson & Krause's, as APHA Standard Methods 4500-O prints it and as the USGS
 * adopted it (Office of Water Quality Technical Memorandum 2011.03): C*(T, S) at 1 atm, then the pressure correction
 * with the water-vapour term, Cp = C*·P·(1 − Pwv/P)(1 − θP) / ((1 − Pwv)(1 − θ)), P in atm, Pwv the saturated
 * vapour pressure and θ the second-virial term (parts/ezo/oxygen.ts has the equations; the EZO-DO model uses the
 * same function, so the probe and this code agree on what saturation is). % saturation = 100·C/Cp.
 *
 * Pressure: Dianchi's surface is at 1886.5 m (Wikipedia "Dian Lake", 24°48′N 102°40′E), where the ICAO/ISO 2533
 * standard atmosphere gives 80.6 kPa and Kunming's station pressure runs about 81 kPa; at sea-level pressure the
 * saturation would be some 25 % too high (../shared/reference/sensors-and-protocols.md §1.4). So a node with a
 * barometer uses its reading; one without uses the standard atmosphere at its configured altitude, which is off by
 * the day's weather (±1 %). A reading outside 50–110 kPa (no surface weather reaches either: that is 5500 m of
 * altitude or a record cyclone) is taken as a failed barometer and the altitude is used instead.
 *
 * Salinity: Benson & Krause's salinity term, with the practical salinity of the water's specific conductance
 * (PSS-78, parts/ezo/seawater.ts, as the EZO-EC reports κ at 25 °C). For Dianchi's few hundred µS/cm it is about
 * 0.2–0.3 and lowers the saturation by under 0.2 %.
 */
import { pow } from "../../runtime/detmath.js";
import { oxygenSaturation } from "../../parts/ezo/oxygen.js";
import { salinityFromConductivity } from "../../parts/ezo/seawater.js";

/**
 * The ICAO/ISO 2533 standard atmosphere in the troposphere: p = p₀·(1 − L·h/T₀)^(g₀·M/(R·L)), p₀ = 101.325 kPa,
 * T₀ = 288.15 K, L = 0.0065 K/m, g₀·M/(R·L) = 9.80665 × 0.0289644 / (8.3144598 × 0.0065) = 5.25588.
 */
export const STANDARD_ATMOSPHERE = Object.freeze({ seaLevelKpa: 101.325, seaLevelK: 288.15, lapseKPerM: 0.0065, exponent: 5.25588 });

/** Dianchi's surface elevation, m (Wikipedia "Dian Lake": 1886.5 m; the reference notes say about 1886 m). */
export const DIANCHI_ALTITUDE_M = 1886.5;

/** Barometer readings outside this span (kPa) are not surface weather and fall back to the altitude. */
export const PLAUSIBLE_KPA = Object.freeze({ min: 50, max: 110 });

/** Standard-atmosphere pressure at `altitudeM` metres, kPa (80.6 kPa at Dianchi). */
export function standardPressureKpa(altitudeM: number): number {
  const a = STANDARD_ATMOSPHERE;
  return a.seaLevelKpa * pow(1 - (a.lapseKPerM * altitudeM) / a.seaLevelK, a.exponent);
}

/** The pressure to use: the barometer's reading (kPa, NaN when the node has none) when plausible, else the altitude's. */
export function lakePressureKpa(measuredKpa: number, altitudeM: number): number {
  return measuredKpa >= PLAUSIBLE_KPA.min && measuredKpa <= PLAUSIBLE_KPA.max ? measuredKpa : standardPressureKpa(altitudeM);
}

/** Practical salinity of water whose specific conductance (κ at 25 °C) is `microSiemens`; 0 for NaN or ≤ 0. */
export function salinityOfConductance(microSiemens: number): number {
  return microSiemens > 0 ? salinityFromConductivity(microSiemens, 25) : 0;
}

/**
 * Dissolved oxygen `mgL` as % of saturation for water at `celsius` and salinity `psu` under air at `kpa`.
 * NaN when an input is not a number or outside the equations' range (0–40 °C, 0–40 PSU, 50–110 kPa here).
 */
export function oxygenPercent(mgL: number, celsius: number, psu: number, kpa: number): number {
  if (!(mgL >= 0) || !(celsius >= 0 && celsius <= 40) || !(psu >= 0 && psu <= 40) || !(kpa >= PLAUSIBLE_KPA.min && kpa <= PLAUSIBLE_KPA.max)) return NaN;
  return (100 * mgL) / oxygenSaturation(celsius, psu, kpa);
}
