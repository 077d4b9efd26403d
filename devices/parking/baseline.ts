/**
 * The empty bay's field, per axis, as the Adaptive Threshold Detection Algorithm keeps it (Cheung, Ergen & Varaiya,
 * "Traffic surveillance with wireless magnetic sensors", 12th ITS World Congress, 2005, as the reference notes
 * summarise it): B(k) = α·B(k−1) + (1 − α)·a(k), updated only while the detector has seen no vehicle for the last
 * `holdSamples` samples, so that a car's first samples never reach the baseline before the detector confirms it.
 *
 * Here every sample waits in a short ring; it is folded into the baseline only once `holdSamples` quiet samples
 * have followed it, and the whole ring is dropped the moment a sample is not quiet. α comes from a time constant
 * (α = e^(−Δt/τ)), so drift is tracked the same whatever the sampling interval, and each step is limited to
 * `maxRateUtPerHour`: the sensor's drift (about 0.15 µT an hour per axis while the road warms in the morning) is
 * followed, but a step below the detection threshold — a weak car, a car next door — is not absorbed within minutes,
 * so the departure of a car too weak to be reported does not look like an arrival. While a car stands over the
 * sensor the detector reports no quiet samples and the baseline is frozen.
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
  readonly #b = new Float64Array(3).fill(NaN);
  readonly #ring: Float64Array;
  readonly #dt: Float64Array;
  #head = 0;
  #filled = 0;

  constructor(o: BaselineOptions = {}) {
    this.#tau = o.tauMs ?? 1_200_000;
    this.#maxRate = (o.maxRateUtPerHour ?? 1) / 3_600_000;
    this.holdSamples = o.holdSamples ?? 8;
    if (!Number.isInteger(this.holdSamples) || this.holdSamples < 1) throw new RangeError(`baseline: holdSamples must be a whole number ≥ 1, got ${o.holdSamples}`);
    this.#ring = new Float64Array(3 * this.holdSamples);
    this.#dt = new Float64Array(this.holdSamples);
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
      // Everything waiting may hold the beginning of a vehicle: drop it.
      this.#filled = 0;
      return false;
    }
    const n = this.holdSamples;
    let moved = false;
    if (this.#filled === n) {
      // The oldest waiting sample has had n quiet samples after it: fold it in.
      const at = this.#head;
      const dt = this.#dt[at]!;
      const alpha = dt > 0 ? 1 - exp(-dt / this.#tau) : 0;
      const limit = this.#maxRate * dt;
      for (let i = 0; i < 3; i++) {
        let step = alpha * (this.#ring[3 * at + i]! - this.#b[i]!);
        if (step > limit) step = limit;
        else if (step < -limit) step = -limit;
        this.#b[i] = this.#b[i]! + step;
      }
      moved = true;
    } else this.#filled++;
    const at = this.#head;
    this.#ring[3 * at] = x;
    this.#ring[3 * at + 1] = y;
    this.#ring[3 * at + 2] = z;
    this.#dt[at] = dtMs;
    this.#head = (at + 1) % n;
    return moved;
  }

  /** Start again from this reading (calibration): the empty bay is what the sensor sees now. */
  reset(x: number, y: number, z: number): void {
    this.#b[0] = x;
    this.#b[1] = y;
    this.#b[2] = z;
    this.#filled = 0;
  }
}
