/**
 * The empty bay's field, per axis, as the Adaptive Threshold Detection Algorithm keeps it (Cheung, Ergen & Varaiya,
 * "Traffic surveillance with wireless magnetic sensors", 12th ITS World Congress, 2005, as the reference notes
 * summarise it): B(k) = α·B(k−1) + (1 − α)·a(k), updated only while the detector has seen no vehicle for the last
 * `holdSamples` samples.
 *
 * A sample is folded in when it is quiet and the `holdSamples` before it were quiet too: a count of quiet samples in
 * a row, not a ring of waiting samples, so the whole state is three floats and a count, small enough for the 31
 * retained words a node carries across deep sleep (devices/parking/retained.ts). The samples of a car coming closer
 * before it is confirmed do reach the baseline, but each step is limited to `maxRateUtPerHour`, so a minute of them
 * moves it by thousandths of a µT. α comes from a time constant (α = e^(−Δt/τ)), so drift is tracked the same
 * whatever the sampling interval, and the rate limit lets the sensor's drift (about 0.15 µT an hour per axis while
 * the road warms in the morning) be followed while a step below the detection threshold — a weak car, a car next
 * door — is not absorbed within minutes, so the departure of a car too weak to be reported does not look like an
 * arrival. While a car stands over the sensor the detector reports no quiet samples and the baseline is frozen.
 *
 * The baseline is kept in single precision (a Float32Array): what is kept across a deep sleep is then exactly what
 * a node that never sleeps holds (a step of the rate limit, about 0.001 µT, is far above a float's resolution at
 * 50 µT).
 *
 * Temperature drift of the sensor's offset is tracked like any slow drift while the bay is empty; while a car
 * stands there the baseline cannot follow it, and the detector's low threshold leaves room for a night's worth
 * (a slope fitted against temperature was tried and dropped: in the street world the neighbour's occupancy follows
 * the day as the temperature does, and the fit took one for the other).
 * No allocation per sample.
 */
import { exp } from "../../runtime/detmath.js";

export interface BaselineOptions {
  /** Time constant of drift tracking, ms (default 20 min). */
  tauMs?: number;
  /** Quiet samples that must follow a sample before it is folded in (default 8). */
  holdSamples?: number;
  /** Fastest the baseline may move, µT per hour per axis (default 1): drift, not a step, is what it follows. */
  maxRateUtPerHour?: number;
}

export class AdaptiveBaseline {
  readonly holdSamples: number;
  readonly #tau: number;
  readonly #maxRate: number;
  readonly #b = new Float32Array(3).fill(NaN);
  /** Quiet samples in a row, up to holdSamples + 1. */
  #quiet = 0;

  constructor(o: BaselineOptions = {}) {
    this.#tau = o.tauMs ?? 1_200_000;
    this.#maxRate = (o.maxRateUtPerHour ?? 1) / 3_600_000;
    this.holdSamples = o.holdSamples ?? 8;
    if (!Number.isInteger(this.holdSamples) || this.holdSamples < 1 || this.holdSamples > 254) {
      throw new RangeError(`baseline: holdSamples must be a whole number in 1…254, got ${o.holdSamples}`);
    }
  }

  /** Whether there is a baseline yet. */
  get valid(): boolean {
    return this.#b[0] === this.#b[0];
  }

  /** The baseline of axis 0…2 as last tracked, µT. */
  axis(i: number): number {
    return this.#b[i]!;
  }

  /** The baseline into `out` (x, y, z), µT. */
  into(out: Float64Array): Float64Array {
    for (let i = 0; i < 3; i++) out[i] = this.#b[i]!;
    return out;
  }

  /** Quiet samples in a row so far (saturating at holdSamples + 1), for keeping across a deep sleep. */
  get quietRun(): number {
    return this.#quiet;
  }

  /**
   * A sample (µT, ms since the last one). `quiet`: the detector sees no vehicle and no arrival under way.
   * Returns whether the baseline moved.
   */
  update(x: number, y: number, z: number, dtMs: number, quiet: boolean): boolean {
    if (!this.valid) {
      this.reset(x, y, z);
      return true;
    }
    if (!quiet) {
      this.#quiet = 0;
      return false;
    }
    if (this.#quiet <= this.holdSamples) this.#quiet++;
    if (this.#quiet <= this.holdSamples) return false;
    const alpha = dtMs > 0 ? 1 - exp(-dtMs / this.#tau) : 0;
    const limit = this.#maxRate * dtMs;
    const b = this.#b;
    for (let i = 0; i < 3; i++) {
      const v = i === 0 ? x : i === 1 ? y : z;
      let step = alpha * (v - b[i]!);
      if (step > limit) step = limit;
      else if (step < -limit) step = -limit;
      b[i] = b[i]! + step;
    }
    return true;
  }

  /** Start again from this reading (calibration): the empty bay is what the sensor sees now. */
  reset(x: number, y: number, z: number): void {
    const b = this.#b;
    b[0] = x;
    b[1] = y;
    b[2] = z;
    this.#quiet = 0;
  }

  /** Take back a kept state: the baseline (NaN: none yet) and the quiet run. */
  restore(x: number, y: number, z: number, quietRun: number): void {
    const b = this.#b;
    b[0] = x;
    b[1] = y;
    b[2] = z;
    this.#quiet = quietRun > this.holdSamples + 1 ? this.holdSamples + 1 : quietRun;
  }
}
