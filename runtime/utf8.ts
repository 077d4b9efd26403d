/**
 * UTF-8 encoding by hand, for device code.
 *
 * `TextEncoder` is a WHATWG API, not ECMAScript: Moddable XS on a board does not have it. This module gives the same
 * bytes on V8 (the simulator) and on every XS build.
 *
 * Why the loop looks the way it does: the engines do not agree on what a string index is.
 * - V8, and XS built with `mxCESU8`, index strings by UTF-16 code unit: `"𐅑".length === 2`, `codePointAt(0)` is
 *   0x10151 and index 1 holds the trailing surrogate 0xDD51.
 * - XS built without `mxCESU8` (its UTF-8 string storage, usual on device builds) indexes by code point:
 *   `"𐅑".length === 1`, index 1 is already the next character.
 * So the loop
 * 1. reads with `codePointAt(i)`, which both engines define to return the whole code point for a supplementary
 *    character (on V8 it joins a valid surrogate pair itself);
 * 2. advances past a supplementary character by {@link astralUnits} — the number of string indices one such
 *    character takes *on the running engine* (2 or 1) — measured at call time, never frozen into a module constant,
 *    because Moddable preloads modules on the build host and the value must describe the engine that runs the code;
 * 3. joins a high surrogate with a following low surrogate explicitly. V8 never hands back a high surrogate that has
 *    a low one after it (codePointAt already joined them), but an XS string built by concatenating two halves can
 *    hold them as two separate "code points"; joining them here gives V8's bytes on XS too;
 * 4. replaces any surrogate still alone with U+FFFD (EF BF BD), as `TextEncoder` and the WHATWG spec do, so the
 *    output is always well-formed UTF-8 (CBOR text strings must be, RFC 8949 §3.1).
 */

/** What the encoder needs of a string: its index space and `codePointAt`. */
export interface CodePointIndexed {
  readonly length: number;
  codePointAt(index: number): number | undefined;
}

const ASTRAL_PROBE = "\u{10000}";

/**
 * String indices taken by one supplementary-plane character on the running engine: 2 where strings are indexed by
 * UTF-16 code unit (V8, XS with `mxCESU8`), 1 where they are indexed by code point (XS with UTF-8 strings).
 */
export function astralUnits(): 1 | 2 {
  return ASTRAL_PROBE.length === 1 ? 1 : 2;
}

const REPLACEMENT = 0xfffd;

/**
 * Walks `s` and returns its UTF-8 byte length; when `out` is given, also writes the bytes at `out[offset…]`.
 * The caller guarantees room (use the returned length of a first, counting pass).
 */
function walk(s: CodePointIndexed, step: number, out: Uint8Array | null, offset: number): number {
  const n = s.length;
  let at = offset;
  let i = 0;
  while (i < n) {
    let cp = s.codePointAt(i) as number;
    if (cp > 0xffff) {
      i += step;
    } else {
      i += 1;
      if (cp >= 0xd800 && cp <= 0xdfff) {
        // A high surrogate followed by a low one is one character (only reachable on code-point-indexed XS).
        const lo = cp <= 0xdbff && i < n ? (s.codePointAt(i) as number) : 0;
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          i += 1;
        } else {
          cp = REPLACEMENT;
        }
      }
    }
    if (cp < 0x80) {
      if (out !== null) out[at] = cp;
      at += 1;
    } else if (cp < 0x800) {
      if (out !== null) {
        out[at] = 0xc0 | (cp >> 6);
        out[at + 1] = 0x80 | (cp & 0x3f);
      }
      at += 2;
    } else if (cp < 0x10000) {
      if (out !== null) {
        out[at] = 0xe0 | (cp >> 12);
        out[at + 1] = 0x80 | ((cp >> 6) & 0x3f);
        out[at + 2] = 0x80 | (cp & 0x3f);
      }
      at += 3;
    } else {
      if (out !== null) {
        out[at] = 0xf0 | (cp >> 18);
        out[at + 1] = 0x80 | ((cp >> 12) & 0x3f);
        out[at + 2] = 0x80 | ((cp >> 6) & 0x3f);
        out[at + 3] = 0x80 | (cp & 0x3f);
      }
      at += 4;
    }
  }
  return at - offset;
}

/** Number of bytes `utf8Encode(s)` produces (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  return walk(s, astralUnits(), null, 0);
}

/** UTF-8 bytes of `s`, in a new array; lone surrogates become U+FFFD. For setup code, not per-sample paths. */
export function utf8Encode(s: string): Uint8Array {
  const step = astralUnits();
  const out = new Uint8Array(walk(s, step, null, 0));
  walk(s, step, out, 0);
  return out;
}

/**
 * Writes the UTF-8 bytes of `s` into `out` at `offset` without allocating and returns how many were written.
 * Throws a RangeError, writing nothing, if they do not fit.
 */
export function utf8EncodeInto(s: string, out: Uint8Array, offset: number): number {
  const step = astralUnits();
  const needed = walk(s, step, null, 0);
  if (offset < 0 || offset + needed > out.length) {
    throw new RangeError(`utf8EncodeInto: need ${offset + needed} bytes, capacity ${out.length}`);
  }
  return walk(s, step, out, offset);
}

/**
 * The encoder with the engine's index semantics made explicit: `astralStep` is what {@link astralUnits} would
 * return. Lets tests run the code-point-indexed (XS UTF-8) path on V8 with a string-like stand-in.
 * @internal
 */
export function utf8EncodeIndexed(s: CodePointIndexed, astralStep: 1 | 2): Uint8Array {
  const out = new Uint8Array(walk(s, astralStep, null, 0));
  walk(s, astralStep, out, 0);
  return out;
}

/**
 * Writes the UTF-8 bytes of `s` at `out[offset…]` and returns their count, without checking room: for callers that
 * measured with {@link utf8Length} and checked capacity themselves (the CBOR writer). Out-of-range writes to a typed
 * array are silently dropped, so a wrong caller loses bytes rather than corrupting memory.
 * @internal
 */
export function utf8WriteUnchecked(s: string, out: Uint8Array, offset: number): number {
  return walk(s, astralUnits(), out, offset);
}

/**
 * Bytes `s` takes in UTF-8, or -1 when it holds U+0000 or a lone surrogate: the test for strings a protocol
 * forbids to carry them (MQTT 3.1.1 §1.5.3 [MQTT-1.5.3-1], [MQTT-1.5.3-2]). Same engine-independent walk as
 * the encoder.
 */
export function utf8StrictLength(s: string): number {
  const step = astralUnits();
  const n = s.length;
  let bytes = 0;
  let i = 0;
  while (i < n) {
    const cp = s.codePointAt(i) as number;
    if (cp > 0xffff) {
      i += step;
      bytes += 4;
      continue;
    }
    i += 1;
    if (cp === 0) return -1;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const lo = cp <= 0xdbff && i < n ? (s.codePointAt(i) as number) : 0;
      if (!(lo >= 0xdc00 && lo <= 0xdfff)) return -1;
      i += 1;
      bytes += 4;
      continue;
    }
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
  }
  return bytes;
}

/**
 * Code units handed to one `String.fromCharCode.apply`: every one is an argument on the JS stack, and a board's XS
 * stack is 512–768 slots (manifests/boards `creation.stack`), so a long text decoded in one call would overflow it.
 */
const DECODE_CHUNK = 64;

/**
 * Decode `bytes[start, end)` strictly: undefined when the bytes are not well-formed UTF-8 (overlong forms,
 * surrogates, code points above U+10FFFF, truncated sequences) or contain U+0000. Supplementary characters are
 * built with `String.fromCodePoint`, which gives the right string whether the engine indexes by UTF-16 unit or
 * by code point.
 */
export function utf8Decode(bytes: Uint8Array, start: number, end: number): string | undefined {
  let s = "";
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    let cp: number;
    if (b < 0x80) {
      if (b === 0) return undefined;
      cp = b;
      i += 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
      if (i + 1 >= end) return undefined;
      const b1 = bytes[i + 1]!;
      if ((b1 & 0xc0) !== 0x80) return undefined;
      cp = ((b & 0x1f) << 6) | (b1 & 0x3f);
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      if (i + 2 >= end) return undefined;
      const b1 = bytes[i + 1]!;
      const b2 = bytes[i + 2]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) return undefined;
      cp = ((b & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      if (i + 3 >= end) return undefined;
      const b1 = bytes[i + 1]!;
      const b2 = bytes[i + 2]!;
      const b3 = bytes[i + 3]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return undefined;
      cp = ((b & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return undefined;
      i += 4;
    } else {
      return undefined;
    }
    if (cp >= 0x10000) {
      if (units.length > 0) {
        s += String.fromCharCode.apply(null, units);
        units.length = 0;
      }
      s += String.fromCodePoint(cp);
      continue;
    }
    units.push(cp);
    if (units.length >= DECODE_CHUNK) {
      s += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  if (units.length > 0) s += String.fromCharCode.apply(null, units);
  return s;
}
