/**
 * The empty bay's field, per axis, as the Adaptive Threshold Detection Algorithm keeps it (Cheung, Ergen & Varaiya,
 * "Traffic surveillance with wireless magnetic sensors", 12th ITS World Congress, 2005, as the reference notes
 * summarise it): B(k) = α·B(k−1) + (1 − α)·a(k), updated only while the detector has seen no vehicle for the last
 * `holdSamples` samples, so that a car's first samples never reach the baseline before the detector confirms it.
 *
 * Here every sample waits in a short ring; it is folded into the baseline only once `holdSamples` quiet samples
 * have followed it, and the whole ring is dropped the moment a sample is not quiet. α comes from a time constant
 * (α = e^(−Δt/τ), runtime/filters Ema), so drift is tracked the same whatever the sampling interval. While a car
 * stands over the sensor the detector reports no quiet samples and the baseline is frozen.
 *
 * Temperature drift of the sensor's offset is tracked like any slow drift while the bay is empty; while a car
 * stands there the baseline cannot follow it, and the detector's low threshold leaves room for a night's worth
 * (a slope fitted against temperature was tried and dropped: in the street world the neighbour's occupancy follows
 * the day as the temperature does, and the fit took one for the other).
 * No allocation per sample.
 */
import { Ema } from "../../runtime/filters/ema.js";

export interface BaselineOptions {
  /** Time constant of drift tracking, ms (default 20 min). */
  tauMs?: number;
  /** Quiet samples that must follow a sample before it is folded in (default 8). */
  holdSamples?: number;
  /** Nominal sampling interval, ms (default 1000). */
  sampleMs?: number;
}

export class AdaptiveBaseline {
  readonly holdSamples: number;
  readonly #axes: readonly Ema[];
  readonly #ring: Float64Array;
  readonly #dt: Float64Array;
  #head = 0;
  #filled = 0;

  constructor(o: BaselineOptions = {}) {
    const tau = o.tauMs ?? 1_200_000;
    const sampleMs = o.sampleMs ?? 1000;
    this.holdSamples = o.holdSamples ?? 8;
    if (!Number.isInteger(this.holdSamples) || this.holdSamples < 1) throw new RangeError(`baseline: holdSamples must be a whole number ≥ 1, got ${o.holdSamples}`);
    this.#axes = Object.freeze([new Ema({ tauMs: tau, sampleMs }), new Ema({ tauMs: tau, sampleMs }), new Ema({ tauMs: tau, sampleMs })]);
    this.#ring = new Float64Array(3 * this.holdSamples);
    this.#dt = new Float64Array(this.holdSamples);
  }

  /** Whether there is a baseline yet. */
  get valid(): boolean {
    return this.#axes[0]!.value === this.#axes[0]!.value;
  }

  /** The baseline of axis 0…2 as last tracked, µT. */
  axis(i: number): number {
    return this.#axes[i]!.value;
  }

  /** The baseline into `out` (x, y, z), µT. */
  into(out: Float64Array): Float64Array {
    for (let i = 0; i < 3; i++) out[i] = this.#axes[i]!.value;
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
      const a = this.#axes;
      a[0]!.push(this.#ring[3 * at]!, this.#dt[at]!);
      a[1]!.push(this.#ring[3 * at + 1]!, this.#dt[at]!);
      a[2]!.push(this.#ring[3 * at + 2]!, this.#dt[at]!);
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
    const a = this.#axes;
    a[0]!.reset();
    a[1]!.reset();
    a[2]!.reset();
    a[0]!.push(x);
    a[1]!.push(y);
    a[2]!.push(z);
    this.#filled = 0;
  }
}
