/**
 * The meter's clock: the host's wall time (`host.clock.unixMs()`) plus an offset a downlink sets. Intervals,
 * daily freezes and settlement days are counted on it, so a step is an event the rest of the device must hear of:
 * `set` validates the new time (a whole ms inside the accepted range), refuses a step back larger than
 * `maxBackwardMs` (it would re-open periods already closed and frozen), and reports every step it makes, forward or
 * back, to `onStep` and in `lastStep` — the clock never goes back silently.
 */

/** 2024-01-01T00:00:00Z: no meter in service is set earlier than this. */
export const CLOCK_MIN_MS = 1_704_067_200_000;
/** 2100-01-01T00:00:00Z: DL/T 645 dates carry a two-digit year (YY, 2000–2099). */
export const CLOCK_MAX_MS = 4_102_444_800_000;

export interface ClockStep {
  /** Meter time before the step (NaN when the clock was not set yet), ms. */
  fromMs: number;
  toMs: number;
  /** toMs − fromMs (NaN for the first setting). */
  stepMs: number;
  backward: boolean;
}

export interface MeterClockOptions {
  /** Wall time of the host, Unix ms, 0 while unknown (hal Clock.unixMs). */
  source: () => number;
  /** Largest step back accepted, ms (default one hour). */
  maxBackwardMs?: number;
  /** Every accepted step, including the first setting. */
  onStep?: (step: Readonly<ClockStep>) => void;
  /** Offset kept from before a reset (e.g. from retained memory), ms; default 0 (host time as it is). */
  offsetMs?: number;
}

export class MeterClock {
  readonly maxBackwardMs: number;
  /** The last step made (fromMs NaN until the first). */
  readonly lastStep: ClockStep = { fromMs: NaN, toMs: NaN, stepMs: NaN, backward: false };
  steps = 0;
  readonly #source: () => number;
  readonly #onStep: ((step: Readonly<ClockStep>) => void) | undefined;
  #offset: number;

  constructor(o: MeterClockOptions) {
    this.#source = o.source;
    this.maxBackwardMs = o.maxBackwardMs ?? 3_600_000;
    this.#onStep = o.onStep;
    this.#offset = o.offsetMs ?? 0;
  }

  /** Meter time, Unix ms; NaN while neither the host nor a downlink has given one. */
  now(): number {
    const base = this.#source();
    if (!(base > 0)) return NaN;
    const t = base + this.#offset;
    return t >= CLOCK_MIN_MS && t < CLOCK_MAX_MS ? t : NaN;
  }

  /** What the offset is now (to keep it across a reset). */
  get offsetMs(): number {
    return this.#offset;
  }

  /**
   * Set the meter time to `unixMs`. Returns undefined when done, or why it was refused (the clock unchanged):
   * a value outside CLOCK_MIN_MS…CLOCK_MAX_MS or not a whole ms, a host without wall time, or a step back of more
   * than `maxBackwardMs`.
   */
  set(unixMs: number): string | undefined {
    if (!Number.isInteger(unixMs) || unixMs < CLOCK_MIN_MS || unixMs >= CLOCK_MAX_MS) {
      return `clock: time ${unixMs} is not a whole ms between ${CLOCK_MIN_MS} (2024-01-01) and ${CLOCK_MAX_MS} (2100-01-01)`;
    }
    const base = this.#source();
    if (!(base > 0)) return "clock: the host has no wall time to keep the meter time against";
    const before = this.now();
    if (before === before && before - unixMs > this.maxBackwardMs) {
      return `clock: a step back of ${before - unixMs} ms is more than the ${this.maxBackwardMs} ms allowed (closed periods would open again)`;
    }
    this.#offset = unixMs - base;
    const s = this.lastStep;
    s.fromMs = before;
    s.toMs = unixMs;
    s.stepMs = unixMs - before;
    s.backward = unixMs < before;
    this.steps++;
    this.#onStep?.(s);
    return undefined;
  }
}
