/**
 * A half-duplex RS-485 port as the bus master drives it: a Serial into a transceiver (MAX3485 class) whose driver
 * enable (DE, with /RE tied to it) is a GPIO. DE high puts the UART's TX on the pair and deafens the receiver; it
 * must stay high until the last stop bit has left, and be low again before the meter starts its reply (DL/T 645
 * meters wait at least 20 ms). So the port holds DE for exactly the frame's time on the wire — its bytes × bits
 * per byte (11 with a parity bit, 10 without) at the baud rate — rounded up to the host timer's whole millisecond,
 * never a guessed delay. Transceivers that switch direction by themselves are used without a DE pin.
 */
import type { Timers, TimerHandle } from "../../hal/host.js";
import type { Digital, DigitalClass, PinSpecifier, PortSpecifier, Serial, SerialClass, SerialParity } from "../../hal/io.js";

export interface Rs485PortOptions {
  serial: { io: SerialClass; receive?: PinSpecifier; transmit?: PinSpecifier; port?: PortSpecifier };
  baud: number;
  parity: SerialParity;
  /** The transceiver's DE (and /RE) pin; absent for an auto-direction transceiver. */
  de?: { io: DigitalClass; pin: PinSpecifier } | undefined;
  timer: Timers;
  /** Bytes heard while the receiver was enabled. */
  onBytes(bytes: Uint8Array): void;
}

export class Rs485Port {
  readonly #serial: Serial;
  readonly #de: Digital | undefined;
  readonly #timer: Timers;
  readonly #bitsPerByte: number;
  readonly #baud: number;
  #sending: TimerHandle | undefined;
  #closed = false;

  constructor(o: Rs485PortOptions) {
    if (!(o.baud > 0)) throw new RangeError(`RS-485: baud must be > 0, got ${o.baud}`);
    this.#timer = o.timer;
    this.#baud = o.baud;
    this.#bitsPerByte = o.parity === "none" ? 10 : 11;
    if (o.de) {
      this.#de = new o.de.io({ pin: o.de.pin, mode: o.de.io.Output });
      this.#de.write(0); // listening until there is something to say
    }
    const s = o.serial;
    const onBytes = o.onBytes;
    const port = this;
    const options = {
      baud: o.baud,
      parity: o.parity,
      onReadable(this: Serial) {
        const got = this.read();
        if (got && !port.#closed) onBytes(new Uint8Array(got));
      },
      ...(s.receive !== undefined ? { receive: s.receive } : {}),
      ...(s.transmit !== undefined ? { transmit: s.transmit } : {}),
      ...(s.port !== undefined ? { port: s.port } : {}),
    };
    this.#serial = new s.io(options);
  }

  /** Time `bytes` bytes take on the wire, ms (exact, fractional). */
  wireMs(bytes: number): number {
    return (bytes * this.#bitsPerByte * 1000) / this.#baud;
  }

  /** A frame is going out (DE is high). */
  get sending(): boolean {
    return this.#sending !== undefined;
  }

  /** Drive the bus, send `frame`, and release the bus when its last stop bit has gone; then `sent()`. */
  send(frame: Uint8Array, sent: () => void): void {
    if (this.#closed) throw new Error("RS-485: closed");
    if (this.#sending) throw new Error("RS-485: a frame is still going out");
    this.#de?.write(1);
    this.#serial.write(frame);
    this.#sending = this.#timer.set(() => {
      this.#sending = undefined;
      this.#de?.write(0);
      sent();
    }, Math.ceil(this.wireMs(frame.length)));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer.clear(this.#sending);
    this.#sending = undefined;
    this.#de?.write(0);
    this.#de?.close();
    this.#serial.close();
  }
}
