/**
 * The household world (simulator/core/environment/household.ts): a pure function of (seed, absolute time), energy
 * and volume the exact integrals of power and flow, the daily shape of a Kunming household's load (night minimum,
 * evening maximum, busier weekend noons, more in winter), and bit-identical values on XS (the fingerprint below was
 * computed by XS; unit.test.ts runs this file there too). Prints the figures the model's header quotes.
 */
import { describe, expect, it } from "vitest";
import { createHousehold, type Household } from "../../simulator/core/environment/household.js";
import { BitHash } from "./fingerprint.js";

const S = 1_000_000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** 2026-01-05T00:00:00+08:00, a Monday. */
const JAN5 = Date.UTC(2026, 0, 4, 16);

/** A year of hourly values (and a few odd instants) for two seeds, hashed bit for bit. */
export function householdFingerprint(): string {
  const h = new BitHash();
  for (const seed of [1, "flat-7"]) {
    const w = createHousehold({ seed });
    for (let t = 0; t < 365 * DAY; t += HOUR + 7 * S) {
      h.add(w.electricity.powerW(t));
      h.add(w.electricity.energyWh(t));
      h.add(w.electricity.voltageV(t));
      h.add(w.water.flowLpm(t));
      h.add(w.water.volumeLitres(t));
    }
  }
  return h.digest();
}

describe("household world", () => {
  const times = Array.from({ length: 300 }, (_, i) => Math.floor(((i * 7919) % 300) * 1.3 * HOUR + i * 12_345_678));
  const sample = (w: Household, t: number) => [w.electricity.powerW(t), w.electricity.energyWh(t), w.electricity.voltageV(t), w.water.flowLpm(t), w.water.volumeLitres(t)];

  it("is a function of (seed, absolute time): order of questions and the epoch change nothing", () => {
    const a = createHousehold({ seed: 9 });
    const ref = times.map((t) => sample(a, t));
    const b = createHousehold({ seed: 9 });
    expect([...times].reverse().map((t) => sample(b, t)).reverse()).toEqual(ref);
    const shift = 3 * DAY + 5 * HOUR;
    const c = createHousehold({ seed: 9, epochMs: a.epochMs + shift / 1000 });
    for (const t of times) {
      expect(c.electricity.powerW(t)).toBe(a.electricity.powerW(t + shift));
      expect(c.water.flowLpm(t)).toBe(a.water.flowLpm(t + shift));
      expect(c.electricity.energyBetween(t, t + 5 * HOUR)).toBeCloseTo(a.electricity.energyBetween(t + shift, t + shift + 5 * HOUR), 6);
    }
    const d = createHousehold({ seed: 10 });
    expect(times.filter((t) => d.electricity.powerW(t) !== a.electricity.powerW(t)).length).toBeGreaterThan(200);
    expect(a.electricity.energyWh(0)).toBe(0);
    expect(a.water.volumeLitres(0)).toBe(0);
  });

  it("energy and volume are the integrals of power and flow, and never fall", () => {
    const w = createHousehold({ seed: 4, epochMs: JAN5 });
    let e = 0;
    let v = 0;
    let lastE = -1;
    let lastV = -1;
    for (let t = 0; t < 3 * DAY; t += S) {
      e += w.electricity.powerW(t) / 3600;
      v += w.water.flowLpm(t) / 60;
      if (t % (10 * MIN) === 0) {
        const E = w.electricity.energyWh(t + S);
        const V = w.water.volumeLitres(t + S);
        expect(E).toBeGreaterThanOrEqual(lastE);
        expect(V).toBeGreaterThanOrEqual(lastV);
        lastE = E;
        lastV = V;
        // Breakpoints fall on whole ms, so 1-s sums differ only where something switched inside the second.
        expect(Math.abs(E - e)).toBeLessThan(0.002 * e + 1);
        expect(Math.abs(V - v)).toBeLessThan(0.002 * v + 1);
      }
    }
  });

  it("has a Kunming household's daily shape: night minimum, evening maximum, busier weekend noons, more in winter", () => {
    const byHour = (w: Household, from: number, days: number, weekend: boolean) => {
      const sum = new Array(24).fill(0);
      let n = 0;
      for (let d = 0; d < days; d++) {
        const dow = (d + 1) % 7; // day 0 is a Monday
        if ((dow === 0 || dow === 6) !== weekend) continue;
        n++;
        for (let m = 0; m < 24 * 60; m += 5) sum[Math.floor(m / 60)] += w.electricity.powerW(from + d * DAY + m * MIN) / 12;
      }
      return sum.map((x) => x / n);
    };
    const winter = createHousehold({ seed: 21, epochMs: JAN5 });
    const summer = createHousehold({ seed: 21, epochMs: JAN5 + 182 * 86_400_000 });
    const wd = byHour(winter, 0, 56, false);
    const we = byHour(winter, 0, 56, true);
    const sd = byHour(summer, 0, 56, false);
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" ");
    console.info(`household weekday W by hour, Jan–Feb: ${fmt(wd)}`);
    console.info(`household weekend W by hour, Jan–Feb: ${fmt(we)}`);
    console.info(`household weekday W by hour, Jul–Aug: ${fmt(sd)}`);
    const kwhWinter = winter.electricity.energyBetween(0, 56 * DAY) / 56 / 1000;
    const kwhSummer = summer.electricity.energyBetween(0, 56 * DAY) / 56 / 1000;
    const litres = summer.water.volumeBetween(0, 56 * DAY) / 56;
    const year = createHousehold({ seed: 21, epochMs: JAN5 }).electricity.energyBetween(0, 365 * DAY) / 1000;
    console.info(`household: ${kwhWinter.toFixed(1)} kWh/day in Jan–Feb, ${kwhSummer.toFixed(1)} in Jul–Aug, ${year.toFixed(0)} kWh a year; ${litres.toFixed(0)} L/day of water (3 persons)`);
    const night = Math.max(wd[2], wd[3], wd[4]);
    const evening = Math.max(...wd.slice(18, 23));
    expect(night).toBeLessThan(250);
    expect(evening).toBeGreaterThan(3 * night);
    expect(wd.indexOf(Math.max(...wd))).toBeGreaterThanOrEqual(18);
    expect(we[12]).toBeGreaterThan(wd[12]);
    expect(kwhWinter).toBeGreaterThan(kwhSummer);
    expect(kwhSummer).toBeGreaterThan(4);
    expect(kwhWinter).toBeLessThan(12);
    expect(litres).toBeGreaterThan(250);
    expect(litres).toBeLessThan(450);
  });

  it("keeps the supply voltage within GB/T 12325's +7 %/−10 % of 220 V", () => {
    const w = createHousehold({ seed: 2 });
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = 0; t < 30 * DAY; t += 7 * MIN) {
      const v = w.electricity.voltageV(t);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThan(198);
    expect(hi).toBeLessThan(235.4);
  });

  it("gives the values XS computed, bit for bit", () => {
    // Recompute on XS (unit.test.ts runs this file there) after any deliberate change to the model.
    expect(householdFingerprint()).toBe("194896ea:5a67ccbc/87430");
  });
});
