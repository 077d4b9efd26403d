/**
 * Atlas Scientific EZO-DO: facts the driver and the model share.
 * Source: EZO-DO datasheet v4.1 (rev. 12/19/17): p.1 range 0.01–100+ mg/L and 0.1–400+ % saturation, accuracy
 * ±0.05 mg/L, 1 or 2 point calibration, temperature, salinity and pressure compensation, default I2C address 97
 * (0x61); p.55 `O,%,1|0`, `O,mg,1|0`, `O,?` → "?,O,%,mg" (both enabled) with 300 ms, and "no output" as the
 * reading when every output is disabled; "Pressure compensation" section: the circuit assumes atmospheric
 * pressure and takes `P,<kPa>`; temperature compensation defaults to 20 °C and is lost at power-off, salinity and
 * pressure are kept in EEPROM. `R` 600 ms: Tasmota's EZO_DO_READ_LATENCY and
 * ../shared/reference/sensors-and-protocols.md §1.2; `RT` 900 ms and `Cal` 1300 ms: feastorg ezo-driver timing
 * table (unverified in the datasheet).
 */
import { calibrationGrammar, type EzoCircuit } from "../ezo/circuit.js";

/** Temperature compensation after power-up, °C (datasheet: "set to 20˚C by default"). */
export const DO_DEFAULT_T = 20;
/** Pressure compensation the circuit assumes, kPa (one standard atmosphere). */
export const DO_DEFAULT_KPA = 101.325;
/** The reply to `R` when both outputs are disabled (datasheet p.55). */
export const DO_NO_OUTPUT = "no output";

export const EZO_DO: EzoCircuit = Object.freeze({
  name: "ezo-do",
  type: "DO",
  defaultAddress: 0x61,
  readMs: 600,
  compensatedReadMs: 900,
  temperatureCompensation: true,
  calibration: calibrationGrammar("DO", [
    // `Cal`: the probe in air (100 % saturation); `Cal,0`: the probe in a zero-oxygen solution.
    { point: "", ms: 1300 },
    { point: "", value: { min: 0, max: 0, what: "0" }, ms: 1300 },
  ]),
});

/**
 * Driver configuration defaults (the part declaration states them from here): both outputs, freshwater, and the
 * pressure the circuit assumes by itself; a buoy at altitude sets `pressure` (Dianchi: about 81 kPa).
 */
export const DO_DEFAULTS = Object.freeze({ sleep: true, mgPerLitre: true, saturation: true, salinity: 0, pressure: DO_DEFAULT_KPA });
