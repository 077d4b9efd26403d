/**
 * CRC-32 as IEEE 802.3, zlib and PNG compute it: reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF, final
 * XOR 0xFFFFFFFF. Check value: crc32("123456789") = 0xCBF43926.
 *
 * Bitwise (no table), so it needs no RAM and nothing to preload; the records it protects are tens of bytes.
 * Pass a previous result as `crc` to continue over a second range, as zlib's crc32(crc, buf) does.
 */
export function crc32(bytes: Uint8Array, offset = 0, length = bytes.length - offset, crc = 0): number {
  let c = ~crc;
  for (let i = offset, end = offset + length; i < end; i++) {
    c ^= bytes[i]!;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
