/**
 * The electrical side of a simulated board's pins: what part models drive and IO classes read.
 *
 * A digital line has a level and edge listeners; an analog input is a voltage source; a pulse input is a
 * monotone counter a model integrates from the physical world. Models own the sources; IO classes only observe.
 */
import type { Micros } from "../engine.js";

export type EdgeListener = (level: number) => void;

export class DigitalLine {
  readonly pin: number;
  #level: number;
  /** Whether something outside the MCU drives the line (a model), or it floats at its pull. */
  driven = false;
  /** Replaced, never changed in place, so `set` can walk it while a listener unlistens, without copying it per edge. */
  #listeners: readonly EdgeListener[] = [];
  constructor(pin: number, idle = 1) {
    this.pin = pin;
    this.#level = idle;
  }
  get level(): number {
    return this.#level;
  }
  /** Set the level; listeners hear only real changes. */
  set(level: number): void {
    const v = level ? 1 : 0;
    if (v === this.#level) return;
    this.#level = v;
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(v);
  }
  listen(fn: EdgeListener): () => void {
    this.#listeners = [...this.#listeners, fn];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== fn);
    };
  }
}

/** A voltage at an ADC pin as a function of virtual time. */
export type VoltageSource = (t: Micros) => number;

/** Pulses on a counter input: `count(t)` is monotone; `nextAfter(t)` is when it next increments (Infinity: never). */
export interface PulseSource {
  count(t: Micros): number;
  nextAfter(t: Micros): Micros;
}

/** What models attach to and IO classes find, keyed by pin number. */
export class PinWorld {
  readonly digital = new Map<number, DigitalLine>();
  readonly analog = new Map<number, VoltageSource>();
  readonly pulse = new Map<number, PulseSource>();

  line(pin: number): DigitalLine {
    let l = this.digital.get(pin);
    if (!l) {
      l = new DigitalLine(pin);
      this.digital.set(pin, l);
    }
    return l;
  }
}
