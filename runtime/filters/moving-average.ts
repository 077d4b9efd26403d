import { checkCount, isValue, type Filter } from "./common.js";

/**
 * Mean of the last `n` values. NaN inputs are skipped (they take no place in the window), so this is the mean of
 * the last n real readings; before n readings it is the mean of those so far, and NaN before the first.
 * The running sum is recomputed from the ring once per n values, so rounding does not build up over a long run.
 */
export class MovingAverage implements Filter {
  readonly n: number;
  readonly #ring: Float64Array;
  #head = 0;
  #count = 0;
  #sum = 0;

  constructor(n: number) {
    checkCount("MovingAverage", "n", n);
    this.n = n;
    this.#ring = new Float64Array(n);
  }

  push(x: number): number {
    if (!isValue(x)) return this.value;
    const ring = this.#ring;
    if (this.#count === this.n) this.#sum -= ring[this.#head]!;
    else this.#count++;
    ring[this.#head] = x;
    this.#sum += x;
    if (++this.#head === this.n) {
      this.#head = 0;
      if (this.#count === this.n) {
        let s = 0;
        for (let i = 0; i < this.n; i++) s += ring[i]!;
        this.#sum = s;
      }
    }
    return this.value;
  }

  /** Current mean, NaN before the first value. */
  get value(): number {
    return this.#count === 0 ? NaN : this.#sum / this.#count;
  }
  /** Values in the window (≤ n). */
  get count(): number {
    return this.#count;
  }

  reset(): void {
    this.#head = 0;
    this.#count = 0;
    this.#sum = 0;
  }
}
