/**
 * How an ADS1220 and its strain-gauge bridge are fitted and run: one set of defaults, used by the driver and by the
 * part's manifest schema (part.ts), and the check that turns a configuration into register fields.
 */
import { checkBridge, type BridgeType } from "../strain-bridge/bridge.js";
import {
  DATA_RATES,
  DIFFERENTIAL_INPUTS,
  GAINS,
  MODES,
  MUX_SETTINGS,
  REJECTIONS,
  type DifferentialInputs,
  type Gain,
  type OperatingMode,
  type RegisterFields,
  type Rejection,
} from "./registers.js";

/** The references a bridge can be measured against: ratiometric (the excitation itself) or the internal 2.048 V. */
export type BridgeReference = "refp0" | "avdd" | "internal";

export interface ADS1220Config {
  /** Where the bridge output is wired: AINP–AINN of the multiplexer. */
  inputs: DifferentialInputs;
  gain: Gain;
  mode: OperatingMode;
  /** Nominal data rate, SPS: one of the mode's rates. */
  dataRate: number;
  /** "continuous": every conversion is a sample (DRDY paces it); "single-shot": `measure()` starts each one. */
  conversion: "continuous" | "single-shot";
  /**
   * "refp0": the excitation feeds REFP0/REFN0 (ratiometric); "avdd": the bridge is excited from AVDD and measured
   * against it (ratiometric); "internal": the 2.048 V reference (the excitation must then be known exactly).
   */
  reference: BridgeReference;
  /** FIR 50/60 Hz rejection; only at 20 SPS in normal mode (5 SPS in duty-cycle mode). */
  rejection: Rejection;
  /** Close the low-side switch (AIN3/REFN1 to AVSS) on START/SYNC and open it on POWERDOWN, to gate the bridge. */
  lowSideSwitch: boolean;
  gaugeFactor: number;
  bridge: BridgeType;
  /** Bridge excitation, V (what `internal` divides by; a ratiometric reading does not depend on it). */
  excitationVolts: number;
  /** Resistance of one bridge arm, Ω (the burn-out check's expected offset: 10 µA through the bridge). */
  bridgeOhms: number;
  /** A temperature-sensor conversion in the stream this often, s (0: never). */
  temperatureS: number;
  /** A burn-out (open bridge) check conversion this often, s (0: never). */
  openCheckS: number;
}

/**
 * Defaults: a full bridge of foil gauges (GF 2.0, 350 Ω arms, the usual values: reference §3.4) excited from 3.3 V
 * and measured ratiometrically on AIN1–AIN2 against REFP0/REFN0 at gain 128 (FSR ±VREF/128: ±7.8 mV/V, ±3900 µε),
 * continuously at 20 SPS with simultaneous 50/60 Hz rejection (the 20-SPS FIR setting; 20 Hz is the dynamic-strain
 * rate of bridge monitoring, reference §3.4); the die temperature and a burn-out check once a minute each.
 */
export const ADS1220_DEFAULTS: Readonly<ADS1220Config> = Object.freeze({
  inputs: "AIN1-AIN2",
  gain: 128,
  mode: "normal",
  dataRate: 20,
  conversion: "continuous",
  reference: "refp0",
  rejection: "50-60",
  lowSideSwitch: false,
  gaugeFactor: 2.0,
  bridge: "full",
  excitationVolts: 3.3,
  bridgeOhms: 350,
  temperatureS: 60,
  openCheckS: 60,
});

/** Throws a RangeError naming the first field of `c` that the part cannot do. */
export function validateConfig(c: ADS1220Config): void {
  const who = "ads1220";
  if (!DIFFERENTIAL_INPUTS.includes(c.inputs)) throw new RangeError(`${who}: inputs must be one of ${DIFFERENTIAL_INPUTS.join(", ")}, got ${String(c.inputs)}`);
  if (!GAINS.includes(c.gain)) throw new RangeError(`${who}: gain must be one of ${GAINS.join(", ")}, got ${String(c.gain)}`);
  if (!MODES.includes(c.mode)) throw new RangeError(`${who}: mode must be one of ${MODES.join(", ")}, got ${String(c.mode)}`);
  const rates = DATA_RATES[c.mode];
  if (!rates.includes(c.dataRate)) throw new RangeError(`${who}: dataRate must be one of ${rates.join(", ")} SPS in ${c.mode} mode, got ${String(c.dataRate)}`);
  if (c.conversion !== "continuous" && c.conversion !== "single-shot") throw new RangeError(`${who}: conversion must be "continuous" or "single-shot", got ${String(c.conversion)}`);
  if (c.reference !== "refp0" && c.reference !== "avdd" && c.reference !== "internal") {
    throw new RangeError(`${who}: reference must be "refp0", "avdd" or "internal", got ${String(c.reference)}`);
  }
  if (!REJECTIONS.includes(c.rejection)) throw new RangeError(`${who}: rejection must be one of ${REJECTIONS.join(", ")}, got ${String(c.rejection)}`);
  if (c.rejection !== "off" && rates.indexOf(c.dataRate) !== 0) {
    throw new RangeError(`${who}: rejection "${c.rejection}" needs the lowest data rate (20 SPS normal, 5 SPS duty-cycle); set rejection "off" at ${c.dataRate} SPS ${c.mode}`);
  }
  if (c.mode === "turbo" && c.rejection !== "off") throw new RangeError(`${who}: rejection must be "off" in turbo mode`);
  if (typeof c.lowSideSwitch !== "boolean") throw new TypeError(`${who}: lowSideSwitch must be a boolean`);
  checkBridge(who, c.bridge, c.gaugeFactor);
  if (!(typeof c.excitationVolts === "number" && c.excitationVolts > 0.5 && c.excitationVolts <= 5.5)) {
    throw new RangeError(`${who}: excitationVolts must be 0.5…5.5 V, got ${String(c.excitationVolts)}`);
  }
  if (!(typeof c.bridgeOhms === "number" && c.bridgeOhms > 0)) throw new RangeError(`${who}: bridgeOhms must be > 0, got ${String(c.bridgeOhms)}`);
  for (const key of ["temperatureS", "openCheckS"] as const) {
    if (!(typeof c[key] === "number" && c[key] >= 0 && c[key] <= 86_400)) throw new RangeError(`${who}: ${key} must be 0…86400 s, got ${String(c[key])}`);
  }
}

/** The register fields for a strain conversion of `c` (TS and BCS as asked: the temperature and burn-out slots). */
export function registerFields(c: ADS1220Config, temperatureSensor: boolean, burnout: boolean): RegisterFields {
  return {
    mux: MUX_SETTINGS.indexOf(c.inputs),
    gain: c.gain,
    pgaBypass: false,
    dataRate: c.dataRate,
    mode: c.mode,
    continuous: c.conversion === "continuous",
    temperatureSensor,
    burnout,
    reference: c.reference,
    rejection: c.rejection,
    lowSideSwitch: c.lowSideSwitch,
    idacMicroamps: 0,
    idac1: 0,
    idac2: 0,
    drdyOnDout: false,
  };
}
