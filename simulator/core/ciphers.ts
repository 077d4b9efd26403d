/**
 * `host.cipher` (hal/host.ts `Ciphers`) for the simulator's provider, over whatever computes AES-128 natively where
 * the node runs: C host functions on XS (the host runner's `$xs`, the emulated image's `native`: both are
 * emulator/firmware/cipher_natives.c) or Node's OpenSSL on V8. Device code then spends on a block what a board's AES
 * hardware or Moddable's C costs it (one host call), not milliseconds of byte code; the bytes are FIPS-197's in
 * every case (test/runtime/aes128.test.ts).
 */
import type { BlockCipher, Ciphers } from "../../hal/host.js";

/** The C host functions of emulator/firmware/cipher_natives.c. */
export interface AesNatives {
  /** Round keys of the 16 bytes at `key[keyOffset…]` into `schedule` (`aesScheduleBytes` long). */
  aesExpand(key: ArrayBufferLike, keyOffset: number, schedule: ArrayBufferLike): void;
  aesEncrypt(schedule: ArrayBufferLike, src: ArrayBufferLike, srcOffset: number, dst: ArrayBufferLike, dstOffset: number): void;
  readonly aesScheduleBytes: number;
}

/** The subset of `node:crypto` used (passed in, so this module stays portable). */
export interface NodeCryptoLike {
  createCipheriv(algorithm: "aes-128-ecb", key: Uint8Array, iv: null): { setAutoPadding(pad: boolean): unknown; update(data: Uint8Array): Uint8Array };
}

function checkKey(key: Uint8Array): void {
  if (key.length !== 16) throw new RangeError(`AES-128 key must be 16 bytes, got ${key.length}`);
}

function checkBlock(what: string, bytes: Uint8Array, at: number): void {
  if (!(at >= 0 && at + 16 <= bytes.length)) throw new RangeError(`AES-128: ${what} block at ${at} outside ${bytes.length} bytes`);
}

/** One key's schedule, kept in an ArrayBuffer the C reads; a block is one host call on the callers' own buffers. */
export class NativeAes128 implements BlockCipher {
  readonly #natives: AesNatives;
  readonly #schedule: ArrayBuffer;

  constructor(natives: AesNatives, key: Uint8Array) {
    checkKey(key);
    this.#natives = natives;
    this.#schedule = new ArrayBuffer(natives.aesScheduleBytes);
    natives.aesExpand(key.buffer, key.byteOffset, this.#schedule);
  }

  encryptBlock(src: Uint8Array, srcAt: number, dst: Uint8Array, dstAt: number): void {
    checkBlock("input", src, srcAt);
    checkBlock("output", dst, dstAt);
    this.#natives.aesEncrypt(this.#schedule, src.buffer, src.byteOffset + srcAt, dst.buffer, dst.byteOffset + dstAt);
  }
}

export function nativeCiphers(natives: AesNatives): Ciphers {
  return Object.freeze({ aes128: (key: Uint8Array): BlockCipher => new NativeAes128(natives, key) });
}

/** One key's AES-128-ECB context in OpenSSL: ECB keeps no state between blocks, so one context serves them all. */
class NodeAes128 implements BlockCipher {
  readonly #ecb: { update(data: Uint8Array): Uint8Array };

  constructor(crypto: NodeCryptoLike, key: Uint8Array) {
    checkKey(key);
    const ecb = crypto.createCipheriv("aes-128-ecb", key, null);
    ecb.setAutoPadding(false);
    this.#ecb = ecb;
  }

  encryptBlock(src: Uint8Array, srcAt: number, dst: Uint8Array, dstAt: number): void {
    checkBlock("input", src, srcAt);
    checkBlock("output", dst, dstAt);
    dst.set(this.#ecb.update(src.subarray(srcAt, srcAt + 16)), dstAt);
  }
}

export function nodeCryptoCiphers(crypto: NodeCryptoLike): Ciphers {
  return Object.freeze({ aes128: (key: Uint8Array): BlockCipher => new NodeAes128(crypto, key) });
}
