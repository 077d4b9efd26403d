/**
 * hal's ClockedSerial (hal/io.ts) over simulated lines: the pulse train a board's host makes in C, made here edge by
 * edge through `PinWorld.write`, so a part model on the clock line (an HX711's) sees every rising and falling edge at
 * the virtual time and host-clock time it happens, and its timing rules apply as on the wire: a high phase stretched
 * past the part's limit (a test's stand-in for an interrupt) gives what the part gives then. Each pulse is two writes,
 * as the bit-banged read it replaces made, so recordings count writes the same way.
 *
 * `highUs` is measured as a board's native measures it: the host clock read before the rising edge and after the
 * falling one, so it bounds the high phase from above.
 *
 * Cost: on a board one `read` is one host call (the train in C, interrupts off, 25–27 pulses of about 2 µs); on the
 * emulated MCU it is that C (emulator/firmware/clocked_serial.c); on XS the probe does not meter it as device work
 * (simulator/xs/inside/probe.ts), since it is the host's, not the device's.
 */
import type { ClockedSerial, ClockedSerialClass, ClockedSerialOptions } from "../../../hal/io.js";
import { boundClass } from "./bound-class.js";
import type { DigitalLine, PinWorld } from "./lines.js";
import type { PinRegistry } from "./pins.js";
import { assertOpen } from "./pins.js";

/** At most this many pulses a read (32 data bits and some extra ones): more is a driver's bug, not a read. */
const MAX_PULSES = 40;

interface ClockedSerialBoard {
  world: PinWorld;
  pins: PinRegistry;
  /** The host clock's microseconds. */
  now: () => number;
}

class SimClockedSerial implements ClockedSerial {
  readonly #board: ClockedSerialBoard;
  readonly #clock: DigitalLine;
  readonly #data: DigitalLine;
  readonly #pin: number;
  readonly #owner: string;
  #closed = false;
  highUs = 0;
  target: unknown;

  constructor(board: ClockedSerialBoard, options: ClockedSerialOptions) {
    if (!options || typeof options !== "object") throw new TypeError("ClockedSerial: options object required");
    const { clock, data } = options;
    if (typeof clock !== "number") throw new TypeError(`ClockedSerial: clock must be a pin number, got ${String(clock)}`);
    if (typeof data !== "number") throw new TypeError(`ClockedSerial: data must be a pin number, got ${String(data)}`);
    if (clock === data) throw new RangeError(`ClockedSerial: clock and data are the same pin (${clock})`);
    this.#owner = `ClockedSerial(${clock})`;
    // The clock is this class's output; the data pin is only sampled (a Digital may hold it for its ready edge).
    board.pins.claim([clock], this, this.#owner);
    this.#board = board;
    this.#pin = clock;
    this.#clock = board.world.line(clock);
    this.#data = board.world.line(data);
    this.target = options.target;
  }

  read(bits: number, extraPulses = 0): number {
    assertOpen(this.#closed, this.#owner);
    if (!(bits >= 1 && bits <= 32 && (bits | 0) === bits)) throw new RangeError(`${this.#owner}: bits must be an integer 1…32, got ${String(bits)}`);
    if (!(extraPulses >= 0 && bits + extraPulses <= MAX_PULSES && (extraPulses | 0) === extraPulses)) {
      throw new RangeError(`${this.#owner}: extraPulses must be an integer 0…${MAX_PULSES - bits}, got ${String(extraPulses)}`);
    }
    const world = this.#board.world;
    const train = world.train;
    if (train !== undefined) {
      const v = train.read(this.#clock, this.#data, bits, extraPulses);
      this.highUs = train.highUs;
      return v;
    }
    const clock = this.#clock;
    const data = this.#data;
    const now = this.#board.now;
    const pulses = bits + extraPulses;
    let v = 0;
    let longest = 0;
    for (let i = 0; i < pulses; i++) {
      const before = now();
      world.write(clock, 1);
      const bit = data.level;
      world.write(clock, 0);
      const span = now() - before;
      if (span > longest) longest = span;
      if (i < bits) v = v * 2 + bit;
    }
    this.highUs = longest;
    return v;
  }

  write(level: number): void {
    assertOpen(this.#closed, this.#owner);
    this.#board.world.write(this.#clock, level ? 1 : 0);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#board.pins.release([this.#pin], this);
  }
}

export function makeClockedSerialClass(world: PinWorld, pins: PinRegistry, now: () => number): ClockedSerialClass {
  return boundClass(SimClockedSerial, { world, pins, now });
}
