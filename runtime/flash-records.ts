/**
 * A small power-fail-safe record log in raw NOR flash (hal/host.ts `FlashPartition`): fixed-size slots appended
 * across a ring of erase blocks, for records a device must not lose or half-read after a power cut at any instant
 * (meter snapshots, counters, settings that change rarely).
 *
 * Layout. Each block starts with a header slot {magic, generation, slot size, CRC-32}; the block with the highest
 * generation is the one being filled. Every other slot holds one record:
 *   bytes 0–1 payload length (LE), 2 kind, 3 marker 0x52, 4–7 sequence (LE), then the payload, 0xFF padding,
 *   the CRC-32 of bytes 0…8+length−1 in the four bytes before the commit word, and the commit word (all zero) last.
 * A record is written in two programs: everything but the commit word, then the commit word. On mount a slot counts
 * only when its marker, length, CRC and a fully programmed commit word all check, so a cut at any byte of either
 * write leaves a slot that reads as absent, never as a damaged record (the design the reference notes take from
 * FCB and ESP-IDF NVS: data first, commit last; fixed slots, so a torn length cannot derail the scan).
 *
 * Rotation. When the current block is full the log takes an erased block if there is one, else a block whose header
 * is not valid (a torn header or an erase cut short), else the oldest block; it erases it and writes its header
 * before the first record. An erase or header write cut by power loss leaves a block without a valid header, which
 * the log ignores on mount and erases again when it next needs a block. So the records of the oldest block go
 * when, and only when, the log is full; everything else acknowledged (every `append` that returned) stays.
 *
 * Each slot and each header is programmed once per erase (the nRF52840 allows only a few writes per word). RAM: a
 * slot buffer and a few numbers per block; a mount reads every block once. Not for high-rate logging: one slot per
 * record, whatever its length.
 */
import type { FlashPartition } from "../hal/host.js";
import { crc32 } from "./crc32.js";
import { getU16, getU32, putU16, putU32 } from "./le.js";

export interface FlashRecordLogOptions {
  /** First block of the partition the log uses (default 0). */
  firstBlock?: number;
  /** How many blocks, at least 2 (default: the rest of the partition). */
  blocks?: number;
  /** Slot size in bytes: a multiple of the partition's write alignment, at least 24 (default 32). */
  slotBytes?: number;
  /** Names the log in errors (default "record log"). */
  name?: string;
}

/** Called for each record, oldest first; `data[offset … offset+length)` is the payload (valid during the call). */
export type RecordVisitor = (kind: number, sequence: number, data: Uint8Array, offset: number, length: number) => void;

const BLOCK_MAGIC = 0x4c52_5a47; // "GZRL" little-endian
const RECORD_MARKER = 0x52;
const HEADER_BYTES = 8;
/** Block states kept per block after a mount. */
const ERASED = 0;
const VALID = 1;
const DIRTY = 2;

export class FlashRecordLog {
  readonly slotBytes: number;
  /** Largest payload a record may carry, bytes. */
  readonly maxPayload: number;
  /** Records a full log holds at least before the oldest go (every block but one, less their header slots). */
  readonly capacity: number;
  readonly #flash: FlashPartition;
  readonly #name: string;
  readonly #first: number;
  readonly #blocks: number;
  readonly #slotsPerBlock: number;
  readonly #commitBytes: number;
  readonly #slot: Uint8Array;
  readonly #state: Uint8Array;
  readonly #generation: Float64Array;
  /** Block being filled (−1: none yet) and its next free slot. */
  #active = -1;
  #nextSlot = 0;
  #nextSequence = 0;
  #records = 0;

  constructor(flash: FlashPartition, options: FlashRecordLogOptions = {}) {
    this.#name = options.name ?? "record log";
    const first = options.firstBlock ?? 0;
    const blocks = options.blocks ?? flash.blocks - first;
    if (!Number.isInteger(first) || !Number.isInteger(blocks) || first < 0 || blocks < 2 || first + blocks > flash.blocks) {
      throw new RangeError(`${this.#name}: blocks ${first}…${first + blocks - 1} (at least 2) do not fit in a partition of ${flash.blocks} blocks`);
    }
    const slot = options.slotBytes ?? 32;
    this.#commitBytes = flash.writeAlign > 4 ? flash.writeAlign : 4;
    if (!Number.isInteger(slot) || slot < HEADER_BYTES + 4 + this.#commitBytes + 4 || slot % flash.writeAlign !== 0 || flash.blockLength % slot !== 0 || slot > flash.blockLength / 2) {
      throw new RangeError(
        `${this.#name}: slotBytes ${slot} must be a multiple of the write alignment (${flash.writeAlign}) dividing the block (${flash.blockLength}), ` +
          `at most half of it and at least ${HEADER_BYTES + 8 + this.#commitBytes}`,
      );
    }
    this.#flash = flash;
    this.#first = first;
    this.#blocks = blocks;
    this.slotBytes = slot;
    this.#slotsPerBlock = flash.blockLength / slot;
    this.maxPayload = slot - HEADER_BYTES - 4 - this.#commitBytes;
    this.capacity = (blocks - 1) * (this.#slotsPerBlock - 1);
    this.#slot = new Uint8Array(slot);
    this.#state = new Uint8Array(blocks);
    this.#generation = new Float64Array(blocks);
    this.#mount();
  }

  /** Valid records in the log now. */
  get records(): number {
    return this.#records;
  }

  /** The sequence number the next record will get. */
  get nextSequence(): number {
    return this.#nextSequence;
  }

  /**
   * Append a record of `kind` (0…254) with `payload[offset … offset+length)`; returns its sequence number once the
   * record is durable. Power loss before it returns leaves the record whole or absent, and every earlier one as it
   * was (but the oldest block's, when the log was full).
   */
  append(kind: number, payload: Uint8Array, offset = 0, length = payload.length - offset): number {
    if (!Number.isInteger(kind) || kind < 0 || kind > 254) throw new RangeError(`${this.#name}: record kind ${kind} is not in 0…254`);
    if (length < 0 || length > this.maxPayload || offset < 0 || offset + length > payload.length) {
      throw new RangeError(`${this.#name}: a record of ${length} bytes does not fit a ${this.slotBytes}-byte slot (at most ${this.maxPayload})`);
    }
    if (this.#active < 0 || this.#nextSlot >= this.#slotsPerBlock) this.#rotate();
    const seq = this.#nextSequence;
    const s = this.#slot;
    s.fill(0xff);
    putU16(s, 0, length);
    s[2] = kind;
    s[3] = RECORD_MARKER;
    putU32(s, 4, seq);
    for (let i = 0; i < length; i++) s[HEADER_BYTES + i] = payload[offset + i]!;
    const crcAt = this.slotBytes - this.#commitBytes - 4;
    putU32(s, crcAt, crc32(s, 0, HEADER_BYTES + length));
    // Claim the slot first: if this write is cut, the torn slot is skipped and the next record goes after it.
    const at = this.#slotOffset(this.#active, this.#nextSlot);
    this.#nextSlot++;
    this.#nextSequence = (seq + 1) >>> 0;
    const body = s.subarray(0, this.slotBytes - this.#commitBytes);
    this.#flash.write(at, body);
    const commit = s.subarray(this.slotBytes - this.#commitBytes);
    commit.fill(0);
    this.#flash.write(at + this.slotBytes - this.#commitBytes, commit);
    this.#records++;
    return seq;
  }

  /** Visit every valid record, oldest first. */
  forEach(visit: RecordVisitor): void {
    const order = this.#blockOrder();
    for (let i = 0; i < order.length; i++) {
      const b = order[i]!;
      for (let k = 1; k < this.#slotsPerBlock; k++) {
        const bytes = this.#readSlot(b, k);
        const length = this.#recordLength(bytes, 0);
        if (length >= 0) visit(bytes[2]!, getU32(bytes, 4), bytes, HEADER_BYTES, length);
      }
    }
  }

  /**
   * Copy the newest record of `kind` into `out` (which must hold `maxPayload` bytes); returns its length, or −1 when
   * the log holds none. `sequenceOut[0]` receives its sequence number when given.
   */
  latest(kind: number, out: Uint8Array, sequenceOut?: Float64Array): number {
    let found = -1;
    this.forEach((k, seq, data, offset, length) => {
      if (k !== kind) return;
      for (let i = 0; i < length; i++) out[i] = data[offset + i]!;
      if (sequenceOut) sequenceOut[0] = seq;
      found = length;
    });
    return found;
  }

  // ───────────── mount and rotation ─────────────

  // Reads go slot by slot, never a whole block at once: a block is 4 KB, as much as a quarter of an nRF52840's XS
  // chunk heap, while a slot is a few dozen bytes (the emulated nRF52840 ran out of memory mounting two logs).
  #mount(): void {
    let newest = -1;
    let maxSeq = -1;
    let records = 0;
    for (let b = 0; b < this.#blocks; b++) {
      const generation = this.#headerGeneration(this.#readSlot(b, 0));
      if (generation >= 0) {
        this.#state[b] = VALID;
        this.#generation[b] = generation;
        if (newest < 0 || generation > this.#generation[newest]!) newest = b;
        for (let k = 1; k < this.#slotsPerBlock; k++) {
          const bytes = this.#readSlot(b, k);
          const length = this.#recordLength(bytes, 0);
          if (length < 0) continue;
          records++;
          const seq = getU32(bytes, 4);
          if (seq > maxSeq) maxSeq = seq;
        }
      } else {
        this.#state[b] = this.#blockErased(b) ? ERASED : DIRTY;
      }
    }
    this.#records = records;
    this.#nextSequence = maxSeq < 0 ? 0 : (maxSeq + 1) >>> 0;
    this.#active = newest;
    if (newest >= 0) {
      // The next free slot follows the last slot with anything programmed in it (a torn record included).
      let next = 1;
      for (let k = this.#slotsPerBlock - 1; k >= 1; k--) {
        if (!erasedRange(this.#readSlot(newest, k), 0, this.slotBytes)) {
          next = k + 1;
          break;
        }
      }
      this.#nextSlot = next;
    }
  }

  /** Slot `k` of block `block` (slot 0 holds the block header). */
  #readSlot(block: number, k: number): Uint8Array {
    return this.#flash.read(this.#slotOffset(block, k), this.slotBytes);
  }

  #blockErased(block: number): boolean {
    const len = this.#flash.blockLength;
    for (let at = 0; at < len; at += this.slotBytes) {
      const n = Math.min(this.slotBytes, len - at);
      if (!erasedRange(this.#flash.read((this.#first + block) * len + at, n), 0, n)) return false;
    }
    return true;
  }

  #rotate(): void {
    let target = -1;
    for (let b = 0; b < this.#blocks && target < 0; b++) if (this.#state[b] === ERASED && b !== this.#active) target = b;
    for (let b = 0; b < this.#blocks && target < 0; b++) if (this.#state[b] === DIRTY) target = b;
    if (target < 0) {
      for (let b = 0; b < this.#blocks; b++) {
        if (b === this.#active || this.#state[b] !== VALID) continue;
        if (target < 0 || this.#generation[b]! < this.#generation[target]!) target = b;
      }
    }
    let generation = 0;
    for (let b = 0; b < this.#blocks; b++) if (this.#state[b] === VALID && this.#generation[b]! >= generation) generation = this.#generation[b]! + 1;
    if (this.#state[target] !== ERASED) {
      if (this.#state[target] === VALID) this.#records -= this.#countRecords(target);
      // Until its header is written, the block is as good as torn.
      this.#state[target] = DIRTY;
      this.#flash.eraseBlock(this.#first + target);
    }
    this.#state[target] = DIRTY;
    const s = this.#slot;
    s.fill(0xff);
    putU32(s, 0, BLOCK_MAGIC);
    putU32(s, 4, generation);
    putU16(s, 8, this.slotBytes);
    putU32(s, 12, crc32(s, 0, 12));
    this.#flash.write((this.#first + target) * this.#flash.blockLength, s);
    this.#state[target] = VALID;
    this.#generation[target] = generation;
    this.#active = target;
    this.#nextSlot = 1;
  }

  /** Valid blocks, oldest generation first. */
  #blockOrder(): number[] {
    const order: number[] = [];
    for (let b = 0; b < this.#blocks; b++) if (this.#state[b] === VALID) order.push(b);
    const g = this.#generation;
    order.sort((a, b) => g[a]! - g[b]!);
    return order;
  }

  #countRecords(block: number): number {
    let n = 0;
    for (let k = 1; k < this.#slotsPerBlock; k++) if (this.#recordLength(this.#readSlot(block, k), 0) >= 0) n++;
    return n;
  }

  /** The generation in a block's header, or −1 when the header is not whole and valid. */
  #headerGeneration(bytes: Uint8Array): number {
    if (getU32(bytes, 0) !== BLOCK_MAGIC) return -1;
    if (getU16(bytes, 8) !== this.slotBytes) return -1;
    if (getU32(bytes, 12) !== crc32(bytes, 0, 12)) return -1;
    return getU32(bytes, 4);
  }

  /** The payload length of the committed, intact record in the slot at `at`, or −1. */
  #recordLength(bytes: Uint8Array, at: number): number {
    if (bytes[at + 3] !== RECORD_MARKER) return -1;
    const length = getU16(bytes, at);
    if (length > this.maxPayload) return -1;
    const end = at + this.slotBytes;
    for (let i = end - this.#commitBytes; i < end; i++) if (bytes[i] !== 0) return -1;
    if (getU32(bytes, end - this.#commitBytes - 4) !== crc32(bytes, at, HEADER_BYTES + length)) return -1;
    return length;
  }

  #slotOffset(block: number, slot: number): number {
    return (this.#first + block) * this.#flash.blockLength + slot * this.slotBytes;
  }
}

function erasedRange(bytes: Uint8Array, at: number, length: number): boolean {
  for (let i = at, end = at + length; i < end; i++) if (bytes[i] !== 0xff) return false;
  return true;
}

