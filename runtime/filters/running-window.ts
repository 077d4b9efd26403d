import { checkCount, isValue, type Filter } from "./common.js";

export interface RunningWindowOptions {
  /**
   * How many of the last n samples must be real for `sum` and `mean` to be given (else NaN). Default n: the
   * window must be full and without gaps.
   */
  minValid?: number;
}

/**
 * Sum and mean over the last `n` samples, each `push` being one sample period. Unlike `MovingAverage`, a NaN
 * takes its place in the window as a gap: the window always spans the last n sample times (a 3 s gust from
 * 250 ms samples is 12 samples, whatever was missing). `push` returns the mean.
 * The running sum is recomputed from the ring once per n samples so rounding does not build up.
 */
export class RunningWindow implements Filter {
  readonly n: number;
  readonly minValid: number;
  readonly #ring: Float64Array;
  #head = 0;
  #filled = 0;
  #valid = 0;
  #sum = 0;

  constructor(n: number, options?: RunningWindowOptions) {
    checkCount("RunningWindow", "n", n);
    const minValid = options?.minValid ?? n;
    checkCount("RunningWindow", "minValid", minValid);
    if (minValid > n) throw new RangeError(`RunningWindow: minValid ${minValid} > n ${n}`);
    this.n = n;
    this.minValid = minValid;
    this.#ring = new Float64Array(n);
  }

  push(x: number): number {
    const ring = this.#ring;
    const h = this.#head;
    if (this.#filled === this.n) {
      const old = ring[h]!;
      if (old === old) {
        this.#sum -= old;
        this.#valid--;
      }
    } else {
      this.#filled++;
    }
    if (isValue(x)) {
      ring[h] = x;
      this.#sum += x;
      this.#valid++;
    } else {
      ring[h] = NaN;
    }
    if (h + 1 === this.n) {
      this.#head = 0;
      let s = 0;
      for (let i = 0; i < this.n; i++) {
        const v = ring[i]!;
        if (v === v) s += v;
      }
      this.#sum = s;
    } else {
      this.#head = h + 1;
    }
    return this.mean;
  }

  /** Sum of the real samples in the window, NaN with fewer than `minValid` of them. */
  get sum(): number {
    return this.#valid >= this.minValid ? this.#sum : NaN;
  }
  /** Mean of the real samples in the window, NaN with fewer than `minValid` of them. */
  get mean(): number {
    return this.#valid >= this.minValid ? this.#sum / this.#valid : NaN;
  }
  /** Real samples in the window. */
  get valid(): number {
    return this.#valid;
  }
  /** True once n samples (real or not) have been pushed. */
  get full(): boolean {
    return this.#filled === this.n;
  }

  reset(): void {
    this.#head = 0;
    this.#filled = 0;
    this.#valid = 0;
    this.#sum = 0;
  }
}
