/**
 * An S0 pulse input (DIN 43864, IEC 62053-31): the meter's passive opto-transistor output pulls a pulled-up GPIO
 * low for each 1/impulsesPerKwh kWh, for at least 30 ms (and stays off at least as long between pulses).
 *
 * Pulses are counted by edge interrupts and accepted by their width: an active run — the line low, with gaps
 * shorter than `debounceMs` taken for contact bounce — counts once, at its trailing edge, if it lasted at least
 * `minPulseMs` (default 20 ms: below the standard's 30 ms, above any spike or bounce). Shorter runs are counted as
 * rejected. A pulse already under way when the driver starts (it began while the firmware was asleep or
 * rebooting) counts when it ends.
 *
 * The count lives in two retained words (the count and a check word), written at every pulse, so a deep sleep, a
 * watchdog reset or a crash loses nothing counted; after a power loss the check fails, `restored` is false and the
 * count starts from `initialCount` (what the device last saved to flash). Pulses that come while the firmware is
 * not running are not seen: a node that must count them sleeps with its timers (idle) rather than in deep sleep.
 */
import type { Clock, RetainedMemory } from "../../hal/host.js";
import type { Digital, DigitalClass, PinSpecifier } from "../../hal/io.js";
import type { Sensor } from "../../hal/sensor.js";

/** The pulse filter unless told otherwise; the part declaration (part.ts) states these as its options' defaults. */
export const S0_DEFAULTS = Object.freeze({ minPulseMs: 20, debounceMs: 5 });

export interface S0Sample {
  /** Pulses since the previous `sample()`. */
  pulses: number;
  /** Pulses counted in all, across reboots. */
  total: number;
  /** total / impulsesPerKwh. */
  energyKwh: number;
  /** From the time between the last two pulses, W; 0 when none came for `idleAfterMs`. */
  powerW: number;
  /** Active runs too short to be pulses, since this driver started. */
  rejected: number;
}

export interface S0Options {
  input: { io: DigitalClass; pin: PinSpecifier };
  clock: Clock;
  /** Where the count survives resets: words `retainedIndex` and `retainedIndex + 1`. */
  retained: RetainedMemory;
  retainedIndex: number;
  impulsesPerKwh: number;
  /** Shorter active runs are noise, ms (default S0_DEFAULTS). */
  minPulseMs?: number;
  /** Gaps this short inside a pulse are bounce, ms (default S0_DEFAULTS). */
  debounceMs?: number;
  /** Power reads 0 after this long without a pulse, ms (default 10 minutes). */
  idleAfterMs?: number;
  /** The count when the retained words hold none (after a power loss), e.g. from a flash snapshot. */
  initialCount?: number;
}

/** Mixed into the check word so zeroed or random RAM does not pass for a count. */
const CHECK = 0x5a0fc3a5;
/** The opto-transistor conducts: the pulled-up line is low. */
const ACTIVE = 0;

export class S0PulseCounter implements Sensor<S0Sample, { impulsesPerKwh: number }> {
  /** Whether the count came back from retained memory at start (false after a power loss). */
  readonly restored: boolean;
  readonly #input: Digital;
  readonly #clock: Clock;
  readonly #retained: RetainedMemory;
  readonly #index: number;
  readonly #minPulseMs: number;
  readonly #debounceMs: number;
  readonly #idleAfterMs: number;
  #impulsesPerKwh: number;
  #total: number;
  #sampled: number;
  #rejected = 0;
  /** The current active run: when it began (-Infinity: before the driver started), or NaN when there is none. */
  #runStart = NaN;
  #runCounted = false;
  /** The run ended too short and was counted as rejected (undone if it turns out to go on). */
  #runRejected = false;
  #lastRelease = -Infinity;
  #lastPulseMs = NaN;
  #intervalMs = NaN;
  #closed = false;

  constructor(o: S0Options) {
    if (!(o.impulsesPerKwh > 0)) throw new RangeError(`s0: impulsesPerKwh must be > 0, got ${o.impulsesPerKwh}`);
    if (!Number.isInteger(o.retainedIndex) || o.retainedIndex < 0 || o.retainedIndex + 1 >= o.retained.length) {
      throw new RangeError(`s0: retainedIndex ${o.retainedIndex} needs two words inside retained memory of ${o.retained.length}`);
    }
    this.#clock = o.clock;
    this.#retained = o.retained;
    this.#index = o.retainedIndex;
    this.#impulsesPerKwh = o.impulsesPerKwh;
    this.#minPulseMs = o.minPulseMs ?? S0_DEFAULTS.minPulseMs;
    this.#debounceMs = o.debounceMs ?? S0_DEFAULTS.debounceMs;
    this.#idleAfterMs = o.idleAfterMs ?? 600_000;
    const count = o.retained.get(o.retainedIndex);
    this.restored = ((count ^ CHECK) >>> 0) === o.retained.get(o.retainedIndex + 1);
    this.#total = this.restored ? count : (o.initialCount ?? 0);
    if (!this.restored) this.#store();
    this.#sampled = this.#total;
    const io = o.input.io;
    const self = this;
    this.#input = new io({
      pin: o.input.pin,
      mode: io.InputPullUp,
      edge: io.Rising + io.Falling,
      onReadable() {
        self.#edge(this.read());
      },
    });
    if (this.#input.read() === ACTIVE) this.#runStart = -Infinity;
  }

  /** Pulses counted in all. */
  get total(): number {
    return this.#total;
  }

  get rejected(): number {
    return this.#rejected;
  }

  configure(options: Partial<{ impulsesPerKwh: number }>): void {
    if (options.impulsesPerKwh !== undefined) {
      if (!(options.impulsesPerKwh > 0)) throw new RangeError(`s0: impulsesPerKwh must be > 0, got ${options.impulsesPerKwh}`);
      this.#impulsesPerKwh = options.impulsesPerKwh;
    }
  }

  sample(): S0Sample {
    if (this.#closed) throw new Error("s0: closed");
    const pulses = this.#total - this.#sampled;
    this.#sampled = this.#total;
    const now = this.#clock.ticks();
    const fresh = now - this.#lastPulseMs < this.#idleAfterMs && this.#intervalMs > 0;
    return {
      pulses,
      total: this.#total,
      energyKwh: this.#total / this.#impulsesPerKwh,
      powerW: fresh ? 3.6e9 / (this.#impulsesPerKwh * this.#intervalMs) : 0,
      rejected: this.#rejected,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#input.close();
  }

  #edge(level: number): void {
    const now = this.#clock.ticks();
    if (level === ACTIVE) {
      if (!Number.isNaN(this.#runStart) && now - this.#lastRelease < this.#debounceMs) {
        // Bounce: the run goes on, and its release was not the end of a too-short run after all.
        if (this.#runRejected) this.#rejected--;
        this.#runRejected = false;
        return;
      }
      this.#runStart = now;
      this.#runCounted = false;
      this.#runRejected = false;
      return;
    }
    if (Number.isNaN(this.#runStart)) return; // released without a run (a missed edge): nothing to count
    this.#lastRelease = now;
    if (this.#runCounted || this.#runRejected) return;
    if (now - this.#runStart >= this.#minPulseMs) {
      this.#runCounted = true;
      this.#count(now);
    } else {
      this.#runRejected = true;
      this.#rejected++;
    }
  }

  #count(now: number): void {
    this.#total = (this.#total + 1) >>> 0;
    this.#store();
    if (!Number.isNaN(this.#lastPulseMs)) this.#intervalMs = now - this.#lastPulseMs;
    this.#lastPulseMs = now;
  }

  #store(): void {
    this.#retained.set(this.#index, this.#total);
    this.#retained.set(this.#index + 1, (this.#total ^ CHECK) >>> 0);
  }
}
