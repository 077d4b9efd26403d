/**
 * Probe-fault detection on one channel's readings: out of physical range, stuck, drifting. Each is a bit in the
 * returned flags, so a report can carry them as one number.
 *
 * - Out of range: the reading is not a number or lies outside what lake water can physically show (PROBE_CHANNELS;
 *   narrower than the circuits' measuring ranges, which a dry or broken probe can still produce). Out-of-range
 *   readings are kept out of the stuck and drift statistics.
 * - Stuck: the last `stuckReadings` in-range readings all lie within `resolution` of each other (max − min ≤
 *   resolution: no change the instrument could show). Water is never that still: with the EZO circuits' three-
 *   decimal pH and temperature, two-decimal oxygen, even a calm night moves the reading by more than one count over
 *   two hours. A frozen I2C reply, a probe out of the water in still air, or a latched ADC are.
 * - Drifting: a slow monotonic departure. The statistic is the daily mean of (reading − reference) — the reference
 *   is a co-located sensor of the same quantity (a second thermometer, a calibrated reference probe) when the
 *   device passes one, else 0, so the daily mean of the reading itself is compared with its own value at the start
 *   of the window (a long-term baseline). Daily means (UTC+8 days by default) average out the diurnal cycle. The
 *   channel is drifting when the last `driftDays` complete days (each with at least `minDayReadings` readings) have
 *   strictly monotonic daily means and the last differs from the first by at least `driftLimit`. A day with too
 *   few readings breaks the run. Without a reference, a quantity with a genuine multi-day trend (water temperature
 *   in spring) will look like drift: use the reference form for it, or give it a driftLimit above its natural
 *   weekly change.
 *
 * Memory per channel: a ring of `stuckReadings` values and one of `driftDays` daily means (Float64Arrays); nothing
 * is allocated per reading.
 */

export const FAULT_NONE = 0;
export const FAULT_RANGE = 1;
export const FAULT_STUCK = 2;
export const FAULT_DRIFT = 4;

export interface ProbeChannel {
  /** For messages. */
  readonly name: string;
  /** Physically possible values in lake water, [min, max]. */
  readonly min: number;
  readonly max: number;
  /** Smallest change the reading shows. */
  readonly resolution: number;
  /** Readings with no change beyond the resolution that make a probe stuck. */
  readonly stuckReadings: number;
  /** Departure over the drift window that counts as drift, in the reading's unit. */
  readonly driftLimit: number;
  /** Complete days of monotonic daily means that make a drift. */
  readonly driftDays: number;
  /** Readings a day needs to count. */
  readonly minDayReadings: number;
}

const STUCK = 12; // 3 h at 15-minute sampling, 24 min at 2-minute
const DAYS = 14;
const PER_DAY = 12; // an eighth of a day at 15-minute sampling

/**
 * The buoy's channels. Ranges: water on Dianchi is liquid and below 40 °C; pH 0–14 is the scale (EZO-pH reads
 * 0.001–14.000); oxygen above 40 mg/L would be 270 % saturation at 0 °C and sea level, beyond any bloom (EZO-DO reads
 * 0.01–100+); conductance above 5000 µS/cm is brackish water, not a freshwater lake (a design limit; EZO-EC reads to
 * 500 000); ORP within the EZO-ORP's ±1019.9 mV; turbidity above 1000 NTU is no lake surface (a design limit; the
 * SEN0189 curve's 3000 NTU means no light gets through: fouled, or in mud). Resolutions are the circuits' reported
 * digits (EZO-pH 0.001, EZO-RTD 0.001, EZO-DO 0.01 mg/L, EZO-ORP 0.1 mV), 1 µS/cm for conductance, and one ADC
 * count for turbidity: near clear water the SEN0189 curve falls 3650 NTU per volt (dNTU/dV = 2·c2·V + c1 at 4.19 V),
 * and one count of a 12-bit 3.3 V ADC behind the 0.6 divider is 1.34 mV at the probe: 4.9 NTU.
 * Drift limits are design choices, each a few times the natural week-to-week change of a daily mean but well under
 * what recalibration corrects: 0.2 pH, 0.5 mg/L, 50 µS/cm, 30 mV, 10 NTU. Temperature has no co-located reference on
 * the buoy and a lake warms by 0.1 °C a day in spring, so its limit (2 °C a week) only catches a gross failure; with
 * a second thermometer as the reference, 0.5 °C is the figure to use.
 */
export const PROBE_CHANNELS = Object.freeze({
  temperature: Object.freeze({ name: "temperature", min: -1, max: 40, resolution: 0.001, stuckReadings: STUCK, driftLimit: Infinity, driftDays: DAYS, minDayReadings: PER_DAY }),
  pH: Object.freeze({ name: "pH", min: 0, max: 14, resolution: 0.001, stuckReadings: STUCK, driftLimit: 0.2, driftDays: DAYS, minDayReadings: PER_DAY }),
  oxygen: Object.freeze({ name: "oxygen", min: 0, max: 40, resolution: 0.01, stuckReadings: STUCK, driftLimit: 0.5, driftDays: DAYS, minDayReadings: PER_DAY }),
  conductivity: Object.freeze({ name: "conductivity", min: 0, max: 5000, resolution: 1, stuckReadings: STUCK, driftLimit: 50, driftDays: DAYS, minDayReadings: PER_DAY }),
  orp: Object.freeze({ name: "orp", min: -1019.9, max: 1019.9, resolution: 0.1, stuckReadings: STUCK, driftLimit: 30, driftDays: DAYS, minDayReadings: PER_DAY }),
  turbidity: Object.freeze({ name: "turbidity", min: 0, max: 1000, resolution: 1, stuckReadings: STUCK, driftLimit: 10, driftDays: DAYS, minDayReadings: PER_DAY }),
});

const DAY_MS = 86_400_000;
/** Beijing time, UTC+8: the days daily means are taken over. */
export const CHINA_UTC_OFFSET_MS = 8 * 3_600_000;

export class ProbeFaultDetector {
  readonly channel: ProbeChannel;
  readonly #dayOffsetMs: number;
  // stuck: the last readings
  readonly #recent: Float64Array;
  #recentCount = 0;
  #recentNext = 0;
  // drift: the current day, then complete days' means (oldest first after rotation)
  #day = NaN;
  #daySum = 0;
  #dayCount = 0;
  readonly #means: Float64Array;
  #meansCount = 0;
  #flags = FAULT_NONE;
  #drift = NaN;
  #drifting = false;

  constructor(channel: ProbeChannel, dayOffsetMs = CHINA_UTC_OFFSET_MS) {
    if (!(channel.max > channel.min)) throw new RangeError(`probe channel ${channel.name}: max (${channel.max}) must exceed min (${channel.min})`);
    if (!(channel.resolution >= 0)) throw new RangeError(`probe channel ${channel.name}: resolution must be ≥ 0, got ${channel.resolution}`);
    if (!(channel.stuckReadings >= 2)) throw new RangeError(`probe channel ${channel.name}: stuckReadings must be ≥ 2, got ${channel.stuckReadings}`);
    if (!(channel.driftDays >= 2)) throw new RangeError(`probe channel ${channel.name}: driftDays must be ≥ 2, got ${channel.driftDays}`);
    if (!(channel.driftLimit > 0)) throw new RangeError(`probe channel ${channel.name}: driftLimit must be > 0, got ${channel.driftLimit}`);
    if (!(channel.minDayReadings >= 1)) throw new RangeError(`probe channel ${channel.name}: minDayReadings must be ≥ 1, got ${channel.minDayReadings}`);
    this.channel = channel;
    this.#dayOffsetMs = dayOffsetMs;
    this.#recent = new Float64Array(channel.stuckReadings);
    this.#means = new Float64Array(channel.driftDays);
  }

  /** Fault bits after the latest reading. */
  get flags(): number {
    return this.#flags;
  }

  /** Departure of the newest day's mean from the oldest in the last full drift window (NaN before the first). */
  get drift(): number {
    return this.#drift;
  }

  /**
   * Add a reading taken at `unixMs` (with the co-located reference's reading, or NaN for the baseline form);
   * returns the fault bits.
   */
  add(unixMs: number, value: number, reference = NaN): number {
    const c = this.channel;
    if (!(value >= c.min && value <= c.max)) {
      this.#flags = FAULT_RANGE | (this.#drifting ? FAULT_DRIFT : FAULT_NONE);
      return this.#flags;
    }
    this.#daily(unixMs, reference === reference ? value - reference : value);
    this.#flags = (this.#stuck(value) ? FAULT_STUCK : FAULT_NONE) | (this.#drifting ? FAULT_DRIFT : FAULT_NONE);
    return this.#flags;
  }

  #stuck(value: number): boolean {
    const n = this.#recent.length;
    this.#recent[this.#recentNext] = value;
    this.#recentNext = (this.#recentNext + 1) % n;
    if (this.#recentCount < n) this.#recentCount++;
    if (this.#recentCount < n) return false;
    let lo = value;
    let hi = value;
    for (let i = 0; i < n; i++) {
      const v = this.#recent[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return hi - lo <= this.channel.resolution;
  }

  #daily(unixMs: number, x: number): void {
    const day = Math.floor((unixMs + this.#dayOffsetMs) / DAY_MS);
    if (day !== this.#day) {
      if (this.#day === this.#day) this.#closeDay(day - this.#day === 1);
      this.#day = day;
      this.#daySum = 0;
      this.#dayCount = 0;
    }
    this.#daySum += x;
    this.#dayCount++;
  }

  /**
   * End the current day. A day with enough readings joins the window, which is then judged when full; a short day,
   * or a gap of whole days before the next reading, restarts the window (the verdict stands until a new full window).
   */
  #closeDay(nextIsTomorrow: boolean): void {
    const m = this.#means;
    if (this.#dayCount < this.channel.minDayReadings) {
      this.#meansCount = 0;
      return;
    }
    if (this.#meansCount === m.length) m.copyWithin(0, 1);
    else this.#meansCount++;
    m[this.#meansCount - 1] = this.#daySum / this.#dayCount;
    if (this.#meansCount === m.length) this.#judgeDrift();
    if (!nextIsTomorrow) this.#meansCount = 0;
  }

  #judgeDrift(): void {
    const m = this.#means;
    const n = m.length;
    this.#drift = m[n - 1]! - m[0]!;
    const up = m[1]! > m[0]!;
    let monotonic = true;
    for (let i = 1; i < n && monotonic; i++) monotonic = up ? m[i]! > m[i - 1]! : m[i]! < m[i - 1]!;
    this.#drifting = monotonic && (this.#drift >= 0 ? this.#drift : -this.#drift) >= this.channel.driftLimit;
  }
}
