import { exp } from "../detmath.js";
import { checkPositive, isValue, type Filter } from "./common.js";

export interface EmaTimeConstant {
  /** Time constant τ in ms: after a step, the output covers about 63 % of it after τ. */
  tauMs: number;
  /** Nominal interval between samples, used when `push` is given no `dtMs`. */
  sampleMs: number;
}

/**
 * Exponential moving average `y += α·(x − y)`; the first value is taken as is.
 *
 * `new Ema(α)` with 0 < α ≤ 1, or `new Ema({ tauMs, sampleMs })` for a time constant τ, with α = 1 − e^(−Δt/τ):
 * the exact sampling of a first-order low-pass (an RC filter), so a step reaches 1 − 1/e after τ whatever the sample
 * interval. `exp` comes from runtime/detmath, so α is bit-identical on every engine. With a time constant,
 * `push(x, dtMs)` takes the actual interval since the previous sample (computing α costs one `exp`).
 *
 * NaN inputs leave the output unchanged (it holds the last estimate); with a time constant their intervals add up
 * into the next real sample's Δt. Output is NaN before the first value.
 */
export class Ema implements Filter {
  readonly alpha: number;
  /** τ in ms, NaN for a plain-α filter. */
  readonly tauMs: number;
  readonly #sampleMs: number;
  #y = NaN;
  #gapMs = 0;

  constructor(alphaOrTimeConstant: number | EmaTimeConstant) {
    if (typeof alphaOrTimeConstant === "number") {
      const a = alphaOrTimeConstant;
      if (!(a > 0 && a <= 1)) throw new RangeError(`Ema: alpha must be in (0, 1], got ${a}`);
      this.alpha = a;
      this.tauMs = NaN;
      this.#sampleMs = NaN;
    } else {
      const { tauMs, sampleMs } = alphaOrTimeConstant;
      checkPositive("Ema", "tauMs", tauMs, true);
      checkPositive("Ema", "sampleMs", sampleMs);
      this.tauMs = tauMs;
      this.#sampleMs = sampleMs;
      this.alpha = alphaFor(sampleMs, tauMs);
    }
  }

  /** Feed a sample; `dtMs` (time-constant filters only) is the time since the previous call. */
  push(x: number, dtMs?: number): number {
    const timed = this.tauMs === this.tauMs; // not NaN
    if (!isValue(x)) {
      if (timed) this.#gapMs += dtMs === undefined ? this.#sampleMs : dtMs;
      return this.#y;
    }
    const y = this.#y;
    if (y !== y) {
      this.#y = x;
    } else {
      let a = this.alpha;
      if (timed && (dtMs !== undefined || this.#gapMs > 0)) {
        const dt = (dtMs === undefined ? this.#sampleMs : dtMs) + this.#gapMs;
        a = alphaFor(dt, this.tauMs);
      }
      this.#y = y + a * (x - y);
    }
    this.#gapMs = 0;
    return this.#y;
  }

  /** Current output, NaN before the first value. */
  get value(): number {
    return this.#y;
  }

  reset(): void {
    this.#y = NaN;
    this.#gapMs = 0;
  }
}

function alphaFor(dtMs: number, tauMs: number): number {
  if (!(dtMs > 0)) return 0;
  if (tauMs === 0) return 1;
  return 1 - exp(-dtMs / tauMs);
}
