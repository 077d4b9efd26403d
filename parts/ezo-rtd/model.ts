/**
 * Atlas Scientific EZO-RTD as an I2C target (the shared behaviour is parts/ezo/model.ts).
 *
 * The reading is the water temperature plus the probe's offset, less what single-point calibration removed
 * (`Cal,t` with the probe in a bath at t), in the scale `S,c|k|f` selects (Celsius after power-up).
 * Noise: uniform within half the datasheet accuracy, ±(0.1 + 0.0017·|°C|)/2. Unplugged: "-1023.000" (circuit.ts).
 */
import type { Micros } from "../../simulator/core/engine.js";
import type { EzoCalibration } from "../ezo/circuit.js";
import { answer, EzoModel, OffsetCalibration, type EzoAnswer, type EzoModelOptions } from "../ezo/model.js";
import { EZO_RTD, RTD_MAX_C, RTD_MIN_C, RTD_NO_PROBE, rtdAccuracy } from "./circuit.js";

export interface EzoRTDModelOptions extends EzoModelOptions {
  /** Water temperature at time t, °C. */
  temperature: (t: Micros) => number;
  /** Probe offset, °C (default 0). */
  probe?: { offsetC?: number };
}

export class EzoRTDModel extends EzoModel {
  readonly #p: EzoRTDModelOptions;
  readonly #cal = new OffsetCalibration();
  scale: "c" | "k" | "f" = "c";

  constructor(options: EzoRTDModelOptions) {
    super(EZO_RTD, options, 25);
    this.#p = options;
  }

  #raw(t: Micros): number {
    return this.#p.temperature(t) + (this.#p.probe?.offsetC ?? 0);
  }

  protected reading(t: Micros): string {
    if (this.fault === "unplugged") return RTD_NO_PROBE.toFixed(3);
    const water = this.#p.temperature(t);
    let c = this.#raw(t) - (this.#cal.offset ?? 0) + (rtdAccuracy(water) / 2) * this.noise(1, t);
    c = c < RTD_MIN_C ? RTD_MIN_C : c > RTD_MAX_C ? RTD_MAX_C : c;
    const v = this.scale === "c" ? c : this.scale === "k" ? c + 273.15 : c * 1.8 + 32;
    return v.toFixed(3);
  }

  protected calibrate(c: EzoCalibration, t: Micros): string {
    // The bath is at the calibration value (the water's, immersed): the probe reads it with its offset.
    return this.#cal.apply(
      c,
      (celsius) => celsius + (this.#p.probe?.offsetC ?? 0),
      (v) => this.standardOf(v, () => this.#p.temperature(t)),
    );
  }

  protected override circuitCommand(word: string, args: readonly string[]): EzoAnswer | undefined {
    if (word !== "s" || args.length !== 1) return undefined;
    const a = args[0]!.toLowerCase();
    if (a === "?") return answer(`?S,${this.scale}`);
    if (a !== "c" && a !== "k" && a !== "f") return undefined;
    this.scale = a;
    return answer();
  }
}
