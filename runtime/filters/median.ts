import { checkCount, isValue, type Filter } from "./common.js";

/**
 * Median of the last `n` values: a spike filter. NaN inputs are skipped (they take no place in the window).
 * With an odd number of values in the window the output is the middle one (always an input value); with an even
 * number (an even `n`, or a window still filling) it is the mean of the two middle values.
 * NaN before the first value. O(n) per sample, no allocation: a ring plus a sorted copy.
 */
export class Median implements Filter {
  readonly n: number;
  readonly #ring: Float64Array;
  readonly #sorted: Float64Array;
  #head = 0;
  #count = 0;

  constructor(n: number) {
    checkCount("Median", "n", n);
    this.n = n;
    this.#ring = new Float64Array(n);
    this.#sorted = new Float64Array(n);
  }

  push(x: number): number {
    if (!isValue(x)) return this.value;
    x = x + 0; // -0 → 0, so the sorted copy holds exactly what the ring holds
    const sorted = this.#sorted;
    let count = this.#count;
    if (count === this.n) {
      // Remove the oldest value from the sorted copy.
      const old = this.#ring[this.#head]!;
      let i = lowerBound(sorted, count, old);
      for (; i < count - 1; i++) sorted[i] = sorted[i + 1]!;
      count--;
    }
    // Insert x, keeping the copy sorted.
    let j = count;
    while (j > 0 && sorted[j - 1]! > x) {
      sorted[j] = sorted[j - 1]!;
      j--;
    }
    sorted[j] = x;
    this.#count = count + 1;
    this.#ring[this.#head] = x;
    if (++this.#head === this.n) this.#head = 0;
    return this.value;
  }

  /** Current median, NaN before the first value. */
  get value(): number {
    const c = this.#count;
    if (c === 0) return NaN;
    const s = this.#sorted;
    if (c & 1) return s[(c - 1) >> 1]!;
    return (s[c / 2 - 1]! + s[c / 2]!) / 2;
  }
  get count(): number {
    return this.#count;
  }

  reset(): void {
    this.#head = 0;
    this.#count = 0;
  }
}

function lowerBound(a: Float64Array, len: number, x: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
