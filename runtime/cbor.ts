/**
 * CBOR (RFC 8949) writer for device code: one preallocated buffer, no allocation per item, preferred serialization.
 *
 * - Integers and lengths always take the shortest head (RFC 8949 §4.2.1: preferred serialization).
 * - `float(x)` picks the shortest of float16/float32/float64 that holds `x` exactly (§4.2.2); NaN is written as the
 *   canonical half `f9 7e 00`, ±Infinity as half.
 * - Only definite lengths are written. Map key order is the caller's job (SenML writes its keys sorted).
 * - Every write checks capacity first and throws a RangeError naming the bytes needed and the capacity; an item
 *   that does not fit writes nothing, so `length` still marks the end of the last complete item.
 *
 * The same bytes come out on V8 and XS: only integer arithmetic, `Math.fround` and DataView (IEEE 754 exact on every
 * engine) are used, and UTF-8 goes through runtime/utf8.ts.
 */
import { utf8Length, utf8WriteUnchecked } from "./utf8.js";

const MT_UINT = 0;
const MT_NEGINT = 1;
const MT_BYTES = 2;
const MT_TEXT = 3;
const MT_ARRAY = 4;
const MT_MAP = 5;
const MT_TAG = 6;
const TWO_32 = 0x100000000;
const BIG_TWO_64 = 0x10000000000000000n;
const BIG_MAX_SAFE = 0x1fffffffffffffn;
/** Bytes reserved by {@link CborWriter.openArray}: the longest head that {@link CborWriter.closeArray} supports. */
const OPEN_HEAD = 3;

/** Head size in bytes for an argument `n` (non-negative safe integer). */
function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < TWO_32 ? 5 : 9;
}

export class CborWriter {
  /** Size of the buffer in bytes. */
  readonly capacity: number;
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  /** 4 bytes for float32 bit inspection; reused by every `float()` call. */
  private readonly scratch: DataView;
  private pos = 0;

  /**
   * @param capacity buffer size in bytes, allocated once here; or a Uint8Array to write into (e.g. a region of a
   *   frame buffer behind its header), whose length is then the capacity.
   */
  constructor(capacity: number | Uint8Array) {
    if (typeof capacity === "number") {
      if (!Number.isSafeInteger(capacity) || capacity < 0) {
        throw new RangeError(`CborWriter: capacity ${capacity} is not a non-negative integer`);
      }
      this.buf = new Uint8Array(capacity);
    } else {
      this.buf = capacity;
    }
    this.capacity = this.buf.length;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.scratch = new DataView(new ArrayBuffer(8));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Forgets everything written; the buffer is reused. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** Drops everything after the first `length` bytes (e.g. to roll back an item or a record that did not fit). */
  truncate(length: number): this {
    if (!Number.isSafeInteger(length) || length < 0 || length > this.pos) {
      throw new RangeError(`CborWriter.truncate: ${length} is outside 0…${this.pos}`);
    }
    this.pos = length;
    return this;
  }

  /** View of the bytes written so far. Shares the buffer: valid until the next write, `reset` or `truncate`. */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A fresh copy of the bytes written so far (allocates). */
  copy(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  // ------------------------------------------------------------------ integers

  /** Unsigned integer, major type 0. `n` must be a safe integer ≥ 0; use `bigUint` above 2^53 − 1. */
  uint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`CborWriter.uint: ${n} is not a safe unsigned integer`);
    this.head(MT_UINT, n);
    return this;
  }

  /** Signed integer: major type 0 if `n` ≥ 0, else major type 1 with argument −1 − n. `n` must be a safe integer. */
  int(n: number): this {
    if (!Number.isSafeInteger(n)) throw new RangeError(`CborWriter.int: ${n} is not a safe integer`);
    if (n >= 0) this.head(MT_UINT, n);
    else this.head(MT_NEGINT, -1 - n);
    return this;
  }

  /** Unsigned integer 0 … 2^64 − 1 given as a bigint (major type 0). */
  bigUint(n: bigint): this {
    if (n < 0n || n >= BIG_TWO_64) throw new RangeError(`CborWriter.bigUint: ${n} is outside 0…2^64-1`);
    this.bigHead(MT_UINT, n);
    return this;
  }

  /** Integer −2^64 … 2^64 − 1 given as a bigint (major type 0 or 1). Bignum tags (2/3) are not written. */
  bigInt(n: bigint): this {
    if (n >= 0n) return this.bigUint(n);
    const arg = -1n - n;
    if (arg >= BIG_TWO_64) throw new RangeError(`CborWriter.bigInt: ${n} is outside -2^64…2^64-1`);
    this.bigHead(MT_NEGINT, arg);
    return this;
  }

  // ------------------------------------------------------------------ floats and numbers

  /**
   * Floating-point number in preferred serialization (RFC 8949 §4.2.2): float16 if it holds `x` exactly, else
   * float32 if it does, else float64. NaN (any payload) → `f9 7e 00`; ±Infinity → `f9 7c 00` / `f9 fc 00`;
   * −0 → `f9 80 00`.
   */
  float(x: number): this {
    if (x !== x) {
      this.ensure(3);
      const b = this.buf;
      const p = this.pos;
      b[p] = 0xf9;
      b[p + 1] = 0x7e;
      b[p + 2] = 0x00;
      this.pos = p + 3;
      return this;
    }
    const half = this.halfBits(x);
    if (half >= 0) {
      this.ensure(3);
      const b = this.buf;
      const p = this.pos;
      b[p] = 0xf9;
      b[p + 1] = half >>> 8;
      b[p + 2] = half & 0xff;
      this.pos = p + 3;
    } else if (Math.fround(x) === x) {
      this.ensure(5);
      this.buf[this.pos] = 0xfa;
      this.view.setFloat32(this.pos + 1, x);
      this.pos += 5;
    } else {
      this.ensure(9);
      const b = this.buf;
      const p = this.pos;
      b[p] = 0xfb;
      // Through the aligned scratch, then byte by byte: XS stores a double with one 64-bit store, which a Cortex-M4
      // refuses at an address that is not a multiple of 8 (a UsageFault, UNALIGNED, on the emulated nRF52840).
      const s = this.scratch;
      s.setFloat64(0, x);
      for (let i = 0; i < 8; i++) b[p + 1 + i] = s.getUint8(i);
      this.pos = p + 9;
    }
    return this;
  }

  /**
   * A JavaScript number as CBOR: an integer (major type 0/1) when `x` is a safe integer other than −0, otherwise
   * `float(x)`. So 20 → `14`, 20.5 → `f9 4d 20`, −0 → `f9 80 00`, 2^53 → float.
   */
  number(x: number): this {
    if (Number.isSafeInteger(x) && !Object.is(x, -0)) return this.int(x);
    return this.float(x);
  }

  // ------------------------------------------------------------------ strings

  /** Text string (major type 3) from a JS string, UTF-8 encoded in place; lone surrogates become U+FFFD. */
  text(s: string): this {
    const n = utf8Length(s);
    this.ensure(headSize(n) + n);
    this.head(MT_TEXT, n);
    this.pos += utf8WriteUnchecked(s, this.buf, this.pos);
    return this;
  }

  /** Text string (major type 3) from bytes that are already UTF-8 (not validated). */
  textUtf8(utf8: Uint8Array): this {
    return this.sized(MT_TEXT, utf8);
  }

  /** Byte string (major type 2). (Named so because `bytes()` returns the output.) */
  byteString(data: Uint8Array): this {
    return this.sized(MT_BYTES, data);
  }

  // ------------------------------------------------------------------ simple values

  bool(b: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = b ? 0xf5 : 0xf4;
    return this;
  }

  null(): this {
    this.ensure(1);
    this.buf[this.pos++] = 0xf6;
    return this;
  }

  // ------------------------------------------------------------------ containers and tags

  /** Head of a definite-length array of `n` items; the caller writes the `n` items next. */
  arrayHeader(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`CborWriter.arrayHeader: bad count ${n}`);
    this.head(MT_ARRAY, n);
    return this;
  }

  /** Head of a definite-length map of `n` pairs; the caller writes 2·n items next, keys in deterministic order. */
  mapHeader(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`CborWriter.mapHeader: bad count ${n}`);
    this.head(MT_MAP, n);
    return this;
  }

  /** Tag head (major type 6); the tagged item follows. */
  tag(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`CborWriter.tag: bad tag ${n}`);
    this.head(MT_TAG, n);
    return this;
  }

  /**
   * Starts an array whose item count is known only at its end: reserves 3 bytes and returns a mark for
   * {@link closeArray}. Nothing but the array's items may be written between the two calls.
   */
  openArray(): number {
    this.ensure(OPEN_HEAD);
    const mark = this.pos;
    this.pos += OPEN_HEAD;
    return mark;
  }

  /**
   * Ends an array started with {@link openArray}: writes the preferred (shortest) head for `count` items at the mark
   * and moves the items down over the unused reserved bytes. At most 65535 items.
   */
  closeArray(mark: number, count: number): this {
    if (!Number.isSafeInteger(count) || count < 0 || count > 0xffff) {
      throw new RangeError(`CborWriter.closeArray: count ${count} is outside 0…65535`);
    }
    if (!Number.isSafeInteger(mark) || mark < 0 || mark + OPEN_HEAD > this.pos) {
      throw new RangeError(`CborWriter.closeArray: bad mark ${mark}`);
    }
    const size = headSize(count);
    const body = mark + OPEN_HEAD;
    if (size < OPEN_HEAD) this.buf.copyWithin(mark + size, body, this.pos);
    const end = this.pos - (OPEN_HEAD - size);
    this.pos = mark;
    this.head(MT_ARRAY, count);
    this.pos = end;
    return this;
  }

  /** Bytes that are already CBOR (e.g. a pre-encoded key/value run), copied as they are. */
  raw(cbor: Uint8Array): this {
    this.ensure(cbor.length);
    this.buf.set(cbor, this.pos);
    this.pos += cbor.length;
    return this;
  }

  // ------------------------------------------------------------------ internals

  private ensure(n: number): void {
    const needed = this.pos + n;
    if (needed > this.capacity) {
      throw new RangeError(`CborWriter: need ${needed} bytes, capacity ${this.capacity}`);
    }
  }

  private sized(major: number, data: Uint8Array): this {
    const n = data.length;
    this.ensure(headSize(n) + n);
    this.head(major, n);
    this.buf.set(data, this.pos);
    this.pos += n;
    return this;
  }

  /** Writes a head with argument `n` (a non-negative safe integer) in its shortest form. */
  private head(major: number, n: number): void {
    const mt = major << 5;
    const b = this.buf;
    let p = this.pos;
    if (n < 24) {
      this.ensure(1);
      b[p++] = mt | n;
    } else if (n < 0x100) {
      this.ensure(2);
      b[p++] = mt | 24;
      b[p++] = n;
    } else if (n < 0x10000) {
      this.ensure(3);
      b[p++] = mt | 25;
      b[p++] = n >>> 8;
      b[p++] = n & 0xff;
    } else if (n < TWO_32) {
      this.ensure(5);
      b[p++] = mt | 26;
      this.view.setUint32(p, n);
      p += 4;
    } else {
      this.ensure(9);
      b[p++] = mt | 27;
      // n < 2^53 here, so the division is exact and `>>> 0` (ToUint32, i.e. mod 2^32) gives the low word.
      this.view.setUint32(p, Math.floor(n / TWO_32));
      this.view.setUint32(p + 4, n >>> 0);
      p += 8;
    }
    this.pos = p;
  }

  private bigHead(major: number, n: bigint): void {
    if (n <= BIG_MAX_SAFE) {
      this.head(major, Number(n));
      return;
    }
    this.ensure(9);
    const p = this.pos;
    this.buf[p] = (major << 5) | 27;
    this.view.setUint32(p + 1, Number(n >> 32n));
    this.view.setUint32(p + 5, Number(n & 0xffffffffn));
    this.pos = p + 9;
  }

  /** IEEE half-precision bits of `x` if float16 represents it exactly (x not NaN), else −1. */
  private halfBits(x: number): number {
    // Every float16 value is a float32 value, so a number float32 cannot hold is not a half either.
    if (Math.fround(x) !== x) return -1;
    const s = this.scratch;
    s.setFloat32(0, x);
    const bits = s.getUint32(0);
    const sign = (bits >>> 16) & 0x8000;
    const exp = (bits >>> 23) & 0xff;
    const mant = bits & 0x7fffff;
    if (exp === 0xff) return sign | 0x7c00; // ±Infinity (NaN was handled by the caller)
    if (exp === 0) return mant === 0 ? sign : -1; // ±0; float32 subnormals are far below half range
    const e = exp - 127;
    if (e > 15 || e < -24) return -1;
    if (e >= -14) {
      // Half normal: 10 mantissa bits, so the 13 low bits of the float32 mantissa must be zero.
      if ((mant & 0x1fff) !== 0) return -1;
      return sign | ((e + 15) << 10) | (mant >>> 13);
    }
    // Half subnormal: value = m · 2^-24 with m in 1…1023; here m = (1.mant) · 2^(e+24) = full >> (−e − 1).
    const full = mant | 0x800000;
    const shift = -e - 1;
    if ((full & ((1 << shift) - 1)) !== 0) return -1;
    return sign | (full >>> shift);
  }
}
