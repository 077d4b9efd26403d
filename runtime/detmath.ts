/**
 * Deterministic elementary functions for code whose output must be bit-identical on V8, on XS built on the host
 * (glibc libm) and on XS on a Cortex-M4 (newlib, soft-float doubles).
 *
 * `Math.sin`, `Math.exp`, `Math.pow` … are whatever the engine's libm returns, and libms differ in the last bit.
 * Everything here is built only from operations IEEE 754 defines exactly (correctly rounded `+ − × ÷`,
 * `Math.sqrt`, `Math.floor`, `Math.abs`, comparisons), with constants written as decimal literals that every
 * correct `strtod` (XS uses David Gay's dtoa) parses to the same double. No `Math.round` (XS computes it as
 * `floor(x + 0.5)`), no `**`, no fused multiply-add (JavaScript never contracts), no bit casts. The same inputs
 * therefore give the same bits on every engine.
 *
 * Methods (no libm code is reused; the constants were derived with BigInt arithmetic, and
 * test/runtime/detmath.test.ts re-derives every one of them):
 * - `exp`: Cody–Waite reduction x = (32m + j)·ln2/32 + r with ln2/32 split in a 37-bit head and a tail (so k·head
 *   is exact), a 32-entry table of 2^(j/32) as head + tail, and a degree-7 Taylor polynomial for e^r − 1,
 *   |r| ≤ ln2/64.
 * - `ln`, `log2`, `log10`: exact scaling by powers of two to m ∈ [0.75, 1.5), a 25-entry table of ln(j/32) and
 *   2·atanh(s), s = (m − c)/(m + c), |s| < 0.0106, carried in double-double (≈ 2^-66 relative).
 * - `pow(x, y)`: exp(y·ln x) with ln x in double-double and the product y·ln x kept as an exact double-double, so the
 *   error does not grow with |y·ln x| the way the naive formula does.
 * - `sin`, `cos`: Cody–Waite with π/2 in three 33-bit parts (fdlibm's scheme) up to 2^20·π/2, an exact
 *   Payne–Hanek reduction with 2/π in 24-bit words above that, Taylor kernels on [−π/4, π/4] that take the
 *   reduction's tail.
 * - `atan`, `atan2`, `asin`, `acos`: a quotient with its exact remainder, a 17-entry table of atan(j/16), and
 *   atan(t) for |t| ≤ 1/32 by its odd series.
 * - `hypot`: exact squares (Dekker), one square root, one Newton correction.
 *
 * Accuracy, measured against 320-bit BigInt references on thousands of points per function (the test prints it):
 * max error exp 0.51 ulp, ln / log2 / log10 0.50, sin 0.70, cos 0.61 (also for |x| up to 1.8e308 and next to
 * multiples of π/2), atan / atan2 0.50, pow 0.51 (|y·ln x| ≤ 700), hypot 0.50, asin 1.04, acos 0.91 ulp.
 * Subnormal results of exp and pow may be one subnormal ulp off (two roundings). Cost on V8 (Node 20):
 * sin ≈ 35 ns, exp ≈ 50 ns, ln ≈ 110 ns, pow ≈ 160 ns, atan2 ≈ 45 ns.
 * Bit-identity is checked by a fingerprint of 300 000 results that XS 13.3 (xsnap, glibc) and V8 share
 * (test/runtime/detmath.test.ts), whereas the engines' own Math.sin/exp/log/pow/atan2 differ.
 *
 * Portable: no Node APIs, no module-level mutable state (the tables are frozen), no allocation except in the
 * Payne–Hanek path (|x| > 1.6e6 for sin/cos).
 */

// ───────────────────────────── exact helpers ─────────────────────────────

/** 2^(2^i) and 2^-(2^i), i = 0..9, built by exact squaring. */
const P2: readonly number[] = powersByS(2);
const N2: readonly number[] = powersByS(0.5);

function powersByS(base: number): readonly number[] {
  const out: number[] = [];
  let p = base;
  for (let i = 0; i < 10; i++) {
    out.push(p);
    p = p * p;
  }
  return Object.freeze(out);
}

/** 2^m exactly, for an integer m in [−1022, 1023]. */
function pow2(m: number): number {
  let r = 1;
  const t = m < 0 ? N2 : P2;
  let a = m < 0 ? -m : m;
  for (let i = 0; a !== 0; i++) {
    if (a & 1) r *= t[i]!;
    a >>= 1;
  }
  return r;
}

/** x·2^m with a single rounding (m integer, |m| ≤ 2100). */
function scale2(x: number, m: number): number {
  if (m > 1023) return x * P2[9]! * P2[9]! * pow2(m - 1024);
  if (m < -1022) return x * pow2(m + 64) * 5.421010862427522e-20; // 2^-64: the only rounding step
  return x * pow2(m);
}

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp)

/** The upper 26 bits of a (Veltkamp split); a − hi(a) is exact. Valid for |a| < 2^996. */
function hi26(a: number): number {
  const c = SPLITTER * a;
  return c - (c - a);
}

/** The rounding error of the product a·b (Dekker): a·b = fl(a·b) + productError(a, b, fl(a·b)) exactly. */
function productError(a: number, b: number, p: number): number {
  const ah = hi26(a);
  const al = a - ah;
  const bh = hi26(b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** Nearest integer (ties up), from floor only. */
function nearest(x: number): number {
  return Math.floor(x + 0.5);
}

// ───────────────────────────── constants ─────────────────────────────

const PIO2_HI = 1.5707963267948966;
const PIO2_LO = 6.123233995736766e-17;
const PI_HI = 3.141592653589793;
const PI_LO = 1.2246467991473532e-16;
const PIO4 = 0.7853981633974483;

// exp
const INV_L = 46.16624130844683; // 32/ln2
const L_HI = 0.021660849392446835; // ln2/32, 37 significant bits
const L_LO = 5.145609244655338e-14;
/** 2^(j/32) = EXP2_HI[j] + EXP2_LO[j] */
const EXP2_HI: readonly number[] = Object.freeze([
  1, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237, 1.0905077326652577, 1.1143867425958924,
  1.1387886347566916, 1.1637248587775775, 1.189207115002721, 1.215247359980469, 1.241857812073484,
  1.2690509571917332, 1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
  1.4142135623730951, 1.4451808069770467, 1.4768261459394993, 1.5091644275934228, 1.5422108254079407,
  1.5759808451078865, 1.6104903319492543, 1.645755478153965, 1.681792830507429, 1.718619298122478,
  1.7562521603732995, 1.7947090750031072, 1.8340080864093424, 1.8741676341103, 1.9152065613971474,
  1.9571441241754002,
]);
const EXP2_LO: readonly number[] = Object.freeze([
  0, 5.109225028973444e-17, 8.551889705537965e-17, -7.899853966841582e-17, -3.046782079812471e-17,
  1.0410278456845571e-16, 8.912812676025408e-17, 3.8292048369240935e-17, 3.982015231465646e-17,
  -7.712630692681488e-17, 4.658027591836937e-17, 2.667932131342186e-18, 2.5382502794888315e-17,
  -2.8587312100388614e-17, 7.70094837980299e-17, -6.770511658794786e-17, -9.667293313452913e-17,
  -3.0237581349939873e-17, -3.483994556892796e-17, -1.016455327754295e-16, 7.949834809697621e-17,
  -1.0136916471278304e-17, 2.4707192569797888e-17, -1.0125679913674773e-16, 8.199010020581497e-17,
  -1.851380418263111e-17, 2.960140695448873e-17, 1.8227458427912087e-17, 3.283107224245627e-17,
  -6.122763413004143e-17, -1.0619946056195963e-16, 8.960767791036668e-17,
]);

// ln
const LN2_HI = 0.6931471805598903; // 42 significant bits, so k·LN2_HI is exact for |k| < 2^11
const LN2_LO = 5.497923018708371e-14;
/** ln(j/32) = LN_HI[j − 24] + LN_LO[j − 24], j = 24..48 */
const LN_HI: readonly number[] = Object.freeze([
  -0.2876820724517809, -0.24686007793152578, -0.2076393647782445, -0.16989903679539747, -0.13353139262452263,
  -0.09844007281325252, -0.06453852113757118, -0.0317486983145803, 0, 0.030771658666753687, 0.06062462181643484,
  0.08961215868968714, 0.11778303565638346, 0.1451820098444979, 0.17185025692665923, 0.19782574332991987,
  0.22314355131420976, 0.24783616390458127, 0.27193371548364176, 0.2954642128938359, 0.3184537311185346,
  0.3409265869705932, 0.3629054936893685, 0.38441169891033206, 0.4054651081081644,
]);
const LN_LO: readonly number[] = Object.freeze([
  -2.607160616442564e-17, -1.361743371748368e-17, -1.2053243216686129e-17, 4.868008764439071e-19,
  3.664457663660085e-18, 4.439009633675136e-18, 6.470486661692933e-18, -3.0382263084680858e-18, 0,
  1.0431732029005968e-18, 2.6424025938726934e-18, -5.4268129336647135e-18, -1.1971685747593677e-18,
  8.242418783022475e-18, -6.0224538210113705e-18, 1.2821194372980142e-17, -9.091270597324799e-18,
  -1.2432209578702523e-17, 7.83319637697442e-19, -2.16461086040599e-17, 2.7114779367326236e-17,
  1.7467136443544747e-17, -2.1492361455310972e-17, -1.612149700764673e-17, -2.8811380259626426e-18,
]);
const LOG10E_HI = 0.4342944819032518;
const LOG10E_LO = 1.098319650216765e-17;
const LOG2E_HI = 1.4426950408889634;
const LOG2E_LO = 2.0355273740931033e-17;

// sin / cos
const INV_PIO2 = 0.6366197723675814;
const PIO2_1 = 1.5707963267341256; // first 33 bits of π/2
const PIO2_1T = 6.077100506506192e-11; // π/2 − PIO2_1
const PIO2_2 = 6.077100506303966e-11; // next 33 bits
const PIO2_2T = 2.0222662487959506e-21;
const PIO2_3 = 2.0222662487111665e-21; // next 33 bits
const PIO2_3T = 8.4784276603689e-32;
const MEDIUM_LIMIT = 1647099.3291652855; // 2^20·π/2
/** 2/π = Σ TWO_OVER_PI[i]·2^(−24(i+1)) */
const TWO_OVER_PI: readonly number[] = Object.freeze([
  0xa2f983, 0x6e4e44, 0x1529fc, 0x2757d1, 0xf534dd, 0xc0db62, 0x95993c, 0x439041, 0xfe5163, 0xabdebb, 0xc561b7,
  0x246e3a, 0x424dd2, 0xe00649, 0x2eea09, 0xd1921c, 0xfe1deb, 0x1cb129, 0xa73ee8, 0x8235f5, 0x2ebb44, 0x84e99c,
  0x7026b4, 0x5f7e41, 0x3991d6, 0x398353, 0x39f49c, 0x845f8b, 0xbdf928, 0x3b1ff8, 0x97ffde, 0x05980f, 0xef2f11,
  0x8b5a0a, 0x6d1f6d, 0x367ecf, 0x27cb09, 0xb74f46, 0x3f669e, 0x5fea2d, 0x7527ba, 0xc7ebe5, 0xf17b3d, 0x0739f7,
  0x8a5292, 0xea6bfb, 0x5fb11f, 0x8d5d08, 0x560330, 0x46fc7b, 0x6babf0, 0xcfbc20, 0x9af436, 0x1da9e3, 0x91615e,
  0xe61b08,
]);

// atan: atan(j/16) = ATAN_HI[j] + ATAN_LO[j]
const ATAN_HI: readonly number[] = Object.freeze([
  0, 0.06241880999595735, 0.12435499454676144, 0.18534794999569476, 0.24497866312686414, 0.3028848683749714,
  0.35877067027057225, 0.4124104415973873, 0.4636476090008061, 0.5123894603107377, 0.5585993153435624,
  0.6022873461349642, 0.6435011087932844, 0.6823165548747481, 0.7188299996216245, 0.7531512809621944,
  0.7853981633974483,
]);
const ATAN_LO: readonly number[] = Object.freeze([
  0, -1.5490756308295046e-18, -3.1253241424539383e-18, 4.180692268843079e-18, 1.0698755618734451e-17,
  -1.1010827903001369e-17, -2.4623815582638635e-17, -1.587652227770689e-17, 2.2698777452961687e-17,
  -2.5462781472855804e-17, -5.4556305485916264e-18, 2.950430737228402e-17, 1.5834785051444286e-17,
  6.943223671560008e-18, -2.1478388444456983e-17, -2.4256934659182068e-17, 3.061616997868383e-17,
]);

const TWO_M60 = 8.673617379884035e-19; // 2^-60
const TWO_M27 = 7.450580596923828e-9; // 2^-27

// ───────────────────────────── exp / ln / pow ─────────────────────────────

/** e^(x + xl) for finite x in [−746, 710], |xl| ≤ ulp(x). */
function expCore(x: number, xl: number): number {
  const k = nearest(x * INV_L);
  const a = x - k * L_HI; // exact (Sterbenz, or k = 0)
  const b = k * L_LO - xl;
  // r = a − b as a double-double (twoSum: |b| may exceed |a| when a is tiny)
  const rh = a - b;
  const bv = a - rh;
  const rl = (a - (rh + bv)) + (bv - b);
  // e^r − 1, |r| ≤ ln2/64 + ε: the r^8 term is < 2^-66 relative
  const q =
    rh +
    (rl +
      rh *
        rh *
        (0.5 + rh * (1 / 6 + rh * (1 / 24 + rh * (1 / 120 + rh * (1 / 720 + rh * (1 / 5040)))))));
  const j = k & 31;
  const th = EXP2_HI[j]!;
  const y = th + (EXP2_LO[j]! + th * q);
  return scale2(y, k >> 5);
}

/** e^x */
export function exp(x: number): number {
  if (!(x <= 709.8)) return x === x ? Infinity : NaN;
  if (x < -745.2) return 0;
  return expCore(x, 0);
}

/**
 * ln(x)·(ch + cl) rounded, or e^(ln(x)·(ch + cl)) when `thenExp`; x > 0 finite.
 * ln x is formed as a double-double with ≈ 2^-66 relative error.
 */
function logCore(x: number, ch: number, cl: number, thenExp: boolean): number {
  let k = 0;
  let m = x;
  if (m < 2.2250738585072014e-308) {
    m *= 18014398509481984; // 2^54
    k = -54;
  }
  if (m >= 2) {
    for (let i = 9; i >= 0; i--) {
      if (m >= P2[i]!) {
        m *= N2[i]!;
        k += 1 << i;
      }
    }
  } else if (m < 1) {
    for (let i = 9; i >= 0; i--) {
      if (m < 2 * N2[i]!) {
        m *= P2[i]!;
        k -= 1 << i;
      }
    }
  }
  // m ∈ [1, 2) → [0.75, 1.5)
  if (m >= 1.5) {
    m *= 0.5;
    k += 1;
  }
  const j = nearest(m * 32); // 24..48
  const c = j * 0.03125;
  const f = m - c; // exact
  // u = m + c as a double-double
  const uh = m + c;
  const uv = uh - m;
  const ul = (m - (uh - uv)) + (c - uv);
  // s = f/u as a double-double
  const sh = f / uh;
  const p = sh * uh;
  const sl = ((f - p) - productError(sh, uh, p) - sh * ul) / uh;
  const z = sh * sh;
  const tail = sh * z * (2 / 3 + z * (2 / 5 + z * (2 / 7 + z * (2 / 9 + z * (2 / 11)))));
  // k·ln2 + ln c + 2s, heads added exactly
  const a = k * LN2_HI;
  const b = LN_HI[j - 24]!;
  const s1 = a + b;
  const v1 = s1 - a;
  const e1 = (a - (s1 - v1)) + (b - v1);
  const d = 2 * sh;
  const s2 = s1 + d;
  const v2 = s2 - s1;
  const e2 = (s1 - (s2 - v2)) + (d - v2);
  const lo = e1 + e2 + k * LN2_LO + LN_LO[j - 24]! + 2 * sl + tail;
  const H = s2 + lo;
  const L = lo - (H - s2);
  if (ch === 1 && cl === 0 && !thenExp) return H;
  // (H + L)·(ch + cl)
  const P = H * ch;
  if (thenExp) {
    if (P > 709.8) return Infinity;
    if (P < -745.2) return 0;
  }
  const pl = productError(H, ch, P) + (H * cl + L * ch);
  return thenExp ? expCore(P, pl) : P + pl;
}

/** Natural logarithm. */
export function ln(x: number): number {
  if (x > 0 && x < Infinity) return logCore(x, 1, 0, false);
  if (x === 0) return -Infinity;
  return x === Infinity ? Infinity : NaN;
}

/** Base-10 logarithm (log10(10^n) is exactly n for the powers that are doubles). */
export function log10(x: number): number {
  if (x > 0 && x < Infinity) return logCore(x, LOG10E_HI, LOG10E_LO, false);
  return ln(x);
}

/** Base-2 logarithm (log2(2^n) is exactly n). */
export function log2(x: number): number {
  if (x > 0 && x < Infinity) return logCore(x, LOG2E_HI, LOG2E_LO, false);
  return ln(x);
}

function isOddInteger(y: number): boolean {
  // |y| ≥ 2^53 is always even
  return Math.floor(y) === y && Math.abs(y) < 9007199254740992 && Math.floor(y * 0.5) !== y * 0.5;
}

/**
 * x^y with the special cases of ECMAScript's `Math.pow` (including pow(±1, ±Infinity) = NaN).
 * Negative x needs an integer y (NaN otherwise).
 */
export function pow(x: number, y: number): number {
  if (y !== y) return NaN;
  if (y === 0) return 1;
  if (x !== x) return NaN;
  const ay = Math.abs(y);
  if (ay === Infinity) {
    const ax = Math.abs(x);
    if (ax === 1) return NaN;
    return ax > 1 === y > 0 ? Infinity : 0;
  }
  if (x > 0) {
    if (x === Infinity) return y > 0 ? Infinity : 0;
    if (y === 1 || x === 1) return x;
    return logCore(x, y, 0, true);
  }
  if (x === 0) {
    const neg = 1 / x < 0 && isOddInteger(y);
    if (y > 0) return neg ? -0 : 0;
    return neg ? -Infinity : Infinity;
  }
  if (x === -Infinity) {
    const odd = isOddInteger(y);
    if (y > 0) return odd ? -Infinity : Infinity;
    return odd ? -0 : 0;
  }
  // x < 0 finite
  if (Math.floor(y) !== y) return NaN;
  const r = pow(-x, y);
  return isOddInteger(y) ? -r : r;
}

// ───────────────────────────── sin / cos ─────────────────────────────

/** sin(y + yl), |y| ≤ π/4 + ε */
function sinKernel(y: number, yl: number): number {
  const z = y * y;
  const v = z * y;
  const p =
    -1 / 6 +
    z *
      (1 / 120 +
        z *
          (-1 / 5040 +
            z * (1 / 362880 + z * (-1 / 39916800 + z * (1 / 6227020800 + z * (-1 / 1307674368000 + z * (1 / 355687428096000)))))));
  return y + (v * p + yl * (1 - 0.5 * z));
}

/** cos(y + yl), |y| ≤ π/4 + ε */
function cosKernel(y: number, yl: number): number {
  const z = y * y;
  const ze = productError(y, y, z); // y² = z + ze exactly
  const hz = 0.5 * z;
  const w = 1 - hz;
  const c =
    z *
    z *
    (1 / 24 +
      z *
        (-1 / 720 +
          z *
            (1 / 40320 +
              z * (-1 / 3628800 + z * (1 / 479001600 + z * (-1 / 87178291200 + z * (1 / 20922789888000 + z * (-1 / 6402373705728000))))))));
  return w + (((1 - w) - hz) + (c - (0.5 * ze + y * yl)));
}

/** sin or cos of n·π/2 + y0 + y1 */
function trigFinish(n: number, y0: number, y1: number, cosine: boolean): number {
  switch ((cosine ? n + 1 : n) & 3) {
    case 0:
      return sinKernel(y0, y1);
    case 1:
      return cosKernel(y0, y1);
    case 2:
      return -sinKernel(y0, y1);
    default:
      return -cosKernel(y0, y1);
  }
}

function trig(x: number, cosine: boolean): number {
  if (x - x !== 0) return NaN; // NaN, ±Infinity
  const ax = x < 0 ? -x : x;
  if (ax <= PIO4) {
    if (ax < TWO_M27) return cosine ? 1 : x;
    return cosine ? cosKernel(x, 0) : sinKernel(x, 0);
  }
  if (ax >= MEDIUM_LIMIT) return trigLarge(ax, x < 0, cosine);
  // Cody–Waite: ax − n·π/2 with π/2 in 33-bit pieces; n·PIO2_k is exact for n < 2^20.
  const n = nearest(ax * INV_PIO2);
  let r = ax - n * PIO2_1; // exact
  let w = n * PIO2_1T;
  let y0 = r - w;
  if (Math.abs(y0) < ax * 3.0517578125e-5) {
    // lost more than 15 bits to cancellation: take the next 33 bits of π/2
    let t = r;
    w = n * PIO2_2;
    r = t - w;
    w = n * PIO2_2T - ((t - r) - w);
    y0 = r - w;
    if (Math.abs(y0) < ax * 3.552713678800501e-15) {
      t = r;
      w = n * PIO2_3;
      r = t - w;
      w = n * PIO2_3T - ((t - r) - w);
      y0 = r - w;
    }
  }
  const y1 = (r - y0) - w;
  return x < 0 ? trigFinish(-n, -y0, -y1, cosine) : trigFinish(n, y0, y1, cosine);
}

/**
 * Payne–Hanek: ax·(2/π) mod 4 from 24-bit words of ax and of 2/π, every partial product exact.
 * ax ≥ 2^20·π/2, finite.
 */
function trigLarge(ax: number, negative: boolean, cosine: boolean): number {
  // ax = X·2^E, X an integer in [2^52, 2^53), split into x2·2^48 + x1·2^24 + x0
  let m = ax;
  let e = 0;
  for (let i = 9; i >= 0; i--) {
    if (m >= P2[i]!) {
      m *= N2[i]!;
      e += 1 << i;
    }
  }
  const X = m * 4503599627370496; // 2^52
  const x2 = Math.floor(X / 281474976710656); // 2^48
  const rest = X - x2 * 281474976710656;
  const x1 = Math.floor(rest / 16777216);
  const x0 = rest - x1 * 16777216;
  const E = e - 52;
  // Level L collects x_a·T[L + a], weight 2^(E − 24(L + 1)). Levels of weight ≥ 4 add multiples of 4: skip them.
  const L0 = -Math.floor((25 - E) / 24); // ceil((E − 25)/24): first level with weight ≤ 2
  const e0 = E - 24 * (L0 + 1); // in [−22, 1]
  const T = TWO_OVER_PI;
  const nT = T.length;
  const d = [0, 0, 0, 0, 0, 0, 0, 0];
  let carry = 0;
  for (let q = 7; q >= 0; q--) {
    const L = L0 + q;
    let v = carry;
    if (L >= 0 && L < nT) v += x0 * T[L]!;
    if (L + 1 >= 0 && L + 1 < nT) v += x1 * T[L + 1]!;
    if (L + 2 >= 0 && L + 2 < nT) v += x2 * T[L + 2]!;
    carry = Math.floor(v / 16777216);
    d[q] = v - carry * 16777216;
  }
  // integer part (mod 4) and the nearest quadrant from the two top words
  let w = pow2(e0);
  let hi = d[0]! * w + d[1]! * (w * 5.960464477539063e-8); // exact: 48 contiguous bits
  hi -= 4 * Math.floor(hi * 0.25);
  const n = Math.floor(hi + 0.5);
  // fraction f = hi − n + lower words, as a double-double
  let sh = hi - n;
  let sl = 0;
  w *= 3.552713678800501e-15; // 2^-48
  for (let q = 2; q < 8; q++) {
    const t = d[q]! * w;
    const s = sh + t;
    const bv = s - sh;
    sl += (sh - (s - bv)) + (t - bv);
    sh = s;
    w *= 5.960464477539063e-8; // 2^-24
  }
  const fh = sh + sl;
  const fl = sl - (fh - sh);
  // r = f·π/2
  const rh = fh * PIO2_HI;
  const rl = productError(fh, PIO2_HI, rh) + (fh * PIO2_LO + fl * PIO2_HI);
  const y0 = rh + rl;
  const y1 = rl - (y0 - rh);
  return negative ? trigFinish(-n, -y0, -y1, cosine) : trigFinish(n, y0, y1, cosine);
}

/** Sine (radians). */
export function sin(x: number): number {
  return trig(x, false);
}

/** Cosine (radians). */
export function cos(x: number): number {
  return trig(x, true);
}

// ───────────────────────────── atan family ─────────────────────────────

/**
 * ψ = atan(a/b) for 0 < a ≤ b < Infinity; then ψ → π/2 − ψ if `swap`, ψ → π − ψ if `flip`.
 */
function atanCore(a: number, b: number, swap: boolean, flip: boolean): number {
  let u: number;
  let ul = 0;
  if (b === 1) {
    u = a;
  } else {
    if (b > 1.0463951242053392e298) {
      // 2^990: keep Dekker's split in range
      a *= 7.888609052210118e-31; // 2^-100
      b *= 7.888609052210118e-31;
    } else if (b < 1.1830521861667747e-271) {
      // 2^-900: keep the remainder out of the subnormals
      a *= 1.6069380442589903e60; // 2^200
      b *= 1.6069380442589903e60;
    }
    u = a / b;
    if (u >= TWO_M60) {
      const p = u * b;
      ul = ((a - p) - productError(u, b, p)) / b;
    }
  }
  let sh: number;
  let sl: number;
  if (u < TWO_M60) {
    sh = u;
    sl = 0;
  } else {
    const j = nearest(u * 16);
    let t: number;
    let tl: number;
    if (j === 0) {
      t = u;
      tl = ul;
    } else {
      // atan(u) = atan(c) + atan((u − c)/(1 + u·c)), everything to ≈ 2^-100
      const c = j * 0.0625;
      const num = u - c; // exact
      const pp = u * c;
      const dh = 1 + pp;
      const dl = ((1 - dh) + pp) + productError(u, c, pp) + ul * c;
      t = num / dh;
      const q = t * dh;
      tl = (((num - q) - productError(t, dh, q)) + ul - t * dl) / dh;
    }
    const z = t * t; // |t| ≤ 1/32: the t^13 term is < 2^-63 relative
    const poly = t * z * (-1 / 3 + z * (1 / 5 + z * (-1 / 7 + z * (1 / 9 + z * (-1 / 11)))));
    const ah = ATAN_HI[j]!;
    sh = ah + t;
    const bv = sh - ah;
    sl = (ah - (sh - bv)) + (t - bv) + ATAN_LO[j]! + tl + poly;
  }
  if (swap) {
    const h = PIO2_HI - sh;
    const bv = h - PIO2_HI;
    sl = (PIO2_HI - (h - bv)) + (-sh - bv) + PIO2_LO - sl;
    sh = h;
  }
  if (flip) {
    const h = PI_HI - sh;
    const bv = h - PI_HI;
    sl = (PI_HI - (h - bv)) + (-sh - bv) + PI_LO - sl;
    sh = h;
  }
  return sh + sl;
}

/** Arctangent, in (−π/2, π/2). */
export function atan(x: number): number {
  if (x !== x) return NaN;
  const ax = x < 0 ? -x : x;
  if (ax < TWO_M27) return x; // keeps −0
  let r: number;
  if (ax === Infinity) r = PIO2_HI;
  else if (ax <= 1) r = atanCore(ax, 1, false, false);
  else r = atanCore(1, ax, true, false);
  return x < 0 ? -r : r;
}

/** Angle of the point (x, y), in [−π, π], with ECMAScript's signed-zero and infinity rules. */
export function atan2(y: number, x: number): number {
  if (x !== x || y !== y) return NaN;
  const ay = y < 0 ? -y : y;
  const ax = x < 0 ? -x : x;
  const xNeg = x < 0 || (x === 0 && 1 / x < 0);
  if (ay === 0) {
    // ±0 or ±π, sign of y
    if (!xNeg) return y;
    return 1 / y < 0 ? -PI_HI : PI_HI;
  }
  if (ax === 0) return y < 0 ? -PIO2_HI : PIO2_HI;
  let r: number;
  if (ay === Infinity) {
    if (ax === Infinity) r = xNeg ? 2.356194490192345 : PIO4;
    else r = PIO2_HI;
  } else if (ax === Infinity) {
    r = xNeg ? PI_HI : 0;
  } else if (ay <= ax) {
    r = atanCore(ay, ax, false, xNeg);
  } else {
    r = atanCore(ax, ay, true, xNeg);
  }
  return y < 0 ? -r : r;
}

/** Arcsine, [−1, 1] → [−π/2, π/2]. */
export function asin(x: number): number {
  if (!(x >= -1 && x <= 1)) return NaN;
  const ax = x < 0 ? -x : x;
  if (ax < TWO_M27) return x;
  return atan2(x, Math.sqrt((1 - ax) * (1 + ax)));
}

/** Arccosine, [−1, 1] → [0, π]. */
export function acos(x: number): number {
  if (!(x >= -1 && x <= 1)) return NaN;
  const ax = x < 0 ? -x : x;
  return atan2(Math.sqrt((1 - ax) * (1 + ax)), x);
}

// ───────────────────────────── hypot ─────────────────────────────

/** √(x² + y²) without undue overflow or underflow, within 1 ulp. */
export function hypot(x: number, y: number): number {
  let a = Math.abs(x);
  let b = Math.abs(y);
  if (a === Infinity || b === Infinity) return Infinity;
  if (a !== a || b !== b) return NaN;
  if (a < b) {
    const t = a;
    a = b;
    b = t;
  }
  if (b === 0 || b < a * TWO_M60) return a;
  let s = 1;
  if (a > 3.273390607896142e150) {
    // 2^500
    a *= 2.409919865102884e-181; // 2^-600
    b *= 2.409919865102884e-181;
    s = 4.149515568880993e180; // 2^600
  } else if (b < 3.054936363499605e-151) {
    // 2^-500
    a *= 4.149515568880993e180;
    b *= 4.149515568880993e180;
    s = 2.409919865102884e-181;
  }
  const a2 = a * a;
  const b2 = b * b;
  const sh = a2 + b2;
  const sl = ((a2 - sh) + b2) + productError(a, a, a2) + productError(b, b, b2);
  const r = Math.sqrt(sh);
  const rr = r * r;
  return (r + (((sh - rr) - productError(r, r, rr)) + sl) / (2 * r)) * s;
}

/** Every table and split constant above, so a test can re-derive them independently. Not for computation. */
export const DETMATH_CONSTANTS = Object.freeze({
  PIO2: Object.freeze([PIO2_HI, PIO2_LO]),
  PI: Object.freeze([PI_HI, PI_LO]),
  PIO2_PARTS: Object.freeze([PIO2_1, PIO2_1T, PIO2_2, PIO2_2T, PIO2_3, PIO2_3T]),
  INV_PIO2,
  INV_L,
  L: Object.freeze([L_HI, L_LO]),
  LN2: Object.freeze([LN2_HI, LN2_LO]),
  LOG10E: Object.freeze([LOG10E_HI, LOG10E_LO]),
  LOG2E: Object.freeze([LOG2E_HI, LOG2E_LO]),
  EXP2_HI,
  EXP2_LO,
  LN_HI,
  LN_LO,
  ATAN_HI,
  ATAN_LO,
  TWO_OVER_PI,
});
