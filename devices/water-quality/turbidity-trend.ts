/**
 * Whether turbidity is rising, day over day: the mean of the last `windowHours` clock hours against the mean of the
 * same hours a day earlier (`lagHours` before). Comparing the same hours of the day cancels what repeats daily
 * (afternoon wind stirring up the shallow lake's sediment); averaging hour means weighs every hour alike whether
 * the buoy sampled it every 15 or every 2 minutes.
 *
 * Rising: recent − earlier ≥ max(fraction × earlier, minNtu), with at least `minHours` sampled hours in each window.
 * The absolute floor keeps clear water (a few NTU, where the probe's own noise is a sizeable fraction) from rising
 * on noise. Memory: three Float64Arrays of lagHours + windowHours + 2 hour bins; nothing allocated per sample.
 */

export interface TrendRule {
  /** Hours in each compared window. */
  windowHours: number;
  /** How far back the earlier window is, hours (24: the same hours yesterday). */
  lagHours: number;
  /** Relative rise that counts, e.g. 0.15 for 15 %. */
  fraction: number;
  /** Smallest absolute rise that counts, NTU. */
  minNtu: number;
  /** Sampled hours each window needs before a trend is reported. */
  minHours: number;
}

const HOUR_MS = 3_600_000;

export class TurbidityTrend {
  readonly #rule: TrendRule;
  readonly #key: Float64Array;
  readonly #sum: Float64Array;
  readonly #count: Float64Array;

  constructor(rule: TrendRule) {
    if (!(rule.windowHours >= 1 && rule.lagHours >= rule.windowHours && rule.minHours >= 1 && rule.minHours <= rule.windowHours)) {
      throw new RangeError(`turbidity trend: need 1 ≤ minHours ≤ windowHours ≤ lagHours (got ${rule.minHours}, ${rule.windowHours}, ${rule.lagHours})`);
    }
    this.#rule = rule;
    const n = rule.lagHours + rule.windowHours + 2;
    this.#key = new Float64Array(n).fill(NaN);
    this.#sum = new Float64Array(n);
    this.#count = new Float64Array(n);
  }

  /** Add a reading taken at `unixMs`; non-finite readings are ignored. */
  add(unixMs: number, ntu: number): void {
    if (!(ntu === ntu && ntu !== Infinity && ntu !== -Infinity)) return;
    const h = Math.floor(unixMs / HOUR_MS);
    const i = h % this.#key.length;
    if (this.#key[i] !== h) {
      this.#key[i] = h;
      this.#sum[i] = 0;
      this.#count[i] = 0;
    }
    this.#sum[i] += ntu;
    this.#count[i] += 1;
  }

  /** Mean of the hour means over the `windowHours` hours ending with hour `last`, or NaN with too few hours. */
  #windowMean(last: number): number {
    let s = 0;
    let n = 0;
    for (let h = last - this.#rule.windowHours + 1; h <= last; h++) {
      const i = h % this.#key.length;
      if (this.#key[i] === h && this.#count[i]! > 0) {
        s += this.#sum[i]! / this.#count[i]!;
        n++;
      }
    }
    return n >= this.#rule.minHours ? s / n : NaN;
  }

  /** recent − earlier window mean at `unixMs`, NTU (NaN until both windows have enough hours). */
  rise(unixMs: number): number {
    const h = Math.floor(unixMs / HOUR_MS);
    return this.#windowMean(h) - this.#windowMean(h - this.#rule.lagHours);
  }

  /** Whether the rise at `unixMs` counts as rising (false while unknown). */
  rising(unixMs: number): boolean {
    const h = Math.floor(unixMs / HOUR_MS);
    const earlier = this.#windowMean(h - this.#rule.lagHours);
    const recent = this.#windowMean(h);
    const need = this.#rule.fraction * earlier;
    return recent - earlier >= (need > this.#rule.minNtu ? need : this.#rule.minNtu);
  }
}
