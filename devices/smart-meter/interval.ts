/**
 * 15-minute interval energy (a load profile, as DL/T 645 meters and utilities' AMI systems keep it) from the meter's
 * forward-active register and/or the S0 pulse count, on the meter's clock.
 *
 * Each interval runs from one boundary (a multiple of 15 min on the meter's clock; UTC+8 is a whole number of
 * intervals from UTC, so the boundaries are also local quarter-hours) to the next. Its energy is the difference of
 * the first readings at or after the two boundaries. A reading that comes more than `lateToleranceMs` after its
 * boundary (a failed read retried, a busy bus) still closes the interval, flagged LATE_START/LATE_END: the energy
 * of those minutes lands in the earlier interval and the total stays exact.
 *
 * Nothing is invented. When no reading came in one or more whole intervals (the node was off, the meter silent),
 * one record covers them all (`intervals` > 1, flag GAP) with the energy measured across them, rather than a split
 * that was never measured. After a power loss the device hands `resume` the end of the last record it kept; the
 * pulse count does not survive a power loss, so the record that spans it has no pulse energy (PULSES_LOST).
 * A clock step (MeterClock) flags the interval it falls in; after a step back the interval in progress stays open
 * until the clock passes its end again, so no interval is ever emitted twice.
 *
 * `energyWh` is the pulse energy when the pulses are whole over the interval (1 Wh at 1000 imp/kWh against the
 * register's 10 Wh in DL/T 645's XXXXXX.XX kWh), else the register's. One record object is reused for every
 * interval: copy what you keep.
 */

export const INTERVAL_MS = 900_000;

/** Bits of IntervalRecord.flags. */
export const IntervalFlag = Object.freeze({
  /** The reading that opened the interval came late (its energy includes minutes of the one before). */
  LATE_START: 1,
  /** The reading that closed it came late (it includes minutes of the next). */
  LATE_END: 2,
  /** It spans more than one interval: no reading at the boundaries in between. */
  GAP: 4,
  /** The meter clock was stepped inside it: it does not last 15 minutes of real time. */
  CLOCK_STEP: 8,
  /** The pulse count did not carry across it (power loss, counter reset): no pulse energy. */
  PULSES_LOST: 16,
  /** No register reading at one of its ends: no register energy. */
  NO_REGISTER: 32,
  /** The first interval after the device restarted (resumed from flash). */
  RESTARTED: 64,
  /** The register read less at the end than at the start (a meter exchange or a fault): no register energy. */
  REGISTER_BACK: 128,
});

export interface IntervalRecord {
  /** Boundaries on the meter clock, Unix ms. */
  startMs: number;
  endMs: number;
  /** (endMs − startMs) / 15 min. */
  intervals: number;
  /** Register difference, Wh (NaN when not known). */
  registerWh: number;
  /** Pulses × Wh per pulse, Wh (NaN when not known). */
  pulseWh: number;
  /** pulseWh when known, else registerWh. */
  energyWh: number;
  /** IntervalFlag bits. */
  flags: number;
  /** Readings at the end (where the next interval starts): what `resume` needs after a power loss. */
  endRegisterWh: number;
  endPulses: number;
}

export interface IntervalEnergyOptions {
  /** Energy per S0 pulse, Wh (1000 / impulses per kWh). */
  whPerPulse: number;
  /** A reading later than this after its boundary is flagged late (default 60 s). */
  lateToleranceMs?: number;
  /** Each closed interval; the record is reused. */
  onInterval: (record: Readonly<IntervalRecord>) => void;
}

export class IntervalEnergy {
  readonly #o: IntervalEnergyOptions;
  readonly #tolerance: number;
  readonly #rec: IntervalRecord = {
    startMs: 0,
    endMs: 0,
    intervals: 0,
    registerWh: NaN,
    pulseWh: NaN,
    energyWh: NaN,
    flags: 0,
    endRegisterWh: NaN,
    endPulses: NaN,
  };
  /** Index of the interval in progress (NaN before the first reading). */
  #k = NaN;
  #startRegister = NaN;
  #startPulses = NaN;
  /** Flags gathered for the interval in progress. */
  #flags = 0;

  constructor(o: IntervalEnergyOptions) {
    if (!(o.whPerPulse > 0)) throw new RangeError(`interval energy: whPerPulse must be > 0, got ${o.whPerPulse}`);
    this.#o = o;
    this.#tolerance = o.lateToleranceMs ?? 60_000;
  }

  /** Start of the interval in progress, Unix ms (NaN before the first reading). */
  get openSinceMs(): number {
    return this.#k * INTERVAL_MS;
  }

  /** The readings the interval in progress started from (NaN: none), and its flags so far: what to keep. */
  get openRegisterWh(): number {
    return this.#startRegister;
  }

  get openPulses(): number {
    return this.#startPulses;
  }

  get openFlags(): number {
    return this.#flags;
  }

  /**
   * After a restart: the interval in progress began at `startMs` (the `endMs` of the last record kept, or the start
   * kept in flash) with these readings and `flags` gathered so far. Pulses are taken as lost unless
   * `pulsesContinue` (the counter survived in retained memory).
   */
  resume(startMs: number, registerWh: number, pulses: number, pulsesContinue = false, flags = 0): void {
    if (!Number.isInteger(startMs / INTERVAL_MS)) throw new RangeError(`interval energy: resume at ${startMs}, not an interval boundary`);
    this.#k = startMs / INTERVAL_MS;
    this.#startRegister = registerWh;
    this.#startPulses = pulsesContinue ? pulses : NaN;
    this.#flags = flags | IntervalFlag.RESTARTED | (pulsesContinue ? 0 : IntervalFlag.PULSES_LOST);
  }

  /** The meter clock was stepped (MeterClock.onStep): flag the interval in progress. */
  clockStepped(): void {
    this.#flags |= IntervalFlag.CLOCK_STEP;
  }

  /** The pulse counter restarted from a value that does not continue the last one (e.g. after a power loss). */
  pulsesLost(): void {
    this.#startPulses = NaN;
    this.#flags |= IntervalFlag.PULSES_LOST;
  }

  /**
   * A reading at meter time `meterMs`: the forward-active register in Wh and/or the pulse count (NaN for a source
   * that gave nothing this time). Closes the interval in progress when `meterMs` is past its end.
   */
  observe(meterMs: number, registerWh: number, pulses: number): void {
    if (!(meterMs === meterMs)) return; // the clock is not set: no interval can be placed
    const j = Math.floor(meterMs / INTERVAL_MS);
    const late = meterMs - j * INTERVAL_MS > this.#tolerance;
    if (this.#k !== this.#k) {
      this.#k = j;
      this.#startRegister = registerWh;
      this.#startPulses = pulses;
      this.#flags = late ? IntervalFlag.LATE_START : 0;
      return;
    }
    if (j <= this.#k) {
      // Inside the interval in progress (or back in time after a clock step: it stays open). Fill a missing start.
      if (this.#startRegister !== this.#startRegister && registerWh === registerWh) {
        this.#startRegister = registerWh;
        this.#flags |= IntervalFlag.LATE_START;
      }
      if (this.#startPulses !== this.#startPulses && pulses === pulses && !(this.#flags & IntervalFlag.PULSES_LOST)) {
        this.#startPulses = pulses;
        this.#flags |= IntervalFlag.LATE_START;
      }
      return;
    }
    const r = this.#rec;
    let flags = this.#flags;
    if (late) flags |= IntervalFlag.LATE_END;
    if (j - this.#k > 1) flags |= IntervalFlag.GAP;
    let reg = registerWh - this.#startRegister;
    if (reg !== reg) flags |= IntervalFlag.NO_REGISTER;
    else if (reg < 0) {
      flags |= IntervalFlag.REGISTER_BACK;
      reg = NaN;
    }
    let pulseWh = (pulses - this.#startPulses) * this.#o.whPerPulse;
    if (!(pulseWh >= 0)) {
      if (pulseWh < 0) flags |= IntervalFlag.PULSES_LOST;
      pulseWh = NaN;
    }
    if (flags & IntervalFlag.PULSES_LOST) pulseWh = NaN;
    r.startMs = this.#k * INTERVAL_MS;
    r.endMs = j * INTERVAL_MS;
    r.intervals = j - this.#k;
    r.registerWh = reg;
    r.pulseWh = pulseWh;
    r.energyWh = pulseWh === pulseWh ? pulseWh : reg;
    r.flags = flags;
    r.endRegisterWh = registerWh;
    r.endPulses = pulses;
    this.#k = j;
    this.#startRegister = registerWh;
    this.#startPulses = pulses;
    this.#flags = late ? IntervalFlag.LATE_START : 0;
    this.#o.onInterval(r);
  }
}
