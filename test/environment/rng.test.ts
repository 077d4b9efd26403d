/**
 * simulator/core/rng.ts: MurmurHash3 against its published test vectors and Node's UTF-8 encoder, sfc32 against an
 * independent BigInt transcription of the reference C, and statistical checks of the derived distributions.
 */
import { describe, expect, it } from "vitest";
import {
  Rng,
  deriveSeed,
  fmix32,
  hashNoise,
  hashString,
  murmur3,
  seed32,
  splineNoise,
  valueNoise,
} from "../../simulator/core/rng.js";
import { rngFingerprint } from "./fingerprint.js";

const enc = new TextEncoder();

describe("MurmurHash3 x86_32", () => {
  it("matches the published test vectors", () => {
    const vectors: [string, number, number][] = [
      ["", 0, 0],
      ["", 1, 0x514e28b7],
      ["", 0xffffffff, 0x81f16f39],
      ["\0\0\0\0", 0, 0x2362f9de],
      ["aaaa", 0x9747b28c, 0x5a97808a],
      ["aaa", 0x9747b28c, 0x283e0130],
      ["aa", 0x9747b28c, 0x5d211726],
      ["a", 0x9747b28c, 0x7fa09ea6],
      ["abcd", 0x9747b28c, 0xf0478627],
      ["abc", 0x9747b28c, 0xc84a62dd],
      ["ab", 0x9747b28c, 0x74875592],
      ["Hello, world!", 0x9747b28c, 0x24884cba],
      ["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
    ];
    for (const [s, seed, want] of vectors) {
      expect(murmur3(enc.encode(s), seed), JSON.stringify(s)).toBe(want);
      expect(hashString(s, seed), JSON.stringify(s)).toBe(want);
    }
  });
  it("hashString hashes the UTF-8 bytes (CJK, astral, mixed)", () => {
    for (const s of ["昆明", "滇池蓝藻预警", "🌧️ rain", "a😀b", "x".repeat(37), "温度 °C", "\u{10ffff}"]) {
      for (const seed of [0, 7, 0xdeadbeef]) expect(hashString(s, seed)).toBe(murmur3(enc.encode(s), seed));
    }
  });
  it("hashNoise is MurmurHash3 of the lattice point as 64-bit little-endian integers, over 2^32", () => {
    const bytes = (...v: number[]): Uint8Array => {
      const b = new DataView(new ArrayBuffer(8 * v.length));
      v.forEach((x, i) => b.setBigInt64(8 * i, BigInt(x), true));
      return new Uint8Array(b.buffer);
    };
    for (const i of [0, 1, -1, 123456789, -987654321, 2 ** 40 + 3, -(2 ** 52), 2 ** 53 - 1]) {
      expect(hashNoise(42, i) * 2 ** 32).toBe(murmur3(bytes(i), 42));
      expect(hashNoise(0x9e3779b9, i, -i - 5) * 2 ** 32).toBe(murmur3(bytes(i, -i - 5), 0x9e3779b9));
    }
    expect(seed32(12345)).toBe(murmur3(bytes(12345), 0x6a09e667));
  });
  it("fmix32 is a bijection on a sample (no collisions among 100k inputs)", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100000; i++) seen.add(fmix32(i * 2654435761));
    expect(seen.size).toBe(100000);
  });
});

/** sfc32 transcribed from the reference C with BigInt and explicit 32-bit masks. */
function sfc32Reference(a: bigint, b: bigint, c: bigint, d: bigint): () => number {
  const M = 0xffffffffn;
  return () => {
    const t = (a + b + d) & M;
    d = (d + 1n) & M;
    a = b ^ (b >> 9n);
    b = (c + (c << 3n)) & M;
    c = (((c << 21n) | (c >> 11n)) + t) & M;
    return Number(t);
  };
}

describe("Rng (sfc32)", () => {
  it("matches a BigInt sfc32 seeded as documented", () => {
    for (const seed of [0, 1, 20260601, "kunming", "bridge/strain-3"]) {
      const k = seed32(seed);
      // seeding as in the constructor: murmur3 steps of the key, counter 1, 12 discarded outputs
      const absorb = (h: number, x: number): number => {
        x = Math.imul(x, 0xcc9e2d51);
        x = (x << 15) | (x >>> 17);
        x = Math.imul(x, 0x1b873593);
        h ^= x;
        h = (h << 13) | (h >>> 19);
        return (Math.imul(h, 5) + 0xe6546b64) | 0;
      };
      const ref = sfc32Reference(
        BigInt(fmix32(k ^ 0x9e3779b9)),
        BigInt(fmix32(absorb(k, 0x243f6a88))),
        BigInt(fmix32(absorb(k, 0x85a308d3))),
        1n,
      );
      for (let i = 0; i < 12; i++) ref();
      const rng = new Rng(seed);
      for (let i = 0; i < 1000; i++) expect(rng.uint32()).toBe(ref());
    }
  });
  it("same seed, same stream; different seeds differ; string and number seeds differ", () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const s = new Rng("7");
    const xa = Array.from({ length: 100 }, () => a.float());
    expect(Array.from({ length: 100 }, () => b.float())).toEqual(xa);
    expect(Array.from({ length: 100 }, () => c.float())).not.toEqual(xa);
    expect(Array.from({ length: 100 }, () => s.float())).not.toEqual(xa);
  });
  it("fork(label) depends on the seed and the label only, not on draws or on other forks", () => {
    const a = new Rng(99);
    const first = a.fork("radio");
    const seq = Array.from({ length: 50 }, () => first.uint32());
    const b = new Rng(99);
    for (let i = 0; i < 1234; i++) b.uint32();
    b.fork("sensor");
    b.fork("new consumer");
    const again = b.fork("radio");
    expect(Array.from({ length: 50 }, () => again.uint32())).toEqual(seq);
    expect(a.fork("radio").key).toBe(first.key);
    expect(a.fork("radio2").key).not.toBe(first.key);
    expect(deriveSeed(99, "x")).toBe(deriveSeed(99, "x"));
    expect(deriveSeed(99, "x")).not.toBe(deriveSeed(100, "x"));
  });
  it("float is uniform in [0, 1) (χ² over 64 bins) and forks are uncorrelated", () => {
    const r = new Rng("uniform");
    const bins = new Array(64).fill(0);
    const n = 256000;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = r.float();
      if (!(x >= 0 && x < 1)) outside++;
      bins[Math.floor(x * 64)]++;
    }
    expect(outside).toBe(0);
    const e = n / 64;
    const chi2 = bins.reduce((s, o) => s + ((o - e) * (o - e)) / e, 0);
    expect(chi2).toBeLessThan(110); // 63 dof: p ≈ 0.0002
    const f1 = r.fork("a");
    const f2 = r.fork("b");
    let sxy = 0;
    for (let i = 0; i < 100000; i++) sxy += (f1.float() - 0.5) * (f2.float() - 0.5);
    expect(Math.abs(sxy / 100000 / (1 / 12))).toBeLessThan(0.02);
  });
  it("int(n) is unbiased, range(a, b) stays in [a, b), pick covers the list", () => {
    const r = new Rng(3);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(450);
    let outside = 0;
    for (let i = 0; i < 10000; i++) {
      const x = r.range(-2, 3);
      if (!(x >= -2 && x < 3)) outside++;
    }
    expect(outside).toBe(0);
    expect(new Set(Array.from({ length: 200 }, () => r.pick(["a", "b", "c"]))).size).toBe(3);
    expect(() => r.int(0)).toThrow(RangeError);
  });
  it("normal() has mean 0, sd 1, kurtosis 3 and a Gaussian tail", () => {
    const r = new Rng("gauss");
    const n = 200000;
    let s1 = 0;
    let s2 = 0;
    let s4 = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s1 += z;
      s2 += z * z;
      s4 += z * z * z * z;
      if (Math.abs(z) > 2) beyond2++;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.015);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.1);
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.002);
    const m = new Rng(1).normal(10, 2);
    expect(Number.isFinite(m)).toBe(true);
  });
});

describe("lattice noise", () => {
  it("hashNoise is in [0, 1), uniform, and differs by seed and by j", () => {
    const bins = new Array(32).fill(0);
    let outside = 0;
    for (let i = -50000; i < 50000; i++) {
      const v = hashNoise(5, i);
      if (!(v >= 0 && v < 1)) outside++;
      bins[Math.floor(v * 32)]++;
    }
    expect(outside).toBe(0);
    const chi2 = bins.reduce((s, o) => s + ((o - 3125) * (o - 3125)) / 3125, 0);
    expect(chi2).toBeLessThan(70);
    expect(hashNoise(5, 10)).not.toBe(hashNoise(6, 10));
    expect(hashNoise(5, 10, 1)).not.toBe(hashNoise(5, 10, 2));
    expect(hashNoise(5, 10)).toBe(hashNoise(5, 10));
  });
  it("valueNoise interpolates the lattice smoothly and stays in [0, 1)", () => {
    for (let i = -20; i < 20; i++) expect(valueNoise(9, i)).toBe(hashNoise(9, i));
    let maxJump = 0;
    let outside = 0;
    for (let x = -20; x < 20; x += 0.001) {
      const v = valueNoise(9, x);
      if (!(v >= 0 && v < 1)) outside++;
      maxJump = Math.max(maxJump, Math.abs(valueNoise(9, x + 1e-6) - v));
    }
    expect(outside).toBe(0);
    expect(maxJump).toBeLessThan(1e-5); // slope ≤ 1.875 per cell
  });
  it("splineNoise has mean 0, sd ≈ 1, |v| < 2.5, and a continuous slope", () => {
    let s1 = 0;
    let s2 = 0;
    let n = 0;
    let maxAbs = 0;
    for (let x = 0; x < 40000; x += 0.37) {
      const v = splineNoise(11, x);
      s1 += v;
      s2 += v * v;
      n++;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    expect(Math.abs(s1 / n)).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(s2 / n) - 1)).toBeLessThan(0.04);
    expect(maxAbs).toBeLessThan(2.5);
    // slope continuity across lattice points: left and right derivatives agree
    for (let i = 1; i < 50; i++) {
      const h = 1e-5;
      const left = (splineNoise(11, i) - splineNoise(11, i - h)) / h;
      const right = (splineNoise(11, i + h) - splineNoise(11, i)) / h;
      expect(Math.abs(left - right)).toBeLessThan(1e-3);
    }
  });
});

describe("bit-identical across engines", () => {
  it("draws, normals, forks and noise hash to the fingerprint XS 13.3 (xsnap) computed", () => {
    expect(rngFingerprint()).toBe("e04c8f2a:9a2fb5c6/120001");
  });
});
