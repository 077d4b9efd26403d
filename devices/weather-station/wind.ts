/**
 * Wind statistics as WMO practice defines them:
 * - mean speed over the last 10 minutes (WMO-No. 8 Part I Ch. 5), from pulse counts in 10-second bins, so the
 *   mean is exact whatever the sampling rate and costs 60 small integers of RAM;
 * - peak gust: the largest 3-second running mean in the reporting period (WMO-No. 306; 12 samples at 250 ms);
 * - mean direction as a speed-weighted vector average, safe across north.
 */
import { Gust, VectorMean } from "../../runtime/filters/index.js";

const BIN_MS = 10_000;
const BINS = 60; // 60 × 10 s = 10 minutes

export class WindStats {
  readonly #pulses = new Uint32Array(BINS);
  readonly #binMs = new Float64Array(BINS);
  #bin = 0;
  readonly #gust: Gust;
  readonly #direction = new VectorMean();
  readonly #metresPerPulse: number;

  constructor(kmhPerHz: number, sampleMs: number) {
    this.#metresPerPulse = kmhPerHz / 3.6;
    this.#gust = new Gust(Math.max(1, Math.round(3000 / sampleMs)));
  }

  /** One anemometer window (pulses over ms) and the vane's direction at its end (NaN if the vane failed). */
  push(pulses: number, ms: number, direction: number): void {
    if (this.#binMs[this.#bin]! >= BIN_MS) {
      this.#bin = (this.#bin + 1) % BINS;
      this.#pulses[this.#bin] = 0;
      this.#binMs[this.#bin] = 0;
    }
    this.#pulses[this.#bin]! += pulses;
    this.#binMs[this.#bin]! += ms;
    const speed = ms > 0 ? (pulses * this.#metresPerPulse * 1000) / ms : NaN;
    this.#gust.push(speed);
    if (direction === direction) this.#direction.push(direction, speed);
  }

  /** Mean speed over the last 10 minutes (or what has been seen of them since boot), m/s. */
  get mean10(): number {
    let pulses = 0;
    let ms = 0;
    for (let i = 0; i < BINS; i++) {
      pulses += this.#pulses[i]!;
      ms += this.#binMs[i]!;
    }
    return ms > 0 ? (pulses * this.#metresPerPulse * 1000) / ms : NaN;
  }

  get gust(): number {
    return this.#gust.peak;
  }

  get direction(): number {
    return this.#direction.mean;
  }

  /** Start the next reporting period (the 10-minute window rolls on by itself). */
  resetPeriod(): void {
    this.#gust.resetPeriod();
    this.#direction.reset();
  }
}
