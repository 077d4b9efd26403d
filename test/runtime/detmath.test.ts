/**
 * runtime/detmath.ts against two independent oracles:
 * - V8's Math.* (fdlibm ports, < 1 ulp): relative agreement and ECMAScript's special values;
 * - a BigInt fixed-point reference written here (Machin π, atanh series for logarithms, Taylor series, Euler's
 *   arctangent series, integer square root), exact to far more than 53 bits, which measures the error in ulps.
 * The same BigInt code re-derives every table and split constant the module embeds.
 */
import { describe, expect, it } from "vitest";
import * as D from "../../runtime/detmath.js";
import { detmathFingerprint } from "../environment/fingerprint.js";
import { mulberry32 } from "../helpers/random.js";

// ───────────────────────── BigInt reference ─────────────────────────

const P = 1600n; // bits of π and ln 2 (enough to reduce arguments up to 2^1024)
const W = 320n; // working precision of the series

function bitLen(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}
function shift(v: bigint, n: bigint): bigint {
  return n >= 0n ? v << n : v >> -n;
}
function atanInv(n: number, prec: bigint): bigint {
  const N = BigInt(n);
  const N2 = N * N;
  let pow = (1n << prec) / N;
  let sum = 0n;
  let k = 0n;
  let sign = 1n;
  while (pow !== 0n) {
    sum += (sign * pow) / (2n * k + 1n);
    pow /= N2;
    k++;
    sign = -sign;
  }
  return sum;
}
/** atanh(p/q)·2^prec, |p/q| < 1 */
function atanhRat(p: bigint, q: bigint, prec: bigint): bigint {
  let pow = (p << prec) / q;
  let sum = 0n;
  let k = 0n;
  const p2 = p * p;
  const q2 = q * q;
  while (pow !== 0n) {
    sum += pow / (2n * k + 1n);
    pow = (pow * p2) / q2;
    k++;
  }
  return sum;
}
/** atan(p/q)·2^prec for 0 ≤ p ≤ q (Euler's series) */
function atanRat(p: bigint, q: bigint, prec: bigint): bigint {
  const num = p * p;
  const den = p * p + q * q;
  let term = ((p * q) << prec) / den;
  let sum = 0n;
  let n = 0n;
  while (term !== 0n) {
    sum += term;
    n++;
    term = (term * 2n * n * num) / ((2n * n + 1n) * den);
  }
  return sum;
}
/** e^(v·2^-prec)·2^prec, |v·2^-prec| < 1 */
function expFix(v: bigint, prec: bigint): bigint {
  let term = 1n << prec;
  let sum = term;
  let k = 1n;
  while (term !== 0n) {
    term = ((term * v) >> prec) / k;
    sum += term;
    k++;
  }
  return sum;
}
/** sin and cos of v·2^-prec, |v·2^-prec| ≤ 1 */
function sinCosFix(v: bigint, prec: bigint): [bigint, bigint] {
  let s = 0n;
  let c = 0n;
  let term = 1n << prec; // v^k/k!
  for (let k = 0n; term !== 0n; k++) {
    const r = k % 4n;
    if (r === 0n) c += term;
    else if (r === 1n) s += term;
    else if (r === 2n) c -= term;
    else s -= term;
    term = ((term * v) >> prec) / (k + 1n);
  }
  return [s, c];
}
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLen(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

const PI_P = 16n * atanInv(5, P) - 4n * atanInv(239, P);
const LN2_P = 2n * atanhRat(1n, 3n, P);
const PI_W = PI_P >> (P - W);
const LN2_W = LN2_P >> (P - W);

/** |d| = m·2^e exactly, m an integer < 2^53 */
function decompose(d: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const bits = view.getBigUint64(0);
  const be = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return be === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: be - 1075 };
}
/** d·2^s as an exact BigInt (throws when it is not an integer) */
function fixOf(d: number, s: number): bigint {
  const { m, e } = decompose(d);
  const sh = e + s;
  if (sh < 0 && (m & ((1n << BigInt(-sh)) - 1n)) !== 0n) throw new Error(`fixOf: ${d} needs more than ${s} bits`);
  const v = shift(m, BigInt(sh));
  return d < 0 ? -v : v;
}
/** Round v·2^-s to a double with `bits` significant bits, nearest-even (normal range). */
function roundBits(v: bigint, s: bigint, bits = 53): number {
  if (v === 0n) return 0;
  const neg = v < 0n;
  if (neg) v = -v;
  const sh = BigInt(bitLen(v) - bits);
  let m: bigint;
  if (sh > 0n) {
    m = v >> sh;
    const rem = v - (m << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (m & 1n) === 1n)) m++;
  } else m = v << -sh;
  const d = Number(m) * 2 ** Number(sh - s);
  return neg ? -d : d;
}
function headTail(v: bigint, s: bigint, headBits = 53): [number, number] {
  const hi = roundBits(v, s, headBits);
  return [hi, roundBits(v - fixOf(hi, Number(s)), s)];
}

/** A reference value v·2^-s. */
interface Ref {
  v: bigint;
  s: number;
}
/** (d − ref)/ulp(ref) */
function ulpError(d: number, ref: Ref): number {
  if (ref.v === 0n) return d === 0 ? 0 : Infinity;
  const L = bitLen(ref.v < 0n ? -ref.v : ref.v);
  const ue = Math.max(L - 1 - ref.s - 52, -1074);
  const diff = fixOf(d, ref.s) - ref.v;
  return Math.abs(Number(diff) / 2 ** (ref.s + ue));
}

function refExp(x: number): Ref {
  const X = fixOf(x, Number(W));
  let k = X / LN2_W;
  let r = X - k * LN2_W;
  if (2n * r > LN2_W) {
    k++;
    r -= LN2_W;
  } else if (2n * r < -LN2_W) {
    k--;
    r += LN2_W;
  }
  return { v: expFix(r, W), s: Number(W) - Number(k) };
}
/** ln x·2^prec */
function lnFix(x: number, prec: bigint): bigint {
  const { m, e } = decompose(x);
  const bl = bitLen(m);
  const M = m << BigInt(53 - bl); // normalise subnormals
  const E = e - (53 - bl) + 52;
  const two52 = 1n << 52n;
  const lnLN2 = LN2_P >> (P - prec);
  return 2n * atanhRat(M - two52, M + two52, prec) + BigInt(E) * lnLN2;
}
function refLn(x: number): Ref {
  return { v: lnFix(x, W), s: Number(W) };
}
function refSinCos(x: number, cosine: boolean): Ref {
  const X = fixOf(x, Number(P) + 1100);
  const pio2 = PI_P << 1099n; // π/2 at 2^-(P+1100)
  let n = X / pio2;
  let r = X - n * pio2;
  if (2n * r > pio2) {
    n++;
    r -= pio2;
  } else if (2n * r < -pio2) {
    n--;
    r += pio2;
  }
  const [s, c] = sinCosFix(r >> (P + 1100n - W), W);
  const q = (((n + (cosine ? 1n : 0n)) % 4n) + 4n) % 4n;
  const v = q === 0n ? s : q === 1n ? c : q === 2n ? -s : -c;
  return { v, s: Number(W) };
}
function ratio(a: number, b: number): [bigint, bigint] {
  const A = decompose(a);
  const B = decompose(b);
  const d = A.e - B.e;
  return d >= 0 ? [A.m << BigInt(d), B.m] : [A.m, B.m << BigInt(-d)];
}
function refAtan2(y: number, x: number): Ref {
  const [p, q] = ratio(Math.abs(y), Math.abs(x));
  let a = p <= q ? atanRat(p, q, W) : PI_W / 2n - atanRat(q, p, W);
  if (x < 0) a = PI_W - a;
  return { v: y < 0 ? -a : a, s: Number(W) };
}
function refPow(x: number, y: number): Ref {
  const prec = 420n;
  const L = lnFix(x, prec);
  const { m, e } = decompose(y);
  let t = shift(L * m, BigInt(e));
  if (y < 0) t = -t;
  const ln2 = LN2_P >> (P - prec);
  let k = t / ln2;
  let r = t - k * ln2;
  if (r < 0n) {
    k--;
    r += ln2;
  }
  return { v: expFix(r, prec), s: Number(prec) - Number(k) };
}
function refHypot(x: number, y: number): Ref {
  const A = decompose(Math.abs(x));
  const B = decompose(Math.abs(y));
  const e = Math.min(A.e, B.e);
  const X = A.m << BigInt(A.e - e);
  const Y = B.m << BigInt(B.e - e);
  const F = 130;
  return { v: isqrt((X * X + Y * Y) << BigInt(2 * F)), s: F - e };
}
function refAsinAcos(x: number, acos: boolean): Ref {
  const X = fixOf(Math.abs(x), 1200);
  const C = isqrt((1n << 2400n) - X * X);
  const [p, q] = acos ? [C, X] : [X, C];
  let a = p <= q ? atanRat(p, q, W) : PI_W / 2n - atanRat(q, p, W);
  if (acos && x < 0) a = PI_W - a;
  if (!acos && x < 0) a = -a;
  return { v: a, s: Number(W) };
}

// ───────────────────────── sampling ─────────────────────────

const mulberry = mulberry32;
/** a double with a random mantissa and a binary exponent uniform in [lo, hi) */
function logUniform(rnd: () => number, lo: number, hi: number): number {
  return (1 + rnd()) * 2 ** Math.floor(lo + rnd() * (hi - lo));
}

interface Stat {
  max: number;
  mean: number;
  worst: string;
  n: number;
}
function measure(samples: number[][], f: (...a: number[]) => number, ref: (...a: number[]) => Ref): Stat {
  let max = 0;
  let sum = 0;
  let worst = "";
  for (const a of samples) {
    const e = ulpError(f(...a), ref(...a));
    sum += e;
    if (e > max) {
      max = e;
      worst = a.join(", ");
    }
  }
  return { max, mean: sum / samples.length, worst, n: samples.length };
}
function report(name: string, s: Stat): void {
  console.info(`detmath ${name}: ${s.n} samples, max ${s.max.toFixed(3)} ulp (at ${s.worst}), mean ${s.mean.toFixed(3)} ulp`);
}

// ───────────────────────── tests ─────────────────────────

describe("embedded constants, re-derived with BigInt", () => {
  const C = D.DETMATH_CONSTANTS;
  const pio2 = PI_P / 2n;
  it("π, π/2 and the Cody–Waite pieces of π/2 (33-bit heads)", () => {
    expect(C.PI).toEqual(headTail(PI_P, P));
    expect(C.PIO2).toEqual(headTail(pio2, P));
    let rest = pio2;
    const parts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const hi = roundBits(rest, P, 33);
      parts.push(hi, roundBits(rest - fixOf(hi, Number(P)), P));
      rest -= fixOf(hi, Number(P));
    }
    expect(C.PIO2_PARTS).toEqual(parts);
    expect(C.INV_PIO2).toBe(roundBits((1n << (2n * P + 1n)) / PI_P, P));
  });
  it("ln 2 splits, log10(e), log2(e)", () => {
    expect(C.LN2).toEqual(headTail(LN2_P, P, 42));
    expect(C.L).toEqual(headTail(LN2_P / 32n, P, 37));
    expect(C.INV_L).toBe(roundBits((32n << (2n * P)) / LN2_P, P));
    const ln10 = 3n * LN2_P + 2n * atanhRat(1n, 9n, P);
    expect(C.LOG10E).toEqual(headTail((1n << (2n * P)) / ln10, P));
    expect(C.LOG2E).toEqual(headTail((1n << (2n * P)) / LN2_P, P));
  });
  it("2^(j/32), ln(j/32), atan(j/16) tables", () => {
    for (let j = 0; j < 32; j++) {
      const [h, l] = headTail(expFix((BigInt(j) * (LN2_P >> (P - W))) / 32n, W), W);
      expect([C.EXP2_HI[j], C.EXP2_LO[j]]).toEqual([h, l]);
    }
    for (let j = 24; j <= 48; j++) {
      const [h, l] = headTail(2n * atanhRat(BigInt(j - 32), BigInt(j + 32), W), W);
      expect([C.LN_HI[j - 24], C.LN_LO[j - 24]]).toEqual([h, l]);
    }
    for (let j = 0; j <= 16; j++) {
      const [h, l] = headTail(atanRat(BigInt(j), 16n, W), W);
      expect([C.ATAN_HI[j], C.ATAN_LO[j]]).toEqual([h, l]);
    }
  });
  it("2/π in 24-bit words", () => {
    const n = C.TWO_OVER_PI.length;
    let v = (1n << (2n * P + 1n)) / PI_P >> (P - BigInt(24 * n));
    const words: number[] = [];
    for (let i = 0; i < n; i++) {
      words.unshift(Number(v & 0xffffffn));
      v >>= 24n;
    }
    expect(C.TWO_OVER_PI).toEqual(words);
    // and the published start of the table (fdlibm's ipio2)
    expect(C.TWO_OVER_PI.slice(0, 4)).toEqual([0xa2f983, 0x6e4e44, 0x1529fc, 0x2757d1]);
  });
});

describe("special values follow ECMAScript (compared with V8's Math)", () => {
  const specials = [0, -0, Infinity, -Infinity, NaN, 1, -1, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308];
  const unary: [string, (x: number) => number, (x: number) => number][] = [
    ["exp", D.exp, Math.exp],
    ["ln", D.ln, Math.log],
    ["log10", D.log10, Math.log10],
    ["log2", D.log2, Math.log2],
    ["sin", D.sin, Math.sin],
    ["cos", D.cos, Math.cos],
    ["atan", D.atan, Math.atan],
    ["asin", D.asin, Math.asin],
    ["acos", D.acos, Math.acos],
  ];
  for (const [name, f, g] of unary) {
    it(name, () => {
      for (const x of specials) {
        const a = f(x);
        const b = g(x);
        if (Object.is(a, b)) continue;
        // a finite non-special result may differ in the last place only
        expect(Number.isFinite(b) && b !== 0, `${name}(${x}) = ${a}, Math gives ${b}`).toBe(true);
        expect(Math.abs(a - b) / Math.abs(b), `${name}(${x})`).toBeLessThan(3e-16);
      }
    });
  }
  it("sin(−0) = −0, atan(−0) = −0, exp(−0) = 1, ln(1) = +0, ln(0) = −∞, ln(−1) = NaN", () => {
    expect(Object.is(D.sin(-0), -0)).toBe(true);
    expect(Object.is(D.atan(-0), -0)).toBe(true);
    expect(D.exp(-0)).toBe(1);
    expect(Object.is(D.ln(1), 0)).toBe(true);
    expect(D.ln(0)).toBe(-Infinity);
    expect(D.ln(-1)).toBeNaN();
    expect(D.ln(-Infinity)).toBeNaN();
    expect(D.exp(710)).toBe(Infinity);
    expect(D.exp(-746)).toBe(0);
  });
  it("atan2 over every pair of {±0, ±1, ±∞, NaN}", () => {
    const v = [0, -0, 1, -1, Infinity, -Infinity, NaN, 1e-300, -1e300];
    for (const y of v) for (const x of v) expect(Object.is(D.atan2(y, x), Math.atan2(y, x)), `atan2(${y}, ${x})`).toBe(true);
  });
  it("pow over every pair of special values", () => {
    const v = [0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, Infinity, -Infinity, NaN, 1e-310, 2 ** 53, 2 ** 53 + 2, 1.5];
    for (const x of v) {
      for (const y of v) {
        const a = D.pow(x, y);
        const b = Math.pow(x, y);
        if (Object.is(a, b)) continue;
        expect(Number.isFinite(b) && b !== 0, `pow(${x}, ${y}) = ${a}, Math gives ${b}`).toBe(true);
        expect(Math.abs(a - b) / Math.abs(b), `pow(${x}, ${y})`).toBeLessThan(3e-16);
      }
    }
  });
  it("hypot specials", () => {
    expect(D.hypot(Infinity, NaN)).toBe(Infinity);
    expect(D.hypot(NaN, -Infinity)).toBe(Infinity);
    expect(D.hypot(NaN, 1)).toBeNaN();
    expect(Object.is(D.hypot(-0, -0), 0)).toBe(true);
    expect(D.hypot(3, 4)).toBe(5);
    expect(D.hypot(1e300, 1e300)).toBe(Math.hypot(1e300, 1e300));
    expect(D.hypot(3e-320, 4e-320)).toBe(5e-320);
    expect(D.hypot(1.7976931348623157e308, 1.7976931348623157e308)).toBe(Infinity);
  });
});

describe("published values", () => {
  it("sin/cos of 1e22 (needs the full Payne–Hanek reduction), sin(π), cos(π/2)", () => {
    expect(D.sin(1e22)).toBe(-0.8522008497671888);
    expect(ulpError(D.cos(1e22), refSinCos(1e22, true))).toBeLessThanOrEqual(0.5);
    expect(D.sin(Math.PI)).toBe(1.2246467991473532e-16);
    expect(D.cos(Math.PI / 2)).toBe(6.123233995736766e-17);
  });
  it("e, ln 10, √2, π from atan, exact logs of exact powers", () => {
    expect(D.exp(1)).toBe(Math.E);
    expect(D.ln(10)).toBe(Math.LN10);
    expect(D.pow(2, 0.5)).toBe(Math.SQRT2);
    expect(4 * D.atan(1)).toBe(Math.PI);
    expect(D.atan2(1, -1)).toBe((3 * Math.PI) / 4);
    for (let k = -1074; k <= 1023; k++) expect(D.log2(2 ** k)).toBe(k);
    for (let n = 0; n <= 22; n++) expect(D.log10(Number(`1e${n}`))).toBe(n);
    for (let n = 1; n <= 30; n++) expect(D.pow(2, n)).toBe(2 ** n);
    expect(D.pow(10, 3)).toBe(1000);
  });
});

describe("agreement with V8's Math.* over wide ranges (relative error < 1e-14)", () => {
  const rnd = mulberry(20260601);
  const cases: [string, (x: number) => number, (x: number) => number, () => number][] = [
    ["exp", D.exp, Math.exp, () => -708 + rnd() * 1417.7],
    ["ln", D.ln, Math.log, () => logUniform(rnd, -1022, 1023)],
    ["ln near 1", D.ln, Math.log, () => 1 + (rnd() - 0.5) * 2 ** -Math.floor(rnd() * 52)],
    ["log10", D.log10, Math.log10, () => logUniform(rnd, -1022, 1023)],
    ["sin", D.sin, Math.sin, () => (rnd() - 0.5) * 200],
    ["cos", D.cos, Math.cos, () => (rnd() - 0.5) * 200],
    ["sin (1e6 range)", D.sin, Math.sin, () => (rnd() - 0.5) * 4e6],
    ["cos (huge)", D.cos, Math.cos, () => logUniform(rnd, 20, 1023)],
    ["sin (huge)", D.sin, Math.sin, () => -logUniform(rnd, 20, 1023)],
    ["atan", D.atan, Math.atan, () => (rnd() < 0.5 ? -1 : 1) * logUniform(rnd, -40, 40)],
    ["asin", D.asin, Math.asin, () => rnd() * 2 - 1],
    ["acos", D.acos, Math.acos, () => rnd() * 2 - 1],
  ];
  for (const [name, f, g, gen] of cases) {
    it(name, () => {
      let maxRel = 0;
      let differ = 0;
      const n = 50000;
      for (let i = 0; i < n; i++) {
        const x = gen();
        const a = f(x);
        const b = g(x);
        if (a !== b) differ++;
        const rel = b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b);
        if (rel > maxRel) maxRel = rel;
      }
      console.info(`detmath vs Math.${name}: max relative difference ${maxRel.toExponential(2)}, ${((100 * differ) / n).toFixed(1)} % not bit-equal`);
      expect(maxRel).toBeLessThan(1e-14);
    });
  }
  it("atan2, pow, hypot", () => {
    let maxRel = 0;
    for (let i = 0; i < 50000; i++) {
      const y = (rnd() - 0.5) * logUniform(rnd, -30, 30);
      const x = (rnd() - 0.5) * logUniform(rnd, -30, 30);
      maxRel = Math.max(maxRel, Math.abs(D.atan2(y, x) - Math.atan2(y, x)) / Math.abs(Math.atan2(y, x)));
      const px = logUniform(rnd, -40, 40);
      const py = ((rnd() - 0.5) * 1400) / Math.abs(Math.log(px));
      maxRel = Math.max(maxRel, Math.abs(D.pow(px, py) - Math.pow(px, py)) / Math.pow(px, py));
      const hx = (rnd() - 0.5) * logUniform(rnd, -1000, 1000);
      const hy = (rnd() - 0.5) * logUniform(rnd, -1000, 1000);
      maxRel = Math.max(maxRel, Math.abs(D.hypot(hx, hy) - Math.hypot(hx, hy)) / Math.hypot(hx, hy));
    }
    expect(maxRel).toBeLessThan(1e-14);
  });
});

describe("error in ulps against the BigInt reference", () => {
  const rnd = mulberry(1890);
  const N = 1500;
  const make = (gen: () => number[]): number[][] => Array.from({ length: N }, gen);

  it("exp ≤ 1 ulp", () => {
    const s = measure(
      [...make(() => [-708 + rnd() * 1417.7]), ...make(() => [(rnd() - 0.5) * 2 ** -Math.floor(rnd() * 40)])],
      D.exp,
      refExp,
    );
    report("exp", s);
    expect(s.max).toBeLessThanOrEqual(1);
  });
  it("ln, log2, log10 ≤ 1 ulp", () => {
    const xs = [...make(() => [logUniform(rnd, -1074, 1024)]), ...make(() => [1 + (rnd() - 0.5) * 2 ** -Math.floor(rnd() * 52)])];
    const s = measure(xs.filter(([x]) => x !== 1), D.ln, refLn);
    report("ln", s);
    expect(s.max).toBeLessThanOrEqual(1);
    const ln10 = 3n * LN2_W + 2n * atanhRat(1n, 9n, W);
    const s10 = measure(xs.filter(([x]) => x !== 1), D.log10, (x) => ({ v: (lnFix(x, 2n * W) << 0n) / ln10, s: Number(W) }));
    report("log10", s10);
    expect(s10.max).toBeLessThanOrEqual(1);
    const s2 = measure(xs.filter(([x]) => x !== 1), D.log2, (x) => ({ v: lnFix(x, 2n * W) / LN2_W, s: Number(W) }));
    report("log2", s2);
    expect(s2.max).toBeLessThanOrEqual(1);
  });
  it("sin, cos ≤ 1 ulp, including huge arguments and arguments next to multiples of π/2", () => {
    const xs = [
      ...make(() => [(rnd() - 0.5) * 20]),
      ...make(() => [(rnd() - 0.5) * 4e6]),
      ...make(() => [logUniform(rnd, 20, 1023)]).slice(0, 300),
      // doubles next to k·π/2 (deep cancellation in the reduction)
      ...make(() => {
        const k = Math.floor(1 + rnd() * 200000);
        const x = (k * Math.PI) / 2;
        return [x + (Math.floor(rnd() * 5) - 2) * 2 ** (Math.floor(Math.log2(x)) - 52)];
      }),
      [6381956970095103 * 2 ** 797], // the double closest to a multiple of π/2 (Kahan/McDonald)
      [Math.PI],
      [2 * Math.PI],
      [1e22],
      [1.7976931348623157e308],
    ];
    const ss = measure(xs, D.sin, (x) => refSinCos(x, false));
    report("sin", ss);
    const sc = measure(xs, D.cos, (x) => refSinCos(x, true));
    report("cos", sc);
    expect(ss.max).toBeLessThanOrEqual(1);
    expect(sc.max).toBeLessThanOrEqual(1);
  });
  it("atan, atan2 ≤ 1 ulp", () => {
    const sa = measure(
      make(() => [(rnd() < 0.5 ? -1 : 1) * logUniform(rnd, -70, 70)]),
      D.atan,
      (x) => refAtan2(x, 1),
    );
    report("atan", sa);
    expect(sa.max).toBeLessThanOrEqual(1);
    const s2 = measure(
      make(() => [(rnd() - 0.5) * logUniform(rnd, -80, 80), (rnd() - 0.5) * logUniform(rnd, -80, 80)]).filter(
        ([y, x]) => Math.abs(y / x) > 1e-60,
      ),
      D.atan2,
      refAtan2,
    );
    report("atan2", s2);
    expect(s2.max).toBeLessThanOrEqual(1);
  });
  it("pow ≤ 1 ulp for |y·ln x| ≤ 700", () => {
    const s = measure(
      make(() => {
        const x = logUniform(rnd, -100, 100);
        return [x, ((rnd() - 0.5) * 1400) / Math.abs(Math.log(x))];
      }),
      D.pow,
      refPow,
    );
    report("pow", s);
    expect(s.max).toBeLessThanOrEqual(1);
  });
  it("hypot ≤ 1 ulp; asin, acos ≤ 2 ulp", () => {
    const sh = measure(
      make(() => [(rnd() - 0.5) * logUniform(rnd, -1000, 1000), (rnd() - 0.5) * logUniform(rnd, -1000, 1000)]),
      D.hypot,
      refHypot,
    );
    report("hypot", sh);
    expect(sh.max).toBeLessThanOrEqual(1);
    const xs = [...make(() => [rnd() * 2 - 1]), ...make(() => [(rnd() < 0.5 ? -1 : 1) * (1 - 2 ** -Math.floor(1 + rnd() * 50))])];
    const sas = measure(xs, D.asin, (x) => refAsinAcos(x, false));
    report("asin", sas);
    const sac = measure(xs, D.acos, (x) => refAsinAcos(x, true));
    report("acos", sac);
    expect(sas.max).toBeLessThanOrEqual(2);
    expect(sac.max).toBeLessThanOrEqual(2);
  });
});

describe("bit-identical across engines", () => {
  it("300 000 results hash to the fingerprint XS 13.3 (xsnap, glibc libm) computed", () => {
    // V8's and XS's own Math.sin/exp/log/pow/atan2 disagree in the last bit on the same inputs; detmath may not.
    expect(detmathFingerprint()).toBe("4c8c5970:74fb1350/300000");
  });
});
