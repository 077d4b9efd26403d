/**
 * A block of bytes kept in retained words (`host.retained`: nRF52 `Sleep.setRetainedValue`, ESP32 RTC memory), for
 * state a device must carry across a deep sleep, which reboots it. Word `first` is a header — tag (8 bits), layout
 * version (8), a 16-bit check of the payload (CRC-32 folded to 16 bits) — and the words after it hold the payload,
 * little-endian. A block read back with another tag or version, or a check that does not match (retained RAM
 * after a power cut or a brown-out holds whatever it holds), is refused with the reason named, so the device starts
 * afresh instead of running on garbage.
 *
 * Retained words survive deep sleep and soft resets, not a power cut: what must survive that goes to flash
 * (runtime/flash-records.ts).
 */
import type { RetainedMemory } from "../hal/host.js";
import { crc32 } from "./crc32.js";
import { getU32, putU32 } from "./le.js";

export const RetainedStatus = Object.freeze({
  OK: 0,
  /** Nothing was ever saved here (all zero, as after a power-on, or cleared). */
  EMPTY: 1,
  /** The header names another kind of block. */
  BAD_TAG: 2,
  /** Saved by another layout version of the same kind. */
  BAD_VERSION: 3,
  /** The payload does not match its check: damaged. */
  BAD_CRC: 4,
});

const STATUS_NAMES: readonly string[] = Object.freeze(["ok", "empty", "wrong tag", "wrong layout version", "check (CRC) mismatch"]);

/** What a load status means, for a log line. */
export function retainedStatusName(status: number): string {
  return STATUS_NAMES[status] ?? `status ${status}`;
}

export class RetainedBlock {
  /** Payload bytes (a multiple of 4). */
  readonly bytes: number;
  readonly name: string;
  readonly #mem: RetainedMemory;
  readonly #first: number;
  readonly #tag: number;
  readonly #version: number;

  /** `words` includes the header; `tag` and `version` are bytes (tag non-zero). */
  constructor(mem: RetainedMemory, o: { name: string; first: number; words: number; tag: number; version: number }) {
    const { first, words } = o;
    if (!Number.isInteger(first) || !Number.isInteger(words) || first < 0 || words < 2 || first + words > mem.length) {
      throw new RangeError(`${o.name}: retained words ${first}…${first + words - 1} do not fit in 0…${mem.length - 1}`);
    }
    if (!(o.tag > 0 && o.tag < 256) || !(o.version >= 0 && o.version < 256)) throw new RangeError(`${o.name}: tag and version must be bytes (tag non-zero)`);
    this.#mem = mem;
    this.#first = first;
    this.#tag = o.tag;
    this.#version = o.version;
    this.bytes = 4 * (words - 1);
    this.name = o.name;
  }

  /** Read the payload into `out` (at least `bytes` long); returns a RetainedStatus (`out` is only whole on OK). */
  load(out: Uint8Array): number {
    const n = this.bytes;
    if (out.length < n) throw new RangeError(`${this.name}: buffer of ${out.length} bytes for a block of ${n}`);
    const mem = this.#mem;
    const h = mem.get(this.#first) >>> 0;
    let any = h;
    for (let w = 0; w < n >> 2; w++) {
      const v = mem.get(this.#first + 1 + w) >>> 0;
      any |= v;
      putU32(out, 4 * w, v);
    }
    if (any === 0) return RetainedStatus.EMPTY;
    if (h >>> 24 !== this.#tag) return RetainedStatus.BAD_TAG;
    if (((h >>> 16) & 0xff) !== this.#version) return RetainedStatus.BAD_VERSION;
    return (h & 0xffff) === check(out, n) ? RetainedStatus.OK : RetainedStatus.BAD_CRC;
  }

  /** Keep `bytes` (the first `this.bytes` of it; the caller reuses its buffer). */
  save(bytes: Uint8Array): void {
    const n = this.bytes;
    if (bytes.length < n) throw new RangeError(`${this.name}: ${bytes.length} bytes for a block of ${n}`);
    const mem = this.#mem;
    // Header last: a reset half-way leaves a block whose check fails, never a mixed one that passes.
    mem.set(this.#first, 0);
    for (let w = 0; w < n >> 2; w++) {
      mem.set(this.#first + 1 + w, getU32(bytes, 4 * w));
    }
    mem.set(this.#first, ((this.#tag << 24) | (this.#version << 16) | check(bytes, n)) >>> 0);
  }

  clear(): void {
    for (let w = 0; w <= this.bytes >> 2; w++) this.#mem.set(this.#first + w, 0);
  }
}

function check(bytes: Uint8Array, n: number): number {
  const c = crc32(bytes, 0, n);
  return (c ^ (c >>> 16)) & 0xffff;
}
