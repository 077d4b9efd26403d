/**
 * AES-CMAC (RFC 4493, NIST SP 800-38B) over AES-128, incremental so a LoRaWAN MIC can cover B0 | message without
 * concatenating them into a new buffer: `begin`, any number of `update`s, `finish`. Nothing is allocated per call.
 * The block cipher is the host's (`host.cipher.aes128`: a board's AES hardware or C), so a MAC costs byte code only
 * for its XORs.
 */
import type { BlockCipher } from "../../hal/host.js";

/** R_128 of RFC 4493 §2.3: the constant folded in when doubling overflows. */
const RB = 0x87;

export class AesCmac {
  #aes: BlockCipher | undefined;
  readonly #k1 = new Uint8Array(16);
  readonly #k2 = new Uint8Array(16);
  /** Running CBC-MAC state X (RFC 4493 §2.4 step 6). */
  readonly #x = new Uint8Array(16);
  /** The last block seen, held back because it is the one that gets K1 or K2. */
  readonly #last = new Uint8Array(16);
  #lastLength = 0;

  /** A MAC under `cipher`'s key, or unkeyed until `setCipher`. */
  constructor(cipher?: BlockCipher) {
    if (cipher) this.setCipher(cipher);
  }

  /** The cipher the MAC is keyed with (others may encrypt with the same key through it). */
  get cipher(): BlockCipher {
    return this.#keyed();
  }

  /** Take `cipher`'s key and derive K1, K2 (RFC 4493 §2.3 Generate_Subkey). */
  setCipher(cipher: BlockCipher): void {
    this.#aes = cipher;
    const l = this.#k2; // scratch for L = AES-K(0^128)
    l.fill(0);
    cipher.encryptBlock(l, 0, l, 0);
    double(l, this.#k1);
    double(this.#k1, this.#k2);
    this.begin();
  }

  begin(): this {
    this.#x.fill(0);
    this.#lastLength = 0;
    return this;
  }

  update(bytes: Uint8Array, offset = 0, length = bytes.length - offset): this {
    if (offset < 0 || length < 0 || offset + length > bytes.length) throw new RangeError(`CMAC: ${length} bytes at ${offset} outside ${bytes.length}`);
    const x = this.#x;
    const last = this.#last;
    const end = offset + length;
    let i = offset;
    while (i < end) {
      if (this.#lastLength === 16) {
        // More data follows, so the held block is not the last one: chain it.
        for (let j = 0; j < 16; j++) x[j] = x[j]! ^ last[j]!;
        this.#keyed().encryptBlock(x, 0, x, 0);
        this.#lastLength = 0;
      }
      let n = 16 - this.#lastLength;
      if (n > end - i) n = end - i;
      last.set(bytes.subarray(i, i + n), this.#lastLength);
      this.#lastLength += n;
      i += n;
    }
    return this;
  }

  /** Write the 16-byte tag, or its first `tagLength` bytes, to `out[outOffset…]`; the MAC is ready for `begin`. */
  finish(out: Uint8Array, outOffset = 0, tagLength = 16): void {
    const x = this.#x;
    const last = this.#last;
    const n = this.#lastLength;
    // RFC 4493 §2.4 steps 3–4: a complete last block is XORed with K1; an incomplete (or empty) one is padded with
    // 10…0 and XORed with K2.
    const k = n === 16 ? this.#k1 : this.#k2;
    for (let j = 0; j < 16; j++) {
      const m = j < n ? last[j]! : j === n ? 0x80 : 0;
      x[j] = x[j]! ^ m ^ k[j]!;
    }
    this.#keyed().encryptBlock(x, 0, x, 0);
    for (let j = 0; j < tagLength; j++) out[outOffset + j] = x[j]!;
    this.begin();
  }

  #keyed(): BlockCipher {
    const aes = this.#aes;
    if (!aes) throw new Error("CMAC: used before setCipher");
    return aes;
  }
}

/** Multiply by x in GF(2^128): shift left one bit, fold in Rb on carry (RFC 4493 §2.3). */
function double(input: Uint8Array, out: Uint8Array): void {
  const carry = input[0]! & 0x80;
  for (let i = 0; i < 15; i++) out[i] = ((input[i]! << 1) | (input[i + 1]! >> 7)) & 0xff;
  out[15] = ((input[15]! << 1) & 0xff) ^ (carry ? RB : 0);
}
