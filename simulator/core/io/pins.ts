import { pinLabel } from "../../../manifests/schema/pin-name.js";

/**
 * Pin ownership on a simulated board: ECMA-419 says a constructor throws when its resource is in use, as Moddable's
 * do (digitalbank.c: "in use" while the pin's bit is taken, whoever took it). A pin is held by the IO instance that
 * opened it, not by its name: two Digitals on one pin have the same name and must not share the pin. Pins are
 * numbers by the time they get here (a manifest's "P1.04" is 36), so every spelling of a pin is the same key.
 * Nothing is kept per instance: the simulator's provider keeps every instance a boot opened until the next boot.
 */
export class PinRegistry {
  readonly #holders = new Map<number, object>();
  readonly #names = new Map<number, string>();
  readonly #board: string;
  readonly #portPins: boolean;
  constructor(board: string, portPins = false) {
    this.#board = board;
    this.#portPins = portPins;
  }
  claim(pins: readonly (number | undefined)[], owner: object, name: string): void {
    for (const p of pins) {
      if (p === undefined) continue;
      const held = this.#holders.get(p);
      if (held !== undefined && held !== owner) {
        throw new Error(`${this.#board}: ${name} cannot open ${pinLabel(p, this.#portPins)}: it is already in use by ${this.#names.get(p)!}`);
      }
    }
    for (const p of pins) {
      if (p === undefined) continue;
      this.#holders.set(p, owner);
      this.#names.set(p, name);
    }
  }
  release(pins: readonly (number | undefined)[], owner: object): void {
    for (const p of pins) {
      if (p === undefined || this.#holders.get(p) !== owner) continue;
      this.#holders.delete(p);
      this.#names.delete(p);
    }
  }
}

/** Shared by every simulated IO class: ECMA-419 says any method but close() throws once closed. */
export function assertOpen(closed: boolean, what: string): void {
  if (closed) throw new Error(`${what}: closed`);
}

export function toBytes(buffer: ArrayBuffer | Uint8Array | DataView): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (buffer instanceof DataView) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return new Uint8Array(buffer);
}
