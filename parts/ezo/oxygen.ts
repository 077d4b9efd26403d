/**
 * Dissolved-oxygen saturation, for the EZO-DO model (and for device code that corrects % saturation for a lake's
 * altitude). Benson & Krause as printed in APHA Standard Methods 4500-O (Table 4500-O:I and its equations):
 *
 *   ln C* = −139.34411 + 1.575701e5/T − 6.642308e7/T² + 1.243800e10/T³ − 8.621949e11/T⁴
 *           − S·(1.7674e-2 − 10.754/T + 2140.7/T²)                        (mg/L at 1 atm, T in K, S in PSU)
 *   ln Pwv = 11.8571 − 3840.70/T − 216961/T²                              (water vapour pressure, atm)
 *   θ = 0.000975 − 1.426e-5·t + 6.436e-8·t²                               (t in °C)
 *   Cp = C*·P·(1 − Pwv/P)(1 − θP) / ((1 − Pwv)(1 − θ))                    (P in atm)
 *
 * The freshwater term gives 11.29 / 9.09 / 8.26 mg/L at 10 / 20 / 25 °C (../shared/reference §1.4). detmath keeps
 * the results bit-identical on every engine.
 */
import { exp } from "../../runtime/detmath.js";

export const STANDARD_ATMOSPHERE_KPA = 101.325;
/** Mole fraction of O₂ in dry air. */
export const O2_FRACTION = 0.20946;

const K0 = 273.15;

/** Saturated water vapour pressure at `celsius`, kPa. */
export function waterVapourKpa(celsius: number): number {
  const T = celsius + K0;
  return exp(11.8571 - 3840.7 / T - 216961 / (T * T)) * STANDARD_ATMOSPHERE_KPA;
}

/** Equilibrium O₂ concentration with water-saturated air at `kpa` total pressure, mg/L. */
export function oxygenSaturation(celsius: number, salinityPsu: number, kpa = STANDARD_ATMOSPHERE_KPA): number {
  const T = celsius + K0;
  const T2 = T * T;
  const lnC =
    -139.34411 + 1.575701e5 / T - 6.642308e7 / T2 + 1.2438e10 / (T2 * T) - 8.621949e11 / (T2 * T2) - salinityPsu * (1.7674e-2 - 10.754 / T + 2140.7 / T2);
  const c1 = exp(lnC);
  const P = kpa / STANDARD_ATMOSPHERE_KPA;
  const pwv = waterVapourKpa(celsius) / STANDARD_ATMOSPHERE_KPA;
  const theta = 0.000975 - 1.426e-5 * celsius + 6.436e-8 * celsius * celsius;
  return (c1 * P * (1 - pwv / P) * (1 - theta * P)) / ((1 - pwv) * (1 - theta));
}

/** Partial pressure of O₂ in air saturated with water vapour at `celsius` and `kpa`, kPa. */
export function airOxygenKpa(celsius: number, kpa: number): number {
  return O2_FRACTION * (kpa - waterVapourKpa(celsius));
}
