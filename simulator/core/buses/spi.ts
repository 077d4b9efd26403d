/**
 * A simulated SPI bus: targets selected by their chip-select pin. One `exchange` is one select-framed
 * transaction: the target sees every byte the master clocks out and answers one byte per byte.
 */
import type { Micros } from "../engine.js";

export interface SPITarget {
  /** Bytes clocked out by the master while selected; return the bytes clocked in (same length). */
  exchange(tx: Uint8Array, mode: number): Uint8Array;
  /** The same in place (`io` out, then the answer in it), allocating nothing: the emulated image's replay, where a
   * board's transfer is done in C and garbage in the device's heap would cause collections a board does not have. */
  transfer?(io: Uint8Array, mode: number): void;
}

export interface SPITransaction {
  at: Micros;
  bus: string;
  select: number;
  tx: Uint8Array;
  rx: Uint8Array;
}

export class SPIBusSim {
  readonly name: string;
  readonly #now: () => Micros;
  readonly #targets = new Map<number, SPITarget>();
  recorder: ((t: SPITransaction) => void) | undefined;

  constructor(name: string, now: () => Micros) {
    this.name = name;
    this.#now = now;
  }

  attach(select: number, target: SPITarget): void {
    if (this.#targets.has(select)) throw new Error(`SPI bus ${this.name}: select pin ${select} is already taken`);
    this.#targets.set(select, target);
  }

  /** A select line with nothing behind it reads 0xFF (MISO pulled up), as on a board. */
  exchange(select: number, tx: Uint8Array, mode: number): Uint8Array {
    const target = this.#targets.get(select);
    const rx = target ? target.exchange(tx, mode) : new Uint8Array(tx.length).fill(0xff);
    if (rx.length !== tx.length) {
      throw new Error(`SPI bus ${this.name}: target on select ${select} answered ${rx.length} bytes for ${tx.length}`);
    }
    this.recorder?.({ at: this.#now(), bus: this.name, select, tx: tx.slice(), rx: rx.slice() });
    return rx;
  }

  /** One transaction in place: `io` is clocked out, and holds what was clocked in after. */
  transfer(select: number, io: Uint8Array, mode: number): void {
    const target = this.#targets.get(select);
    if (target?.transfer && !this.recorder) target.transfer(io, mode);
    else io.set(this.exchange(select, io, mode));
  }
}
