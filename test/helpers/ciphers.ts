/**
 * `host.cipher` for tests that run unchanged on V8 and XS (test/xs/unit.test.ts): the XS runner's C natives when
 * there are any (emulator/firmware/cipher_natives.c), Node's OpenSSL otherwise — taken at run time, so the bundle
 * XS runs imports nothing of Node's.
 */
import type { Ciphers } from "../../hal/host.js";
import { nativeCiphers, nodeCryptoCiphers, type AesNatives, type NodeCryptoLike } from "../../simulator/core/ciphers.js";

export function testCiphers(): Ciphers {
  const xs = (globalThis as unknown as { $xs?: Partial<AesNatives> }).$xs;
  if (xs && typeof xs.aesEncrypt === "function") return nativeCiphers(xs as AesNatives);
  const node = (globalThis as unknown as { process?: { getBuiltinModule?(name: string): unknown } }).process;
  const crypto = node?.getBuiltinModule?.("node:crypto") as NodeCryptoLike | undefined;
  if (!crypto) throw new Error("testCiphers: neither the XS runner's AES natives nor node:crypto are here");
  return nodeCryptoCiphers(crypto);
}

