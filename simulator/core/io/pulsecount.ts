/**
 * ECMA-419 PulseCount over a model's pulse source (ESP32 PCNT / nRF52 counter-on-GPIOTE in hardware).
 * `onReadable` fires once per count change, scheduled at the exact virtual time of the pulse.
 */
import type { PulseCount, PulseCountClass, PulseCountOptions } from "../../../hal/io.js";
import type { Engine, EventHandle } from "../engine.js";
import { boundClass } from "./bound-class.js";
import type { PinWorld } from "./lines.js";
import type { PinRegistry } from "./pins.js";
import { assertOpen } from "./pins.js";

interface PulseCountBoard {
  world: PinWorld;
  pins: PinRegistry;
  engine: Engine;
  units: number;
  /** Counter units open now. */
  inUse: number;
  wrap: (fn: () => void) => void;
}

class SimPulseCount implements PulseCount {
  readonly #board: PulseCountBoard;
  readonly #signal: number;
  readonly #control: number | undefined;
  readonly #owner: string;
  #base: number;
  #offset = 0;
  #next: EventHandle | undefined;
  #closed = false;
  target: unknown;

  constructor(board: PulseCountBoard, options: PulseCountOptions) {
    if (!options || typeof options !== "object") throw new TypeError("PulseCount: options object required");
    const { signal, control, onReadable } = options;
    if (typeof signal !== "number") throw new TypeError(`PulseCount: signal pin must be a number`);
    if (board.inUse >= board.units) throw new Error(`PulseCount: all ${board.units} counter units are in use`);
    this.#board = board;
    this.#owner = `PulseCount(${signal})`;
    board.pins.claim([signal, control], this, this.#owner);
    board.inUse++;
    this.#signal = signal;
    this.#control = control;
    this.target = options.target;
    const engine = board.engine;
    this.#base = this.#source()?.count(engine.now) ?? 0;
    if (onReadable) {
      const arm = (): void => {
        const src = this.#source();
        if (!src || this.#closed) return;
        const at = src.nextAfter(engine.now);
        if (at === Infinity) return;
        this.#next = engine.at(at, () => {
          arm();
          board.wrap(() => onReadable.call(this));
        });
      };
      arm();
    }
  }

  #source() {
    return this.#board.world.pulse.get(this.#signal);
  }

  read(): number {
    assertOpen(this.#closed, this.#owner);
    const src = this.#source();
    const raw = src ? src.count(this.#board.engine.now) : this.#base;
    return raw - this.#base + this.#offset;
  }

  write(count: number): void {
    assertOpen(this.#closed, this.#owner);
    const src = this.#source();
    this.#base = src ? src.count(this.#board.engine.now) : this.#base;
    this.#offset = count;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const board = this.#board;
    board.engine.cancel(this.#next);
    board.inUse--;
    board.pins.release([this.#signal, this.#control], this);
  }
}

export function makePulseCountClass(
  world: PinWorld,
  pins: PinRegistry,
  engine: Engine,
  units: number,
  wrap: (fn: () => void) => void,
): PulseCountClass {
  return boundClass(SimPulseCount, { world, pins, engine, units, inUse: 0, wrap });
}
