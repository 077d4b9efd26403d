/**
 * Packed BCD as meter protocols carry it (DL/T 645-2007, CJ/T 188-2004): two decimal digits a byte, the least
 * significant byte first. Addresses are BCD digit strings written most significant digit first, as printed on a
 * meter's nameplate.
 */

/** `value` (a non-negative integer) into `length` BCD bytes at `offset`, least significant byte first. */
export function putBcd(out: Uint8Array, offset: number, length: number, value: number): void {
  let limit = 1;
  for (let i = 0; i < length; i++) limit *= 100;
  if (!Number.isInteger(value) || value < 0 || value >= limit) {
    throw new RangeError(`BCD: ${value} does not fit in ${length} byte(s)`);
  }
  let v = value;
  for (let i = 0; i < length; i++) {
    const two = v % 100;
    out[offset + i] = ((two / 10) | 0) * 16 + (two % 10);
    v = (v - two) / 100;
  }
}

/** `length` BCD bytes at `offset`, least significant first, as an integer; -1 when a nibble is not a digit. */
export function getBcd(bytes: Uint8Array, offset: number, length: number): number {
  let v = 0;
  for (let i = length - 1; i >= 0; i--) {
    const b = bytes[offset + i]!;
    const hi = b >> 4;
    const lo = b & 0x0f;
    if (hi > 9 || lo > 9) return -1;
    v = v * 100 + hi * 10 + lo;
  }
  return v;
}

/**
 * A nameplate address ("123456789012") as `length` bytes, least significant first. "A" digits stand for the
 * wildcard nibble 0xA (DL/T 645's AA…AA and CJ/T 188's AA…AA addresses); a short address is padded with leading
 * zeros.
 */
export function addressBytes(text: string, length: number, what: string): Uint8Array {
  if (!/^[0-9Aa]+$/.test(text) || text.length > length * 2) {
    throw new RangeError(`${what}: address ${JSON.stringify(text)} must be up to ${length * 2} decimal digits (A for the wildcard)`);
  }
  const digits = text.toUpperCase().padStart(length * 2, "0");
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const at = digits.length - 2 * (i + 1);
    out[i] = nibble(digits.charCodeAt(at)) * 16 + nibble(digits.charCodeAt(at + 1));
  }
  return out;
}

/** The nameplate form of address bytes (least significant first). */
export function addressText(bytes: Uint8Array, offset: number, length: number): string {
  let s = "";
  for (let i = length - 1; i >= 0; i--) s += hex2(bytes[offset + i]!);
  return s.toUpperCase();
}

/** Whether `heard` (in a frame at `offset`) addresses a meter at `own`: equal, or 0xAA wildcard bytes. */
export function addressMatches(heard: Uint8Array, offset: number, own: Uint8Array): boolean {
  for (let i = 0; i < own.length; i++) {
    const b = heard[offset + i];
    if (b !== own[i] && b !== 0xaa) return false;
  }
  return true;
}

export function hex2(b: number): string {
  return (b < 16 ? "0" : "") + b.toString(16);
}

/** "68 12 34 …" for messages. */
export function hexBytes(bytes: Uint8Array, offset = 0, end = bytes.length): string {
  let s = "";
  for (let i = offset; i < end; i++) s += (i > offset ? " " : "") + hex2(bytes[i]!).toUpperCase();
  return s;
}

/** 10^n for small whole n, exact (no libm `pow`). */
export function pow10(n: number): number {
  let v = 1;
  for (let i = 0; i < n; i++) v *= 10;
  return v;
}

function nibble(c: number): number {
  return c >= 65 ? c - 55 : c - 48;
}
