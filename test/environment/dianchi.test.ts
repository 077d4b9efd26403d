/**
 * The Dianchi lake model: determinism (a pure function of seed and time, whatever the order of questions), bit
 * identity across engines (a fingerprint that XS computed, asserted on V8), and its statistics over seeds — the
 * water temperature's lag behind the air, the diurnal oxygen cycle, bloom timing and signature, plausible ranges —
 * printed so the figures in the model's header can be checked.
 */
import { describe, expect, it } from "vitest";
import { HOUR } from "../../simulator/core/engine.js";
import { createKunmingWeather, type KunmingWeather } from "../../simulator/core/environment/kunming.js";
import { createDianchiLake, type BloomSpec, type DianchiLake } from "../../simulator/core/environment/dianchi.js";
import type { WaterQuantities } from "../../simulator/core/environment/types.js";
import { BitHash } from "./fingerprint.js";

const DAY = 24 * HOUR;
/** 2026-01-01T00:00:00+08:00 */
const JAN1 = Date.UTC(2025, 11, 31, 16);
/** Hours Kunming's mean solar time runs behind Beijing time (102.67°E). */
const SOLAR_LAG_H = 8 - 102.67 / 15;

function world(seed: number | string, blooms?: readonly BloomSpec[]): { air: KunmingWeather; lake: DianchiLake } {
  const air = createKunmingWeather({ seed, epochMs: JAN1 });
  return { air, lake: createDianchiLake({ seed, atmosphere: air, ...(blooms ? { blooms } : {}) }) };
}

const QUANTITIES = ["temperature", "pH", "oxygen", "saturation", "conductivity", "orp", "turbidity", "biomass", "light"] as const;

/** Every quantity at 3 h + 7 s steps over 80 summer days for two seeds, and the blooms: the cross-engine fingerprint. */
export function dianchiFingerprint(): string {
  const h = new BitHash();
  for (const seed of [1, "buoy-3"]) {
    const { lake } = world(seed);
    for (let t = 150 * DAY; t < 230 * DAY; t += 3 * HOUR + 7e6) for (const q of QUANTITIES) h.add(lake[q](t));
    for (const b of lake.blooms(0, 365 * DAY)) {
      h.add(b.start);
      h.add(b.end);
      h.add(b.intensity);
    }
  }
  return h.digest();
}

describe("determinism", () => {
  it("the same seed gives the same bits whatever the order and rate of questions", () => {
    const times: number[] = [];
    for (let t = 180 * DAY; t < 182 * DAY; t += 7 * 60e6 + 13) times.push(t);
    const { lake: forward } = world(7);
    const a = times.map((t) => QUANTITIES.map((q) => forward[q](t)));
    const { lake: backward } = world(7);
    const b = [...times].reverse().map((t) => QUANTITIES.map((q) => backward[q](t))).reverse();
    expect(b).toEqual(a);
    // scattered: every 37th instant, interleaved with questions about other months
    const { lake: scattered } = world(7);
    for (let i = 0; i < times.length; i += 29) {
      scattered.temperature(i * 5 * DAY);
      expect(QUANTITIES.map((q) => scattered[q](times[i]!))).toEqual(a[i]);
    }
  });

  it("different seeds give different lakes; the lake is the WaterQuantities the part models read", () => {
    const one = world(1).lake;
    const two = world(2).lake;
    expect(one.oxygen(200 * DAY)).not.toBe(two.oxygen(200 * DAY));
    const water: WaterQuantities = one;
    expect(water.turbidity(200 * DAY)).toBe(one.turbidity(200 * DAY));
    expect(one.epochMs).toBe(JAN1);
  });
});

describe("bit-identical across engines", () => {
  it("80 summer days of every quantity for two seeds hash to the fingerprint XS 13.3 computed", () => {
    // Any deliberate change to the model changes this value: recompute it on XS (test/xs/unit.test.ts runs this file there).
    expect(dianchiFingerprint()).toBe("8c3e3dc3:aa266b6d/11532");
  });
});

interface DayStats {
  sMin: number;
  sMax: number;
  sMinHour: number;
  sMaxHour: number;
  pHMax: number;
  wMean: number;
  aMean: number;
  wRange: number;
  aRange: number;
  wMaxHour: number;
}

/** Per-day figures of one year at 30-minute steps (hours in local mean solar time). */
function yearStats(air: KunmingWeather, lake: DianchiLake): DayStats[] {
  const out: DayStats[] = [];
  for (let d = 0; d < 365; d++) {
    const s: DayStats = { sMin: Infinity, sMax: -Infinity, sMinHour: 0, sMaxHour: 0, pHMax: -Infinity, wMean: 0, aMean: 0, wRange: 0, aRange: 0, wMaxHour: 0 };
    let wMin = Infinity;
    let wMax = -Infinity;
    let aMin = Infinity;
    let aMax = -Infinity;
    const steps = 48;
    for (let i = 0; i < steps; i++) {
      // a solar day: from local mean solar midnight
      const t = d * DAY + (i / 2 + SOLAR_LAG_H) * HOUR;
      const sat = lake.saturation(t);
      const w = lake.temperature(t);
      const a = air.air(t).temperature;
      if (sat < s.sMin) [s.sMin, s.sMinHour] = [sat, i / 2];
      if (sat > s.sMax) [s.sMax, s.sMaxHour] = [sat, i / 2];
      s.pHMax = Math.max(s.pHMax, lake.pH(t));
      if (w > wMax) [wMax, s.wMaxHour] = [w, i / 2];
      wMin = Math.min(wMin, w);
      aMin = Math.min(aMin, a);
      aMax = Math.max(aMax, a);
      s.wMean += w / steps;
      s.aMean += a / steps;
    }
    s.wRange = wMax - wMin;
    s.aRange = aMax - aMin;
    out.push(s);
  }
  return out;
}

const mean = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
const median = (a: readonly number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

/** Daily values less their centred 31-day mean (NaN within 15 days of either end): the synoptic part. */
const anomaly = (x: readonly number[]): number[] => x.map((v, i) => (i < 15 || i >= x.length - 15 ? NaN : v - mean(x.slice(i - 15, i + 16))));
const rms = (x: readonly number[]): number => Math.sqrt(mean(x.filter((v) => v === v).map((v) => v * v)));

/** Lag (days, 0–10) at which the daily water anomaly correlates best with the air's. */
function bestLag(water: readonly number[], air: readonly number[]): number {
  const w = anomaly(water);
  const a = anomaly(air);
  let best = 0;
  let bestR = -Infinity;
  for (let lag = 0; lag <= 10; lag++) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 15 + lag; i < water.length - 15; i++) {
      xs.push(a[i - lag]!);
      ys.push(w[i]!);
    }
    const mx = mean(xs);
    const my = mean(ys);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
      syy += (ys[i]! - my) ** 2;
    }
    const r = sxy / Math.sqrt(sxx * syy);
    if (r > bestR) [best, bestR] = [lag, r];
  }
  return best;
}

describe("a simulated year over seeds", () => {
  const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
  // computed on first use, so a run that skips these cases (XS) does not pay for them
  let cache: ReturnType<typeof simulate> | undefined;
  const simulate = () =>
    SEEDS.map((seed) => {
      const { air, lake } = world(seed);
      const days = yearStats(air, lake);
      const blooms = lake.blooms(0, 365 * DAY);
      const inBloom = (d: number) => blooms.some((b) => (d + 1) * DAY > b.start - DAY && d * DAY < b.end + 2 * DAY);
      return { seed, air, lake, days, blooms, inBloom };
    });
  const seedYears = () => (cache ??= simulate());

  it("water follows the air lagged by days, damped, about 1–2 °C warmer on average", () => {
    const years = seedYears();
    const offsets = years.map((y) => mean(y.days.map((d) => d.wMean - d.aMean)));
    const lags = years.map((y) => bestLag(y.days.map((d) => d.wMean), y.days.map((d) => d.aMean)));
    const wRange = years.flatMap((y) => y.days.map((d) => d.wRange));
    const aRange = years.flatMap((y) => y.days.map((d) => d.aRange));
    const maxHours = years.flatMap((y) => y.days.map((d) => d.wMaxHour));
    const annual = years.map((y) => [Math.min(...y.days.map((d) => d.wMean)), Math.max(...y.days.map((d) => d.wMean))]);
    const damping = years.map((y) => rms(anomaly(y.days.map((d) => d.wMean))) / rms(anomaly(y.days.map((d) => d.aMean))));
    console.info(
      `dianchi water: mean water − air ${mean(offsets).toFixed(2)} °C, best lag of daily anomalies ${lags.join(",")} d, ` +
        `synoptic anomalies damped to ${mean(damping).toFixed(2)} of the air's, daily range water ${mean(wRange).toFixed(2)} / air ${mean(aRange).toFixed(2)} °C, median hour of the water maximum ${median(maxHours).toFixed(1)} solar, ` +
        `daily means ${Math.min(...annual.map((a) => a[0]!)).toFixed(1)}…${Math.max(...annual.map((a) => a[1]!)).toFixed(1)} °C`,
    );
    for (const o of offsets) expect(o).toBeGreaterThan(1);
    for (const o of offsets) expect(o).toBeLessThan(2.5);
    for (const l of lags) expect(l).toBeGreaterThanOrEqual(1);
    for (const l of lags) expect(l).toBeLessThanOrEqual(5);
    for (const r of damping) expect(r).toBeLessThan(0.6);
    expect(mean(wRange)).toBeGreaterThan(0.8);
    expect(mean(wRange)).toBeLessThan(0.25 * mean(aRange));
    expect(median(maxHours)).toBeGreaterThanOrEqual(15);
    expect(median(maxHours)).toBeLessThanOrEqual(19);
  });

  it("oxygen rises by day and falls by night: maximum late afternoon, minimum at dawn, 10–30 % a day in summer", () => {
    const years = seedYears();
    const summer = years.flatMap((y) => y.days.filter((_, d) => d >= 151 && d <= 272 && !y.inBloom(d)));
    const winter = years.flatMap((y) => y.days.filter((_, d) => d < 59 || d >= 334));
    const range = (ds: DayStats[]) => mean(ds.map((d) => d.sMax - d.sMin));
    console.info(
      `dianchi oxygen: daily range summer ${range(summer).toFixed(1)} %, winter ${range(winter).toFixed(1)} %; ` +
        `median hour of max ${median(summer.map((d) => d.sMaxHour)).toFixed(1)}, of min ${median(summer.map((d) => d.sMinHour)).toFixed(1)} solar; ` +
        `summer days without a bloom above 120 % ${((100 * summer.filter((d) => d.sMax >= 120).length) / summer.length).toFixed(1)} %`,
    );
    expect(range(summer)).toBeGreaterThan(10);
    expect(range(summer)).toBeLessThan(30);
    expect(range(winter)).toBeLessThan(range(summer));
    expect(median(summer.map((d) => d.sMaxHour))).toBeGreaterThanOrEqual(14);
    expect(median(summer.map((d) => d.sMaxHour))).toBeLessThanOrEqual(18.5);
    expect(median(summer.map((d) => d.sMinHour))).toBeGreaterThanOrEqual(4);
    expect(median(summer.map((d) => d.sMinHour))).toBeLessThanOrEqual(8);
  });

  it("each bloom: day-time supersaturation with pH above 9, night-time depletion, turbidity rising over its growth", () => {
    const years = seedYears();
    let n = 0;
    let signature = 0;
    const peaks: number[] = [];
    const nights: number[] = [];
    const rises: number[] = [];
    for (const y of years) {
      for (const b of y.blooms) {
        n++;
        const d0 = Math.floor(b.start / DAY);
        const d1 = Math.floor(b.end / DAY);
        const days = y.days.slice(d0, d1 + 1);
        const peak = Math.max(...days.map((d) => d.sMax));
        peaks.push(peak);
        nights.push(Math.min(...days.map((d) => d.sMin)));
        if (days.some((d) => d.sMax >= 120 && d.pHMax > 9)) signature++;
        const turb = (t: number) => mean([0, 1, 2, 3, 4, 5].map((h) => y.lake.turbidity(t + h * HOUR)));
        rises.push(turb(b.start + b.growthDays * DAY - 6 * HOUR) / turb(b.start - 6 * HOUR));
      }
    }
    console.info(
      `dianchi blooms: ${n} in ${years.length} years, ${signature} with ≥ 120 % and pH > 9 on some day; median peak ${median(peaks).toFixed(0)} %, ` +
        `median lowest ${median(nights).toFixed(0)} %, turbidity at the end of growth ×${median(rises).toFixed(2)} (median)`,
    );
    expect(signature / n).toBeGreaterThanOrEqual(0.9);
    expect(median(nights)).toBeLessThan(80);
    for (const r of rises) expect(r).toBeGreaterThan(1.3);
  });

  it("stays within plausible ranges all year", () => {
    const y = seedYears()[0]!;
    const lo = { pH: Infinity, oxygen: Infinity, conductivity: Infinity, orp: Infinity, turbidity: Infinity };
    const hi = { pH: -Infinity, oxygen: -Infinity, conductivity: -Infinity, orp: -Infinity, turbidity: -Infinity };
    for (let t = 0; t < 365 * DAY; t += HOUR) {
      for (const q of ["pH", "oxygen", "conductivity", "orp", "turbidity"] as const) {
        const v = y.lake[q](t);
        lo[q] = Math.min(lo[q], v);
        hi[q] = Math.max(hi[q], v);
      }
    }
    console.info(
      `dianchi ranges (seed 1): pH ${lo.pH.toFixed(2)}…${hi.pH.toFixed(2)}, DO ${lo.oxygen.toFixed(2)}…${hi.oxygen.toFixed(2)} mg/L, ` +
        `κ25 ${lo.conductivity.toFixed(0)}…${hi.conductivity.toFixed(0)} µS/cm, ORP ${lo.orp.toFixed(0)}…${hi.orp.toFixed(0)} mV, turbidity ${lo.turbidity.toFixed(1)}…${hi.turbidity.toFixed(1)} NTU`,
    );
    expect(lo.pH).toBeGreaterThan(7.5);
    expect(hi.pH).toBeLessThan(10);
    expect(lo.oxygen).toBeGreaterThan(1);
    expect(hi.oxygen).toBeLessThan(16);
    expect(lo.conductivity).toBeGreaterThan(400);
    expect(hi.conductivity).toBeLessThan(520);
    expect(lo.orp).toBeGreaterThan(150);
    expect(hi.orp).toBeLessThan(350);
    expect(lo.turbidity).toBeGreaterThan(2);
    expect(hi.turbidity).toBeLessThan(150);
  });
});

describe("blooms", () => {
  it("come 1–3 a year with onsets from 1 June to 30 September (local), lasting 5–11 days (100 seeds)", () => {
    const perYear: number[] = [];
    for (let seed = 0; seed < 100; seed++) {
      const { lake } = world(seed);
      const list = lake.blooms(0, 365 * DAY);
      perYear.push(list.length);
      for (const b of list) {
        const local = new Date(JAN1 + b.start / 1000 + 8 * 3600e3);
        const md = (local.getUTCMonth() + 1) * 100 + local.getUTCDate();
        expect(md).toBeGreaterThanOrEqual(601);
        expect(md).toBeLessThanOrEqual(930);
        const days = (b.end - b.start) / DAY;
        expect(days).toBeGreaterThanOrEqual(5);
        expect(days).toBeLessThanOrEqual(11);
        expect(b.start % 1).toBe(0);
      }
    }
    expect(Math.min(...perYear)).toBe(1);
    expect(Math.max(...perYear)).toBe(3);
    console.info(`dianchi blooms per year over 100 seeds: mean ${mean(perYear).toFixed(2)}`);
  });

  it("a scenario can fix the bloom; biomass follows its growth, peak and decay; a bad spec names its field", () => {
    const onsetMs = JAN1 + 3 * DAY / 1000;
    const spec: BloomSpec = { onsetMs, growthDays: 2, peakDays: 1, decayDays: 2, intensity: 3 };
    const { lake } = world(5, [spec]);
    const [b, ...rest] = lake.blooms(0, 30 * DAY);
    expect(rest).toEqual([]);
    expect(b!.start).toBe(3 * DAY);
    expect(b!.end).toBe(8 * DAY);
    const background = lake.biomass(2 * DAY);
    expect(lake.biomass(4 * DAY) - background).toBeCloseTo(1.5, 2); // half-way up the smoothstep
    expect(lake.biomass(5.5 * DAY) - lake.biomass(2 * DAY)).toBeCloseTo(3, 1);
    expect(lake.biomass(9 * DAY)).toBeCloseTo(background, 1);
    expect(world(5, [spec]).lake.blooms(150 * DAY, 280 * DAY)).toEqual([]); // fixed blooms replace the seeded ones
    expect(() => world(5, [{ ...spec, growthDays: 0 }])).toThrow(/growthDays/);
    expect(() => world(5, [{ ...spec, onsetMs: NaN }])).toThrow(/onsetMs/);
    expect(() => world(5, [{ ...spec, intensity: -1 }])).toThrow(/intensity/);
  });
});
