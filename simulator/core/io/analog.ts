/**
 * ECMA-419 Analog over simulated voltage sources: an ideal ADC with the board's resolution and full-scale voltage.
 */
import type { Analog, AnalogClass, AnalogOptions } from "../../../hal/io.js";
import type { Micros } from "../engine.js";
import { boundClass } from "./bound-class.js";
import type { PinWorld } from "./lines.js";
import type { PinRegistry } from "./pins.js";
import { assertOpen } from "./pins.js";

export interface AdcSpec {
  resolution: number;
  fullScaleVolts: number;
  /** Pins that can be ADC inputs; others throw at construction. */
  pins: readonly number[];
}

interface AnalogBoard {
  world: PinWorld;
  pins: PinRegistry;
  adc: AdcSpec;
  now: () => Micros;
}

class SimAnalog implements Analog {
  readonly #board: AnalogBoard;
  readonly #pin: number;
  readonly #owner: string;
  readonly resolution: number;
  readonly #max: number;
  #closed = false;
  target: unknown;

  constructor(board: AnalogBoard, options: AnalogOptions) {
    if (!options || typeof options !== "object") throw new TypeError("Analog: options object required");
    const { adc } = board;
    const { pin } = options;
    if (!adc.pins.includes(pin)) throw new RangeError(`Analog: pin ${String(pin)} is not an ADC input on this board`);
    if (options.resolution !== undefined && options.resolution !== adc.resolution) {
      throw new RangeError(`Analog: resolution ${options.resolution} not supported (board ADC is ${adc.resolution}-bit)`);
    }
    this.#board = board;
    this.#owner = `Analog(${pin})`;
    board.pins.claim([pin], this, this.#owner);
    this.#pin = pin;
    this.resolution = adc.resolution;
    this.#max = 2 ** adc.resolution - 1;
    this.target = options.target;
  }

  read(): number {
    assertOpen(this.#closed, this.#owner);
    const board = this.#board;
    const source = board.world.analog.get(this.#pin);
    const max = this.#max;
    // An unconnected ADC pin floats; read it as 0 V rather than inventing noise.
    const volts = source ? source(board.now()) : 0;
    const code = Math.round((volts / board.adc.fullScaleVolts) * max);
    return code < 0 ? 0 : code > max ? max : code;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#board.pins.release([this.#pin], this);
  }
}

export function makeAnalogClass(world: PinWorld, pins: PinRegistry, adc: AdcSpec, now: () => Micros): AnalogClass {
  return boundClass(SimAnalog, { world, pins, adc, now });
}
