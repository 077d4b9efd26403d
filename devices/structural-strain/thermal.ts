/**
 * Temperature compensation of a bonded strain gauge's reading: the linear thermal-output correction.
 *
 * Micro-Measurements Tech Note TN-504-1 ("Strain Gage Thermal Output and Gage Factor Variation with Temperature",
 * §2 and "Corrections for Thermal Output"): once the bridge is balanced, a change of the installation's temperature
 * changes the gauge's resistance whatever the stress (the thermal output, or temperature-induced apparent strain),
 * so the indicated strain is the stress-induced strain plus the thermal output, and the correction is to subtract
 * the thermal output, with its sign. The maker gives the thermal output per gauge lot as a polynomial in T
 * (Eq. 504.5), measured at an instrument gauge factor of 2.0; over the few tens of degrees a bridge deck sees, its
 * first-order term — a coefficient in µε/°C about the temperature at which the bridge was balanced — is what a
 * datasheet or a calibration on the structure states, and what this module applies:
 *
 *     ε = ε_indicated − k·(T − T_ref),   k scaled by 2.0/GF when the driver computes strain with GF ≠ 2.0 (TN-504).
 *
 * The same form is the vibrating-wire gauges' correction (Geokon: ε = (R1 − R0)·G + (T1 − T0)·K), with the sign of
 * K folded into k here. The temperature is the last valid one reported (the ADC's sensor is read every few
 * seconds, the strain 20–100 times a second); until one has arrived the result is NaN, because an uncorrected
 * sample followed by corrected ones would show the correction as a step in the strain.
 *
 * Device code: no allocation per sample.
 */

export interface ThermalCompensationConfig {
  /** Thermal output coefficient k, µε per °C (at the datasheet's gauge factor). */
  microstrainPerC: number;
  /** Temperature at which the bridge was balanced (zeroed), °C. */
  referenceC: number;
  /** The gauge factor the strain driver computes with; with `datasheetGaugeFactor` it scales k. */
  gaugeFactor?: number;
  /** The instrument gauge factor the coefficient was quoted at (Micro-Measurements: 2.0). Default 2.0. */
  datasheetGaugeFactor?: number;
}

const WHO = "thermal compensation";

export class ThermalCompensation {
  /** The coefficient as applied, µε/°C (after the gauge-factor scaling). */
  readonly microstrainPerC: number;
  readonly referenceC: number;
  #temperature = NaN;

  constructor(config: ThermalCompensationConfig) {
    const { microstrainPerC: k, referenceC } = config;
    if (!Number.isFinite(k) || Math.abs(k) > 100) throw new RangeError(`${WHO}: microstrainPerC must be a finite number of µε/°C within ±100, got ${String(k)}`);
    if (!Number.isFinite(referenceC) || referenceC < -60 || referenceC > 150) throw new RangeError(`${WHO}: referenceC must be a temperature between −60 and 150 °C, got ${String(referenceC)}`);
    const quoted = config.datasheetGaugeFactor ?? 2.0;
    const gf = config.gaugeFactor ?? quoted;
    if (!(gf > 0.5 && gf < 10)) throw new RangeError(`${WHO}: gaugeFactor must be between 0.5 and 10, got ${String(gf)}`);
    if (!(quoted > 0.5 && quoted < 10)) throw new RangeError(`${WHO}: datasheetGaugeFactor must be between 0.5 and 10, got ${String(quoted)}`);
    this.microstrainPerC = (k * quoted) / gf;
    this.referenceC = referenceC;
  }

  /** The latest temperature of the installation, °C; NaN or ±Infinity keeps the one before. */
  set temperature(c: number) {
    if (c - c === 0) this.#temperature = c;
  }

  /** The temperature the correction uses, °C (NaN until one has been reported). */
  get temperature(): number {
    return this.#temperature;
  }

  /** The thermal output at the current temperature, µε (NaN until a temperature has been reported). */
  get thermalOutput(): number {
    return this.microstrainPerC * (this.#temperature - this.referenceC);
  }

  /** The stress-induced strain for an indicated strain, µε; NaN while no temperature is known. */
  compensate(indicated: number): number {
    return indicated - this.microstrainPerC * (this.#temperature - this.referenceC);
  }
}
