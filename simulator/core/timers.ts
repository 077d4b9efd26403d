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

/** Timers owned by one node; `clearAll` drops them together (deep sleep, node crash). */
export class EngineTimers implements Timers {
  readonly #engine: Engine;
  readonly #live = new Set<SimTimer>();
  /** Wraps every callback, e.g. to attribute CPU time or catch device exceptions. */
  wrap: (fn: () => void) => void = (fn) => fn();

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  set(callback: () => void, delay: number, repeat?: number): TimerHandle {
    const repeatUs = repeat === undefined ? 0 : msToMicros(repeat);
    if (repeat !== undefined && repeatUs <= 0) throw new RangeError(`timer repeat must be > 0 ms, got ${repeat}`);
    const timer = new SimTimer(this, callback, repeatUs);
    this.#live.add(timer);
    this.#engine.schedule(timer, this.#engine.now + msToMicros(delay));
    return timer;
  }

  /** @internal the engine runs a timer */
  _fire(timer: SimTimer): void {
    if (timer.cleared) return;
    if (timer.repeatUs > 0) {
      // Drift-free: the next firing is relative to this one's scheduled time, not to when the callback ends.
      this.#engine.schedule(timer, this.#engine.now + timer.repeatUs);
    } else {
      this.#live.delete(timer);
      timer.cleared = true;
    }
    this.wrap(timer.callback);
  }

  clear(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const timer = handle as SimTimer;
    timer.cleared = true;
    this.#engine.cancel(timer);
    this.#live.delete(timer);
  }

  clearAll(): void {
    for (const t of [...this.#live]) this.clear(t);
  }

  get active(): number {
    return this.#live.size;
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
