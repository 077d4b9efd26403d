import { checkPositive, isValue, type Filter } from "./common.js";

export interface DeltaOptions {
  /** Compare the change with `threshold · |last passed value|` instead of `threshold`. Default false. */
  relative?: boolean;
}

/** Relative slack on the threshold, so a change of exactly 0.1 written in decimal (0.3 − 0.2) still counts. */
const SLACK = 1e-9;

/**
 * Report-on-change: `push(x)` returns `x` when it differs from the last value passed by at least `threshold`
 * (absolute, or relative to that value's magnitude), and NaN otherwise. The first real value always passes.
 * A change equal to the threshold passes (within a 1e-9 relative slack for decimal rounding); no change never does,
 * which matters for `relative` when the last value passed was 0 (then any non-zero value passes).
 * NaN inputs return NaN and change nothing.
 */
export class Delta implements Filter {
  readonly threshold: number;
  readonly relative: boolean;
  #last = NaN;

  constructor(threshold: number, options?: DeltaOptions) {
    checkPositive("Delta", "threshold", threshold);
    this.threshold = threshold;
    this.relative = options?.relative ?? false;
  }

  push(x: number): number {
    if (!isValue(x)) return NaN;
    const last = this.#last;
    if (last === last) {
      const d = x > last ? x - last : last - x;
      const limit = this.relative ? this.threshold * (last < 0 ? -last : last) : this.threshold;
      if (d === 0 || d < limit * (1 - SLACK)) return NaN;
    }
    this.#last = x;
    return x;
  }

  /** The last value passed (the reference for the next change), NaN before the first. */
  get last(): number {
    return this.#last;
  }

  /** Make `x` the reference without passing it, e.g. after a heartbeat report sent the current value anyway. */
  rebase(x: number): void {
    if (isValue(x)) this.#last = x;
  }

  reset(): void {
    this.#last = NaN;
  }
}
