/**
 * Tipping bucket as hardware: rain fills the bucket; each `mmPerTip` of rain tips it, and the passing magnet
 * closes the reed switch for a moment, pulling the pulled-up line low. Tip times are found exactly from the
 * atmosphere's cumulative rain, so they do not depend on how often anything is sampled.
 */
import type { Engine, Micros } from "../../simulator/core/engine.js";
import type { DigitalLine } from "../../simulator/core/io/lines.js";

export interface TippingBucketModelOptions {
  engine: Engine;
  line: DigitalLine;
  /** Rain in mm that fell in [t0, t1]. */
  rainBetween: (t0: Micros, t1: Micros) => number;
  mmPerTip: number;
  /** How long the switch stays closed per tip. */
  closureMs?: number;
  /** "bounce": each closure chatters (3 extra edges within 2 ms); "blocked": a clogged funnel, no tips. */
  fault?: "bounce" | "blocked" | undefined;
}

const SCAN: Micros = 60_000_000; // look ahead a minute at a time
const HORIZON: Micros = 3_600_000_000; // give up after an hour of dry weather and look again later

export class TippingBucketModel {
  readonly #o: TippingBucketModelOptions;
  #filled = 0; // mm in the bucket since the last tip
  #cursor: Micros;
  tips = 0;

  constructor(options: TippingBucketModelOptions) {
    this.#o = options;
    this.#cursor = options.engine.now;
    options.line.driven = true;
    options.line.set(1);
    this.#scheduleNext();
  }

  #scheduleNext(): void {
    const { engine, rainBetween, mmPerTip } = this.#o;
    let t = this.#cursor;
    const limit = t + HORIZON;
    while (t < limit) {
      const step = rainBetween(t, t + SCAN);
      if (this.#filled + step >= mmPerTip) {
        // Bisect inside this minute for the instant the bucket reaches a full tip (to 1 ms).
        let lo = t;
        let hi = t + SCAN;
        while (hi - lo > 1000) {
          const mid = Math.floor((lo + hi) / 2);
          if (this.#filled + rainBetween(t, mid) >= mmPerTip) hi = mid;
          else lo = mid;
        }
        const at = hi;
        this.#filled = this.#filled + rainBetween(t, at) - mmPerTip;
        this.#cursor = at;
        engine.at(at, () => this.#tip());
        return;
      }
      this.#filled += step;
      t += SCAN;
    }
    this.#cursor = t;
    engine.at(t, () => this.#scheduleNext());
  }

  #tip(): void {
    const { engine, line, fault } = this.#o;
    if (fault !== "blocked") {
      this.tips++;
      const closure = (this.#o.closureMs ?? 50) * 1000;
      line.set(0);
      if (fault === "bounce") {
        engine.after(400, () => line.set(1));
        engine.after(900, () => line.set(0));
        engine.after(1500, () => line.set(1));
        engine.after(2000, () => line.set(0));
      }
      engine.after(closure, () => line.set(1));
    }
    this.#scheduleNext();
  }
}
