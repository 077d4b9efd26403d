/**
 * Discrete-event engine: virtual time in integer microseconds, events ordered by (time, insertion order).
 *
 * Everything that happens in a simulated world is an event here: device timers, part-model conversions, rain tips,
 * socket data arriving from the real world. Time jumps from one event to the next, so an idle day costs nothing.
 * Ties run in the order they were scheduled, which makes a run a pure function of its seed and inputs.
 * Portable: no Node APIs (this runs inside XS too).
 */

export type Micros = number;

export interface EventHandle {
  readonly at: Micros;
  /** Set once the event has run or been cancelled. */
  readonly done: boolean;
}

/**
 * Something the engine runs at a time. Subclass it to schedule an object that is its own event (a host timer),
 * which saves allocating a closure and an event per firing in the hottest paths.
 */
export abstract class Scheduled implements EventHandle {
  at: Micros = 0;
  seq = 0;
  done = false;
  abstract run(): void;
}

class Event extends Scheduled {
  readonly fn: () => void;
  constructor(fn: () => void) {
    super();
    this.fn = fn;
  }
  run(): void {
    this.fn();
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class Engine {
  #now: Micros = 0;
  #seq = 0;
  #heap: Scheduled[] = [];
  #executed = 0;
  /** Called with each error an event handler throws; the default rethrows and stops the run. */
  onError: (error: unknown) => void = (error) => {
    throw error;
  };

  get now(): Micros {
    return this.#now;
  }
  /** Events run so far. */
  get executed(): number {
    return this.#executed;
  }
  /** Events waiting (cancelled ones are dropped lazily and may still count here). */
  get pending(): number {
    return this.#heap.length;
  }

  /** Schedule `fn` at absolute virtual time `at` (never in the past: earlier times run now). */
  at(at: Micros, fn: () => void): EventHandle {
    return this.schedule(new Event(fn), at);
  }

  /** Schedule `ev` (not currently scheduled) at absolute time `at`; earlier times run now. */
  schedule<E extends Scheduled>(ev: E, at: Micros): E {
    ev.at = at < this.#now ? this.#now : Math.round(at);
    ev.seq = this.#seq++;
    ev.done = false;
    this.#push(ev);
    return ev;
  }

  /** Schedule `fn` after `delay` microseconds. */
  after(delay: Micros, fn: () => void): EventHandle {
    return this.at(this.#now + (delay > 0 ? delay : 0), fn);
  }

  cancel(handle: EventHandle | undefined): void {
    if (handle) (handle as Scheduled).done = true;
  }

  /** Time of the next live event, or Infinity when there is none. */
  peek(): Micros {
    this.#dropCancelled();
    const top = this.#heap[0];
    return top ? top.at : Infinity;
  }

  /** Run the next live event if it is due at or before `limit`. Returns false when there is none. */
  step(limit: Micros = Infinity): boolean {
    this.#dropCancelled();
    const top = this.#heap[0];
    if (!top || top.at > limit) return false;
    this.#pop();
    this.#now = top.at;
    top.done = true;
    this.#executed++;
    try {
      top.run();
    } catch (error) {
      this.onError(error);
    }
    return true;
  }

  /**
   * Run events up to and including time `until`, then set the clock to `until`.
   * `maxEvents` bounds the work done in one call so a shell can interleave real I/O; returns true when `until`
   * was reached.
   */
  runUntil(until: Micros, maxEvents = Infinity): boolean {
    let n = 0;
    while (n < maxEvents) {
      if (!this.step(until)) {
        if (until > this.#now) this.#now = until;
        return true;
      }
      n++;
    }
    return false;
  }

  #dropCancelled(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.done) this.#pop();
  }

  #push(ev: Scheduled): void {
    const h = this.#heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(ev, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = ev;
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}

export const MS: Micros = 1000;
export const SECOND: Micros = 1_000_000;
export const MINUTE: Micros = 60 * SECOND;
export const HOUR: Micros = 60 * MINUTE;
