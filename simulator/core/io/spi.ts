/** ECMA-419 SPI over simulated buses, found by clock pin; each call is one select-framed transaction. */
import type { ByteBuffer, SPI, SPIClass, SPIOptions } from "../../../hal/io.js";
import type { SPIBusSim } from "../buses/spi.js";
import type { PinRegistry } from "./pins.js";
import { assertOpen, toBytes } from "./pins.js";
import { boundClass } from "./bound-class.js";

export interface SPIWiring {
  clock: number;
  in?: number;
  out?: number;
  bus: SPIBusSim;
}

interface SPIBoard {
  wirings: readonly SPIWiring[];
  pins: PinRegistry;
}

class SimSPI implements SPI {
  readonly #board: SPIBoard;
  readonly #bus: SPIBusSim;
  readonly #select: number;
  readonly #mode: number;
  readonly #owner: string;
  #closed = false;
  target: unknown;
  /** The clock it was opened with (the emulated image times its transfers by it: emulator/image/main.ts). */
  readonly hz: number;

  constructor(board: SPIBoard, options: SPIOptions) {
    if (!options || typeof options !== "object") throw new TypeError("SPI: options object required");
    if (options.in === undefined && options.out === undefined) throw new TypeError("SPI: needs in or out");
    if (typeof options.select !== "number") throw new TypeError("SPI: select pin required in the simulator");
    if (!(options.hz > 0)) throw new RangeError(`SPI: invalid hz ${String(options.hz)}`);
    const wiring = board.wirings.find((w) => w.clock === options.clock);
    if (!wiring) throw new Error(`SPI: no bus on clock pin ${String(options.clock)}`);
    this.#owner = `SPI(select ${options.select})`;
    board.pins.claim([options.select], this, this.#owner);
    this.#board = board;
    this.#bus = wiring.bus;
    this.#select = options.select;
    this.#mode = options.mode ?? 0;
    this.hz = options.hz;
    this.target = options.target;
  }

  read(byteLength: number): ArrayBuffer {
    assertOpen(this.#closed, this.#owner);
    return this.#bus.exchange(this.#select, new Uint8Array(byteLength).fill(0xff), this.#mode).slice().buffer;
  }

  write(buffer: ByteBuffer): void {
    assertOpen(this.#closed, this.#owner);
    this.#bus.exchange(this.#select, toBytes(buffer), this.#mode);
  }

  transfer(buffer: Uint8Array): void {
    assertOpen(this.#closed, this.#owner);
    this.#bus.transfer(this.#select, buffer, this.#mode);
  }

  flush(): void {
    assertOpen(this.#closed, this.#owner);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#board.pins.release([this.#select], this);
  }
}

export function makeSPIClass(wirings: readonly SPIWiring[], pins: PinRegistry): SPIClass {
  return boundClass(SimSPI, { wirings, pins });
}
