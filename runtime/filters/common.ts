/**
 * Shared conventions of the filters.
 *
 * Numbers in, numbers out. NaN means "no value": a sensor that could not be read, a filter with nothing to say yet,
 * a sample a rate limiter did not pass. ±Infinity is treated as no value too (no sensor measures it, and one would
 * poison a running sum for good).
 */

/** A one-input filter: `push` a sample, get the filter's output (NaN = no value). */
export interface Filter {
  push(value: number): number;
  /** Back to the state just after construction. */
  reset(): void;
}

/** True for a real measurement: finite, not NaN. */
export function isValue(x: number): boolean {
  return x - x === 0;
}

/** Throw unless `n` is a whole number ≥ `min`. */
export function checkCount(who: string, what: string, n: number, min = 1): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${who}: ${what} must be a whole number ≥ ${min}, got ${n}`);
}

/** Throw unless `x` is finite and > 0 (or ≥ 0 when `allowZero`). */
export function checkPositive(who: string, what: string, x: number, allowZero = false): void {
  if (!Number.isFinite(x) || x < 0 || (!allowZero && x === 0)) {
    throw new RangeError(`${who}: ${what} must be a finite number ${allowZero ? "≥" : ">"} 0, got ${x}`);
  }
}
