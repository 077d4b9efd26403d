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

/**
 * The queue is a 4-ary heap whose keys (time, insertion order) live in typed arrays beside the events. Ordering
 * compares only those arrays: with a fleet, thousands of events wait, each in its own node's corner of memory, and
 * a heap that read `ev.at` at every comparison spent its time on cache misses (in a 1,000-node profile that one
 * comparison was the engine's costliest line). Four children per level halve the depth, and siblings share a cache
 * line.
 */
const ARITY = 4;

export class Engine {
  #now: Micros = 0;
  #seq = 0;
  #size = 0;
  #at = new Float64Array(16);
  #order = new Float64Array(16);
  #events: (Scheduled | undefined)[] = [];
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
    return this.#size;
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
    return this.#size > 0 ? this.#at[0]! : Infinity;
  }

  /** Run the next live event if it is due at or before `limit`. Returns false when there is none. */
  step(limit: Micros = Infinity): boolean {
    this.#dropCancelled();
    if (this.#size === 0 || this.#at[0]! > limit) return false;
    const top = this.#events[0]!;
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

  /**
   * Move the clock on to `to` without running anything (never back). Only for a shell that has run every event
   * due before `to` (a lane of a fleet at its window's end, loop.ts).
   */
  advance(to: Micros): void {
    if (to > this.#now) this.#now = to;
  }

  #dropCancelled(): void {
    while (this.#size > 0 && this.#events[0]!.done) this.#pop();
  }

  #grow(): void {
    const at = new Float64Array(this.#at.length * 2);
    at.set(this.#at);
    this.#at = at;
    const order = new Float64Array(at.length);
    order.set(this.#order);
    this.#order = order;
  }

  #push(ev: Scheduled): void {
    if (this.#size === this.#at.length) this.#grow();
    const at = this.#at;
    const order = this.#order;
    const events = this.#events;
    const t = ev.at;
    const s = ev.seq;
    let i = this.#size++;
    if (i === events.length) events.push(undefined);
    while (i > 0) {
      const parent = ((i - 1) / ARITY) | 0;
      const pt = at[parent]!;
      if (pt < t || (pt === t && order[parent]! < s)) break;
      at[i] = pt;
      order[i] = order[parent]!;
      events[i] = events[parent];
      i = parent;
    }
    at[i] = t;
    order[i] = s;
    events[i] = ev;
  }

  /** Remove the root. */
  #pop(): void {
    const n = --this.#size;
    const at = this.#at;
    const order = this.#order;
    const events = this.#events;
    const last = events[n];
    events[n] = undefined;
    if (n === 0) return;
    const t = at[n]!;
    const s = order[n]!;
    let i = 0;
    for (;;) {
      const first = i * ARITY + 1;
      if (first >= n) break;
      let c = first;
      let ct = at[first]!;
      let cs = order[first]!;
      const end = first + ARITY < n ? first + ARITY : n;
      for (let j = first + 1; j < end; j++) {
        const jt = at[j]!;
        if (jt < ct || (jt === ct && order[j]! < cs)) {
          c = j;
          ct = jt;
          cs = order[j]!;
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      at[i] = ct;
      order[i] = cs;
      events[i] = events[c];
      i = c;
    }
    at[i] = t;
    order[i] = s;
    events[i] = last;
  }
}

export const MS: Micros = 1000;
export const SECOND: Micros = 1_000_000;
export const MINUTE: Micros = 60 * SECOND;
export const HOUR: Micros = 60 * MINUTE;
