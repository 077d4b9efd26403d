/**
 * Drift-free periodic tasks on the host's one-shot timers.
 *
 * A task's slot k is due at `anchor + k·period` on the scheduler's timeline (milliseconds since the scheduler was
 * made, read from `clock.ticks()`), where `anchor = start + phase`. Each slot arms one `timer.set(…, delay)` with
 * the delay computed from that nominal time, never from "now + period", so a callback that runs late or long never
 * shifts the slots after it. Hosts' repeat timers are not used: on real boards they drift by the tick rounding and
 * callback latency of every period.
 *
 * Lateness: when a slot fires `late` ms after its nominal time and `late ≥ period`, the `floor(late / period)` slots
 * that went by are skipped and counted in `missed`, and the callback runs once, for the latest slot already due:
 * there is never a catch-up burst. A callback that overruns is the same case seen from the next slot: that timer
 * fires late. The next timer is armed before the callback runs, so a callback that throws does not end its task
 * (the error goes to the host, and the schedule goes on).
 *
 * Time: `clock.ticks()` is a signed 32-bit value on MCUs (Moddable `Time.ticks`) and wraps after about 24.8 days;
 * the scheduler folds each reading into its own wrap-free timeline (`now()`), which other device code can use for
 * throttles and heartbeats. This only needs the clock to be read at least once every 2^31 ms, which every live
 * task does (periods and phases are limited to 2^30 ms, about 12.4 days).
 *
 * Periods and phases are whole milliseconds, like `ticks()`. Per fire, the only allocation is the host's
 * `timer.set` handle; each task's timer callback is made once.
 */
import type { Clock, TimerHandle, Timers } from "../hal/host.js";

/** Longest period, phase or one-shot delay in ms (2^30, about 12.4 days). */
export const MAX_PERIOD_MS = 0x40000000;

const WRAP = 0x100000000; // 2^32
const HALF_WRAP = 0x80000000; // 2^31

export interface EveryOptions {
  /**
   * Time of the first slot after the `every()` call, in ms; slots then follow every period. Defaults to one period
   * (the first run comes one period after the call, like `setInterval`). 0 runs the first slot on the next timer
   * turn.
   */
  phaseMs?: number;
  /** For logs and stats. */
  name?: string;
}

export class Scheduler {
  readonly #timer: Timers;
  readonly #clock: Clock;
  #lastTicks: number;
  #elapsed = 0;
  readonly #tasks: Task[] = [];

  constructor(timer: Timers, clock: Clock) {
    this.#timer = timer;
    this.#clock = clock;
    this.#lastTicks = clock.ticks();
  }

  /**
   * Milliseconds since this scheduler was made, on a timeline that does not wrap (unlike `clock.ticks()` on an
   * MCU). Monotonic: a clock that steps backwards holds it still until the clock catches up.
   */
  now(): number {
    const t = this.#clock.ticks();
    let d = t - this.#lastTicks;
    // A signed 32-bit (or unsigned) counter that wrapped shows up as a jump of about -2^32.
    if (d <= -HALF_WRAP) d += WRAP;
    if (d > 0) {
      this.#elapsed += d;
      this.#lastTicks = t;
    }
    return this.#elapsed;
  }

  /** Run `fn` at slots `start + phase + k·period` (k = 0, 1, …) until the task is stopped. */
  every(periodMs: number, fn: () => void, options?: EveryOptions): Task {
    checkMs("period", periodMs, 1);
    const phaseMs = options?.phaseMs ?? periodMs;
    checkMs("phase", phaseMs, 0);
    const task = new Task(this, this.#timer, fn, periodMs, this.now() + phaseMs, options?.name ?? "task", false);
    this.#tasks.push(task);
    task._arm();
    return task;
  }

  /** Run `fn` once, `ms` from now. The returned task stops itself after that run; `stop()` cancels it. */
  after(ms: number, fn: () => void, name = "after"): Task {
    checkMs("delay", ms, 0);
    const task = new Task(this, this.#timer, fn, ms > 0 ? ms : 1, this.now() + ms, name, true);
    this.#tasks.push(task);
    task._arm();
    return task;
  }

  /** Live tasks (not yet stopped), in the order they were made. */
  get tasks(): readonly Task[] {
    return this.#tasks;
  }

  /** Stop every task, e.g. before deep sleep. */
  stopAll(): void {
    for (let i = this.#tasks.length - 1; i >= 0; i--) this.#tasks[i]!.stop();
  }

  /** @internal */
  _remove(task: Task): void {
    const i = this.#tasks.indexOf(task);
    if (i >= 0) this.#tasks.splice(i, 1);
  }
}

export class Task {
  readonly name: string;
  /** True for `after()` tasks. */
  readonly oneShot: boolean;
  readonly #scheduler: Scheduler;
  readonly #timer: Timers;
  readonly #fn: () => void;
  readonly #onTimer: () => void;
  #handle: TimerHandle | undefined;
  #active = true;
  #period: number;
  /** Slot 0 of the current period, on the scheduler timeline. */
  #anchor: number;
  /** Index of the next slot to run. */
  #next = 0;
  #runs = 0;
  #missed = 0;
  #maxLateness = 0;
  #lastLateness = 0;

  /** @internal Use `Scheduler.every` or `Scheduler.after`. */
  constructor(
    scheduler: Scheduler,
    timer: Timers,
    fn: () => void,
    periodMs: number,
    anchor: number,
    name: string,
    oneShot: boolean,
  ) {
    this.#scheduler = scheduler;
    this.#timer = timer;
    this.#fn = fn;
    this.#period = periodMs;
    this.#anchor = anchor;
    this.name = name;
    this.oneShot = oneShot;
    this.#onTimer = () => this.#fire();
  }

  /** Callbacks run so far. */
  get runs(): number {
    return this.#runs;
  }
  /** Slots skipped because the host fired late or a callback overran by a period or more. */
  get missed(): number {
    return this.#missed;
  }
  /** Largest lateness of a fire against the nominal time of the slot its timer was armed for, in ms. */
  get maxLatenessMs(): number {
    return this.#maxLateness;
  }
  /** Lateness of the latest fire, in ms (0 before the first). */
  get lastLatenessMs(): number {
    return this.#lastLateness;
  }
  get periodMs(): number {
    return this.#period;
  }
  /** False once stopped (or, for a one-shot task, once it has run). */
  get active(): boolean {
    return this.#active;
  }
  /** Nominal time of the next slot on the scheduler timeline (`Scheduler.now()`), or NaN when not active. */
  get nextAtMs(): number {
    return this.#active ? this.#anchor + this.#next * this.#period : NaN;
  }

  /** Cancel the pending slot; the task does not run again. Safe to call from its own callback, and twice. */
  stop(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#timer.clear(this.#handle);
    this.#handle = undefined;
    this.#scheduler._remove(this);
  }

  /**
   * Change the period from the next slot on. Before the first run the first slot keeps its time. After it, the
   * new grid starts at the nominal time of the latest slot: the next slot is the first `latest + m·period`
   * (m ≥ 1) not yet past, so a shorter period brings no burst and the grid keeps its phase (no drift).
   */
  setPeriod(periodMs: number): void {
    checkMs("period", periodMs, 1);
    if (this.oneShot) throw new TypeError(`${this.name}: setPeriod on a one-shot task`);
    if (periodMs === this.#period) return;
    if (this.#next === 0) {
      this.#period = periodMs;
      return; // the armed first slot stays where it is
    }
    this.#anchor += (this.#next - 1) * this.#period;
    this.#period = periodMs;
    this.#next = 1;
    if (!this.#active) return;
    const now = this.#scheduler.now();
    if (this.#anchor + periodMs < now) this.#next = Math.ceil((now - this.#anchor) / periodMs);
    this.#timer.clear(this.#handle);
    this._arm();
  }

  /** @internal Arm the host timer for the next slot. */
  _arm(): void {
    let delay = this.#anchor + this.#next * this.#period - this.#scheduler.now();
    if (delay < 0) delay = 0;
    this.#handle = this.#timer.set(this.#onTimer, delay);
  }

  #fire(): void {
    this.#handle = undefined;
    if (!this.#active) return;
    const now = this.#scheduler.now();
    const due = this.#anchor + this.#next * this.#period;
    if (now < due) {
      // Fired early (a host rounding to a coarser tick): wait for the rest.
      this._arm();
      return;
    }
    const late = now - due;
    this.#lastLateness = late;
    if (late > this.#maxLateness) this.#maxLateness = late;
    this.#runs++;
    if (this.oneShot) {
      this.stop();
    } else {
      if (late >= this.#period) {
        const skip = Math.floor(late / this.#period);
        this.#missed += skip;
        this.#next += skip;
      }
      this.#next++;
      this._arm();
    }
    this.#fn();
  }
}

function checkMs(what: string, ms: number, min: number): void {
  if (!Number.isInteger(ms) || ms < min || ms > MAX_PERIOD_MS) {
    throw new RangeError(`scheduler: ${what} must be a whole number of ms in ${min}..${MAX_PERIOD_MS}, got ${ms}`);
  }
}
