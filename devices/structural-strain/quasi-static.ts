/**
 * The quasi-static strain — dead load, thermal drift, creep, a permanent set — as the mean of each minute of
 * compensated samples, and the dynamic part (traffic, vibration) as each sample minus that baseline.
 *
 * Bridge monitoring separates the two because they answer different questions: the static part moves over hours
 * and days (a change in it is a change in the structure or its supports), the dynamic part holds the load cycles
 * that fatigue counts. Chinese practice samples them apart (a bridge-monitoring standard that follows JT/T 1037's
 * tables: dynamic strain at 20 Hz, static strain at 1 Hz); one fast channel gives both here.
 *
 * The baseline for a sample is the mean of the minute before, when that minute is the one just before this one;
 * otherwise (the first minute after boot, or after a gap in the samples) the running mean of the current minute.
 * A minute's mean includes the traffic in it: trucks that spend a fraction f of the minute on the span at a mean
 * strain s raise it by f·s (ten 49 t trucks a minute, 1.5 s each at ~45 µε average: about 11 µε). That bias is the
 * price of a mean that costs two numbers per minute; the dynamic part's ranges, which fatigue uses, do not depend
 * on it, and thermal drift (a few µε per hour after compensation) is well inside one minute's step.
 *
 * Minutes are `floor(atUs / periodUs)` of the device's monotonic clock. The last `keep` closed minutes are kept in
 * a ring for the report: read them by sequence number (`closed − keep … closed − 1`).
 *
 * Device code: fixed typed arrays, nothing allocated per sample.
 */

export interface QuasiStaticConfig {
  /** Length of a period, s (default 60). */
  periodS?: number;
  /** How many closed periods to keep for the report (default 60: an hour of minutes). */
  keep?: number;
}

const WHO = "quasi-static strain";

export class QuasiStaticStrain {
  readonly periodUs: number;
  readonly keep: number;
  readonly #period: Float64Array;
  readonly #mean: Float64Array;
  readonly #min: Float64Array;
  readonly #max: Float64Array;
  readonly #count: Uint32Array;
  /** Periods closed since construction (the next closed period's sequence number). */
  #closed = 0;
  // the period being accumulated
  #current = NaN;
  #sum = 0;
  #n = 0;
  #lo = NaN;
  #hi = NaN;
  #baseline = NaN;

  constructor(config: QuasiStaticConfig = {}) {
    const periodS = config.periodS ?? 60;
    const keep = config.keep ?? 60;
    if (!(periodS >= 1 && periodS <= 86400)) throw new RangeError(`${WHO}: periodS must be between 1 and 86400 s, got ${String(periodS)}`);
    if (!Number.isInteger(keep) || keep < 1 || keep > 10080) throw new RangeError(`${WHO}: keep must be a whole number of periods from 1 to 10080, got ${String(keep)}`);
    this.periodUs = periodS * 1e6;
    this.keep = keep;
    this.#period = new Float64Array(keep);
    this.#mean = new Float64Array(keep);
    this.#min = new Float64Array(keep);
    this.#max = new Float64Array(keep);
    this.#count = new Uint32Array(keep);
  }

  /** Take a compensated sample (µε) taken at `atUs` (monotonic µs); returns its dynamic part, µε (NaN for NaN). */
  push(x: number, atUs: number): number {
    if (!(x - x === 0)) return NaN;
    const p = Math.floor(atUs / this.periodUs);
    if (p !== this.#current) {
      if (this.#n > 0) this.#close();
      // The closed period is the baseline only for the period right after it.
      this.#baseline = this.#closed > 0 && this.#period[(this.#closed - 1) % this.keep] === p - 1 ? this.#mean[(this.#closed - 1) % this.keep]! : NaN;
      this.#current = p;
      this.#sum = 0;
      this.#n = 0;
      this.#lo = x;
      this.#hi = x;
    }
    this.#sum += x;
    this.#n++;
    if (x < this.#lo) this.#lo = x;
    if (x > this.#hi) this.#hi = x;
    const b = this.#baseline;
    return x - (b === b ? b : this.#sum / this.#n);
  }

  #close(): void {
    const i = this.#closed % this.keep;
    this.#period[i] = this.#current;
    this.#mean[i] = this.#sum / this.#n;
    this.#min[i] = this.#lo;
    this.#max[i] = this.#hi;
    this.#count[i] = this.#n;
    this.#closed++;
  }

  /** The baseline the last sample's dynamic part was taken from, µε. */
  get baseline(): number {
    const b = this.#baseline;
    return b === b ? b : this.#n > 0 ? this.#sum / this.#n : NaN;
  }

  /** Periods closed so far: sequence numbers 0 … closed − 1, of which the last `keep` are still held. */
  get closed(): number {
    return this.#closed;
  }

  /** The period number (floor(µs / periodUs)) of closed period `seq`. */
  periodOf(seq: number): number {
    return this.#period[this.#slot(seq)]!;
  }
  /** Mean of closed period `seq`, µε. */
  meanOf(seq: number): number {
    return this.#mean[this.#slot(seq)]!;
  }
  minOf(seq: number): number {
    return this.#min[this.#slot(seq)]!;
  }
  maxOf(seq: number): number {
    return this.#max[this.#slot(seq)]!;
  }
  /** Samples in closed period `seq`. */
  countOf(seq: number): number {
    return this.#count[this.#slot(seq)]!;
  }

  #slot(seq: number): number {
    if (!Number.isInteger(seq) || seq < this.#closed - this.keep || seq < 0 || seq >= this.#closed) {
      throw new RangeError(`${WHO}: period ${String(seq)} is not held (closed ${this.#closed}, keeping the last ${this.keep})`);
    }
    return seq % this.keep;
  }
}
