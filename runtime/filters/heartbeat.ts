import { checkPositive } from "./common.js";

/**
 * Tells when a report is due even though nothing changed: `due(nowMs)` is true before the first `sent()` and once
 * `maxIntervalMs` have passed since the last one. Call `sent(nowMs)` whenever a report goes out, for whatever
 * reason (a change, a heartbeat), so the silence is measured from the latest report. Times are monotonic ms on a
 * timeline that does not wrap (e.g. `Scheduler.now()`).
 */
export class Heartbeat {
  readonly maxIntervalMs: number;
  #lastMs = NaN;

  constructor(maxIntervalMs: number) {
    checkPositive("Heartbeat", "maxIntervalMs", maxIntervalMs);
    this.maxIntervalMs = maxIntervalMs;
  }

  due(nowMs: number): boolean {
    const last = this.#lastMs;
    return last !== last || nowMs - last >= this.maxIntervalMs;
  }

  sent(nowMs: number): void {
    this.#lastMs = nowMs;
  }

  /** When the next report is due at the latest; NaN before the first `sent()` (due now). */
  get nextDueMs(): number {
    return this.#lastMs + this.maxIntervalMs;
  }

  reset(): void {
    this.#lastMs = NaN;
  }
}
