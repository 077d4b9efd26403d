/**
 * Cross-engine fingerprints: a hash of the exact bits of many results of runtime/detmath.ts, simulator/core/rng.ts
 * and the Kunming weather model. The expected values in the tests were computed by XS 13.3.0 (xsnap from
 * @agoric/xsnap 0.15.0, built on the host with glibc's libm) and are asserted on V8 here, so a passing test means
 * the two engines agree bit for bit. Plain Math.sin/exp/log/pow/atan2 give different fingerprints on the two.
 *
 * Portable on purpose (no Node, no vitest): to re-check on XS, bundle an entry that prints these three functions,
 * e.g. `esbuild entry.ts --bundle --format=iife --target=es2022`, and run it with `xsnap`.
 */
import * as D from "../../runtime/detmath.js";
import { Rng, hashNoise, hashString, splineNoise, valueNoise } from "../../simulator/core/rng.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";

export class BitHash {
  readonly #view = new DataView(new ArrayBuffer(8));
  #h1 = 0x811c9dc5 | 0;
  #h2 = 0x01000193 | 0;
  count = 0;
  add(x: number): void {
    this.#view.setFloat64(0, x);
    const a = this.#view.getUint32(0);
    const b = this.#view.getUint32(4);
    this.#h1 = Math.imul(this.#h1 ^ a, 16777619);
    this.#h1 = Math.imul(this.#h1 ^ b, 16777619);
    this.#h2 = (Math.imul(this.#h2, 31) + a) | 0;
    this.#h2 = (Math.imul(this.#h2, 31) + b) | 0;
    this.count++;
  }
  digest(): string {
    return `${(this.#h1 >>> 0).toString(16)}:${(this.#h2 >>> 0).toString(16)}/${this.count}`;
  }
}

/** 300 000 detmath results over wide ranges. */
export function detmathFingerprint(): string {
  const h = new BitHash();
  const r = new Rng("fingerprint");
  for (let i = 0; i < 20000; i++) {
    const u = r.float();
    const v = r.float();
    const x = (u - 0.5) * D.pow(2, Math.floor(v * 80 - 40));
    h.add(D.exp(x * 0.001));
    h.add(D.exp(-745 + u * 1454));
    h.add(D.ln(Math.abs(x) + 1e-300));
    h.add(D.log10(u * 1e10 + 1e-3));
    h.add(D.log2(v + 1e-9));
    h.add(D.sin(x));
    h.add(D.cos(x));
    h.add(D.sin((u - 0.5) * 1e300));
    h.add(D.cos(x * 1e7));
    h.add(D.atan(x));
    h.add(D.atan2(x, v - 0.5));
    h.add(D.asin(2 * u - 1));
    h.add(D.acos(2 * v - 1));
    h.add(D.pow(u * 100 + 1e-6, (v - 0.5) * 60));
    h.add(D.hypot(x, v));
  }
  return h.digest();
}

/** sfc32 draws, normals, forks, lattice noise and a string hash. */
export function rngFingerprint(): string {
  const h = new BitHash();
  const r = new Rng("fingerprint");
  for (let i = 0; i < 20000; i++) {
    h.add(r.uint32());
    h.add(r.normal());
    h.add(r.fork(`f${i % 17}`).float());
    h.add(hashNoise(i, i * 7919 - 1e6, -i));
    h.add(valueNoise(3, i * 0.173));
    h.add(splineNoise(4, i * 0.0931 - 500));
  }
  h.add(hashString("昆明 🌧️ détmath"));
  return h.digest();
}

/** A year of hourly weather for three seeds, plus rain totals and a bucket tip. */
export function kunmingFingerprint(): string {
  const h = new BitHash();
  for (const seed of [1, 2026, "station-7"]) {
    const w = createKunmingWeather({ seed });
    for (let t = 0; t < 365 * 86400e6; t += 3600e6 + 7e6) {
      const a = w.air(t);
      const v = w.wind(t);
      h.add(a.temperature);
      h.add(a.humidity);
      h.add(a.pressure);
      h.add(v.speed);
      h.add(v.direction);
      h.add(w.rainRate(t));
    }
    h.add(w.rainBetween(0, 365 * 86400e6));
    h.add(w.rainTime(150 * 86400e6, 0.2794));
  }
  return h.digest();
}
