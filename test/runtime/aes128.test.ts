/**
 * The host's AES-128 (`host.cipher`, hal/host.ts) against FIPS-197's own worked examples: Appendix B (the cipher
 * example) and Appendix C.1 (the AES-128 example vector). On V8 it is Node's OpenSSL (simulator/node/ciphers.ts);
 * on XS (test/xs/unit.test.ts) the C of emulator/firmware/aes128.c behind the runner's natives, the same source the
 * emulated image runs on its Cortex-M4.
 */
import { describe, expect, it } from "vitest";
import { testCiphers } from "../helpers/ciphers.js";
import { fromHex, toHex } from "../helpers/hex.js";

function encrypt(key: string, plaintext: string): string {
  const out = new Uint8Array(16);
  testCiphers().aes128(fromHex(key)).encryptBlock(fromHex(plaintext), 0, out, 0);
  return toHex(out);
}

describe("AES-128 (FIPS-197), host.cipher", () => {
  it("Appendix B: 3243f6a8… under 2b7e1516… gives 3925841d…", () => {
    expect(encrypt("2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734")).toBe("3925841d02dc09fbdc118597196a0b32");
  });

  it("Appendix C.1: 00112233… under 00010203… gives 69c4e0d8…", () => {
    expect(encrypt("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff")).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
  });

  it("encrypts in place at offsets inside views, touching nothing around the block", () => {
    const backing = new Uint8Array(48);
    const buf = backing.subarray(3, 43);
    buf.set(fromHex("00112233445566778899aabbccddeeff"), 7);
    const aes = testCiphers().aes128(fromHex("000102030405060708090a0b0c0d0e0f"));
    aes.encryptBlock(buf, 7, buf, 7);
    expect(toHex(buf.subarray(7, 23))).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
    expect(backing[9]).toBe(0);
    expect(backing[26]).toBe(0);
  });

  it("keeps its own copy of the key, and two keys do not share state", () => {
    const key = fromHex("2b7e151628aed2a6abf7158809cf4f3c");
    const ciphers = testCiphers();
    const b = ciphers.aes128(key);
    key.fill(0);
    const c = ciphers.aes128(fromHex("000102030405060708090a0b0c0d0e0f"));
    const out = new Uint8Array(32);
    b.encryptBlock(fromHex("3243f6a8885a308d313198a2e0370734"), 0, out, 0);
    c.encryptBlock(fromHex("00112233445566778899aabbccddeeff"), 0, out, 16);
    expect(toHex(out)).toBe("3925841d02dc09fbdc118597196a0b32" + "69c4e0d86a7b0430d8cdb78070b4c55a");
  });

  it("rejects a key of the wrong size and blocks outside the arrays, naming the sizes", () => {
    const ciphers = testCiphers();
    expect(() => ciphers.aes128(new Uint8Array(15))).toThrow("AES-128 key must be 16 bytes, got 15");
    const aes = ciphers.aes128(new Uint8Array(16));
    expect(() => aes.encryptBlock(new Uint8Array(16), 1, new Uint8Array(16), 0)).toThrow("input block at 1 outside 16 bytes");
    expect(() => aes.encryptBlock(new Uint8Array(16), 0, new Uint8Array(20), 5)).toThrow("output block at 5 outside 20 bytes");
  });
});
