/**
 * AES-128 block encryption (FIPS-197), in device code.
 *
 * LoRaWAN needs only the forward cipher: the MIC is AES-CMAC, FRMPayload encryption is a counter-mode keystream,
 * session keys are single encryptions, and a JoinAccept is "decrypted" by encrypting it because the join server
 * encrypted it with the inverse cipher (TS001-1.0.4 §6.2.6). So there is no decryption here.
 *
 * Word-oriented with T-tables (AesTables): XS keeps signed 32-bit integers as integers, so XORs of table words
 * never become doubles (nothing here is shifted into the unsigned range but single bytes). The tables are computed
 * from the field arithmetic of FIPS-197 §4 and §5.1.1 rather than typed in, so a transcription error cannot hide in
 * them, once, into frozen module-level arrays (immutable, as Moddable preloading requires, and kept in flash by it).
 * Encrypting a block allocates nothing.
 */

/** Round keys for Nr = 10: 44 words (FIPS-197 §5.2, Nk = 4). */
const ROUND_KEY_WORDS = 44;

/** x · 2 in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 §4.2.1 xtime). */
function xtime(b: number): number {
  return ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff;
}

/** The cipher's lookup tables: the S-box and the four round tables. */
interface AesTables {
  /** FIPS-197 §5.1.1 S-box. */
  readonly sbox: readonly number[];
  /** te0[x] is the column (2·S(x), S(x), S(x), 3·S(x)) as a big-endian word; te1…te3 the same rotated right by 8, 16, 24 bits. */
  readonly te0: readonly number[];
  readonly te1: readonly number[];
  readonly te2: readonly number[];
  readonly te3: readonly number[];
}

/**
 * The cipher's tables, computed once when the module loads and frozen: the S-box, and SubBytes and MixColumns folded
 * into four tables of 32-bit columns (FIPS-197 §5.1.1 and §5.1.3), so a round is 16 lookups and XORs on words
 * instead of byte arithmetic (about 3.5 times fewer XS byte codes a block). Every word is a signed 32-bit integer,
 * which XS keeps as an integer. Frozen arrays at module level are what Moddable's preloading keeps in flash: on a
 * board the 1,280 entries take no RAM (typed arrays in an instance took 4.3 KB of every node's XS heap).
 */
const TABLES: AesTables = buildTables();

function buildTables(): AesTables {
  const sbox: number[] = [];
  for (let i = 0; i < 256; i++) sbox.push(0);
  // Walk the multiplicative group with generator 3 (p ← p·3, q ← q·3⁻¹) so q = p⁻¹ at every step, then apply
  // the affine transform of §5.1.1 to the inverse.
  let p = 1;
  let q = 1;
  do {
    p = p ^ xtime(p);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const x = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4);
    sbox[p] = (x ^ 0x63) & 0xff;
  } while (p !== 1);
  sbox[0] = 0x63;
  const te0: number[] = [];
  const te1: number[] = [];
  const te2: number[] = [];
  const te3: number[] = [];
  for (let i = 0; i < 256; i++) {
    const s = sbox[i]!;
    const s2 = xtime(s);
    const w = (s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s);
    te0.push(w);
    te1.push((w >>> 8) | (w << 24));
    te2.push((w >>> 16) | (w << 16));
    te3.push((w >>> 24) | (w << 8));
  }
  return Object.freeze({ sbox: Object.freeze(sbox), te0: Object.freeze(te0), te1: Object.freeze(te1), te2: Object.freeze(te2), te3: Object.freeze(te3) });
}

export class Aes128 {
  readonly #roundKeys = new Int32Array(ROUND_KEY_WORDS);
  #keyed = false;

  constructor(key?: Uint8Array) {
    if (key) this.setKey(key);
  }

  /** Expand a 16-byte key (FIPS-197 §5.2 KeyExpansion), as big-endian words. */
  setKey(key: Uint8Array): void {
    if (key.length !== 16) throw new RangeError(`AES-128 key must be 16 bytes, got ${key.length}`);
    const w = this.#roundKeys;
    const sbox = TABLES.sbox;
    for (let i = 0; i < 4; i++) w[i] = word(key, 4 * i);
    let rcon = 1;
    for (let i = 4; i < ROUND_KEY_WORDS; i++) {
      let t = w[i - 1]!;
      if (i % 4 === 0) {
        // RotWord, SubWord, then Rcon[i/Nk] = x^(i/Nk − 1) in the first byte.
        t = ((sbox[(t >>> 16) & 0xff]! ^ rcon) << 24) | (sbox[(t >>> 8) & 0xff]! << 16) | (sbox[t & 0xff]! << 8) | sbox[t >>> 24]!;
        rcon = xtime(rcon);
      }
      w[i] = w[i - 4]! ^ t;
    }
    this.#keyed = true;
  }

  /**
   * Encrypt the 16 bytes at `input[inOffset…]` into `output[outOffset…]` (FIPS-197 §5.1 Cipher). `input` and
   * `output` may be the same array at the same offset. Allocates nothing.
   */
  encryptBlock(input: Uint8Array, inOffset: number, output: Uint8Array, outOffset: number): void {
    if (!this.#keyed) throw new Error("AES-128: encryptBlock before setKey");
    if (inOffset < 0 || inOffset + 16 > input.length) throw new RangeError(`AES-128: input block at ${inOffset} outside ${input.length} bytes`);
    if (outOffset < 0 || outOffset + 16 > output.length) throw new RangeError(`AES-128: output block at ${outOffset} outside ${output.length} bytes`);
    const w = this.#roundKeys;
    const { sbox, te0, te1, te2, te3 } = TABLES;
    // The state as four big-endian column words (byte r + 4c is row r of column c).
    let s0 = word(input, inOffset) ^ w[0]!;
    let s1 = word(input, inOffset + 4) ^ w[1]!;
    let s2 = word(input, inOffset + 8) ^ w[2]!;
    let s3 = word(input, inOffset + 12) ^ w[3]!;
    for (let k = 4; k < 40; k += 4) {
      // SubBytes, ShiftRows (row r of column c comes from column c + r) and MixColumns by lookup, then AddRoundKey.
      const a = te0[s0 >>> 24]! ^ te1[(s1 >>> 16) & 0xff]! ^ te2[(s2 >>> 8) & 0xff]! ^ te3[s3 & 0xff]! ^ w[k]!;
      const b = te0[s1 >>> 24]! ^ te1[(s2 >>> 16) & 0xff]! ^ te2[(s3 >>> 8) & 0xff]! ^ te3[s0 & 0xff]! ^ w[k + 1]!;
      const c = te0[s2 >>> 24]! ^ te1[(s3 >>> 16) & 0xff]! ^ te2[(s0 >>> 8) & 0xff]! ^ te3[s1 & 0xff]! ^ w[k + 2]!;
      const d = te0[s3 >>> 24]! ^ te1[(s0 >>> 16) & 0xff]! ^ te2[(s1 >>> 8) & 0xff]! ^ te3[s2 & 0xff]! ^ w[k + 3]!;
      s0 = a;
      s1 = b;
      s2 = c;
      s3 = d;
    }
    // The last round has no MixColumns (§5.1).
    putWord(output, outOffset, ((sbox[s0 >>> 24]! << 24) | (sbox[(s1 >>> 16) & 0xff]! << 16) | (sbox[(s2 >>> 8) & 0xff]! << 8) | sbox[s3 & 0xff]!) ^ w[40]!);
    putWord(output, outOffset + 4, ((sbox[s1 >>> 24]! << 24) | (sbox[(s2 >>> 16) & 0xff]! << 16) | (sbox[(s3 >>> 8) & 0xff]! << 8) | sbox[s0 & 0xff]!) ^ w[41]!);
    putWord(output, outOffset + 8, ((sbox[s2 >>> 24]! << 24) | (sbox[(s3 >>> 16) & 0xff]! << 16) | (sbox[(s0 >>> 8) & 0xff]! << 8) | sbox[s1 & 0xff]!) ^ w[42]!);
    putWord(output, outOffset + 12, ((sbox[s3 >>> 24]! << 24) | (sbox[(s0 >>> 16) & 0xff]! << 16) | (sbox[(s1 >>> 8) & 0xff]! << 8) | sbox[s2 & 0xff]!) ^ w[43]!);
  }
}

function rotl8(x: number, n: number): number {
  return ((x << n) | (x >> (8 - n))) & 0xff;
}

/** The big-endian word at `b[at…at+3]`, as a signed 32-bit integer. */
function word(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

function putWord(b: Uint8Array, at: number, w: number): void {
  b[at] = w >>> 24;
  b[at + 1] = (w >>> 16) & 0xff;
  b[at + 2] = (w >>> 8) & 0xff;
  b[at + 3] = w & 0xff;
}
