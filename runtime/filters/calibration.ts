import { isValue, type Filter } from "./common.js";

/**
 * `true = gain · raw + offset`. Stateless; `push` is `apply` so it chains like the other filters.
 * NaN (or ±Infinity) in, NaN out.
 */
export class LinearCalibration implements Filter {
  readonly gain: number;
  readonly offset: number;

  constructor(gain: number, offset = 0) {
    if (!Number.isFinite(gain) || !Number.isFinite(offset)) {
      throw new RangeError(`LinearCalibration: gain and offset must be finite, got ${gain}, ${offset}`);
    }
    this.gain = gain;
    this.offset = offset;
  }

  /**
   * The line through two reference points: a sensor read `raw1` where the reference showed `true1`, and `raw2`
   * at `true2`. The raw readings must differ.
   */
  static fromTwoPoints(raw1: number, true1: number, raw2: number, true2: number): LinearCalibration {
    if (![raw1, true1, raw2, true2].every(Number.isFinite) || raw1 === raw2) {
      throw new RangeError(`LinearCalibration: two finite points with different raw readings needed, got (${raw1}, ${true1}), (${raw2}, ${true2})`);
    }
    const gain = (true2 - true1) / (raw2 - raw1);
    return new LinearCalibration(gain, true1 - gain * raw1);
  }

  apply(raw: number): number {
    return isValue(raw) ? this.gain * raw + this.offset : NaN;
  }

  push(raw: number): number {
    return this.apply(raw);
  }

  reset(): void {}
}
