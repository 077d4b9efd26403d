/**
 * AES-128 block encryption (FIPS-197), in device code.
 *
 * LoRaWAN needs only the forward cipher: the MIC is AES-CMAC, FRMPayload encryption is a counter-mode keystream,
 * session keys are single encryptions, and a JoinAccept is "decrypted" by encrypting it because the join server
 * encrypted it with the inverse cipher (TS001-1.0.4 §6.2.6). So there is no decryption here.
 *
 * Byte-oriented (no 32-bit T-tables): XS keeps integers above 2^31 as doubles, and a byte S-box keeps the tables
 * small (512 bytes) on a 256 KB MCU. The S-box and the doubling table are computed per instance from the field
 * arithmetic of FIPS-197 §4 and §5.1.1 rather than typed in, so a transcription error cannot hide in them; module
 * state stays immutable, as Moddable preloading requires. Encrypting a block allocates nothing.
 */

/** Round keys for Nr = 10: 11 × 16 bytes (FIPS-197 §5.2, Nk = 4). */
const ROUND_KEY_BYTES = 176;

export class Aes128 {
  /** FIPS-197 §5.1.1 S-box. */
  readonly #sbox = new Uint8Array(256);
  /** x · 2 in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 §4.2.1 xtime). */
  readonly #xtime = new Uint8Array(256);
  readonly #roundKeys = new Uint8Array(ROUND_KEY_BYTES);
  readonly #state = new Uint8Array(16);
  #keyed = false;

  constructor(key?: Uint8Array) {
    const sbox = this.#sbox;
    const xt = this.#xtime;
    for (let i = 0; i < 256; i++) xt[i] = ((i << 1) ^ (i & 0x80 ? 0x1b : 0)) & 0xff;
    // Walk the multiplicative group with generator 3 (p ← p·3, q ← q·3⁻¹) so q = p⁻¹ at every step, then apply
    // the affine transform of §5.1.1 to the inverse.
    let p = 1;
    let q = 1;
    do {
      p = p ^ xt[p]!;
      q ^= q << 1;
      q ^= q << 2;
      q ^= q << 4;
      q &= 0xff;
      if (q & 0x80) q ^= 0x09;
      const x = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4);
      sbox[p] = (x ^ 0x63) & 0xff;
    } while (p !== 1);
    sbox[0] = 0x63;
    if (key) this.setKey(key);
  }

  /** Expand a 16-byte key (FIPS-197 §5.2 KeyExpansion). */
  setKey(key: Uint8Array): void {
    if (key.length !== 16) throw new RangeError(`AES-128 key must be 16 bytes, got ${key.length}`);
    const w = this.#roundKeys;
    const sbox = this.#sbox;
    w.set(key, 0);
    let rcon = 1;
    for (let i = 16; i < ROUND_KEY_BYTES; i += 4) {
      let t0 = w[i - 4]!;
      let t1 = w[i - 3]!;
      let t2 = w[i - 2]!;
      let t3 = w[i - 1]!;
      if (i % 16 === 0) {
        // RotWord, SubWord, then Rcon[i/Nk] = x^(i/Nk − 1) in the first byte.
        const t = t0;
        t0 = sbox[t1]! ^ rcon;
        t1 = sbox[t2]!;
        t2 = sbox[t3]!;
        t3 = sbox[t]!;
        rcon = this.#xtime[rcon]!;
      }
      w[i] = w[i - 16]! ^ t0;
      w[i + 1] = w[i - 15]! ^ t1;
      w[i + 2] = w[i - 14]! ^ t2;
      w[i + 3] = w[i - 13]! ^ t3;
    }
    this.#keyed = true;
  }

  /**
   * Encrypt the 16 bytes at `input[inOffset…]` into `output[outOffset…]` (FIPS-197 §5.1 Cipher). `input` and
   * `output` may be the same array at the same offset.
   */
  encryptBlock(input: Uint8Array, inOffset: number, output: Uint8Array, outOffset: number): void {
    if (!this.#keyed) throw new Error("AES-128: encryptBlock before setKey");
    if (inOffset < 0 || inOffset + 16 > input.length) throw new RangeError(`AES-128: input block at ${inOffset} outside ${input.length} bytes`);
    if (outOffset < 0 || outOffset + 16 > output.length) throw new RangeError(`AES-128: output block at ${outOffset} outside ${output.length} bytes`);
    const s = this.#state;
    const w = this.#roundKeys;
    const sbox = this.#sbox;
    const xt = this.#xtime;
    for (let i = 0; i < 16; i++) s[i] = input[inOffset + i]! ^ w[i]!;
    for (let round = 1; round <= 10; round++) {
      // SubBytes and ShiftRows together: the state is column-major (byte r + 4c), row r rotates left by r.
      const a0 = sbox[s[0]!]!, a1 = sbox[s[5]!]!, a2 = sbox[s[10]!]!, a3 = sbox[s[15]!]!;
      const b0 = sbox[s[4]!]!, b1 = sbox[s[9]!]!, b2 = sbox[s[14]!]!, b3 = sbox[s[3]!]!;
      const c0 = sbox[s[8]!]!, c1 = sbox[s[13]!]!, c2 = sbox[s[2]!]!, c3 = sbox[s[7]!]!;
      const d0 = sbox[s[12]!]!, d1 = sbox[s[1]!]!, d2 = sbox[s[6]!]!, d3 = sbox[s[11]!]!;
      const k = round * 16;
      if (round === 10) {
        // The last round has no MixColumns (§5.1).
        s[0] = a0 ^ w[k]!; s[1] = a1 ^ w[k + 1]!; s[2] = a2 ^ w[k + 2]!; s[3] = a3 ^ w[k + 3]!;
        s[4] = b0 ^ w[k + 4]!; s[5] = b1 ^ w[k + 5]!; s[6] = b2 ^ w[k + 6]!; s[7] = b3 ^ w[k + 7]!;
        s[8] = c0 ^ w[k + 8]!; s[9] = c1 ^ w[k + 9]!; s[10] = c2 ^ w[k + 10]!; s[11] = c3 ^ w[k + 11]!;
        s[12] = d0 ^ w[k + 12]!; s[13] = d1 ^ w[k + 13]!; s[14] = d2 ^ w[k + 14]!; s[15] = d3 ^ w[k + 15]!;
        break;
      }
      mixColumn(s, 0, a0, a1, a2, a3, xt, w, k);
      mixColumn(s, 4, b0, b1, b2, b3, xt, w, k + 4);
      mixColumn(s, 8, c0, c1, c2, c3, xt, w, k + 8);
      mixColumn(s, 12, d0, d1, d2, d3, xt, w, k + 12);
    }
    for (let i = 0; i < 16; i++) output[outOffset + i] = s[i]!;
  }
}

function rotl8(x: number, n: number): number {
  return ((x << n) | (x >> (8 - n))) & 0xff;
}

/** MixColumns on one column (FIPS-197 §5.1.3), then AddRoundKey with the round key bytes at `k`. */
function mixColumn(s: Uint8Array, at: number, x0: number, x1: number, x2: number, x3: number, xt: Uint8Array, w: Uint8Array, k: number): void {
  const all = x0 ^ x1 ^ x2 ^ x3;
  s[at] = x0 ^ all ^ xt[x0 ^ x1]! ^ w[k]!;
  s[at + 1] = x1 ^ all ^ xt[x1 ^ x2]! ^ w[k + 1]!;
  s[at + 2] = x2 ^ all ^ xt[x2 ^ x3]! ^ w[k + 2]!;
  s[at + 3] = x3 ^ all ^ xt[x3 ^ x0]! ^ w[k + 3]!;
}
