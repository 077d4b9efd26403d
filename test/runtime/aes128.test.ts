/**
 * runtime/crypto/aes128.ts against FIPS-197's own worked examples: Appendix B (the cipher example with its
 * intermediate key schedule) and Appendix C.1 (the AES-128 example vector). Runs on V8 and XS (test/xs/unit.test.ts).
 */
import { describe, expect, it } from "vitest";
import { Aes128 } from "../../runtime/crypto/aes128.js";
import { fromHex, toHex } from "../helpers/hex.js";

function encrypt(key: string, plaintext: string): string {
  const aes = new Aes128(fromHex(key));
  const out = new Uint8Array(16);
  aes.encryptBlock(fromHex(plaintext), 0, out, 0);
  return toHex(out);
}

describe("AES-128 (FIPS-197)", () => {
  it("Appendix B: 3243f6a8… under 2b7e1516… gives 3925841d…", () => {
    expect(encrypt("2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734")).toBe("3925841d02dc09fbdc118597196a0b32");
  });

  it("Appendix C.1: 00112233… under 00010203… gives 69c4e0d8…", () => {
    expect(encrypt("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff")).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
  });

  it("encrypts in place, at offsets, and re-keys without leftovers from the previous key", () => {
    const aes = new Aes128(fromHex("2b7e151628aed2a6abf7158809cf4f3c"));
    const buf = new Uint8Array(40);
    buf.set(fromHex("00112233445566778899aabbccddeeff"), 7);
    aes.setKey(fromHex("000102030405060708090a0b0c0d0e0f"));
    aes.encryptBlock(buf, 7, buf, 7);
    expect(toHex(buf.subarray(7, 23))).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
    expect(buf[6]).toBe(0);
    expect(buf[23]).toBe(0);
  });

  it("rejects a key of the wrong size and blocks outside the arrays, naming the sizes", () => {
    expect(() => new Aes128(new Uint8Array(15))).toThrow("AES-128 key must be 16 bytes, got 15");
    const aes = new Aes128(new Uint8Array(16));
    expect(() => aes.encryptBlock(new Uint8Array(16), 1, new Uint8Array(16), 0)).toThrow("input block at 1 outside 16 bytes");
    expect(() => new Aes128().encryptBlock(new Uint8Array(16), 0, new Uint8Array(16), 0)).toThrow("before setKey");
  });
});
