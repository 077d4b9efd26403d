/**
 * What every magnetometer model shares: one channel of a conversion (a field axis, the die temperature) from the
 * true value, the part's scale and its noise, as the integer the ADC would give before the part clamps it to its
 * output word.
 * Portable (no Node APIs) and bit-identical on V8 and XS: noise from hashNormal, rounding from floor only.
 */
import { hashNormal } from "./rng.js";

/**
 * value·codesPerUnit + noiseCodes·N(0, 1), rounded half up: a field axis (µT × LSB/µT) or a die temperature.
 * `noiseCodes` is the RMS noise in codes (0 for none); the deviate is a pure function of (seed, at, channel), so
 * the same conversion always reads the same.
 */
export function conversionCode(value: number, codesPerUnit: number, noiseCodes: number, seed: number, at: number, channel: number): number {
  const x = value * codesPerUnit + (noiseCodes ? noiseCodes * hashNormal(seed, Math.floor(at), channel) : 0);
  const f = Math.floor(x); // not Math.round: XS computes it as floor(x + 0.5), which differs next to .5
  return x - f >= 0.5 ? f + 1 : f;
}

/** Clamp to a signed 16-bit output word, as the parts' output registers saturate. */
export function clampInt16(code: number): number {
  return code > 32767 ? 32767 : code < -32768 ? -32768 : code;
}

/**
 * Virtual time a part spends converting (continuous mode, or a conversion under way) rather than in standby: what
 * an energy estimate multiplies by the datasheet's active and standby currents.
 */
export class ActiveTime {
  #since: number | undefined;
  #total = 0;

  /** The part starts (`on`) or stops converting at `at`, µs; repeating the current state changes nothing. */
  set(on: boolean, at: number): void {
    if (on && this.#since === undefined) this.#since = at;
    else if (!on && this.#since !== undefined) {
      this.#total += at - this.#since;
      this.#since = undefined;
    }
  }

  /** µs spent converting up to `now`. */
  until(now: number): number {
    return this.#total + (this.#since === undefined ? 0 : now - this.#since);
  }
}
