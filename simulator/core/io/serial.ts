/** ECMA-419 Serial over a simulated UART link, found by its pins. Received bytes wait in a bounded FIFO. */
import type { ByteBuffer, Serial, SerialClass, SerialOptions } from "../../../hal/io.js";
import type { UARTLink } from "../buses/uart.js";
import type { PinRegistry } from "./pins.js";
import { assertOpen, toBytes } from "./pins.js";
import { boundClass } from "./bound-class.js";

export interface SerialWiring {
  receive?: number;
  transmit?: number;
  link: UARTLink;
}

/** Hardware receive FIFO + driver ring on a typical port; overflowing bytes are dropped and counted. */
const RX_CAPACITY = 1024;

interface SerialBoard {
  wirings: readonly SerialWiring[];
  pins: PinRegistry;
  wrap: (fn: () => void) => void;
}

class SimSerial implements Serial {
  readonly #board: SerialBoard;
  readonly #link: UARTLink;
  readonly #owner: string;
  readonly #pins: (number | undefined)[];
  #rx = new Uint8Array(RX_CAPACITY);
  #rxLength = 0;
  overruns = 0;
  #closed = false;
  target: unknown;

  constructor(board: SerialBoard, options: SerialOptions) {
    if (!options || typeof options !== "object") throw new TypeError("Serial: options object required");
    if (!(options.baud > 0)) throw new RangeError(`Serial: invalid baud ${String(options.baud)}`);
    const parity = options.parity ?? "none";
    if (parity !== "none" && parity !== "even" && parity !== "odd") throw new RangeError(`Serial: invalid parity ${String(parity)}`);
    const wiring = board.wirings.find(
      (w) => (options.receive === undefined || w.receive === options.receive) && (options.transmit === undefined || w.transmit === options.transmit),
    );
    if (!wiring) throw new Error(`Serial: no UART on receive ${String(options.receive)} / transmit ${String(options.transmit)}`);
    this.#board = board;
    this.#pins = [options.receive, options.transmit];
    this.#owner = `Serial(${String(options.transmit)}/${String(options.receive)})`;
    board.pins.claim(this.#pins, this, this.#owner);
    this.#link = wiring.link;
    this.#link.baud = options.baud;
    this.#link.parity = parity;
    this.target = options.target;
    const { onReadable } = options;
    const wrap = board.wrap;
    this.#link.deliver = (bytes) => {
      if (this.#closed) return;
      const room = RX_CAPACITY - this.#rxLength;
      const n = Math.min(room, bytes.length);
      this.#rx.set(bytes.subarray(0, n), this.#rxLength);
      this.#rxLength += n;
      this.overruns += bytes.length - n;
      if (onReadable && n > 0) wrap(() => onReadable.call(this, this.#rxLength));
    };
  }

  read(byteLength?: number): ArrayBuffer | undefined {
    assertOpen(this.#closed, this.#owner);
    if (this.#rxLength === 0) return undefined;
    const n = Math.min(byteLength ?? this.#rxLength, this.#rxLength);
    const out = this.#rx.slice(0, n);
    this.#rx.copyWithin(0, n, this.#rxLength);
    this.#rxLength -= n;
    return out.buffer;
  }

  write(buffer: ByteBuffer): void {
    assertOpen(this.#closed, this.#owner);
    this.#link.fromMcu(toBytes(buffer));
  }

  flush(): void {
    assertOpen(this.#closed, this.#owner);
    this.#rxLength = 0;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#link.deliver = undefined;
    this.#board.pins.release(this.#pins, this);
  }
}

export function makeSerialClass(wirings: readonly SerialWiring[], pins: PinRegistry, wrap: (fn: () => void) => void): SerialClass {
  return boundClass(SimSerial, { wirings, pins, wrap });
}
