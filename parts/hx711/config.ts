/**
 * How an HX711 and its strain-gauge bridge are fitted and run: one set of defaults for the driver and the part's
 * manifest schema (part.ts).
 */
import { checkBridge, type BridgeType } from "../strain-bridge/bridge.js";
import { HX711_INPUTS, RATES, type HX711Input, type HX711Rate } from "./protocol.js";

export interface HX711Config {
  /** Channel and gain: A128 (the bridge on channel A, ±20 mV at 5 V AVDD), A64, or B32. */
  input: HX711Input;
  /** Output rate as the RATE pin is strapped on the board, SPS: 10 (low) or 80 (high). */
  rate: HX711Rate;
  gaugeFactor: number;
  bridge: BridgeType;
  /** Bridge excitation = AVDD, V (the reading is ratiometric; this only scales `volts`). */
  excitationVolts: number;
  /** Resistance of one bridge arm, Ω: what the bridge draws from AVDD (the energy estimate's excitation current). */
  bridgeOhms: number;
}

/**
 * Defaults: the bridge on channel A at gain 128; RATE strapped high for 80 SPS, the only rate fast enough for 20 Hz
 * and faster strain sampling; a full bridge of foil gauges (GF 2.0, 350 Ω arms, as the ADS1220's) excited from a
 * 3.3 V AVDD.
 */
export const HX711_DEFAULTS: Readonly<HX711Config> = Object.freeze({
  input: "A128",
  rate: 80,
  gaugeFactor: 2.0,
  bridge: "full",
  excitationVolts: 3.3,
  bridgeOhms: 350,
});

export function validateConfig(c: HX711Config): void {
  const who = "hx711";
  if (!HX711_INPUTS.includes(c.input)) throw new RangeError(`${who}: input must be one of ${HX711_INPUTS.join(", ")}, got ${String(c.input)}`);
  if (!RATES.includes(c.rate)) throw new RangeError(`${who}: rate must be 10 or 80 SPS (the RATE pin), got ${String(c.rate)}`);
  checkBridge(who, c.bridge, c.gaugeFactor);
  if (!(typeof c.excitationVolts === "number" && c.excitationVolts >= 2.6 && c.excitationVolts <= 5.5)) {
    throw new RangeError(`${who}: excitationVolts (AVDD) must be 2.6…5.5 V, got ${String(c.excitationVolts)}`);
  }
  if (!(typeof c.bridgeOhms === "number" && c.bridgeOhms > 0)) throw new RangeError(`${who}: bridgeOhms must be > 0, got ${String(c.bridgeOhms)}`);
}
