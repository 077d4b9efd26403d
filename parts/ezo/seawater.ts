/**
 * Conductivity to salinity and density, for the EZO-EC model's salinity and specific-gravity outputs and the
 * EZO-DO model's `S,<µS>` salinity compensation.
 *
 * Salinity: the Practical Salinity Scale 1978 (UNESCO Technical Papers in Marine Science 36/37, Lewis & Perkin
 * 1981), at atmospheric pressure: S = Σ aᵢ·Rₜ^(i/2) + (t − 15)/(1 + k(t − 15))·Σ bᵢ·Rₜ^(i/2), with Rₜ the
 * conductivity ratio to standard seawater (S = 35) at the same temperature, C(35,15,0) = 42.914 mS/cm and
 * rₜ = C(35,t,0)/C(35,15,0) = Σ cᵢ·tⁱ. Σaᵢ = 35 and Σbᵢ = 0, so Rₜ = 1 is S = 35 at every t. The scale is defined
 * for 2–42; below 2 (lake water) it is used as it stands, which the EZO-EC's own conversion is not documented to do.
 *
 * Density: the one-atmosphere International Equation of State of Seawater 1980 (UNESCO 1981), kg/m³.
 */

const A: readonly number[] = Object.freeze([0.008, -0.1692, 25.3851, 14.0941, -7.0261, 2.7081]);
const B: readonly number[] = Object.freeze([0.0005, -0.0056, -0.0066, -0.0375, 0.0636, -0.0144]);
const C: readonly number[] = Object.freeze([0.6766097, 2.00564e-2, 1.104259e-4, -6.9698e-7, 1.0031e-9]);
const K = 0.0162;
/** Conductivity of standard seawater (S = 35) at 15 °C, µS/cm. */
export const C35_15_US = 42_914;

/** C(35, t, 0) / C(35, 15, 0). */
export function seawaterConductivityRatio(celsius: number): number {
  const t = celsius;
  return C[0]! + t * (C[1]! + t * (C[2]! + t * (C[3]! + t * C[4]!)));
}

/** Practical salinity from the conductivity ratio Rₜ at `celsius`. */
export function salinityFromRatio(ratio: number, celsius: number): number {
  if (!(ratio > 0)) return 0;
  const r = Math.sqrt(ratio);
  let a = 0;
  let b = 0;
  let p = 1;
  for (let i = 0; i < 6; i++) {
    a += A[i]! * p;
    b += B[i]! * p;
    p *= r;
  }
  const dt = celsius - 15;
  return a + (dt / (1 + K * dt)) * b;
}

/** Practical salinity of water whose conductivity at `celsius` is `microSiemens` (µS/cm). */
export function salinityFromConductivity(microSiemens: number, celsius: number): number {
  const s = salinityFromRatio(microSiemens / (C35_15_US * seawaterConductivityRatio(celsius)), celsius);
  return s > 0 ? s : 0;
}

/** Density of pure water at `celsius` (SMOW, EOS-80), kg/m³. */
export function pureWaterDensity(celsius: number): number {
  const t = celsius;
  return 999.842594 + t * (6.793952e-2 + t * (-9.09529e-3 + t * (1.001685e-4 + t * (-1.120083e-6 + t * 6.536332e-9))));
}

/** Density of seawater at salinity `psu`, `celsius`, one atmosphere (EOS-80), kg/m³. */
export function seawaterDensity(psu: number, celsius: number): number {
  const t = celsius;
  const s = psu > 0 ? psu : 0;
  const b = 0.824493 + t * (-4.0899e-3 + t * (7.6438e-5 + t * (-8.2467e-7 + t * 5.3875e-9)));
  const c = -5.72466e-3 + t * (1.0227e-4 - t * 1.6546e-6);
  return pureWaterDensity(t) + s * b + s * Math.sqrt(s) * c + 4.8314e-4 * s * s;
}
