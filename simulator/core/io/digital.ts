/**
 * ECMA-419 Digital over simulated lines. Input edges arrive as engine events (the model's change happens inside
 * one), so `onReadable` runs in its own turn, never inside a public method.
 *
 * An edge while the pin's own `onReadable` runs (the callback clocks a part whose data line it listens to, as an
 * HX711 read does) does not re-enter it: edges then are coalesced into one call after it returns, as Moddable's
 * digitalbank.c does (its interrupt handler only sets `triggered` while a delivery is pending, and clears it just
 * before calling onReadable, so a burst of edges during the callback posts one message).
 */
import type { Digital, DigitalClass, DigitalOptions } from "../../../hal/io.js";
import { boundClass } from "./bound-class.js";
import type { PinRegistry } from "./pins.js";
import { assertOpen } from "./pins.js";
import type { DigitalLine, PinWorld } from "./lines.js";

const Input = 0;
const InputPullUp = 1;
const InputPullDown = 2;
const InputPullUpDown = 3;
const Output = 8;
const OutputOpenDrain = 9;
const Rising = 1;
const Falling = 2;

const MODES = Object.freeze({ Input, InputPullUp, InputPullDown, InputPullUpDown, Output, OutputOpenDrain, Rising, Falling });

interface DigitalBoard {
  world: PinWorld;
  pins: PinRegistry;
  wrap: (fn: () => void) => void;
}

class SimDigital implements Digital {
  readonly #board: DigitalBoard;
  readonly #pin: number;
  /** The pin's line, looked up once: a bit-banged read (an HX711's) makes a hundred calls a sample, and on the emulated
   * MCU each call here stands in for a few instructions of Moddable's C. */
  readonly #line: DigitalLine;
  readonly #world: PinWorld;
  readonly #output: boolean;
  readonly #owner: string;
  #unlisten: (() => void) | undefined;
  #closed = false;
  target: unknown;

  constructor(board: DigitalBoard, options: DigitalOptions) {
    if (!options || typeof options !== "object") throw new TypeError("Digital: options object required");
    const { pin, mode, edge, onReadable } = options;
    if (typeof pin !== "number") throw new TypeError(`Digital: pin must be a number, got ${String(pin)}`);
    const modes = [Input, InputPullUp, InputPullDown, InputPullUpDown, Output, OutputOpenDrain];
    if (!modes.includes(mode)) throw new RangeError(`Digital: invalid mode ${String(mode)} on pin ${pin}`);
    this.#board = board;
    this.#output = mode === Output || mode === OutputOpenDrain;
    if (onReadable && this.#output) throw new TypeError(`Digital: onReadable on output pin ${pin}`);
    if (onReadable && !(edge === Rising || edge === Falling || edge === Rising + Falling)) {
      throw new RangeError(`Digital: onReadable needs edge Rising, Falling or both on pin ${pin}`);
    }
    this.#owner = `Digital(${pin})`;
    board.pins.claim([pin], this, this.#owner);
    this.#pin = pin;
    this.target = options.target;
    const line = board.world.line(pin);
    this.#line = line;
    this.#world = board.world;
    if (!this.#output && !line.driven) {
      // A floating input reads its pull; a pull-down input idles low.
      if (mode === InputPullDown) line.set(0);
      else if (mode === InputPullUp) line.set(1);
    }
    if (onReadable && edge !== undefined) {
      let running = false;
      let again = false;
      // Made once: an edge allocates nothing here.
      const readable = () => {
        running = true;
        try {
          onReadable.call(this);
        } finally {
          running = false;
        }
      };
      const wrap = board.wrap;
      this.#unlisten = line.listen((level) => {
        if (this.#closed) return;
        if (!((level === 1 && edge & Rising) || (level === 0 && edge & Falling))) return;
        if (running) {
          again = true;
          return;
        }
        wrap(readable);
        while (again && !this.#closed) {
          again = false;
          wrap(readable);
        }
      });
    }
  }

  read(): number {
    if (this.#closed || this.#output) this.#misuse("read on an output");
    return this.#line.level;
  }

  write(value: number): void {
    if (this.#closed || !this.#output) this.#misuse("write on an input");
    this.#world.write(this.#line, value ? 1 : 0);
  }

  #misuse(what: string): never {
    assertOpen(this.#closed, this.#owner);
    throw new Error(`${this.#owner}: ${what}`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unlisten?.();
    this.#board.pins.release([this.#pin], this);
  }
}

export function makeDigitalClass(world: PinWorld, pins: PinRegistry, wrap: (fn: () => void) => void): DigitalClass {
  return boundClass(SimDigital, { world, pins, wrap }, MODES);
}
