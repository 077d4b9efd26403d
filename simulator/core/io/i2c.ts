/**
 * ECMA-419 I2C over simulated buses. A bus is found by its (data, clock) pins, as on a real board, and the
 * address is claimed on it. A NACK throws, as Moddable's I2C does.
 */
import type { ByteBuffer, I2C, I2CClass, I2COptions } from "../../../hal/io.js";
import type { I2CBusSim } from "../buses/i2c.js";
import { boundClass } from "./bound-class.js";
import { assertOpen, toBytes } from "./pins.js";

export interface I2CWiring {
  data: number;
  clock: number;
  bus: I2CBusSim;
}

interface I2CBoard {
  wirings: readonly I2CWiring[];
  /** "bus:address" pairs open now. */
  claimed: Set<string>;
}

class SimI2C implements I2C {
  readonly #board: I2CBoard;
  readonly #bus: I2CBusSim;
  readonly #address: number;
  readonly #key: string;
  #closed = false;
  target: unknown;
  /** The bus clock it was opened with (the emulated image times its transfers by it: emulator/image/main.ts). */
  readonly hz: number;

  constructor(board: I2CBoard, options: I2COptions) {
    if (!options || typeof options !== "object") throw new TypeError("I2C: options object required");
    const { data, clock, hz, address } = options;
    if (typeof address !== "number" || address < 0 || address > 0x7f) throw new RangeError(`I2C: invalid address ${String(address)}`);
    if (typeof hz !== "number" || !(hz > 0)) throw new RangeError(`I2C: invalid hz ${String(hz)}`);
    const wiring = board.wirings.find((w) => w.data === data && w.clock === clock);
    if (!wiring) throw new Error(`I2C: no bus on data pin ${String(data)}, clock pin ${String(clock)}`);
    this.#key = `${wiring.bus.name}:${address}`;
    if (board.claimed.has(this.#key)) throw new Error(`I2C: address 0x${address.toString(16)} on ${wiring.bus.name} is already in use`);
    board.claimed.add(this.#key);
    this.#board = board;
    this.#bus = wiring.bus;
    this.#address = address;
    this.hz = hz;
    this.target = options.target;
  }

  read(byteLength: number, stop?: boolean): ArrayBuffer;
  read(buffer: Uint8Array, stop?: boolean): void;
  read(arg: number | Uint8Array, stop = true): ArrayBuffer | void {
    assertOpen(this.#closed, "I2C");
    const count = typeof arg === "number" ? arg : arg.length;
    const data = this.#bus.read(this.#address, count, stop);
    if (!data) throw new Error(`I2C: NACK from 0x${this.#address.toString(16)} on ${this.#bus.name} (read ${count})`);
    if (typeof arg === "number") return data.slice().buffer;
    arg.set(data);
  }

  write(buffer: ByteBuffer, stop = true): void {
    assertOpen(this.#closed, "I2C");
    const bytes = toBytes(buffer);
    if (!this.#bus.write(this.#address, bytes, stop)) {
      throw new Error(`I2C: NACK from 0x${this.#address.toString(16)} on ${this.#bus.name} (write ${bytes.length})`);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#board.claimed.delete(this.#key);
  }
}

export function makeI2CClass(wirings: readonly I2CWiring[]): I2CClass {
  return boundClass(SimI2C, { wirings, claimed: new Set<string>() });
}
