import { checkCount } from "./common.js";
import { RunningWindow, type RunningWindowOptions } from "./running-window.js";

/**
 * Peak gust: the largest running mean of the last `windowSamples` wind speeds over a reporting period
 * (WMO-No. 306: a gust is a 3 s running mean; with 250 ms samples that is the default, 12 samples; WMO-No. 8:
 * the peak gust is the maximum over the reporting period).
 *
 * `push(speed)` returns the current running mean (NaN while the window is incomplete or has too many gaps);
 * `peak` is the largest running mean since the last `resetPeriod()`, NaN when there was none. The window carries
 * over `resetPeriod()`, so the first means of a period may span samples from the end of the previous one, as a
 * continuous running mean does.
 */
export class Gust {
  readonly #window: RunningWindow;
  #peak = NaN;

  constructor(windowSamples = 12, options?: RunningWindowOptions) {
    checkCount("Gust", "windowSamples", windowSamples);
    this.#window = new RunningWindow(windowSamples, options);
  }

  push(speed: number): number {
    const m = this.#window.push(speed);
    if (m === m && !(m <= this.#peak)) this.#peak = m;
    return m;
  }

  /** Largest running mean since the period began, NaN if none. */
  get peak(): number {
    return this.#peak;
  }
  /** Current running mean. */
  get mean(): number {
    return this.#window.mean;
  }

  /** Start a new reporting period: forget the peak, keep the window. */
  resetPeriod(): void {
    this.#peak = NaN;
  }

  reset(): void {
    this.#window.reset();
    this.#peak = NaN;
  }
}
