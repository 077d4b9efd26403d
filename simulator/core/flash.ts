/**
 * NOR flash as the parts behave: erased bytes read 0xFF, programming can only clear bits, erase works on whole
 * blocks and wears them. The contents outlive the node's RAM (deep sleep, reset, power cut), so the simulator
 * keeps one `SimFlash` per node across reboots.
 *
 * `beforeOperation` lets fault injection cut power in the middle of a program or erase: the hook returns how many
 * bytes of a write reach the array (or whether an erase completes) before the supply dies.
 */
import type { FlashPartition, FlashStore } from "../../hal/host.js";

export interface FlashLayout {
  size: number;
  blockLength: number;
  writeAlign: number;
  partitions: Readonly<Record<string, { offset: number; size: number }>>;
}

export type FlashOperation =
  | { kind: "write"; partition: string; offset: number; length: number }
  | { kind: "erase"; partition: string; block: number };

/** Thrown by an operation that power loss interrupted; the simulator turns it into a node reset. */
export class PowerCut extends Error {
  constructor(op: FlashOperation) {
    super(`power cut during flash ${op.kind} on ${op.partition}`);
  }
}

/**
 * Storage is allocated in pages of PAGE_BYTES when first programmed (an erased page reads 0xFF without one), so a
 * board's multi-megabyte layout costs memory only for what the device writes: the same class serves the simulator
 * and the emulated MCU's image, where RAM is the board's. Pages, not whole erase blocks: a record log that has written
 * a block header and a few records holds a few hundred bytes of the image's RAM, not 4 KB per block it touched (the
 * smart meter's two snapshot logs did not fit the nRF52840's 128 KB XS creation with whole blocks).
 */
const PAGE_BYTES = 256;

export class SimFlash implements FlashStore {
  readonly layout: FlashLayout;
  readonly #pages = new Map<number, Uint8Array>();
  /** Completed erases per block (absent: never erased). */
  readonly eraseCounts = new Map<number, number>();
  /** Programs that tried to set a bit back to 1 (a firmware bug on real NOR: the result is the AND). */
  overprograms = 0;
  writes = 0;
  erases = 0;
  /**
   * Return undefined to let the operation complete; for a write, a byte count < length to cut power after that
   * many bytes; for an erase, any number to cut power before it completes (the block is left partly erased).
   */
  beforeOperation: ((op: FlashOperation) => number | undefined) | undefined;

  constructor(layout: FlashLayout) {
    this.layout = layout;
  }

  /** The byte at absolute address `at`. */
  byte(at: number): number {
    const page = this.#pages.get(Math.floor(at / PAGE_BYTES));
    return page ? page[at % PAGE_BYTES]! : 0xff;
  }

  /** Program the byte at `at` (NOR: bits can only be cleared, so the result is the AND). */
  program(at: number, value: number): number {
    const index = Math.floor(at / PAGE_BYTES);
    let page = this.#pages.get(index);
    if (!page) {
      if ((value & 0xff) === 0xff) return 0xff; // programming an erased byte to 0xFF changes nothing
      page = new Uint8Array(PAGE_BYTES).fill(0xff);
      this.#pages.set(index, page);
    }
    const next = page[at % PAGE_BYTES]! & value;
    page[at % PAGE_BYTES] = next;
    return next;
  }

  /** Erase (set to 0xFF) the absolute range [start, end). */
  erase(start: number, end: number): void {
    for (let i = Math.floor(start / PAGE_BYTES); i * PAGE_BYTES < end; i++) {
      const page = this.#pages.get(i);
      if (!page) continue;
      const from = Math.max(start, i * PAGE_BYTES) - i * PAGE_BYTES;
      const to = Math.min(end, (i + 1) * PAGE_BYTES) - i * PAGE_BYTES;
      if (from === 0 && to === PAGE_BYTES) this.#pages.delete(i);
      else page.fill(0xff, from, to);
    }
  }

  open(name: string): FlashPartition {
    const p = this.layout.partitions[name];
    if (!p) {
      const known = Object.keys(this.layout.partitions).join(", ") || "none";
      throw new Error(`flash: no partition "${name}" on this board (partitions: ${known})`);
    }
    return new SimPartition(this, name, p.offset, p.size);
  }
}

class SimPartition implements FlashPartition {
  readonly #flash: SimFlash;
  readonly #name: string;
  readonly #offset: number;
  readonly size: number;
  readonly blockLength: number;
  readonly blocks: number;
  readonly eraseValue = 0xff;
  readonly writeAlign: number;

  constructor(flash: SimFlash, name: string, offset: number, size: number) {
    this.#flash = flash;
    this.#name = name;
    this.#offset = offset;
    this.size = size;
    this.blockLength = flash.layout.blockLength;
    this.blocks = Math.floor(size / this.blockLength);
    this.writeAlign = flash.layout.writeAlign;
  }

  #check(offset: number, length: number, what: string): void {
    if (!Number.isInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new RangeError(`flash ${this.#name}: ${what} of ${length} bytes at ${offset} is outside the partition (${this.size} bytes)`);
    }
  }

  read(offset: number, byteLength: number): Uint8Array {
    this.#check(offset, byteLength, "read");
    const start = this.#offset + offset;
    const out = new Uint8Array(byteLength);
    for (let i = 0; i < byteLength; i++) out[i] = this.#flash.byte(start + i);
    return out;
  }

  write(offset: number, bytes: Uint8Array): void {
    this.#check(offset, bytes.length, "write");
    const a = this.writeAlign;
    if (offset % a !== 0 || bytes.length % a !== 0) {
      throw new RangeError(`flash ${this.#name}: write at ${offset} of ${bytes.length} bytes is not ${a}-byte aligned`);
    }
    const flash = this.#flash;
    const cut = flash.beforeOperation?.({ kind: "write", partition: this.#name, offset, length: bytes.length });
    const n = cut === undefined ? bytes.length : Math.max(0, Math.min(cut, bytes.length));
    const base = this.#offset + offset;
    for (let i = 0; i < n; i++) if (flash.program(base + i, bytes[i]!) !== bytes[i]) flash.overprograms++;
    flash.writes++;
    if (cut !== undefined) throw new PowerCut({ kind: "write", partition: this.#name, offset, length: bytes.length });
  }

  eraseBlock(block: number): void {
    if (!Number.isInteger(block) || block < 0 || block >= this.blocks) {
      throw new RangeError(`flash ${this.#name}: block ${block} is outside 0…${this.blocks - 1}`);
    }
    const flash = this.#flash;
    const start = this.#offset + block * this.blockLength;
    const cut = flash.beforeOperation?.({ kind: "erase", partition: this.#name, block });
    if (cut !== undefined) {
      // An interrupted erase leaves the block in an undefined state: model it as the first part erased.
      flash.erase(start, start + Math.floor(this.blockLength / 2));
      throw new PowerCut({ kind: "erase", partition: this.#name, block });
    }
    flash.erase(start, start + this.blockLength);
    const index = Math.floor(start / this.blockLength);
    flash.eraseCounts.set(index, (flash.eraseCounts.get(index) ?? 0) + 1);
    flash.erases++;
  }
}

/** 32 retained words (nRF52 `Sleep.setRetainedValue` gives 32; ESP32 RTC slow memory has room for more). */
export class RetainedWords {
  readonly words: Uint32Array;
  constructor(length = 32) {
    this.words = new Uint32Array(length);
  }
  get length(): number {
    return this.words.length;
  }
  get(index: number): number {
    this.#check(index);
    return this.words[index]!;
  }
  set(index: number, value: number): void {
    this.#check(index);
    this.words[index] = value >>> 0;
  }
  #check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.words.length) {
      throw new RangeError(`retained memory: index ${index} outside 0…${this.words.length - 1}`);
    }
  }
}
