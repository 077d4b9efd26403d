/**
 * Hex text for the BC95's socket commands (AT+NSOST sends and AT+NSORF returns data as hex digits), without
 * allocating per digit: bytes in, ASCII digits out, and back, refusing anything that is not an even run of hex.
 */

const DIGITS = "0123456789ABCDEF";

/** Upper-case hex of `bytes` (what the BC95 prints and accepts). */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += DIGITS[b >> 4]! + DIGITS[b & 15]!;
  }
  return out;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 65 && c <= 70) return c - 55; // A-F
  if (c >= 97 && c <= 102) return c - 87; // a-f
  return -1;
}

/** Bytes of a hex string; undefined when it has an odd length or a character that is not a hex digit. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(text.charCodeAt(2 * i));
    const lo = nibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}
