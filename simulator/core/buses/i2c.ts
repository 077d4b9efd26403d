/**
 * A simulated I2C bus: targets (part models) attached at 7-bit addresses, transactions recorded for replay.
 *
 * Models see exactly the bytes the driver puts on the wire, so a driver is tested unmodified. Faults are injected
 * here, at the bus, the way they happen on a real board: a target that stops acknowledging its address.
 */
import type { Micros } from "../engine.js";

export interface I2CTarget {
  /** The master wrote `bytes` after the address was acknowledged. Return false to NACK the data. */
  write(bytes: Uint8Array, stop: boolean): boolean;
  /** The master reads `count` bytes. Return null to NACK the address (e.g. a conversion still running). */
  read(count: number, stop: boolean): Uint8Array | null;
}

export type I2COp = "write" | "read";

/** One bus transaction as a logic analyser would see it. */
export interface I2CTransaction {
  at: Micros;
  bus: string;
  address: number;
  op: I2COp;
  /** Bytes written, or bytes read (empty when NACKed). */
  bytes: Uint8Array;
  ack: boolean;
}

export type I2CRecorder = (t: I2CTransaction) => void;

export class I2CBusSim {
  readonly name: string;
  readonly #now: () => Micros;
  readonly #targets = new Map<number, I2CTarget>();
  /** address → virtual time until which the address is NACKed (Infinity: until cleared). */
  readonly #nackUntil = new Map<number, Micros>();
  recorder: I2CRecorder | undefined;
  transactions = 0;

  constructor(name: string, now: () => Micros) {
    this.name = name;
    this.#now = now;
  }

  attach(address: number, target: I2CTarget): void {
    if (this.#targets.has(address)) {
      throw new Error(`I2C bus ${this.name}: address 0x${address.toString(16)} is already taken`);
    }
    this.#targets.set(address, target);
  }

  detach(address: number): void {
    this.#targets.delete(address);
  }

  has(address: number): boolean {
    return this.#targets.has(address);
  }

  /** Make `address` NACK everything until virtual time `until` (default: until `clearFault`). */
  injectNack(address: number, until: Micros = Infinity): void {
    this.#nackUntil.set(address, until);
  }

  clearFault(address: number): void {
    this.#nackUntil.delete(address);
  }

  #target(address: number): I2CTarget | undefined {
    const until = this.#nackUntil.get(address);
    if (until !== undefined) {
      if (this.#now() < until) return undefined;
      this.#nackUntil.delete(address);
    }
    return this.#targets.get(address);
  }

  write(address: number, bytes: Uint8Array, stop: boolean): boolean {
    const target = this.#target(address);
    const ack = target ? target.write(bytes, stop) : false;
    this.#record(address, "write", bytes.slice(), ack);
    return ack;
  }

  read(address: number, count: number, stop: boolean): Uint8Array | null {
    const target = this.#target(address);
    const data = target ? target.read(count, stop) : null;
    const ack = data !== null;
    if (data && data.length !== count) {
      throw new Error(`I2C bus ${this.name}: model at 0x${address.toString(16)} returned ${data.length} bytes for a ${count}-byte read`);
    }
    this.#record(address, "read", data ? data.slice() : new Uint8Array(0), ack);
    return data;
  }

  #record(address: number, op: I2COp, bytes: Uint8Array, ack: boolean): void {
    this.transactions++;
    if (this.recorder) this.recorder({ at: this.#now(), bus: this.name, address, op, bytes, ack });
  }
}
