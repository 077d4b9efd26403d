/**
 * hal's `Ciphers` over Moddable's `crypt` BlockCipher (modules/crypt/digest: the kcl AES of fips197.c, in C), so a
 * LoRaWAN block costs one host call instead of thousands of XS byte codes.
 *
 * Moddable's `encrypt` reads and writes whole ArrayBuffers (xsmcToArrayBuffer): each cipher keeps two 16-byte
 * buffers of its own and copies the caller's block in and out byte by byte, so a block allocates nothing (a
 * subarray per block would).
 */
import { BlockCipher as ModdableBlockCipher } from "crypt";
import type { BlockCipher, Ciphers } from "../host.js";

const BLOCK = 16;

class ModdableAes128 implements BlockCipher {
  readonly #cipher: ModdableBlockCipher;
  readonly #in = new ArrayBuffer(BLOCK);
  readonly #out = new ArrayBuffer(BLOCK);
  readonly #inBytes = new Uint8Array(this.#in);
  readonly #outBytes = new Uint8Array(this.#out);

  constructor(key: Uint8Array) {
    if (key.length !== BLOCK) throw new RangeError(`AES-128 key must be 16 bytes, got ${key.length}`);
    // modCrypt.c copies the key into the cipher's context: the buffer can go.
    this.#cipher = new ModdableBlockCipher("AES", key.slice().buffer);
  }

  encryptBlock(src: Uint8Array, srcAt: number, dst: Uint8Array, dstAt: number): void {
    if (!(srcAt >= 0 && srcAt + BLOCK <= src.length)) throw new RangeError(`AES-128: input block at ${srcAt} outside ${src.length} bytes`);
    if (!(dstAt >= 0 && dstAt + BLOCK <= dst.length)) throw new RangeError(`AES-128: output block at ${dstAt} outside ${dst.length} bytes`);
    const i = this.#inBytes;
    const o = this.#outBytes;
    for (let k = 0; k < BLOCK; k++) i[k] = src[srcAt + k]!;
    this.#cipher.encrypt(this.#in, this.#out);
    for (let k = 0; k < BLOCK; k++) dst[dstAt + k] = o[k]!;
  }
}

export function createCiphers(): Ciphers {
  return Object.freeze({ aes128: (key: Uint8Array): BlockCipher => new ModdableAes128(key) });
}
