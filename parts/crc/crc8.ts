/**
 * CRC-8 as Sensirion protects every 16-bit word on the wire (SHT3x-DIS datasheet §4.12, Table 20): polynomial 0x31
 * (x⁸ + x⁵ + x⁴ + 1), initial value 0xFF, no reflection of input or output, no final XOR. Datasheet example:
 * CRC(0xBE, 0xEF) = 0x92.
 *
 * Bitwise (no table) so it costs no RAM and nothing needs preloading; two bytes per word make this cheap.
 */
export function crc8Sensirion(bytes: Uint8Array, offset = 0, length = bytes.length - offset): number {
  let crc = 0xff;
  for (let i = offset, end = offset + length; i < end; i++) {
    crc ^= bytes[i]!;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}
