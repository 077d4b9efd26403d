/**
 * The life of a driver that takes one reading per `measure()` (the QMC5883L and LIS3MDL drivers): start-up (reset
 * the part, wait, configure it), then per reading: start, wait on a timer, look, look again a little later while the
 * data are not ready, give up after a set number of looks. A `measure()` during start-up is remembered and started
 * when the part is configured; one during a reading is ignored (that reading will report); one after a failed
 * start-up starts over. The drivers supply the steps; nothing here touches the bus.
 *
 * Timer callbacks are bound once and phases are numbers (XS allocates when it compares strings), so a reading
 * allocates nothing here.
 */
import type { TimerHandle, Timers } from "../../hal/host.js";

export interface CycleSteps {
  /** Identify and soft-reset the part: the ms to wait before `configure`, or −1 when it failed (reported). */
  reset(): number;
  /** Configure the part after the reset; false when it failed (reported). */
  configure(): boolean;
  /** Start one reading: the ms until the first look, or −1 when it failed (reported). */
  start(): number;
  /** Look at the reading: true when it is over (a sample or an error reported), false when not ready yet. */
  look(): boolean;
  /** The ms to the next look while the data are not ready. */
  pollMs(): number;
  /** Still not ready after the last look: report it and leave the part idle. */
  timeout(): void;
}

const UNINITIALISED = 0;
const RESETTING = 1;
const IDLE = 2;
const READING = 3;

export class ReadingCycle {
  readonly #timers: Timers;
  readonly #steps: CycleSteps;
  readonly #looks: number;
  readonly #afterResetCb = (): void => this.#afterReset();
  readonly #lookCb = (): void => this.#look();
  #timer: TimerHandle | undefined;
  #phase = UNINITIALISED;
  #pending = false;
  #polls = 0;

  /** `looks`: how many looks after the first before `timeout`. */
  constructor(timers: Timers, steps: CycleSteps, looks: number) {
    this.#timers = timers;
    this.#steps = steps;
    this.#looks = looks;
  }

  /** A reading, or the start-up before the first, is under way. */
  get busy(): boolean {
    return this.#phase === READING || this.#phase === RESETTING || this.#pending;
  }

  /** Start-up: reset now, configure after the reset's wait. */
  begin(): void {
    const wait = this.#steps.reset();
    if (wait < 0) return this.#uninitialised();
    this.#phase = RESETTING;
    this.#timer = this.#timers.set(this.#afterResetCb, wait);
  }

  measure(): void {
    switch (this.#phase) {
      case READING:
        return;
      case RESETTING:
        this.#pending = true;
        return;
      case UNINITIALISED:
        this.#pending = true;
        this.begin();
        return;
      default:
        this.#start();
    }
  }

  close(): void {
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#uninitialised();
  }

  #afterReset(): void {
    this.#timer = undefined;
    if (!this.#steps.configure()) return this.#uninitialised();
    this.#phase = IDLE;
    if (this.#pending) {
      this.#pending = false;
      this.#start();
    }
  }

  #start(): void {
    const wait = this.#steps.start();
    if (wait < 0) return;
    this.#phase = READING;
    this.#polls = 0;
    this.#timer = this.#timers.set(this.#lookCb, wait);
  }

  #look(): void {
    this.#timer = undefined;
    // Idle before the step runs: an onSample that calls measure() starts the next reading at once.
    this.#phase = IDLE;
    if (this.#steps.look()) return;
    if (++this.#polls <= this.#looks) {
      this.#phase = READING;
      this.#timer = this.#timers.set(this.#lookCb, this.#steps.pollMs());
      return;
    }
    this.#steps.timeout();
  }

  /** Not there, or not answering: start over at the next `measure()`. */
  #uninitialised(): void {
    this.#phase = UNINITIALISED;
    this.#pending = false;
  }
}
