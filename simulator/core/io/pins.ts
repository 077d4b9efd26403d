import { pinLabel } from "../../../manifests/schema/pin-name.js";

/** One IO instance's hold on its pins. The hold itself, not the owner's name, is what owns them: two Digitals on one
 * pin share a name, and must not share the pin. */
export interface PinClaim {
  readonly owner: string;
  readonly pins: readonly number[];
}

/**
 * Pin ownership on a simulated board: ECMA-419 says a constructor throws when its resource is in use, as Moddable's
 * do (digitalbank.c: "in use" while the pin's bit is taken, whoever took it). Pins are numbers by the time they get
 * here (a manifest's "P1.04" is 36), so every spelling of a pin is the same key.
 */
export class PinRegistry {
  readonly #owners = new Map<number, PinClaim>();
  readonly #board: string;
  readonly #portPins: boolean;
  constructor(board: string, portPins = false) {
    this.#board = board;
    this.#portPins = portPins;
  }
  claim(pins: readonly (number | undefined)[], owner: string): PinClaim {
    const held: number[] = [];
    for (const p of pins) {
      if (p === undefined) continue;
      const other = this.#owners.get(p);
      if (other !== undefined) {
        throw new Error(`${this.#board}: ${owner} cannot open ${pinLabel(p, this.#portPins)}: it is already in use by ${other.owner}`);
      }
      held.push(p);
    }
    const claim: PinClaim = Object.freeze({ owner, pins: Object.freeze(held) });
    for (const p of held) this.#owners.set(p, claim);
    return claim;
  }
  release(claim: PinClaim): void {
    for (const p of claim.pins) if (this.#owners.get(p) === claim) this.#owners.delete(p);
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
