/**
 * A simulated UART link between the MCU and a part model (a modem, a meter's optical port): each byte takes 10 bit
 * times on the wire (8N1), 11 with a parity bit (8E1, 8O1), so a 9600-baud reply arrives when it would on a board.
 */
import type { SerialParity } from "../../../hal/io.js";
import type { Engine, Micros } from "../engine.js";

export interface UARTPeer {
  /** Bytes from the MCU have arrived at the peer. */
  receive(bytes: Uint8Array): void;
}

export interface UARTTransfer {
  at: Micros;
  link: string;
  dir: "tx" | "rx";
  bytes: Uint8Array;
}

export class UARTLink {
  readonly name: string;
  readonly #engine: Engine;
  baud = 0;
  /** The MCU side's framing, as its Serial was opened; a peer framed otherwise hears garbage. */
  parity: SerialParity = "none";
  peer: UARTPeer | undefined;
  /** Set by the MCU side: bytes for it have arrived. */
  deliver: ((bytes: Uint8Array) => void) | undefined;
  recorder: ((t: UARTTransfer) => void) | undefined;
  #mcuBusyUntil: Micros = 0;
  #peerBusyUntil: Micros = 0;

  constructor(name: string, engine: Engine) {
    this.name = name;
    this.#engine = engine;
  }

  /** Start, 8 data bits, parity if any, stop. */
  get bitsPerByte(): number {
    return this.parity === "none" ? 10 : 11;
  }

  #duration(count: number): Micros {
    return this.baud > 0 ? Math.ceil((count * this.bitsPerByte * 1_000_000) / this.baud) : 0;
  }

  /** MCU → peer; bytes queue behind earlier ones on the wire. */
  fromMcu(bytes: Uint8Array): void {
    const copy = bytes.slice();
    const start = Math.max(this.#engine.now, this.#mcuBusyUntil);
    this.#mcuBusyUntil = start + this.#duration(copy.length);
    this.recorder?.({ at: this.#engine.now, link: this.name, dir: "tx", bytes: copy });
    this.#engine.at(this.#mcuBusyUntil, () => this.peer?.receive(copy));
  }

  /**
   * Peer → MCU, for a peer that timed the bytes on the wire itself (a transceiver on a shared RS-485 bus, which must
   * see each byte's time to know whether its receiver was enabled): they arrive now.
   */
  arrived(bytes: Uint8Array): void {
    const copy = bytes.slice();
    this.recorder?.({ at: this.#engine.now, link: this.name, dir: "rx", bytes: copy });
    this.deliver?.(copy);
  }

  /** Peer → MCU. */
  fromPeer(bytes: Uint8Array): void {
    const copy = bytes.slice();
    const start = Math.max(this.#engine.now, this.#peerBusyUntil);
    this.#peerBusyUntil = start + this.#duration(copy.length);
    this.#engine.at(this.#peerBusyUntil, () => {
      this.recorder?.({ at: this.#engine.now, link: this.name, dir: "rx", bytes: copy });
      this.deliver?.(copy);
    });
  }
}
