/**
 * Atlas Scientific EZO-EC: facts the driver and the model share.
 * Source: EZO-EC datasheet v6.2 (rev. 9/20) p.1: range 0.07–500,000+ µS/cm, accuracy ±2 %, probes K 0.1–10,
 * 1 or 2 point calibration, temperature compensation, default I2C address 100 (0x64); outputs EC (µS/cm), TDS
 * (ppm), salinity (PSU, 0.00–42.00), specific gravity (sea water, 1.00–1.300), and "firmware 2.10 and above
 * outputs only EC by default". `O,?` is printed as `?,O,…` like the EZO-DO's (feastorg ezo-driver notes the same);
 * drivers in the wild also expect `?O,EC,TDS,S,SG`. `R` 600 ms: Tasmota's EZO_EC_READ_LATENCY and
 * ../shared/reference/sensors-and-protocols.md §1.2; `RT` 900 ms and calibration 600 ms are unverified (the
 * feastorg table gives 1200 ms for calibration; the driver polls on 254).
 */
import { calibrationGrammar, type EzoCircuit } from "../ezo/circuit.js";

export const EC_MIN_US = 0.07;
export const EC_MAX_US = 500_000;
/** Output fields in the order a reading lists them (and `O,?` names them). */
export const EC_FIELDS = Object.freeze(["EC", "TDS", "S", "SG"] as const);
export type EcField = (typeof EC_FIELDS)[number];
/** The reply to `R` when every output is disabled (as the EZO-DO's, p.55 of its datasheet). */
export const EC_NO_OUTPUT = "no output";

const US = Object.freeze({ min: EC_MIN_US, max: EC_MAX_US, what: "µS/cm" });

export const EZO_EC: EzoCircuit = Object.freeze({
  name: "ezo-ec",
  type: "EC",
  defaultAddress: 0x64,
  readMs: 600,
  compensatedReadMs: 900,
  temperatureCompensation: true,
  calibration: calibrationGrammar("EC", [
    { point: "dry", ms: 600 },
    { point: "low", value: US, ms: 600 },
    { point: "high", value: US, ms: 600 },
    { point: "", value: US, ms: 600 },
  ]),
});

/**
 * TDS conversion factor after a factory reset (unverified: commonly quoted for the EZO-EC as 0.54; the datasheet
 * pages that could be read do not give it).
 */
export const EC_DEFAULT_TDS_FACTOR = 0.54;

/**
 * Driver configuration defaults (the part declaration states them from here): a K 1.0 probe and conductivity
 * only, the circuit's own default output.
 */
export const EC_DEFAULTS = Object.freeze({
  sleep: true,
  k: 1,
  tdsFactor: EC_DEFAULT_TDS_FACTOR,
  conductivity: true,
  tds: false,
  salinity: false,
  specificGravity: false,
});
