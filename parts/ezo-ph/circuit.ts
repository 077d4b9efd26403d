/**
 * Atlas Scientific EZO-pH: facts the driver and the model share.
 * Source: EZO-pH datasheet v5.8 (rev. 1/21): p.1 range .001–14.000, resolution .001, accuracy ±0.002, default
 * I2C address 99 (0x63); p.51 `R` 900 ms processing delay, example reply "9.560". Calibration delay 900 ms and the
 * `Cal,mid` first rule (it clears the other points) from ../shared/reference/sensors-and-protocols.md §1.2 and
 * Atlas's own sample code (`Cal,low,4.00` with 900 ms); `RT,t` 900 ms from Atlas's Ezo_I2c_lib
 * (`send_read_with_temp_comp`) and the feastorg ezo-driver timing table (unverified in the datasheet).
 */
import { calibrationGrammar, type EzoCircuit } from "../ezo/circuit.js";

export const PH_MIN = 0.001;
export const PH_MAX = 14;
/** The reading with nothing on the BNC: Open-Acidification TankController PR #244, "zero is common on a device
 * with no probe attached" (an EZO-pH). Below PH_MIN, so the driver reports it instead of a pH. */
export const PH_NO_PROBE = 0;

const PH = Object.freeze({ min: 0, max: 14, what: "pH" });

export const EZO_PH: EzoCircuit = Object.freeze({
  name: "ezo-ph",
  type: "pH",
  defaultAddress: 0x63,
  readMs: 900,
  compensatedReadMs: 900,
  temperatureCompensation: true,
  calibration: calibrationGrammar(
    "pH",
    [
      { point: "mid", value: PH, ms: 900 },
      { point: "low", value: PH, ms: 900 },
      { point: "high", value: PH, ms: 900 },
    ],
    { "Slope,?": "slope?" },
  ),
});

/** Driver configuration defaults (the part declaration, parts/ezo-ph/part.ts, states them from here). */
export const PH_DEFAULTS = Object.freeze({ sleep: true });
