/**
 * Seeded randomness for the simulator: a small fast generator (sfc32) for things that happen in sequence, and
 * stateless hashes and lattice noise for things that must be a pure function of (seed, time) — the weather, a
 * sensor's drift — so that asking more often, less often or in another order never changes what is seen.
 *
 * All integer work is Math.imul, `>>>`, `^` and `+ | 0`; floats come from exact divisions by powers of two, and
 * normal deviates use runtime/detmath.ts. Results are therefore bit-identical on V8 and XS.
 * Portable: no Node APIs, no module-level mutable state.
 */
import { cos, ln } from "../../runtime/detmath.js";

/** A seed: an integer (exactly, up to ±2^53) or any string. */
export type Seed = number | string;

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;
const INV53 = 1 / 9007199254740992;

// ───────────────────────── hashing ─────────────────────────

/** murmur3's block step: absorb the 32-bit word k into the hash state h. */
function absorb(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's finaliser: a bijective avalanche of a 32-bit word; returns an unsigned 32-bit integer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Low and high 32-bit words of an integer-valued double (two's complement over 64 bits for negatives). */
function lo32(i: number): number {
  return i >>> 0;
}
function hi32(i: number): number {
  return Math.floor(i / TWO32) >>> 0;
}

/** murmur3's tail step: mix the last 1–3 bytes (little-endian in k) into h. */
function absorbTail(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return h ^ Math.imul(k, 0x1b873593);
}

/** MurmurHash3 (x86, 32-bit) of a byte sequence. */
export function murmur3(bytes: ArrayLike<number>, seed = 0): number {
  let h = seed | 0;
  const n = bytes.length;
  const end = n - (n & 3);
  for (let i = 0; i < end; i += 4) {
    h = absorb(h, (bytes[i]! & 0xff) | ((bytes[i + 1]! & 0xff) << 8) | ((bytes[i + 2]! & 0xff) << 16) | (bytes[i + 3]! << 24));
  }
  let k = 0;
  for (let i = n - 1; i >= end; i--) k = (k << 8) | (bytes[i]! & 0xff);
  if (n & 3) h = absorbTail(h, k);
  return fmix32(h ^ n);
}

/**
 * MurmurHash3 (x86, 32-bit) of the string's UTF-8 encoding (lone surrogates as 3 bytes), computed code point by
 * code point with for…of, so XS's code-point strings and V8's UTF-16 strings hash the same. No allocation.
 */
export function hashString(s: string, seed = 0): number {
  let h = seed | 0;
  let k = 0; // pending bytes, little-endian
  let nk = 0; // how many are pending
  let n = 0; // bytes so far
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    let len: number;
    let b0: number;
    if (cp < 0x80) {
      len = 1;
      b0 = cp;
    } else if (cp < 0x800) {
      len = 2;
      b0 = 0xc0 | (cp >>> 6);
    } else if (cp < 0x10000) {
      len = 3;
      b0 = 0xe0 | (cp >>> 12);
    } else {
      len = 4;
      b0 = 0xf0 | (cp >>> 18);
    }
    for (let j = 0; j < len; j++) {
      const byte = j === 0 ? b0 : 0x80 | ((cp >>> (6 * (len - 1 - j))) & 0x3f);
      k |= byte << (8 * nk);
      nk++;
      n++;
      if (nk === 4) {
        h = absorb(h, k);
        k = 0;
        nk = 0;
      }
    }
  }
  if (nk > 0) h = absorbTail(h, k);
  return fmix32(h ^ n);
}

/**
 * A 32-bit seed from a Seed: MurmurHash3 of the integer as 8 little-endian bytes (seed 0x6a09e667), or of the
 * string's UTF-8 (seed 0x2545f491), so 1 and "1" differ.
 */
export function seed32(seed: Seed): number {
  if (typeof seed === "string") return hashString(seed, 0x2545f491);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
  const i = Math.floor(seed);
  return fmix32(absorb(absorb(0x6a09e667, lo32(i)), hi32(i)) ^ 8);
}

/** A 32-bit seed for the sub-stream `label` of `seed`: independent of every other label. */
export function deriveSeed(seed: Seed, label: string): number {
  return hashString(label, seed32(seed) ^ 0x3c6ef372);
}

/**
 * Stateless uniform noise at an integer lattice point, in [0, 1) with resolution 2^-32: MurmurHash3 with seed
 * `seed` of i (and j) as 64-bit little-endian two's-complement integers, divided by 2^32.
 * `seed` should already be a 32-bit integer (use seed32 / deriveSeed); i and j are integers (exact up to ±2^53).
 */
export function hashNoise(seed: number, i: number, j?: number): number {
  let h = absorb(seed | 0, lo32(i));
  h = absorb(h, hi32(i));
  if (j === undefined) return fmix32(h ^ 8) * INV32;
  h = absorb(h, lo32(j));
  h = absorb(h, hi32(j));
  return fmix32(h ^ 16) * INV32;
}

/**
 * Stateless standard normal deviate at lattice point (i, j): Box–Muller over two hashNoise draws, with detmath's ln
 * and cos, so a sensor's noise is a pure function of (seed, when, which channel) and identical on V8 and XS.
 */
export function hashNormal(seed: number, i: number, j: number): number {
  const u1 = 1 - hashNoise(seed, i, 2 * j); // (0, 1]: ln never sees 0
  const u2 = hashNoise(seed, i, 2 * j + 1);
  return Math.sqrt(-2 * ln(u1)) * cos(2 * Math.PI * u2);
}

/**
 * Value noise: hashNoise at the integers around x, blended with the quintic fade 6f⁵ − 15f⁴ + 10f³ (C2 smooth).
 * In [0, 1); period-free; one unit of x is one lattice cell. Flat (zero slope) at every integer.
 */
export function valueNoise(seed: number, x: number): number {
  const i = Math.floor(x);
  const f = x - i;
  const a = hashNoise(seed, i);
  const b = hashNoise(seed, i + 1);
  return a + (b - a) * (f * f * f * (f * (f * 6 - 15) + 10));
}

/**
 * Smooth noise with roughly unit variance and zero mean: a uniform cubic B-spline through hashNoise values at the
 * four integers around x, centred and scaled by 5 (the B-spline averages, so the standard deviation is 0.98–1.02
 * across a cell and |value| < 2.5). C2 smooth, without value noise's flat spots; the autocorrelation falls to
 * about 0.5 at a lag of one cell and to 0 at four.
 */
export function splineNoise(seed: number, x: number): number {
  const i = Math.floor(x);
  return splineBlend(x - i, hashNoise(seed, i - 1), hashNoise(seed, i), hashNoise(seed, i + 1), hashNoise(seed, i + 2));
}

/** The cubic B-spline at `t` in [0, 1) through four lattice values, centred and scaled as `splineNoise` says. */
function splineBlend(t: number, h0: number, h1: number, h2: number, h3: number): number {
  const t2 = t * t;
  const t3 = t2 * t;
  const u = 1 - t;
  const w0 = u * u * u;
  const w1 = 3 * t3 - 6 * t2 + 4;
  const w2 = -3 * t3 + 3 * t2 + 3 * t + 1;
  const v = w0 * h0 + w1 * h1 + w2 * h2 + t3 * h3;
  return (v / 6 - 0.5) * 5;
}

/**
 * `splineNoise(seed, x)` for one stream, remembering the four lattice hashes of the last cell: a stream sampled
 * many times per cell (wind turbulence at 4 Hz on a 3 s lattice) hashes once per cell instead of four times per
 * call. Same values as `splineNoise`, bit for bit.
 */
export class SplineNoise {
  readonly seed: number;
  #i = NaN;
  #h0 = 0;
  #h1 = 0;
  #h2 = 0;
  #h3 = 0;
  constructor(seed: number) {
    this.seed = seed;
  }
  at(x: number): number {
    const i = Math.floor(x);
    if (i !== this.#i) this.#enter(i);
    return splineBlend(x - i, this.#h0, this.#h1, this.#h2, this.#h3);
  }

  // Kept apart from `at`, which stays small enough for V8 to inline into its callers (no boxed argument or result).
  #enter(i: number): void {
    const seed = this.seed;
    if (i === this.#i + 1) {
      this.#h0 = this.#h1;
      this.#h1 = this.#h2;
      this.#h2 = this.#h3;
      this.#h3 = hashNoise(seed, i + 2);
    } else {
      this.#h0 = hashNoise(seed, i - 1);
      this.#h1 = hashNoise(seed, i);
      this.#h2 = hashNoise(seed, i + 1);
      this.#h3 = hashNoise(seed, i + 2);
    }
    this.#i = i;
  }
}

// ───────────────────────── sequential generator ─────────────────────────

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state, period ≥ 2^32 for every seed and
 * about 2^127 on average). `fork(label)` derives a child from the *seed* and the label, not from the current state,
 * so adding a consumer never shifts the numbers others see.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  /** the stream's identity, for fork() */
  readonly #key: number;
  #spare = NaN;

  constructor(seed: Seed) {
    this.#key = seed32(seed);
    const k = this.#key;
    this.#a = fmix32(k ^ 0x9e3779b9);
    this.#b = fmix32(absorb(k, 0x243f6a88));
    this.#c = fmix32(absorb(k, 0x85a308d3));
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The 32-bit key this stream was built from. */
  get key(): number {
    return this.#key;
  }

  /** An independent stream named `label`, the same whenever and however often it is asked for. */
  fork(label: string): Rng {
    return new Rng(hashString(label, this.#key ^ 0x3c6ef372));
  }

  /** Uniform integer in [0, 2^32). */
  uint32(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.#c = (r + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 53 random bits. */
  float(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * INV53;
  }

  /** Uniform in [a, b) (a when rounding would give b). */
  range(a: number, b: number): number {
    const x = a + (b - a) * this.float();
    return x < b ? x : a;
  }

  /** Uniform integer in [0, n), unbiased, for 1 ≤ n ≤ 2^32. */
  int(n: number): number {
    if (!(n >= 1 && n <= TWO32)) throw new RangeError(`int(n) needs 1 ≤ n ≤ 2^32, got ${n}`);
    n = Math.floor(n);
    const limit = TWO32 - (TWO32 % n); // accept below the largest multiple of n
    for (;;) {
      const x = this.uint32();
      if (x < limit) return x % n;
    }
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Normal deviate (Marsaglia's polar method with detmath's ln), mean `mean`, standard deviation `sd`. */
  normal(mean = 0, sd = 1): number {
    const spare = this.#spare;
    if (spare === spare) {
      this.#spare = NaN;
      return mean + sd * spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.float() - 1;
      v = 2 * this.float() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * ln(s)) / s);
    this.#spare = v * m;
    return mean + sd * (u * m);
  }

  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[this.int(items.length)]!;
  }
}
