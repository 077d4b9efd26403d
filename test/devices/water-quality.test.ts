/**
 * The water-quality buoy's on-device algorithms (devices/water-quality/) against published figures and constructed
 * sequences:
 * - oxygen saturation against the ISO 5814 / EN 25814 table at 101.325 kPa (as printed, to 0.01 mg/L, in the
 *   Yokogawa DO402 manual, Table 6-1, and the ProMinent DULCOTEST DO manual's appendix: the Benson–Krause values),
 *   its pressure correction against Benson & Krause's own alternative with Green & Carritt's vapour pressure (their
 *   Table 2, as the wql R package implements it; typed here from the equations), and the altitude's pressure against
 *   the ICAO standard atmosphere table (1000 m 898.7 hPa, 1500 m 845.6 hPa, 2000 m 795.0 hPa);
 * - GB 3838-2002 class limits at their boundaries, from the standard's Table 1;
 * - the bloom flag, turbidity trend, adaptive sampling and probe faults on sequences built here, where the answer
 *   follows from the definitions in the modules' headers.
 */
import { describe, expect, it } from "vitest";
import {
  DIANCHI_ALTITUDE_M,
  lakePressureKpa,
  oxygenPercent,
  salinityOfConductance,
  standardPressureKpa,
} from "../../devices/water-quality/saturation.js";
import {
  CLASS_I,
  CLASS_II,
  CLASS_III,
  CLASS_IV,
  CLASS_V,
  classifyReadings,
  className,
  classOf,
  GB3838_TABLE1,
  oxygenClass,
  pHClass,
  UNCLASSIFIED,
  WORSE_THAN_V,
  type WaterClass,
} from "../../devices/water-quality/gb3838.js";
import { BLOOM_DEFAULTS, BloomRisk } from "../../devices/water-quality/bloom.js";
import { TurbidityTrend } from "../../devices/water-quality/turbidity-trend.js";
import { AdaptiveSampling, SAMPLING_DEFAULTS } from "../../devices/water-quality/sampling.js";
import {
  FAULT_DRIFT,
  FAULT_NONE,
  FAULT_RANGE,
  FAULT_STUCK,
  PROBE_CHANNELS,
  ProbeFaultDetector,
} from "../../devices/water-quality/probe-faults.js";
import { oxygenSaturation } from "../../parts/ezo/oxygen.js";
import { Scheduler } from "../../runtime/scheduler.js";
import { Engine, MS } from "../../simulator/core/engine.js";
import { EngineClock, EngineTimers } from "../../simulator/core/timers.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe("dissolved oxygen saturation", () => {
  it("matches the ISO 5814 table at 101.325 kPa to its 0.01 mg/L, and 100 % for air-saturated water", () => {
    const iso5814: [number, number][] = [[0, 14.62], [5, 12.77], [10, 11.29], [15, 10.08], [16, 9.87], [20, 9.09], [25, 8.26], [30, 7.56]];
    for (const [t, mg] of iso5814) {
      expect(Math.abs(oxygenSaturation(t, 0, 101.325) - mg), `${t} °C`).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(oxygenPercent(mg, t, 0, 101.325) - 100), `${t} °C`).toBeLessThan(0.06);
    }
  });

  it("corrects for pressure as Benson & Krause's Green–Carritt form does, within 0.005 mg/L over 0–35 °C and 60–105 kPa", () => {
    // Benson & Krause (1984) eq. 24 with Table 2's water-vapour pressure (Green & Carritt 1967), S = 0, P in atm.
    const bk = (t: number, atm: number): number => {
      const T = t + 273.15;
      const cStar = Math.exp(-139.34411 + 1.575701e5 / T - 6.642308e7 / T ** 2 + 1.2438e10 / T ** 3 - 8.621949e11 / T ** 4);
      const u =
        Math.exp(18.1973 * (1 - 373.16 / T) + 3.1813e-7 * (1 - Math.exp(26.1205 * (1 - T / 373.16))) - 0.018726 * (1 - Math.exp(8.03945 * (1 - 373.16 / T))) + 5.02802 * Math.log(373.16 / T));
      const theta = 0.000975 - 1.426e-5 * t + 6.436e-8 * t * t;
      return (cStar * atm * (1 - u / atm) * (1 - theta * atm)) / ((1 - u) * (1 - theta));
    };
    let worst = 0;
    for (let t = 0; t <= 35; t += 2.5) {
      for (let kpa = 60; kpa <= 105; kpa += 5) {
        const d = Math.abs(oxygenSaturation(t, 0, kpa) - bk(t, kpa / 101.325));
        if (d > worst) worst = d;
        // and the reading the buoy reports at saturation under that air is 100 %
        expect(oxygenPercent(bk(t, kpa / 101.325), t, 0, kpa)).toBeCloseTo(100, 0);
      }
    }
    expect(worst).toBeLessThan(0.005);
  });

  it("takes the barometer when plausible, else the standard atmosphere at the altitude (ICAO table)", () => {
    for (const [h, kpa] of [[0, 101.325], [1000, 89.87], [1500, 84.56], [2000, 79.5]] as const) expect(standardPressureKpa(h)).toBeCloseTo(kpa, 1);
    expect(standardPressureKpa(DIANCHI_ALTITUDE_M)).toBeCloseTo(80.6, 1);
    expect(lakePressureKpa(81.3, DIANCHI_ALTITUDE_M)).toBe(81.3);
    for (const bad of [NaN, 0, 30, 120, Infinity]) expect(lakePressureKpa(bad, DIANCHI_ALTITUDE_M)).toBe(standardPressureKpa(DIANCHI_ALTITUDE_M));
    // At the lake, 7.2 mg/L at 20 °C is saturation: 100 %, where the sea-level assumption would say 79 %.
    const cs = oxygenSaturation(20, 0, 81);
    expect(oxygenPercent(cs, 20, 0, 81)).toBeCloseTo(100, 10);
    expect(oxygenPercent(cs, 20, 0, 101.325)).toBeCloseTo(79.5, 0);
  });

  it("uses the water's salinity (PSS-78 from κ₂₅) and refuses what the equations do not cover", () => {
    expect(salinityOfConductance(NaN)).toBe(0);
    expect(salinityOfConductance(-5)).toBe(0);
    const s = salinityOfConductance(470);
    expect(s).toBeGreaterThan(0.15);
    expect(s).toBeLessThan(0.35);
    const fresh = oxygenPercent(7, 20, 0, 81);
    expect(oxygenPercent(7, 20, s, 81) / fresh - 1).toBeGreaterThan(0);
    expect(oxygenPercent(7, 20, s, 81) / fresh - 1).toBeLessThan(0.002);
    for (const [mg, t, psu, kpa] of [[NaN, 20, 0, 81], [-1, 20, 0, 81], [7, -2, 0, 81], [7, 41, 0, 81], [7, 20, 50, 81], [7, 20, 0, 20], [7, 20, 0, NaN]]) {
      expect(oxygenPercent(mg!, t!, psu!, kpa!)).toBeNaN();
    }
  });
});

describe("GB 3838-2002 class", () => {
  it("carries Table 1 as frozen data", () => {
    expect(Object.isFrozen(GB3838_TABLE1)).toBe(true);
    expect(Object.isFrozen(GB3838_TABLE1.dissolvedOxygenMgL.limits)).toBe(true);
    expect(GB3838_TABLE1.dissolvedOxygenMgL.limits).toEqual([7.5, 6, 5, 3, 2]);
    expect(GB3838_TABLE1.dissolvedOxygenClassIPercent).toBe(90);
    expect(GB3838_TABLE1.pH).toEqual({ min: 6, max: 9 });
    expect(GB3838_TABLE1.permanganateIndexMgL.limits).toEqual([2, 4, 6, 10, 15]);
    expect(GB3838_TABLE1.codMgL.limits).toEqual([15, 15, 20, 30, 40]);
    expect(GB3838_TABLE1.bod5MgL.limits).toEqual([3, 3, 4, 6, 10]);
    expect(GB3838_TABLE1.ammoniaNitrogenMgL.limits).toEqual([0.15, 0.5, 1.0, 1.5, 2.0]);
    expect(GB3838_TABLE1.totalPhosphorusLakeMgL.limits).toEqual([0.01, 0.025, 0.05, 0.1, 0.2]);
    expect(GB3838_TABLE1.totalNitrogenLakeMgL.limits).toEqual([0.2, 0.5, 1.0, 1.5, 2.0]);
  });

  it("classes dissolved oxygen at each boundary (≥ limit meets it), with 90 % saturation as the class I alternative", () => {
    const cases: [number, number][] = [
      [9, CLASS_I], [7.5, CLASS_I], [7.49, CLASS_II], [6, CLASS_II], [5.99, CLASS_III], [5, CLASS_III],
      [4.99, CLASS_IV], [3, CLASS_IV], [2.99, CLASS_V], [2, CLASS_V], [1.99, WORSE_THAN_V], [0, WORSE_THAN_V],
    ];
    for (const [mg, c] of cases) expect(oxygenClass(mg, NaN), `${mg} mg/L`).toBe(c);
    // At the lake's altitude saturated warm water holds less than 7.5 mg/L: class I by the percentage.
    expect(oxygenClass(7.0, 90)).toBe(CLASS_I);
    expect(oxygenClass(7.0, 89.9)).toBe(CLASS_II);
    expect(oxygenClass(NaN, NaN)).toBe(UNCLASSIFIED);
  });

  it("classes pH as 6–9 for every class and worse than V outside, boundaries included", () => {
    for (const [pH, c] of [[6, CLASS_I], [7.5, CLASS_I], [9, CLASS_I], [9.001, WORSE_THAN_V], [5.999, WORSE_THAN_V], [NaN, UNCLASSIFIED]] as const) {
      expect(pHClass(pH), `pH ${pH}`).toBe(c);
    }
  });

  it("classes the ≤ items at their boundaries (for analyser or laboratory values)", () => {
    const m = GB3838_TABLE1.permanganateIndexMgL;
    for (const [v, c] of [[2, CLASS_I], [2.01, CLASS_II], [4, CLASS_II], [6, CLASS_III], [10, CLASS_IV], [15, CLASS_V], [15.01, WORSE_THAN_V]] as const) {
      expect(classOf(v, m), `COD_Mn ${v}`).toBe(c);
    }
    // COD's I and II share 15 mg/L: 15 is class I.
    expect(classOf(15, GB3838_TABLE1.codMgL)).toBe(CLASS_I);
    expect(classOf(0.2, GB3838_TABLE1.totalPhosphorusLakeMgL)).toBe(CLASS_V);
    expect(classOf(0.21, GB3838_TABLE1.totalPhosphorusLakeMgL)).toBe(WORSE_THAN_V);
  });

  it("reports the worst measured item, ignoring unmeasured ones, into the caller's object", () => {
    const out: WaterClass = { oxygen: 0, pH: 0, worst: 0 };
    expect(classifyReadings(5.5, 70, 8.2, out)).toBe(out);
    expect(out).toEqual({ oxygen: CLASS_III, pH: CLASS_I, worst: CLASS_III });
    expect(classifyReadings(11, 160, 9.4, out)).toEqual({ oxygen: CLASS_I, pH: WORSE_THAN_V, worst: WORSE_THAN_V });
    expect(classifyReadings(NaN, NaN, 7, out)).toEqual({ oxygen: UNCLASSIFIED, pH: CLASS_I, worst: CLASS_I });
    expect([0, 1, 3, 5, 6, 9].map(className)).toEqual(["unclassified", "I", "III", "V", "worse than V", "unclassified"]);
  });
});

/** Unix ms of local mean solar `hour` on solar day `day` at the rule's longitude (102.67°E). */
function solarMs(day: number, hour: number): number {
  return Math.round((day * 24 + hour - BLOOM_DEFAULTS.longitudeDeg / 15) * HOUR) + 20_000 * DAY;
}

/** Feed every 15 minutes from solar hour h0 of day d0 to h1 of day d1, with readings from `f(day, hour)`. */
function feed(risk: BloomRisk, d0: number, h0: number, d1: number, h1: number, f: (day: number, hour: number) => [number, number, number]): boolean[] {
  const out: boolean[] = [];
  for (let m = solarMs(d0, h0); m < solarMs(d1, h1); m += 15 * MIN) {
    const solar = (m - 20_000 * DAY) / HOUR + BLOOM_DEFAULTS.longitudeDeg / 15;
    const day = Math.floor(solar / 24);
    const [pct, pH, ntu] = f(day, solar - 24 * day);
    out.push(risk.add(m, pct, pH, ntu));
  }
  return out;
}

describe("turbidity trend", () => {
  const rule = { windowHours: 6, lagHours: 24, fraction: 0.15, minNtu: 2, minHours: 3 };
  const series = (yesterday: number, today: number): TurbidityTrend => {
    const tr = new TurbidityTrend(rule);
    for (let m = 0; m < 30 * HOUR; m += 15 * MIN) tr.add(1_000 * DAY + m, m < 24 * HOUR ? yesterday : today);
    return tr;
  };
  const now = 1_000 * DAY + 30 * HOUR - 1;

  it("is rising from a 15 % and 2 NTU rise over the same 6 hours a day earlier, not below", () => {
    expect(series(20, 22.9).rising(now)).toBe(false); // 14.5 %
    expect(series(20, 23).rising(now)).toBe(true); // 15 %
    expect(series(20, 23).rise(now)).toBeCloseTo(3, 10);
    expect(series(4, 5.9).rising(now)).toBe(false); // 47 % but 1.9 NTU: clear water's noise
    expect(series(4, 6).rising(now)).toBe(true);
    expect(series(20, 15).rising(now)).toBe(false);
  });

  it("weighs hours, not readings, and needs 3 sampled hours in each window", () => {
    const tr = new TurbidityTrend(rule);
    const t0 = 1_000 * DAY;
    for (let h = 0; h < 6; h++) tr.add(t0 + h * HOUR, 10); // yesterday: one reading an hour
    for (let h = 24; h < 30; h++) for (let k = 0; k < 30; k++) tr.add(t0 + h * HOUR + k * 2 * MIN, h < 29 ? 10 : 40); // today every 2 min
    // hour means 10,10,10,10,10,40 → 15: +50 % (a mean of readings would give 15 too here, but one hour weighs one sixth)
    expect(tr.rise(t0 + 29.5 * HOUR)).toBeCloseTo(5, 10);
    const sparse = new TurbidityTrend(rule);
    sparse.add(t0, 10);
    sparse.add(t0 + HOUR, 10);
    for (let h = 24; h < 30; h++) sparse.add(t0 + h * HOUR, 30);
    expect(sparse.rise(t0 + 29.5 * HOUR)).toBeNaN();
    expect(sparse.rising(t0 + 29.5 * HOUR)).toBe(false);
    sparse.add(t0 + 2 * HOUR, NaN); // ignored
    expect(sparse.rising(t0 + 29.5 * HOUR)).toBe(false);
    expect(() => new TurbidityTrend({ ...rule, minHours: 7 })).toThrow(/minHours/);
  });
});

describe("bloom-risk flag", () => {
  /** Day 0 flat at 10 NTU; from day 1 the turbidity rises 30 % a day. */
  const ntu = (day: number) => 10 * 1.3 ** Math.max(0, day);
  const bloomDay = (day: number, hour: number): [number, number, number] => {
    const sun = hour > 7 && hour < 19 ? Math.sin((Math.PI * (hour - 7)) / 12) : 0;
    return [95 + 60 * sun, 8.5 + 0.8 * sun, ntu(day)];
  };

  it("rises on the second consecutive qualifying daytime reading, once turbidity has risen for a day", () => {
    const r = new BloomRisk();
    const day0 = feed(r, 0, 0, 1, 0, bloomDay);
    expect(day0.some(Boolean)).toBe(false); // no trend yet: nothing a day earlier
    const day1 = feed(r, 1, 0, 2, 0, bloomDay);
    // 10:00 solar: 95 + 60·sin(π/4) = 137 %, pH 9.07 → the 10:00 and 10:15 readings qualify
    const first = day1.indexOf(true);
    expect(first).toBe(10 * 4 + 1);
    expect(r.raisedCount).toBe(1);
  });

  it("does not rise at night, at exactly pH 9, just below 120 %, without rising turbidity, or on one spike", () => {
    const night = new BloomRisk();
    feed(night, 0, 0, 3, 0, (d, h) => (h < 6 || h > 20 ? [160, 9.5, ntu(d)] : [100, 8.5, ntu(d)]));
    expect(night.raisedCount).toBe(0);
    const ph9 = new BloomRisk();
    feed(ph9, 0, 0, 3, 0, (d) => [150, 9.0, ntu(d)]);
    expect(ph9.raisedCount).toBe(0);
    const sat = new BloomRisk();
    feed(sat, 0, 0, 3, 0, (d) => [119.99, 9.5, ntu(d)]);
    expect(sat.raisedCount).toBe(0);
    const flat = new BloomRisk();
    feed(flat, 0, 0, 3, 0, () => [150, 9.5, 10]);
    expect(flat.raisedCount).toBe(0);
    const spike = new BloomRisk();
    let n = 0;
    feed(spike, 0, 0, 3, 0, (d, h) => (d >= 1 && h >= 12 && h < 12.25 && n++ < 2 ? [150, 9.5, ntu(d)] : [100, 8.5, ntu(d)]));
    expect(n).toBe(2); // a single qualifying reading on day 1 and one on day 2: never two in a row
    expect(spike.raisedCount).toBe(0);
    const unset = new BloomRisk();
    for (let m = 0; m < 3 * DAY; m += 15 * MIN) unset.add(0, 150, 9.5, 10 * 1.3 ** (m / DAY));
    expect(unset.raised).toBe(false);
  });

  it("holds through the night, through readings between the thresholds and through a plateau of turbidity; clears after a daytime below 110 %", () => {
    const r = new BloomRisk();
    feed(r, 0, 0, 2, 0, bloomDay);
    expect(r.raised).toBe(true);
    // day 2: oxygen crash at night, turbidity flat, daytime maximum 112 % and pH 8.9: between exit and entry
    const held = feed(r, 2, 0, 3, 0, (d, h) => [h > 10 && h < 16 ? 112 : 60, h > 10 && h < 16 ? 8.9 : 8.0, ntu(1)]);
    expect(held.every(Boolean)).toBe(true);
    // day 3: readings hover around 120 % all day: still raised, and it never flapped
    const hover = feed(r, 3, 0, 4, 0, (d, h) => [h % 1 < 0.5 ? 121 : 119, 9.05, ntu(1)]);
    expect(hover.every(Boolean)).toBe(true);
    // day 4: daytime maximum 109 %: still raised until the first reading at or after 17:00 solar, then cleared
    const clear = feed(r, 4, 0, 5, 0, () => [109, 9.1, ntu(1)]);
    expect(clear.indexOf(false)).toBe(17 * 4);
    expect(clear.slice(0, 17 * 4).every(Boolean)).toBe(true);
    expect(r.raisedCount).toBe(1);
    expect(r.clearedCount).toBe(1);
  });

  it("clears on a low daytime pH maximum too, but not on a day without readings", () => {
    const r = new BloomRisk();
    feed(r, 0, 0, 2, 0, bloomDay);
    feed(r, 2, 0, 2, 9, () => [150, 9.4, ntu(1)]);
    // the buoy is silent from 09:00 on day 2 to 18:00 on day 3: no daytime evidence, the flag holds
    expect(feed(r, 3, 18, 4, 9, () => [80, 8.0, ntu(1)]).every(Boolean)).toBe(true);
    const day4 = feed(r, 4, 9, 5, 0, () => [130, 8.7, ntu(1)]);
    expect(day4.indexOf(false)).toBe(8 * 4); // 17:00, counted from 09:00
  });

  it("refuses a rule whose thresholds or daytime make no sense", () => {
    expect(() => new BloomRisk({ ...BLOOM_DEFAULTS, exitPercent: 130 })).toThrow(/exit thresholds/);
    expect(() => new BloomRisk({ ...BLOOM_DEFAULTS, dayStartHour: 18 })).toThrow(/daytime/);
    expect(() => new BloomRisk({ ...BLOOM_DEFAULTS, confirmReadings: 0 })).toThrow(/confirmReadings/);
    expect(Object.isFrozen(BLOOM_DEFAULTS)).toBe(true);
  });
});

describe("adaptive sampling", () => {
  it("goes to 2 minutes on a warning at once, back to 15 only after 30 minutes without one", () => {
    const s = new AdaptiveSampling();
    expect(s.periodMs).toBe(15 * MIN);
    expect(s.update(0, false)).toBe(false);
    expect(s.update(15 * MIN, true)).toBe(true);
    expect(s.periodMs).toBe(2 * MIN);
    expect(s.update(17 * MIN, false)).toBe(false);
    expect(s.update(19 * MIN, true)).toBe(false); // flicker: the hold restarts
    expect(s.update(48 * MIN, false)).toBe(false); // 29 min since the last warning
    expect(s.alert).toBe(true);
    expect(s.update(49 * MIN, false)).toBe(true); // 30 min
    expect(s.periodMs).toBe(15 * MIN);
    expect(s.alerts).toBe(1);
    expect(() => new AdaptiveSampling({ ...SAMPLING_DEFAULTS, alertMs: 20 * MIN })).toThrow(/alertMs/);
  });

  it("drives the runtime scheduler: samples every 15 min, every 2 min while the warning holds, no burst on the switch", () => {
    const engine = new Engine();
    const sched = new Scheduler(new EngineTimers(engine), new EngineClock(engine, 0));
    const sampling = new AdaptiveSampling();
    const at: number[] = [];
    const warning = (ms: number) => ms >= 60 * MIN && ms < 90 * MIN;
    const task = sched.every(sampling.periodMs, () => {
      const now = sched.now();
      at.push(now / MIN);
      if (sampling.update(now, warning(now))) task.setPeriod(sampling.periodMs);
    });
    engine.runUntil(200 * MIN * MS);
    // 15, 30, 45, 60 (warning seen) → every 2 min to 88 (last warning) → hold until 118 → 15-minute grid from there
    const expected = [15, 30, 45, 60];
    for (let m = 62; m <= 118; m += 2) expected.push(m);
    for (let m = 133; m <= 200; m += 15) expected.push(m);
    expect(at).toEqual(expected);
  });
});

describe("probe faults", () => {
  const t0 = 20_000 * DAY;

  it("flags readings outside the physical range (and NaN) without letting them into the other statistics", () => {
    const p = new ProbeFaultDetector(PROBE_CHANNELS.pH);
    expect(p.add(t0, 8.4)).toBe(FAULT_NONE);
    expect(p.add(t0 + MIN, 14.5)).toBe(FAULT_RANGE);
    expect(p.add(t0 + 2 * MIN, NaN)).toBe(FAULT_RANGE);
    expect(p.add(t0 + 3 * MIN, -0.1)).toBe(FAULT_RANGE);
    expect(p.add(t0 + 4 * MIN, 8.5)).toBe(FAULT_NONE);
    const o = new ProbeFaultDetector(PROBE_CHANNELS.oxygen);
    expect(o.add(t0, 40)).toBe(FAULT_NONE);
    expect(o.add(t0, 40.01)).toBe(FAULT_RANGE);
    expect(Object.isFrozen(PROBE_CHANNELS) && Object.isFrozen(PROBE_CHANNELS.turbidity)).toBe(true);
  });

  it("is stuck after 12 readings within the resolution, not after 11, and not when one moves by more", () => {
    const p = new ProbeFaultDetector(PROBE_CHANNELS.pH);
    const values = [8.412, 8.413, 8.412, 8.412, 8.413, 8.413, 8.412, 8.413, 8.412, 8.412, 8.413];
    for (let i = 0; i < values.length; i++) expect(p.add(t0 + i * 15 * MIN, values[i]!)).toBe(FAULT_NONE);
    expect(p.add(t0 + 11 * 15 * MIN, 15)).toBe(FAULT_RANGE); // out of range: not one of the 12
    expect(p.add(t0 + 12 * 15 * MIN, 8.412)).toBe(FAULT_STUCK);
    expect(p.add(t0 + 13 * 15 * MIN, 8.412)).toBe(FAULT_STUCK);
    expect(p.add(t0 + 14 * 15 * MIN, 8.414)).toBe(FAULT_NONE); // 0.002 from 8.412
    const q = new ProbeFaultDetector(PROBE_CHANNELS.pH);
    for (let i = 0; i < 30; i++) expect(q.add(t0 + i * 15 * MIN, 8.4 + 0.002 * (i % 2))).toBe(FAULT_NONE);
  });

  /** `n` days of 15-minute readings: a diurnal cycle of ±`swing` around base + slope·day (+ `extra(day)`). */
  function days(p: ProbeFaultDetector, n: number, base: number, slope: number, swing: number, extra = (_d: number) => 0, reference?: (d: number, h: number) => number): number {
    let flags = 0;
    for (let d = 0; d < n; d++) {
      for (let q = 0; q < 96; q++) {
        const h = q / 4;
        const v = base + slope * d + extra(d) + swing * Math.sin((2 * Math.PI * (h - 9)) / 24) + 0.004 * ((q * 7) % 5);
        flags = p.add(t0 - 8 * HOUR + d * DAY + q * 15 * MIN, v, reference ? reference(d, h) : NaN);
      }
    }
    return flags;
  }

  it("drifts when 14 complete daily means climb monotonically by the limit; the 15th day's first reading reports it", () => {
    const p = new ProbeFaultDetector(PROBE_CHANNELS.pH);
    expect(days(p, 14, 8.4, 0.02, 0.3) & FAULT_DRIFT).toBe(0); // day 14 still open
    expect(p.drift).toBeNaN();
    expect(p.add(t0 - 8 * HOUR + 14 * DAY, 8.7) & FAULT_DRIFT).toBe(FAULT_DRIFT);
    expect(p.drift).toBeCloseTo(0.26, 2);
    const slow = new ProbeFaultDetector(PROBE_CHANNELS.pH);
    days(slow, 15, 8.4, 0.015, 0.3); // 0.195 over the window: below 0.2
    expect(slow.flags & FAULT_DRIFT).toBe(0);
    expect(slow.drift).toBeCloseTo(0.195, 3);
  });

  it("does not drift when one day breaks the monotony, or when a short day breaks the run", () => {
    const wobble = new ProbeFaultDetector(PROBE_CHANNELS.pH);
    days(wobble, 15, 8.4, 0.03, 0.3, (d) => (d === 6 ? -0.05 : 0));
    expect(wobble.flags & FAULT_DRIFT).toBe(0);
    const gap = new ProbeFaultDetector(PROBE_CHANNELS.pH);
    days(gap, 6, 8.4, 0.03, 0.3);
    for (let q = 0; q < 11; q++) gap.add(t0 - 8 * HOUR + 6 * DAY + q * HOUR, 8.6); // day 6: 11 readings, fewer than 12
    for (let d = 7; d < 21; d++) for (let q = 0; q < 96; q++) gap.add(t0 - 8 * HOUR + d * DAY + q * 15 * MIN, 8.4 + 0.03 * d);
    expect(gap.flags & FAULT_DRIFT).toBe(0); // days 7–20 since the break: 14, judged when day 20 closes…
    gap.add(t0 - 8 * HOUR + 21 * DAY, 9);
    expect(gap.flags & FAULT_DRIFT).toBe(FAULT_DRIFT); // …at day 21's first reading
  });

  it("against a co-located reference: a probe drifting from it is caught, both warming together is not", () => {
    // The buoy's own temperature channel has no drift limit (no reference on board); with a second thermometer, 0.5 °C.
    expect(PROBE_CHANNELS.temperature.driftLimit).toBe(Infinity);
    const withReference = { ...PROBE_CHANNELS.temperature, driftLimit: 0.5 };
    const spring = (d: number, h: number) => 15 + 0.1 * d + 1.2 * Math.sin((2 * Math.PI * (h - 9)) / 24);
    const together = new ProbeFaultDetector(withReference);
    days(together, 15, 15, 0.1, 1.2, () => 0, spring);
    expect(together.flags & FAULT_DRIFT).toBe(0);
    const baseline = new ProbeFaultDetector(withReference);
    days(baseline, 15, 15, 0.1, 1.2); // the same warming against its own baseline: 1.3 °C, the documented caveat
    expect(baseline.flags & FAULT_DRIFT).toBe(FAULT_DRIFT);
    const own = new ProbeFaultDetector(PROBE_CHANNELS.temperature);
    days(own, 15, 15, 0.1, 1.2);
    expect(own.flags & FAULT_DRIFT).toBe(0);
    const drifting = new ProbeFaultDetector(withReference);
    days(drifting, 15, 15, 0.1 + 0.05, 1.2, () => 0, spring); // the probe gains 0.05 °C a day on its neighbour
    expect(drifting.flags & FAULT_DRIFT).toBe(FAULT_DRIFT);
    expect(drifting.drift).toBeCloseTo(0.65, 2);
  });

  it("refuses a channel that cannot work", () => {
    expect(() => new ProbeFaultDetector({ ...PROBE_CHANNELS.pH, max: -1 })).toThrow(/pH: max/);
    expect(() => new ProbeFaultDetector({ ...PROBE_CHANNELS.pH, stuckReadings: 1 })).toThrow(/stuckReadings/);
    expect(() => new ProbeFaultDetector({ ...PROBE_CHANNELS.pH, driftDays: 1 })).toThrow(/driftDays/);
    expect(() => new ProbeFaultDetector({ ...PROBE_CHANNELS.pH, driftLimit: 0 })).toThrow(/driftLimit/);
  });
});
