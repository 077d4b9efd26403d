/**
 * Atlas Scientific EZO-ORP as an I2C target (the shared behaviour is parts/ezo/model.ts).
 *
 * The reading is the water's ORP plus the electrode's offset, less what single-point calibration removed
 * (`Cal,n` with the probe in an n mV reference solution). No temperature compensation (datasheet: "N/A").
 * Noise: uniform within ±0.5 mV (half the ±1 mV accuracy).
 * Unplugged: an open high-impedance input floats; no documented value was found, so the model lets it wander
 * slowly (about ±120 mV over minutes, seeded) rather than invent a rail. Probe-fault detection on the device sees it.
 */
import type { Micros } from "../../simulator/core/engine.js";
import type { EzoCalibration } from "../ezo/circuit.js";
import { EzoModel, OffsetCalibration, type EzoModelOptions } from "../ezo/model.js";
import { EZO_ORP, ORP_LIMIT_MV } from "./circuit.js";

export interface EzoORPModelOptions extends EzoModelOptions {
  /** True ORP of the water at time t, mV. */
  orp: (t: Micros) => number;
  /** Electrode offset, mV (default 0). */
  probe?: { offsetMv?: number };
}

export class EzoORPModel extends EzoModel {
  readonly #p: EzoORPModelOptions;
  readonly #cal = new OffsetCalibration();

  constructor(options: EzoORPModelOptions) {
    super(EZO_ORP, options, 25);
    this.#p = options;
  }

  #raw(mv: number): number {
    return mv + (this.#p.probe?.offsetMv ?? 0);
  }

  protected reading(t: Micros): string {
    let mv: number;
    if (this.fault === "unplugged") mv = 120 * this.wander(2, t / 60e6);
    else mv = this.#raw(this.#p.orp(t)) - (this.#cal.offset ?? 0) + 0.5 * this.noise(1, t);
    return (mv < -ORP_LIMIT_MV ? -ORP_LIMIT_MV : mv > ORP_LIMIT_MV ? ORP_LIMIT_MV : mv).toFixed(1);
  }

  protected calibrate(c: EzoCalibration, t: Micros): string {
    return this.#cal.apply(
      c,
      (mv) => this.#raw(mv),
      (v) => this.standardOf(v, () => this.#p.orp(t)),
    );
  }
}
