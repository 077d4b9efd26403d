/**
 * Hex text for the BC95's socket commands (AT+NSOST sends and AT+NSORF returns data as hex digits), without
 * allocating per digit: bytes in, ASCII digits out, and back, refusing anything that is not an even run of hex.
 */

const DIGITS = "0123456789ABCDEF";

/** The two digits of every byte value, made once (preloaded into flash with the module, frozen). */
const PAIRS: readonly string[] = Object.freeze(Array.from({ length: 256 }, (_, b) => DIGITS[b >> 4]! + DIGITS[b & 15]!));

/** Bytes per leaf of toHex's halving: short enough that growing its text digit by digit costs little. */
const LEAF = 8;

function hexOf(bytes: Uint8Array, from: number, to: number): string {
  if (to - from <= LEAF) {
    let out = "";
    for (let i = from; i < to; i++) out += PAIRS[bytes[i]!]!;
    return out;
  }
  const mid = (from + to) >> 1;
  return hexOf(bytes, from, mid) + hexOf(bytes, mid, to);
}

/**
 * Upper-case hex of `bytes` (what the BC95 prints and accepts), joined by halves. XS strings are flat, so a string
 * grown two digits at a time copies the whole text at every step: a 200-byte datagram would allocate about 80 KB of
 * chunks, more than an nRF52840 board's chunk heap, forcing collections inside the report (and XS's Array join
 * grows its result the same way). Halving copies each digit once per level, about 4 KB for 200 bytes.
 */
export function toHex(bytes: Uint8Array): string {
  return hexOf(bytes, 0, bytes.length);
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
