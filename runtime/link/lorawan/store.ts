/**
 * What a LoRaWAN device keeps across resets: the DevNonce counter (TS001-1.0.4 §6.2.5: "DevNonce is a counter
 * starting at 0 … A DevNonce value SHALL never be reused for a given JoinEUI … If the end-device can be
 * power-cycled, then DevNonce SHALL be persistent") and the session, so a node that deep-sleeps between reports
 * (and so reboots on every wake) keeps its DevAddr, keys and frame counters instead of joining again.
 */
import type { RetainedMemory } from "../../../hal/host.js";

export interface LorawanStore {
  /**
   * The DevNonce to use now. The next value is made durable before this returns, so a reset at any point can never
   * hand the same nonce out twice. Throws once all 65 536 nonces are spent (the device must not join again).
   */
  takeDevNonce(): number;
  /** The session bytes last saved, or undefined when there are none or they were damaged. */
  loadSession(): Uint8Array | undefined;
  saveSession(bytes: Uint8Array): void;
  clearSession(): void;
}

/** Marks a retained word written by this store (the rest of the word holds the value). */
const NONCE_TAG = 0xd0;
const SESSION_TAG = 0x5e;

/**
 * The store in retained words (`host.retained`): word `first` holds the next DevNonce, word `first + 1` a header
 * (tag, length, checksum) and the words after it the session. Retained memory survives deep sleep and soft resets
 * (nRF52 GPREGRET/`.no_init` RAM) but not a power cut; boards that lose power need a flash-backed store.
 */
export class RetainedLorawanStore implements LorawanStore {
  readonly #mem: RetainedMemory;
  readonly #first: number;
  readonly #words: number;

  constructor(mem: RetainedMemory, first: number, words: number) {
    if (first < 0 || first + words > mem.length || words < 3) {
      throw new RangeError(`LoRaWAN store: retained words ${first}…${first + words - 1} do not fit in 0…${mem.length - 1}`);
    }
    this.#mem = mem;
    this.#first = first;
    this.#words = words;
  }

  /** Retained words needed to keep a session of `sessionBytes` bytes. */
  static wordsFor(sessionBytes: number): number {
    return 2 + Math.ceil(sessionBytes / 4);
  }

  takeDevNonce(): number {
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

function fletcher16(b: Uint8Array): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < b.length; i++) {
    s1 = (s1 + b[i]!) % 255;
    s2 = (s2 + s1) % 255;
  }
  return (s2 << 8) | s1;
}
