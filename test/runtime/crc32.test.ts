/**
 * runtime/crc32.ts against the catalogue check value (CRC-32/ISO-HDLC, "123456789" → 0xCBF43926) and against
 * Node's zlib.crc32 (zlib's own implementation) on random buffers, including continuation over two ranges.
 */
import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32 } from "../../runtime/crc32.js";
import { Rng } from "../../simulator/core/rng.js";

describe("crc32", () => {
  it("gives the catalogue check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("agrees with zlib on random buffers, ranges and continuations", () => {
    const r = new Rng("crc32");
    for (let n = 0; n < 200; n++) {
      const b = new Uint8Array(r.int(300)).map(() => r.int(256));
      expect(crc32(b)).toBe(zlibCrc32(b));
      const cut = r.int(b.length + 1);
      expect(crc32(b, cut, b.length - cut, crc32(b, 0, cut))).toBe(zlibCrc32(b));
      expect(crc32(b, cut)).toBe(zlibCrc32(b.subarray(cut)));
    }
  });
});
