/**
 * Cooperative work in pieces: long work off the sample path (a report's encoding, handing it to the uplink) runs as
 * a job whose `step()` does one piece per turn of the host's event loop, so whatever else is due (a converter's
 * data-ready edge, a sampling slot) runs between two pieces instead of waiting for the whole job.
 *
 * The host has one thread and never preempts a callback: a callback that runs longer than the shortest period of the
 * device's sampling delays that sample, and by a whole period loses it. A job's pieces are each kept shorter than
 * that period by the job itself (it knows its work); the queue only takes turns.
 *
 * Each piece is a host timer of delay 0, armed when the previous piece ends: on a board, events that came due while a
 * piece ran (an edge's interrupt, a timer) are earlier than that timer and run first (Moddable runs them in due
 * order); in the simulator no time passes during a callback, so every piece runs at the instant the job was queued
 * and the device computes the same bytes on every engine, provided a job reads what changes between pieces (the
 * sample path's state) only in its first step. Jobs run one at a time, in the order they were queued.
 *
 * Per piece the only allocation is the host's timer handle; the timer callback is made once.
 *
 * A device sampling on a part's own clock (a converter's data-ready edge, 11 ms apart at 90 samples/s) can pace the
 * queue by its samples instead (`paceBySamples`): pieces then run right after a sample, in its callback, where the
 * most time is left before the next one, rather than on a timer that may fire just before an edge and hold it back
 * by the piece and any collection inside it. A few pieces a sample; a slower timer runs pieces only when no sample
 * came since it was armed (the converter stopped), so the work still ends.
 */
import type { TimerHandle, Timers } from "../hal/host.js";

/** Work done in pieces: `step()` does one piece and returns true while there is more to do. */
export interface Job {
  step(): boolean;
}

export class WorkQueue {
  readonly #timer: Timers;
  readonly #jobs: Job[] = [];
  readonly #onTimer: () => void;
  #handle: TimerHandle | undefined;
  /** Paced by samples: the fallback timer's delay, ms (undefined: a zero-delay timer per piece). */
  #pacedMs: number | undefined;
  /** Pieces run after each sample. */
  #pieces = 1;
  /** Whether a sample ran a piece since the fallback timer was armed. */
  #sampled = false;
  #steps = 0;
  #jobsDone = 0;
  #deepest = 0;

  constructor(timer: Timers) {
    this.#timer = timer;
    this.#onTimer = () => this.#turn();
  }

  /** Queue a job; its first piece runs on a later turn of the event loop (or after a sample), never inside this call. */
  add(job: Job): void {
    this.#jobs.push(job);
    if (this.#jobs.length > this.#deepest) this.#deepest = this.#jobs.length;
    if (this.#handle === undefined) this.#arm();
  }

  /**
   * Run pieces after the device's samples from now on (`afterSample`), `pieces` a sample (as many as fit in what a
   * sample's handler leaves of the period); `fallbackMs` (longer than the sampling period) is how long the queue
   * waits for a sample before it runs a piece on its own.
   */
  paceBySamples(fallbackMs: number, pieces = 1): void {
    if (!(fallbackMs > 0)) throw new RangeError(`work queue: fallbackMs must be > 0, got ${String(fallbackMs)}`);
    if (!Number.isInteger(pieces) || pieces < 1) throw new RangeError(`work queue: pieces must be a whole number ≥ 1, got ${String(pieces)}`);
    this.#pacedMs = fallbackMs;
    this.#pieces = pieces;
  }

  /** The device's sample is done (its callback's last call): a paced queue runs its next pieces now. */
  afterSample(): void {
    if (this.#pacedMs === undefined) return;
    for (let k = 0; k < this.#pieces && this.#jobs.length > 0; k++) {
      this.#sampled = true;
      this.#piece();
    }
  }

  /** Jobs queued and not finished (the one running included). */
  get pending(): number {
    return this.#jobs.length;
  }

  /** Counters for a device's stats(): pieces run, jobs finished, most jobs queued at once. */
  counters(): Record<string, number> {
    return { workSteps: this.#steps, workJobs: this.#jobsDone, workDeepest: this.#deepest };
  }

  #arm(): void {
    this.#sampled = false;
    this.#handle = this.#timer.set(this.#onTimer, this.#pacedMs ?? 0);
  }

  #turn(): void {
    this.#handle = undefined;
    if (this.#jobs.length === 0) return;
    // Paced, with samples coming: they run the pieces; wait on.
    if (this.#sampled) this.#arm();
    else this.#piece();
  }

  #piece(): void {
    const jobs = this.#jobs;
    const job = jobs[0];
    if (job === undefined) return;
    this.#steps++;
    let more = false;
    try {
      more = job.step();
    } finally {
      // A piece that throws ends its job (the error goes to the host); the jobs behind it still run.
      if (!more) {
        jobs.shift();
        this.#jobsDone++;
      }
      if (jobs.length > 0 && this.#handle === undefined) this.#arm();
    }
  }
}
