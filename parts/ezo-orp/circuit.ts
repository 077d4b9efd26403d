/**
 * Atlas Scientific EZO-ORP: facts the driver and the model share.
 * Source: EZO-ORP datasheet v4.6/4.8: p.1 range −1019.9 to 1019.9 mV, accuracy ±1 mV, single point calibration,
 * temperature compensation "N/A", default I2C address 98 (0x62). `R` 900 ms: Tasmota's EZO_ORP_READ_LATENCY and
 * ../shared/reference/sensors-and-protocols.md §1.2 (the feastorg table says 1000 ms; the driver polls on 254, so
 * a longer real delay costs one poll, not a reading). `Cal,n` 900 ms: feastorg ezo-driver (unverified).
 */
import { calibrationGrammar, type EzoCircuit } from "../ezo/circuit.js";

export const ORP_LIMIT_MV = 1019.9;

export const EZO_ORP: EzoCircuit = Object.freeze({
  name: "ezo-orp",
  type: "ORP",
  defaultAddress: 0x62,
  readMs: 900,
  compensatedReadMs: 0,
  temperatureCompensation: false,
  calibration: calibrationGrammar("ORP", [{ point: "", value: { min: -ORP_LIMIT_MV, max: ORP_LIMIT_MV, what: "mV" }, ms: 900 }]),
});

/** Driver configuration defaults (the part declaration states them from here). */
export const ORP_DEFAULTS = Object.freeze({ sleep: true });
