import { isValue } from "./common.js";

/**
 * Statistics over a report interval: count, sum, mean, min, max and last real value, plus how many samples were
 * missing (NaN). `min`, `max`, `mean` and `last` are NaN while `count` is 0. `reset()` starts the next interval.
 */
export class Accumulator {
  #count = 0;
  #missing = 0;
  #sum = 0;
  #min = NaN;
  #max = NaN;
  #last = NaN;

  push(x: number): void {
    if (!isValue(x)) {
      this.#missing++;
      return;
    }
    if (this.#count === 0) {
      this.#min = x;
      this.#max = x;
    } else {
      if (x < this.#min) this.#min = x;
      if (x > this.#max) this.#max = x;
    }
    this.#count++;
    this.#sum += x;
    this.#last = x;
  }

  get count(): number {
    return this.#count;
  }
  /** NaN samples pushed this interval. */
  get missing(): number {
    return this.#missing;
  }
  get sum(): number {
    return this.#sum;
  }
  get mean(): number {
    return this.#count === 0 ? NaN : this.#sum / this.#count;
  }
  get min(): number {
    return this.#min;
  }
  get max(): number {
    return this.#max;
  }
  get last(): number {
    return this.#last;
  }

  reset(): void {
    this.#count = 0;
    this.#missing = 0;
    this.#sum = 0;
    this.#min = NaN;
    this.#max = NaN;
    this.#last = NaN;
  }
}
