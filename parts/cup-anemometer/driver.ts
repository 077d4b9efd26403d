/**
 * Cup anemometer with a reed switch (Argent 80422 / SparkFun SEN-15901: one closure per second = 2.4 km/h) on a
 * hardware pulse counter. The counter runs on its own; the driver turns counts between two samples into speed,
 * so a sample costs one register read whatever the wind.
 */
import type { Clock } from "../../hal/host.js";
import type { PinSpecifier, PulseCount, PulseCountClass } from "../../hal/io.js";
import type { Sensor } from "../../hal/sensor.js";

export interface AnemometerSample {
  /** Mean speed since the previous sample, m/s. */
  speed: number;
  /** Pulses since the previous sample. */
  pulses: number;
  /** Length of that window, ms. */
  windowMs: number;
}

export interface AnemometerOptions {
  sensor: { io: PulseCountClass; signal: PinSpecifier; control?: PinSpecifier };
  clock: Clock;
  /** km/h of wind per Hz of switch closures (datasheet: 2.4). */
  kmhPerHz: number;
}

/** Hardware counters are 16-bit on the ESP32 (PCNT) and wrap; deltas are taken modulo this. */
const COUNTER_MODULO = 0x10000;

export class CupAnemometer implements Sensor<AnemometerSample> {
  readonly #counter: PulseCount;
  readonly #clock: Clock;
  #metresPerPulse: number;
  #lastCount: number;
  #lastUs: number;

  constructor(options: AnemometerOptions) {
    if (!(options.kmhPerHz > 0)) throw new RangeError(`anemometer: kmhPerHz must be > 0, got ${options.kmhPerHz}`);
    this.#counter = new options.sensor.io({ signal: options.sensor.signal, control: options.sensor.control });
    this.#clock = options.clock;
    this.#metresPerPulse = options.kmhPerHz / 3.6;
    this.#lastCount = this.#counter.read();
    this.#lastUs = options.clock.microseconds();
  }

  configure(options: Partial<{ kmhPerHz: number }>): void {
    if (options.kmhPerHz !== undefined) {
      if (!(options.kmhPerHz > 0)) throw new RangeError(`anemometer: kmhPerHz must be > 0`);
      this.#metresPerPulse = options.kmhPerHz / 3.6;
    }
  }

  /** Pulses since the last call and their mean speed; the first window starts at construction. */
  sample(): AnemometerSample | undefined {
    const count = this.#counter.read();
    const us = this.#clock.microseconds();
    const pulses = (((count - this.#lastCount) % COUNTER_MODULO) + COUNTER_MODULO) % COUNTER_MODULO;
    const windowUs = us - this.#lastUs;
    this.#lastCount = count;
    this.#lastUs = us;
    if (windowUs <= 0) return undefined;
    return { speed: (pulses * this.#metresPerPulse * 1e6) / windowUs, pulses, windowMs: windowUs / 1000 };
  }

  /** Speed in m/s that `pulses` in `ms` represent (for callers that bin counts themselves). */
  speedOf(pulses: number, ms: number): number {
    return ms > 0 ? (pulses * this.#metresPerPulse * 1000) / ms : 0;
  }

  close(): void {
    this.#counter.close();
  }
}
