import { checkPositive, isValue } from "./common.js";

/**
 * Rate limit: `push(x, nowMs)` returns `x` if at least `minIntervalMs` have passed since the last value it passed
 * (the first real value always passes), and NaN otherwise. Time comes from the caller, in monotonic ms on a
 * timeline that does not wrap (e.g. `Scheduler.now()`). NaN inputs return NaN and do not use up the interval.
 */
export class Throttle {
  readonly minIntervalMs: number;
  #lastMs = NaN;

  constructor(minIntervalMs: number) {
    checkPositive("Throttle", "minIntervalMs", minIntervalMs, true);
    this.minIntervalMs = minIntervalMs;
  }

  push(x: number, nowMs: number): number {
    if (!isValue(x)) return NaN;
    const last = this.#lastMs;
    if (last === last && nowMs - last < this.minIntervalMs) return NaN;
    this.#lastMs = nowMs;
    return x;
  }

  /** When the last value was passed, NaN before the first. */
  get lastMs(): number {
    return this.#lastMs;
  }

  reset(): void {
    this.#lastMs = NaN;
  }
}
