/**
 * Flash partitions in the image: NOR semantics like the simulator's SimFlash (erased 0xFF, programming clears
 * bits, erase by block), but blocks are allocated only when first written, so a board's multi-megabyte layout
 * costs RAM only for what the device uses.
 */
import type { FlashPartition, FlashStore } from "../../hal/host.js";
import type { ReplayBoard } from "./format.js";

class LazyPartition implements FlashPartition {
  readonly #name: string;
  readonly #blocks = new Map<number, Uint8Array>();
  readonly size: number;
  readonly blockLength: number;
  readonly blocks: number;
  readonly eraseValue = 0xff;
  readonly writeAlign: number;

  constructor(name: string, size: number, blockLength: number, writeAlign: number) {
    this.#name = name;
    this.size = size;
    this.blockLength = blockLength;
    this.blocks = Math.floor(size / blockLength);
    this.writeAlign = writeAlign;
  }

  #check(offset: number, length: number, what: string): void {
    if (!Number.isInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new RangeError(`flash ${this.#name}: ${what} of ${length} bytes at ${offset} is outside the partition (${this.size} bytes)`);
    }
  }

  read(offset: number, byteLength: number): Uint8Array {
    this.#check(offset, byteLength, "read");
    const out = new Uint8Array(byteLength).fill(0xff);
    for (let i = 0; i < byteLength; i++) {
      const at = offset + i;
      const block = this.#blocks.get(Math.floor(at / this.blockLength));
      if (block) out[i] = block[at % this.blockLength]!;
    }
    return out;
  }

  write(offset: number, bytes: Uint8Array): void {
    this.#check(offset, bytes.length, "write");
    const a = this.writeAlign;
    if (offset % a !== 0 || bytes.length % a !== 0) {
      throw new RangeError(`flash ${this.#name}: write at ${offset} of ${bytes.length} bytes is not ${a}-byte aligned`);
    }
    for (let i = 0; i < bytes.length; i++) {
      const at = offset + i;
      const index = Math.floor(at / this.blockLength);
      let block = this.#blocks.get(index);
      if (!block) {
        block = new Uint8Array(this.blockLength).fill(0xff);
        this.#blocks.set(index, block);
      }
      block[at % this.blockLength]! &= bytes[i]!;
    }
  }

  eraseBlock(block: number): void {
    if (!Number.isInteger(block) || block < 0 || block >= this.blocks) {
      throw new RangeError(`flash ${this.#name}: block ${block} is outside 0…${this.blocks - 1}`);
    }
    this.#blocks.delete(block);
  }
}

export class LazyFlash implements FlashStore {
  readonly #layout: ReplayBoard["flash"];
  readonly #open = new Map<string, LazyPartition>();

  constructor(layout: ReplayBoard["flash"]) {
    this.#layout = layout;
  }

  open(name: string): FlashPartition {
    const p = this.#layout.partitions[name];
    if (!p) {
      const known = Object.keys(this.#layout.partitions).join(", ") || "none";
      throw new Error(`flash: no partition "${name}" on this board (partitions: ${known})`);
    }
    let part = this.#open.get(name);
    if (!part) {
      part = new LazyPartition(name, p.size, this.#layout.blockLength, this.#layout.writeAlign);
      this.#open.set(name, part);
    }
    return part;
  }
}
