/**
 * An S0 output as hardware: the meter's opto-transistor closes for `pulseMs` each time another 1/impulsesPerKwh
 * kWh has gone through, pulling the pulled-up line low. Pulse instants come from the supply's energy integral
 * (found to the microsecond by bisection), so they do not depend on how often anything looks. An S0 output needs
 * an OFF time at least as long as the pulse (DIN 43864); a pulse due sooner waits for it, as a meter's pulse queue
 * does, and is counted as delayed.
 */
import type { Engine, Micros } from "../../simulator/core/engine.js";
import type { DigitalLine } from "../../simulator/core/io/lines.js";

export interface S0PulseModelOptions {
  engine: Engine;
  line: DigitalLine;
  /** Energy through the meter since the world began, Wh (non-decreasing). */
  energyWh: (t: Micros) => number;
  impulsesPerKwh: number;
  /** How long the output conducts per pulse, ms (default 30, the standard's minimum). */
  pulseMs?: number;
}

/**
 * "bounce": a relay-type output chatters for 2 ms at both edges; "spikes": 1 ms interference pulses about every 7.3 s
 * between real ones (never masking one: the line is low while either pulls it); "dead": the output never conducts (a cut wire).
 */
export type S0Fault = "bounce" | "spikes" | "dead";

const SCAN: Micros = 60_000_000;
const HORIZON: Micros = 3_600_000_000;
const SPIKE_EVERY: Micros = 7_312_345;

export class S0PulseModel {
  /** Pulses the meter put out (a dead output puts out none). */
  pulses = 0;
  /** Pulses held back to keep the OFF time. */
  delayed = 0;
  /** Interference spikes put on the line. */
  spikes = 0;
  fault: S0Fault | undefined;
  readonly #o: S0PulseModelOptions;
  readonly #pulseUs: Micros;
  readonly #whPerPulse: number;
  /** Energy at which the next pulse is due. */
  #nextWh: number;
  #cursor: Micros;
  #earliest: Micros = 0;
  /** The opto-transistor conducts; interference pulls the line low. The line is low while either holds. */
  #conducting = false;
  #spiking = false;

  constructor(o: S0PulseModelOptions) {
    if (!(o.impulsesPerKwh > 0)) throw new RangeError(`S0 model: impulsesPerKwh must be > 0, got ${o.impulsesPerKwh}`);
    this.#o = o;
    this.#pulseUs = Math.round((o.pulseMs ?? 30) * 1000);
    this.#whPerPulse = 1000 / o.impulsesPerKwh;
    this.#cursor = o.engine.now;
    this.#nextWh = o.energyWh(o.engine.now) + this.#whPerPulse;
    o.line.driven = true;
    o.line.set(1);
    this.#scheduleNext();
    this.#spikeLater(o.engine.now);
  }

  /** When the energy integral reaches the next pulse's share (or the search goes on later). */
  #scheduleNext(): void {
    const { engine, energyWh } = this.#o;
    let t = this.#cursor;
    const limit = t + HORIZON;
    while (t < limit) {
      if (energyWh(t + SCAN) >= this.#nextWh) {
        let lo = t;
        let hi = t + SCAN;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (energyWh(mid) >= this.#nextWh) hi = mid;
          else lo = mid;
        }
        this.#cursor = hi;
        let at = hi;
        if (at < this.#earliest) {
          at = this.#earliest;
          this.delayed++;
        }
        engine.at(Math.max(at, engine.now), () => this.#pulse());
        return;
      }
      t += SCAN;
    }
    this.#cursor = t;
    engine.at(t, () => this.#scheduleNext());
  }

  #pulse(): void {
    const { engine } = this.#o;
    this.#nextWh += this.#whPerPulse;
    this.#earliest = engine.now + 2 * this.#pulseUs;
    if (this.fault !== "dead") {
      this.pulses++;
      this.#conducting = true;
      this.#drive();
      if (this.fault === "bounce") this.#chatter(0);
      engine.after(this.#pulseUs, () => {
        this.#conducting = false;
        this.#drive();
        if (this.fault === "bounce") this.#chatter(1);
      });
    }
    this.#scheduleNext();
  }

  #drive(): void {
    this.#o.line.set(this.#conducting || this.#spiking ? 0 : 1);
  }

  /** Two extra changes within 2 ms after settling at `level`. */
  #chatter(level: number): void {
    const { engine, line } = this.#o;
    engine.after(500, () => line.set(1 - level));
    engine.after(1200, () => line.set(level));
    engine.after(1600, () => line.set(1 - level));
    engine.after(2000, () => line.set(level));
  }

  #spikeLater(from: Micros): void {
    const { engine } = this.#o;
    engine.at(from + SPIKE_EVERY, () => {
      // Only between pulses, on an idle line.
      if (this.fault === "spikes" && !this.#conducting) {
        this.spikes++;
        this.#spiking = true;
        this.#drive();
        engine.after(1000, () => {
          this.#spiking = false;
          this.#drive();
        });
      }
      this.#spikeLater(engine.now);
    });
  }
}
