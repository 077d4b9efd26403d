/**
 * A tiny strict UTF-8 encoder/decoder for MQTT strings (MQTT 3.1.1 §1.5.3), device code.
 *
 * Kept private to the MQTT client so it does not depend on anything else in the runtime (a shared `runtime/utf8.ts`
 * may replace it later). No TextEncoder/TextDecoder: XS on a board does not have them.
 *
 * MQTT rules applied here: no lone surrogates (U+D800…U+DFFF) [MQTT-1.5.3-1] and no U+0000 [MQTT-1.5.3-2], in
 * both directions; decoding also rejects overlong forms, code points above U+10FFFF and truncated sequences.
 */

/** Bytes `s` takes in UTF-8, or -1 when it holds a lone surrogate or U+0000 (not allowed in an MQTT string). */
export function utf8Length(s: string): number {
  let n = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) return -1;
      n += 1;
    } else if (c < 0x800) {
      n += 2;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (c >= 0xdc00 || i + 1 >= len) return -1;
      const d = s.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return -1;
      i++;
      n += 4;
    } else {
      n += 3;
    }
  }
  return n;
}

/**
 * Write `s` as UTF-8 into `out` at `offset`; returns the offset after it. The caller has checked `utf8Length(s)`
 * (>= 0) and made room.
 */
export function utf8Write(s: string, out: Uint8Array, offset: number): number {
  let o = offset;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
    } else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 0x3f);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return o;
}

/** `s` as a new UTF-8 byte array; throws a RangeError on a lone surrogate or U+0000. */
export function utf8Encode(s: string): Uint8Array {
  const n = utf8Length(s);
  if (n < 0) throw new RangeError("string holds a lone surrogate or U+0000");
  const out = new Uint8Array(n);
  utf8Write(s, out, 0);
  return out;
}

const CHUNK = 1024;

/**
 * Decode `bytes[start, end)` strictly. Returns undefined when the bytes are not well-formed UTF-8 or encode
 * U+0000 or a surrogate.
 */
export function utf8Decode(bytes: Uint8Array, start: number, end: number): string | undefined {
  // Fast path: plain ASCII (nearly every topic).
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === 0) return undefined;
    if (b >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    let s = "";
    for (let i = start; i < end; i += CHUNK) {
      const stop = i + CHUNK < end ? i + CHUNK : end;
      s += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
    }
    return s;
  }
  const units: number[] = [];
  let s = "";
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
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length >= CHUNK) {
      s += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  if (units.length > 0) s += String.fromCharCode.apply(null, units);
  return s;
}
