/**
 * What a LoRaWAN device keeps across resets: the DevNonce counter (TS001-1.0.4 §6.2.5: "DevNonce is a counter
 * starting at 0 … A DevNonce value SHALL never be reused for a given JoinEUI … If the end-device can be
 * power-cycled, then DevNonce SHALL be persistent") and the session, so a node that deep-sleeps between reports
 * (and so reboots on every wake) keeps its DevAddr, keys and frame counters instead of joining again.
 */
import type { FlashPartition, RetainedMemory } from "../../../hal/host.js";

/** Where DevNonces come from: a counter that is durable before a value is handed out. */
export interface DevNonceCounter {
  takeDevNonce(): number;
}

export interface LorawanStore extends DevNonceCounter {
  /**
   * The DevNonce to use now. The next value is made durable before this returns, so a reset at any point can never
   * hand the same nonce out twice. Throws once all 65 536 nonces are spent (the device must not join again).
   */
  takeDevNonce(): number;
  /** The session bytes last saved, or undefined when there are none or they were damaged. */
  loadSession(): Uint8Array | undefined;
  /** Keep a copy of `bytes` (the caller reuses its buffer). */
  saveSession(bytes: Uint8Array): void;
  clearSession(): void;
}

/** Marks a retained word written by this store (the rest of the word holds the value). */
const NONCE_TAG = 0xd0;
const SESSION_TAG = 0x5e;

/**
 * The store in retained words (`host.retained`): word `first` holds the next DevNonce, word `first + 1` a header
 * (tag, length, checksum) and the words after it the session. Retained memory survives deep sleep and soft resets
 * (nRF52 `.no_init` RAM) but not a power cut, and on ESP32 under Moddable not even a reset: give such boards a
 * `FlashDevNonceCounter` as `nonces`, so only the session (which a new join replaces) lives in RAM.
 */
export class RetainedLorawanStore implements LorawanStore {
  readonly #mem: RetainedMemory;
  readonly #first: number;
  readonly #words: number;
  readonly #nonces: DevNonceCounter | undefined;

  constructor(mem: RetainedMemory, first: number, words: number, nonces?: DevNonceCounter) {
    if (first < 0 || first + words > mem.length || words < 3) {
      throw new RangeError(`LoRaWAN store: retained words ${first}…${first + words - 1} do not fit in 0…${mem.length - 1}`);
    }
    this.#mem = mem;
    this.#first = first;
    this.#words = words;
    this.#nonces = nonces;
  }

  /** Retained words needed to keep a session of `sessionBytes` bytes. */
  static wordsFor(sessionBytes: number): number {
    return 2 + Math.ceil(sessionBytes / 4);
  }

  takeDevNonce(): number {
    if (this.#nonces) return this.#nonces.takeDevNonce();
    const w = this.#mem.get(this.#first) >>> 0;
    const next = w >>> 24 === NONCE_TAG ? w & 0x1ffff : 0;
    if (next > 0xffff) throw new Error("LoRaWAN: all 65536 DevNonce values are used; this DevEUI/JoinEUI cannot join again");
    this.#mem.set(this.#first, ((NONCE_TAG << 24) | (next + 1)) >>> 0);
    return next;
  }

  loadSession(): Uint8Array | undefined {
    const h = this.#mem.get(this.#first + 1) >>> 0;
    if (h >>> 24 !== SESSION_TAG) return undefined;
    const length = (h >>> 16) & 0xff;
    if (length === 0 || 2 + Math.ceil(length / 4) > this.#words) return undefined;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = (this.#mem.get(this.#first + 2 + (i >> 2)) >>> (8 * (i & 3))) & 0xff;
    return fletcher16(out) === (h & 0xffff) ? out : undefined;
  }

  saveSession(bytes: Uint8Array): void {
    if (bytes.length > 255 || 2 + Math.ceil(bytes.length / 4) > this.#words) {
      throw new RangeError(`LoRaWAN store: a session of ${bytes.length} bytes needs ${RetainedLorawanStore.wordsFor(bytes.length)} retained words, have ${this.#words}`);
    }
    // Invalidate first, so a reset half-way leaves no session rather than a mixed one.
    this.#mem.set(this.#first + 1, 0);
    for (let w = 0; w * 4 < bytes.length; w++) {
      let v = 0;
      for (let k = 3; k >= 0; k--) v = (v << 8) | (w * 4 + k < bytes.length ? bytes[w * 4 + k]! : 0);
      this.#mem.set(this.#first + 2 + w, v >>> 0);
    }
    this.#mem.set(this.#first + 1, ((SESSION_TAG << 24) | (bytes.length << 16) | fletcher16(bytes)) >>> 0);
  }

  clearSession(): void {
    this.#mem.set(this.#first + 1, 0);
  }
}

/**
 * A DevNonce counter in NOR flash that survives power cuts, in two blocks of a partition used as an append-only
 * log. Each record is the next nonce and its complement (8 bytes, or the partition's write alignment if larger), so
 * a record torn by a power cut reads as invalid and is skipped; the counter is the largest valid record in either
 * block. When the active block is full the other is erased and takes the next record, so the newest value is always
 * in flash, whole, while the other block is being erased. A 4 KB block holds 512 joins per erase.
 */
export class FlashDevNonceCounter implements DevNonceCounter {
  readonly #flash: FlashPartition;
  readonly #blocks: readonly [number, number];
  readonly #record: number;
  readonly #buf: Uint8Array;
  #next = 0;
  /** Block and byte offset of the next free record. */
  #block = 0;
  #at = 0;

  constructor(flash: FlashPartition, firstBlock = 0) {
    if (firstBlock < 0 || firstBlock + 2 > flash.blocks) {
      throw new RangeError(`LoRaWAN DevNonce counter: blocks ${firstBlock} and ${firstBlock + 1} do not fit in a partition of ${flash.blocks} blocks`);
    }
    this.#flash = flash;
    this.#blocks = [firstBlock, firstBlock + 1];
    this.#record = flash.writeAlign > 8 ? flash.writeAlign : 8;
    if (flash.blockLength % this.#record !== 0) throw new RangeError(`LoRaWAN DevNonce counter: block of ${flash.blockLength} bytes is not a multiple of ${this.#record}`);
    this.#buf = new Uint8Array(this.#record).fill(flash.eraseValue);
    this.#scan();
  }

  takeDevNonce(): number {
    const n = this.#next;
    if (n > 0xffff) throw new Error("LoRaWAN: all 65536 DevNonce values are used; this DevEUI/JoinEUI cannot join again");
    this.#append(n + 1);
    this.#next = n + 1;
    return n;
  }

  #scan(): void {
    const len = this.#flash.blockLength;
    let best = -1;
    for (const block of this.#blocks) {
      const bytes = this.#flash.read(block * len, len);
      let free = len;
      for (let at = len - this.#record; at >= 0; at -= this.#record) {
        if (!this.#erased(bytes, at)) break;
        free = at;
      }
      for (let at = 0; at < free; at += this.#record) {
        const v = readLe32(bytes, at);
        if (v === (~readLe32(bytes, at + 4)) >>> 0 && v > best) {
          best = v;
          this.#block = block;
          this.#at = free;
        }
      }
    }
    if (best < 0) {
      this.#block = this.#blocks[0];
      this.#at = 0;
      this.#next = 0;
      if (!this.#erased(this.#flash.read(this.#block * len, len), 0)) this.#flash.eraseBlock(this.#block);
    } else this.#next = best;
  }

  #erased(bytes: Uint8Array, at: number): boolean {
    for (let i = 0; i < this.#record; i++) if (bytes[at + i] !== this.#flash.eraseValue) return false;
    return true;
  }

  #append(value: number): void {
    const len = this.#flash.blockLength;
    if (this.#at + this.#record > len) {
      this.#block = this.#block === this.#blocks[0] ? this.#blocks[1] : this.#blocks[0];
      this.#flash.eraseBlock(this.#block);
      this.#at = 0;
    }
    const b = this.#buf;
    b.fill(this.#flash.eraseValue);
    const inv = ~value >>> 0;
    for (let i = 0; i < 4; i++) {
      b[i] = (value >>> (8 * i)) & 0xff;
      b[4 + i] = (inv >>> (8 * i)) & 0xff;
    }
    // Claim the slot before writing: if this write is cut, the torn record is skipped and the next one goes after it.
    const at = this.#at;
    this.#at += this.#record;
    this.#flash.write(this.#block * len + at, b);
  }
}

function readLe32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function fletcher16(b: Uint8Array): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < b.length; i++) {
    s1 = (s1 + b[i]!) % 255;
    s2 = (s2 + s1) % 255;
  }
  return (s2 << 8) | s1;
}
