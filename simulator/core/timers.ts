/**
 * Host timers and clock on the discrete-event engine: what `host.timer` and `host.clock` are in the simulator.
 */
import type { Clock, TimerHandle, Timers } from "../../hal/host.js";
import { Scheduled } from "./engine.js";
import type { Engine, Micros } from "./engine.js";

/** A host timer is its own engine event: one object per `set`, nothing else allocated per firing. */
class SimTimer extends Scheduled implements TimerHandle {
  declare readonly __timer: true;
  cleared = false;
  /** Where it sits in its owner's list of live timers. */
  slot = -1;
  readonly #owner: EngineTimers;
  readonly callback: () => void;
  readonly repeatUs: Micros;
  constructor(owner: EngineTimers, callback: () => void, repeatUs: Micros) {
    super();
    this.#owner = owner;
    this.callback = callback;
    this.repeatUs = repeatUs;
  }
  run(): void {
    this.#owner._fire(this);
  }
}

/**
 * Timers owned by one node; `clearAll` drops them together (deep sleep, node crash).
 *
 * The live ones are kept in an array, each timer knowing its slot, and a removal moves the last one into the gap: a
 * `Set` did the same job with a hash per `set` and per firing, and in a fleet those hashes into a thousand small
 * tables cost as much as the event queue itself.
 */
export class EngineTimers implements Timers {
  readonly #engine: Engine;
  readonly #live: SimTimer[] = [];
  /** Wraps every callback, e.g. to attribute CPU time or catch device exceptions. */
  wrap: (fn: () => void) => void = (fn) => fn();

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  set(callback: () => void, delay: number, repeat?: number): TimerHandle {
    const repeatUs = repeat === undefined ? 0 : msToMicros(repeat);
    if (repeat !== undefined && repeatUs <= 0) throw new RangeError(`timer repeat must be > 0 ms, got ${repeat}`);
    const timer = new SimTimer(this, callback, repeatUs);
    timer.slot = this.#live.length;
    this.#live.push(timer);
    this.#engine.schedule(timer, this.#engine.now + msToMicros(delay));
    return timer;
  }

  #forget(timer: SimTimer): void {
    timer.cleared = true;
    const live = this.#live;
    const last = live.pop()!;
    if (last !== timer) {
      live[timer.slot] = last;
      last.slot = timer.slot;
    }
    timer.slot = -1;
  }

  /** @internal the engine runs a timer */
  _fire(timer: SimTimer): void {
    if (timer.cleared) return;
    if (timer.repeatUs > 0) {
      // Drift-free: the next firing is relative to this one's scheduled time, not to when the callback ends.
      this.#engine.schedule(timer, this.#engine.now + timer.repeatUs);
    } else {
      this.#forget(timer);
    }
    this.wrap(timer.callback);
  }

  clear(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const timer = handle as SimTimer;
    this.#engine.cancel(timer);
    // A handle of another node's timers, or one already gone, has nothing to remove here.
    if (!timer.cleared && this.#live[timer.slot] === timer) this.#forget(timer);
    timer.cleared = true;
  }

  clearAll(): void {
    const live = this.#live;
    while (live.length > 0) this.clear(live[live.length - 1]);
  }

  get active(): number {
    return this.#live.length;
  }

  /** The callback of the `i`th live timer (0 … active − 1), for bookkeeping that must allocate nothing. */
  liveCallback(i: number): (() => void) | undefined {
    return this.#live[i]?.callback;
  }
}

export function msToMicros(ms: number): Micros {
  if (!(ms >= 0)) return 0;
  return Math.round(ms * 1000);
}

export class EngineClock implements Clock {
  readonly #engine: Engine;
  readonly #bootAt: Micros;
  readonly #epochMs: number;
  constructor(engine: Engine, epochMs: number, bootAt: Micros = engine.now) {
    this.#engine = engine;
    this.#epochMs = epochMs;
    this.#bootAt = bootAt;
  }
  ticks(): number {
    return Math.floor((this.#engine.now - this.#bootAt) / 1000);
  }
  microseconds(): number {
    return this.#engine.now - this.#bootAt;
  }
  unixMs(): number {
    return this.#epochMs + Math.floor(this.#engine.now / 1000);
  }
}
