/**
 * mulberry32: a small, well-known seeded PRNG, uniform in [0, 1), for randomised test inputs and test hosts.
 * Deliberately not simulator/core/rng.ts, so tests of that module and of code using it stay independent.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random topic text mixing ASCII, 2-, 3- and 4-byte UTF-8 (no wildcards, no U+0000). */
export function randomTopic(r: () => number, maxChars: number): string {
  const pools = ["abcxyz/-_0129", "äöüßéñ", "感知水质传感器", "😀🚲🌊"];
  let s = "";
  const n = 1 + Math.floor(r() * maxChars);
  for (let i = 0; i < n; i++) {
    const pool = Array.from(pools[Math.floor(r() * pools.length)]!);
    s += pool[Math.floor(r() * pool.length)];
  }
  return s;
}
