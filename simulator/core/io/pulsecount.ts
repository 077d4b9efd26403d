/**
 * ECMA-419 PulseCount over a model's pulse source (ESP32 PCNT / nRF52 counter-on-GPIOTE in hardware).
 * `onReadable` fires once per count change, scheduled at the exact virtual time of the pulse.
 */
import type { PulseCount, PulseCountClass, PulseCountOptions } from "../../../hal/io.js";
import type { Engine, EventHandle } from "../engine.js";
import type { PinWorld } from "./lines.js";
import type { PinRegistry } from "./pins.js";
import { assertOpen } from "./pins.js";

export function makePulseCountClass(
  world: PinWorld,
  pins: PinRegistry,
  engine: Engine,
  units: number,
  wrap: (fn: () => void) => void,
): PulseCountClass {
  let inUse = 0;
  return class SimPulseCount implements PulseCount {
    readonly #signal: number;
    readonly #control: number | undefined;
    readonly #owner: string;
    #base: number;
    #offset = 0;
    #next: EventHandle | undefined;
    #closed = false;
    target: unknown;

    constructor(options: PulseCountOptions) {
      if (!options || typeof options !== "object") throw new TypeError("PulseCount: options object required");
      const { signal, control, onReadable } = options;
      if (typeof signal !== "number") throw new TypeError(`PulseCount: signal pin must be a number`);
      if (inUse >= units) throw new Error(`PulseCount: all ${units} counter units are in use`);
      this.#owner = `PulseCount(${signal})`;
      pins.claim([signal, control], this.#owner);
      inUse++;
      this.#signal = signal;
      this.#control = control;
      this.target = options.target;
      this.#base = this.#source()?.count(engine.now) ?? 0;
      if (onReadable) {
        const arm = (): void => {
          const src = this.#source();
          if (!src || this.#closed) return;
          const at = src.nextAfter(engine.now);
          if (at === Infinity) return;
          this.#next = engine.at(at, () => {
            arm();
            wrap(() => onReadable.call(this));
          });
        };
        arm();
      }
    }

    #source() {
      return world.pulse.get(this.#signal);
    }

    read(): number {
      assertOpen(this.#closed, this.#owner);
      const src = this.#source();
      const raw = src ? src.count(engine.now) : this.#base;
      return raw - this.#base + this.#offset;
    }

    write(count: number): void {
      assertOpen(this.#closed, this.#owner);
      const src = this.#source();
      this.#base = src ? src.count(engine.now) : this.#base;
      this.#offset = count;
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      engine.cancel(this.#next);
      inUse--;
      pins.release([this.#signal, this.#control], this.#owner);
    }
  };
}
