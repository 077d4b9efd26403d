/**
 * Pin ownership on a simulated board: ECMA-419 says a constructor throws when its resource is in use.
 */
export class PinRegistry {
  readonly #owners = new Map<number, string>();
  readonly #board: string;
  constructor(board: string) {
    this.#board = board;
  }
  claim(pins: readonly (number | undefined)[], owner: string): void {
    for (const p of pins) {
      if (p === undefined) continue;
      const held = this.#owners.get(p);
      if (held !== undefined && held !== owner) {
        throw new Error(`${this.#board}: pin ${p} is already in use by ${held}`);
      }
    }
    for (const p of pins) if (p !== undefined) this.#owners.set(p, owner);
  }
  release(pins: readonly (number | undefined)[], owner: string): void {
    for (const p of pins) if (p !== undefined && this.#owners.get(p) === owner) this.#owners.delete(p);
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
