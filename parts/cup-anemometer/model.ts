/**
 * Cup anemometer as hardware: the cups turn at a rate proportional to wind speed, closing a reed switch once per
 * turn. The pulse count is the integral of frequency over time, evaluated on a fixed 250 ms grid (the trapezoid
 * rule, linear within a cell) so the count at any instant is a pure function of the weather: however often the
 * firmware reads the counter, it sees the same pulses.
 */
import type { Engine, Micros } from "../../simulator/core/engine.js";
import type { DigitalLine, PulseSource } from "../../simulator/core/io/lines.js";

const CELL: Micros = 250_000;

export interface AnemometerModelOptions {
  /** Wind speed, m/s, at virtual time t. */
  speed: (t: Micros) => number;
  kmhPerHz: number;
  /** Below this speed the cups do not turn (bearing friction), m/s. */
  startSpeed?: number;
  /** A seized bearing: no pulses whatever the wind. */
  fault?: "stuck" | undefined;
}

export class AnemometerModel implements PulseSource {
  readonly #opts: AnemometerModelOptions;
  readonly #hzPerMs: number;
  // Phase (turns) at the start of cell #cell, and the frequency there.
  #cell = 0;
  #phase = 0;
  #f0: number;

  constructor(options: AnemometerModelOptions) {
    this.#opts = options;
    this.#hzPerMs = 3.6 / options.kmhPerHz;
    this.#f0 = this.#freq(0);
  }

  #freq(t: Micros): number {
    if (this.#opts.fault === "stuck") return 0;
    const v = this.#opts.speed(t);
    return v > (this.#opts.startSpeed ?? 0) ? v * this.#hzPerMs : 0;
  }

  /** Turns completed at time t (fractional). */
  phase(t: Micros): number {
    const cell = Math.floor(t / CELL);
    if (cell < this.#cell) {
      // Time never runs backwards in a run; a fresh query from the past restarts the integral.
      this.#cell = 0;
      this.#phase = 0;
      this.#f0 = this.#freq(0);
    }
    while (this.#cell < cell) {
      const f1 = this.#freq((this.#cell + 1) * CELL);
      this.#phase += ((this.#f0 + f1) / 2) * (CELL / 1e6);
      this.#f0 = f1;
      this.#cell++;
    }
    const f1 = this.#freq((cell + 1) * CELL);
    const within = t - cell * CELL;
    return this.#phase + ((this.#f0 + f1) / 2) * (CELL / 1e6) * (within / CELL);
  }

  count(t: Micros): number {
    return Math.floor(this.phase(t));
  }

  nextAfter(t: Micros): Micros {
    const pNow = this.phase(t); // advances the committed integral to t's cell (t is "now": monotone)
    const target = Math.floor(pNow) + 1;
    // Look ahead with a private copy of the integral, so the committed one never moves past "now" (a later
    // query for the present must not find the cache in its future and re-integrate from zero).
    let cell = this.#cell;
    let phase = this.#phase;
    let f0 = this.#f0;
    let start = t;
    let pStart = pNow;
    for (let guard = 0; guard < 14_400; guard++) {
      const f1 = this.#freq((cell + 1) * CELL);
      const end = (cell + 1) * CELL;
      const pEnd = phase + ((f0 + f1) / 2) * (CELL / 1e6);
      if (pEnd >= target) {
        const frac = pEnd > pStart ? (target - pStart) / (pEnd - pStart) : 1;
        return Math.max(t + 1, Math.ceil(start + frac * (end - start)));
      }
      phase = pEnd;
      f0 = f1;
      cell++;
      start = end;
      pStart = pEnd;
    }
    return Infinity; // calm for an hour: callers ask again later
  }
}

/**
 * Drive a digital line with the anemometer's switch closures (pulled up, low while closed), for boards that count
 * pulses by edge interrupt instead of a hardware counter. One engine event per edge.
 */
export function driveAnemometerLine(
  model: AnemometerModel,
  engine: Engine,
  line: DigitalLine,
  closureUs: Micros = 5000,
): void {
  line.driven = true;
  line.set(1);
  const next = (): void => {
    const at = model.nextAfter(engine.now);
    if (at === Infinity) {
      engine.after(3_600_000_000, next); // calm for an hour: look again then
      return;
    }
    engine.at(at, () => {
      line.set(0);
      engine.after(closureUs, () => line.set(1));
      next();
    });
  };
  next();
}
