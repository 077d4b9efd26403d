/**
 * Atlas Scientific EZO-RTD: facts the driver and the model share.
 * Source: EZO-RTD datasheet v3.6 (rev. 10/21) p.1: range −126.000 to 1254 °C, resolution 0.001, accuracy
 * ±(0.1 + 0.0017 × °C), single point calibration, output °C, K or F, default I2C address 102 (0x66).
 * `R` 600 ms: Tasmota's EZO_RTD_READ_LATENCY and ../shared/reference/sensors-and-protocols.md §1.2; `Cal,t`
 * 600 ms: feastorg ezo-driver RTD page (unverified in the datasheet).
 */
import { calibrationGrammar, type EzoCircuit } from "../ezo/circuit.js";

export const RTD_MIN_C = -126;
export const RTD_MAX_C = 1254;
/**
 * What the circuit reads with no PT-1000 attached. Not found in the datasheet pages that could be read; public
 * sketches for the EZO-RTD test for exactly "-1023.000" as "no probe" (one logs `RTD:-1023.000` with no hardware).
 */
export const RTD_NO_PROBE = -1023;

/** Accuracy at `celsius`: ±(0.1 + 0.0017 × |°C|). */
export function rtdAccuracy(celsius: number): number {
  return 0.1 + 0.0017 * Math.abs(celsius);
}

export const EZO_RTD: EzoCircuit = Object.freeze({
  name: "ezo-rtd",
  type: "RTD",
  defaultAddress: 0x66,
  readMs: 600,
  compensatedReadMs: 0,
  temperatureCompensation: false,
  calibration: calibrationGrammar("RTD", [{ point: "", value: { min: RTD_MIN_C, max: RTD_MAX_C, what: "°C" }, ms: 600 }]),
});

/** Driver configuration defaults (the part declaration states them from here). */
export const RTD_DEFAULTS = Object.freeze({ sleep: true });
