/**
 * Adaptive sampling: every 15 minutes normally, every 2 minutes while a warning holds (issue 10). Automatic buoys
 * commonly sample every 10–60 minutes and report on threshold events (../shared/reference §1.5); the fast rate
 * follows a bloom's or an oxygen crash's hour-scale changes.
 *
 * A two-state machine the device's scheduler drives: after each sample the device calls
 * `update(now, warning)` and, when the period changed, `task.setPeriod(sampling.periodMs)` (runtime/scheduler.ts
 * keeps the grid's phase, so the switch brings no burst).
 *   NORMAL --warning--> ALERT                      (at once: the next sample comes 2 minutes later)
 *   ALERT  --no warning for `holdMs`--> NORMAL     (a warning that flickers keeps the fast rate)
 *   ALERT  --warning--> ALERT                      (restarts the hold)
 * The hold (30 min, 15 fast samples) is what keeps the period from flapping when the warnings feeding it do.
 * Times are the scheduler's monotonic milliseconds.
 */

export interface SamplingRule {
  normalMs: number;
  alertMs: number;
  /** How long the warning must have been clear before going back to the normal rate, ms. */
  holdMs: number;
}

export const SAMPLING_DEFAULTS: Readonly<SamplingRule> = Object.freeze({ normalMs: 15 * 60_000, alertMs: 2 * 60_000, holdMs: 30 * 60_000 });

export class AdaptiveSampling {
  readonly #rule: Readonly<SamplingRule>;
  #alert = false;
  /** When the warning was last seen (ms), while in ALERT. */
  #lastWarning = NaN;
  /** Entries into ALERT (for stats). */
  alerts = 0;

  constructor(rule: Readonly<SamplingRule> = SAMPLING_DEFAULTS) {
    if (!(rule.alertMs >= 1 && rule.normalMs >= rule.alertMs && rule.holdMs >= 0)) {
      throw new RangeError(`sampling rule: need 1 ≤ alertMs ≤ normalMs and holdMs ≥ 0 (got ${rule.alertMs}, ${rule.normalMs}, ${rule.holdMs})`);
    }
    this.#rule = rule;
  }

  get alert(): boolean {
    return this.#alert;
  }

  get periodMs(): number {
    return this.#alert ? this.#rule.alertMs : this.#rule.normalMs;
  }

  /** Advance the machine with the warning state at `nowMs`; returns true when the period changed. */
  update(nowMs: number, warning: boolean): boolean {
    if (warning) {
      this.#lastWarning = nowMs;
      if (this.#alert) return false;
      this.#alert = true;
      this.alerts++;
      return true;
    }
    if (this.#alert && nowMs - this.#lastWarning >= this.#rule.holdMs) {
      this.#alert = false;
      return true;
    }
    return false;
  }
}
