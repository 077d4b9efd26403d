/**
 * runtime/crypto/cmac.ts against every example of RFC 4493 §4 (subkeys and the four messages of 0, 16, 40 and 64
 * bytes), fed whole and in uneven pieces, over the host's AES (`host.cipher`: Node's OpenSSL on V8, the C of
 * emulator/firmware/aes128.c on XS). Runs on V8 and XS (test/xs/unit.test.ts). RFC 4493's examples are SP 800-38B's
 * (Appendix D.1) for AES-128.
 */
import { describe, expect, it } from "vitest";
import { AesCmac } from "../../runtime/crypto/cmac.js";
import { testCiphers } from "../helpers/ciphers.js";
import { fromHex, toHex } from "../helpers/hex.js";

const aes = (key: string) => testCiphers().aes128(fromHex(key));

const K = "2b7e1516 28aed2a6 abf71588 09cf4f3c";
const M64 =
  "6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51 30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710";
const EXAMPLES: readonly (readonly [number, string])[] = [
  [0, "bb1d6929 e9593728 7fa37d12 9b756746"],
  [16, "070a16b4 6b4d4144 f79bdd9d d04a287c"],
  [40, "dfa66747 de9ae630 30ca3261 1497c827"],
  [64, "51f0bebf 7e3b9d92 fc497417 79363cfe"],
];

function tag(cmac: AesCmac): string {
  const out = new Uint8Array(16);
  cmac.finish(out);
  return toHex(out);
}

describe("AES-CMAC (RFC 4493 §4)", () => {
  const message = fromHex(M64);

  it.each(EXAMPLES)("Example of %i bytes", (length, expected) => {
    const cmac = new AesCmac(aes(K));
    expect(tag(cmac.begin().update(message, 0, length))).toBe(toHex(fromHex(expected)));
  });

  it.each(EXAMPLES)("the %i-byte example fed 1, 3, 5 … bytes at a time gives the same tag", (length, expected) => {
    const cmac = new AesCmac(aes(K));
    cmac.begin();
    let at = 0;
    for (let step = 1; at < length; step += 2) {
      const n = Math.min(step, length - at);
      cmac.update(message, at, n);
      at += n;
    }
    expect(tag(cmac)).toBe(toHex(fromHex(expected)));
  });

  it("re-keys and re-uses a MAC without carrying state over (both subkeys are pinned by the examples above)", () => {
    // K1 (fbeed618…) enters the 16- and 64-byte examples, K2 (f7ddac30…) the 0- and 40-byte ones.
    const cmac = new AesCmac(testCiphers().aes128(new Uint8Array(16)));
    cmac.setCipher(aes(K));
    expect(tag(cmac.update(message, 0, 16))).toBe("070a16b46b4d4144f79bdd9dd04a287c");
    expect(tag(cmac.update(message, 0, 16))).toBe("070a16b46b4d4144f79bdd9dd04a287c");
  });

  it("writes a truncated tag at an offset (a LoRaWAN MIC is CMAC[0..3])", () => {
    const cmac = new AesCmac(aes(K));
    const out = new Uint8Array(8);
    cmac.update(message, 0, 40).finish(out, 2, 4);
    expect(toHex(out)).toBe("0000dfa66747" + "0000");
  });

  it("says so when used before it has a key", () => {
    expect(() => new AesCmac().update(message, 0, 40).finish(new Uint8Array(16))).toThrow("CMAC: used before setCipher");
  });
});
