/**
 * The bridge world (simulator/core/environment/bridge.ts): determinism and its bits on XS (this file runs there
 * too, through test/xs/unit.test.ts, against the same fingerprint), traffic statistics by hour of the day, the
 * strain pulse of a vehicle against the influence line worked by hand, the deck's thermal lag behind the air, and
 * the damage on day 3.
 */
import { describe, expect, it } from "vitest";
import { HOUR, SECOND } from "../../simulator/core/engine.js";
import { createBridge, type BridgeWorld, type Vehicle } from "../../simulator/core/environment/bridge.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import { BitHash } from "./fingerprint.js";

const DAY = 24 * HOUR;
/** Beijing hour of day of virtual time t. */
const hourOf = (w: BridgeWorld, t: number) => Math.floor((((w.epochMs + t / 1000) / 3.6e6 + 8) % 24) + 24) % 24;
const heavy = (v: Vehicle) => v.kind !== "car" && v.kind !== "van";

/** Strain, temperature and snapshot components at irregular instants over four days, and 60 s at 100 Hz. */
function fingerprint(seed: number | string): string {
  const w = createBridge({ seed });
  const h = new BitHash();
  for (let t = 0; t < 4 * DAY; t += 97 * SECOND + 3_001) {
    h.add(w.strain(t));
    h.add(w.temperature(t));
  }
  for (let t = 8 * HOUR; t < 8 * HOUR + 60 * SECOND; t += 10_000) h.add(w.strain(t));
  h.add(w.damageAt);
  h.add(w.stiffnessLoss);
  h.add(w.offsetMicrostrain);
  h.add(w.baselineMicrostrain);
  for (const v of w.vehicles(2 * DAY, 2 * DAY + HOUR)) {
    h.add(v.enter);
    h.add(v.gvwTonnes);
    h.add(v.speedKmh);
    h.add(v.peakMicrostrain);
  }
  return h.digest();
}

describe("bridge world", () => {
  it("is a pure function of seed and time: same answers in any order, from a fresh model, on XS as on V8", () => {
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) times.push(Math.floor(((i * 7919) % 2000) * 130.7 * SECOND));
    const a = createBridge({ seed: 7 });
    const forward = times.map((t) => a.strain(t));
    const b = createBridge({ seed: 7 });
    const backward = [...times].reverse().map((t) => b.strain(t)).reverse();
    expect(backward).toEqual(forward);
    expect(createBridge({ seed: 8 }).strain(times[5]!)).not.toBe(forward[5]);
    // The same bits on XS 13.3 and V8 (both run this case against this value). Any deliberate change to the model
    // changes it: check the new value on XS (test/xs/unit.test.ts) before writing it here.
    expect(fingerprint("bridge-7")).toBe(EXPECTED_FINGERPRINT);
  });

  it("has ~12 000 vehicles a day with two commuter peaks, and its trucks mostly at night", () => {
    const w = createBridge({ seed: 3 });
    const days = 14;
    const vs = w.vehicles(0, days * DAY);
    expect(vs.length / days).toBeGreaterThan(11_700);
    expect(vs.length / days).toBeLessThan(12_300);
    const byHour = new Array<number>(24).fill(0);
    const heavyByHour = new Array<number>(24).fill(0);
    for (const v of vs) {
      byHour[hourOf(w, v.enter)]!++;
      if (heavy(v)) heavyByHour[hourOf(w, v.enter)]!++;
    }
    const mean = vs.length / 24;
    const peak = Math.max(...byHour);
    // Peak hour 2–2.5 × the mean hour (NPTEL), 8–12 % of the day (design-hour rule).
    expect(peak / mean).toBeGreaterThan(1.9);
    expect(peak / mean).toBeLessThan(2.5);
    expect(peak / vs.length).toBeGreaterThan(0.08);
    expect(peak / vs.length).toBeLessThan(0.12);
    const morning = byHour.indexOf(Math.max(...byHour.slice(5, 12)));
    const evening = byHour.indexOf(Math.max(...byHour.slice(14, 21)));
    expect(morning).toBe(8);
    expect([17, 18]).toContain(evening);
    expect(Math.min(...byHour)).toBeLessThan(0.35 * mean);
    expect(byHour.indexOf(Math.min(...byHour))).toBeGreaterThanOrEqual(2);
    expect(byHour.indexOf(Math.min(...byHour))).toBeLessThanOrEqual(4);
    const heavyShare = vs.filter(heavy).length / vs.length;
    console.info(
      `bridge traffic: ${(vs.length / days).toFixed(0)} vehicles a day, peak hour ${((100 * peak) / vs.length).toFixed(1)} % of the day ` +
        `(${(peak / mean).toFixed(2)} × the mean hour) at ${morning} h and ${evening} h, heavy ${(100 * heavyShare).toFixed(1)} %`,
    );
    expect(heavyShare).toBeGreaterThan(0.11);
    expect(heavyShare).toBeLessThan(0.13);
    expect(heavyByHour[1]!).toBeGreaterThan(2.5 * heavyByHour[8]!);
    // Weights within the kinds' limits but for the few overloaded six-axle trucks.
    for (const v of vs) {
      if (v.kind === "truck2") expect(v.gvwTonnes).toBeLessThanOrEqual(18);
      if (v.kind === "truck3") expect(v.gvwTonnes).toBeLessThanOrEqual(25);
      expect(v.speedKmh).toBeGreaterThanOrEqual(20);
      expect(v.speedKmh).toBeLessThanOrEqual(80);
    }
    const semis = vs.filter((v) => v.kind === "semi6");
    const over = semis.filter((v) => v.gvwTonnes > 49).length / semis.length;
    expect(over).toBeGreaterThan(0.03);
    expect(over).toBeLessThan(0.07);
  });

  it("strains the gauge by each axle on the midspan influence line while the vehicle crosses", () => {
    // A quiet world: few vehicles, no noise, no damage, so one vehicle can be looked at alone.
    const w = createBridge({ seed: 11, dailyVehicles: 300, noiseMicrostrain: 0, damage: false });
    const vs = w.vehicles(0, 2 * DAY);
    const alone = vs.filter((v, i) => (i === 0 || v.enter - vs[i - 1]!.leave > 40 * SECOND) && (i === vs.length - 1 || vs[i + 1]!.enter - v.leave > 40 * SECOND));
    const car = alone.find((v) => v.kind === "car" && v.lane === 0)!;
    const semi = alone.find((v) => v.kind === "semi6" && v.lane === 0)!;
    expect(car).toBeDefined();
    expect(semi).toBeDefined();
    // Nothing before it, nothing of its static load after (only its decaying vibration).
    expect(w.trafficStrain(car.enter - 1)).toBe(0);
    const span = 30;
    // The car, front axle (55 %) at midspan, rear axle (45 %) 2.7 m behind: η = 1 and (15 − 2.7)/15.
    const v = car.speedKmh / 3.6; // m/s
    const atMid = car.enter + ((span / 2) / v) * SECOND;
    const expected = 2.5 * car.gvwTonnes * (0.55 * 1 + 0.45 * ((15 - 2.7) / 15));
    expect(Math.abs(w.trafficStrain(atMid) - expected)).toBeLessThanOrEqual(0.12 * car.peakMicrostrain + 1e-9);
    expect(car.peakMicrostrain).toBeCloseTo(expected, 9);
    // Its pulse lasts (span + wheelbase)/speed.
    expect(car.leave - car.enter).toBeCloseTo(((span + 2.7) / v) * SECOND, 0);
    // The semi-trailer's largest strain over its crossing is its static peak, give or take its vibration.
    let max = -Infinity;
    for (let t = semi.enter; t <= semi.leave; t += 5_000) max = Math.max(max, w.trafficStrain(t));
    expect(max).toBeGreaterThan(0.95 * semi.peakMicrostrain);
    expect(max).toBeLessThan(1.13 * semi.peakMicrostrain);
    // After it has gone, the span rings down at about 3.6 Hz, 2 % damping: 1/e in 1/(0.02·2π·3.6) = 2.2 s.
    let crossings = 0;
    let prev = w.trafficStrain(semi.leave + SECOND);
    for (let t = semi.leave + SECOND + 5_000; t < semi.leave + 3 * SECOND; t += 5_000) {
      const s = w.trafficStrain(t);
      if ((s > 0) !== (prev > 0)) crossings++;
      prev = s;
    }
    expect(crossings).toBeGreaterThanOrEqual(13);
    expect(crossings).toBeLessThanOrEqual(16);
    expect(w.trafficStrain(semi.leave + 16 * SECOND)).toBe(0);
  });

  it("follows the air temperature through the deck's lag: smaller, later, and as strain", () => {
    const w = createBridge({ seed: 5, damage: false });
    const air = createKunmingWeather({ seed: 5 });
    for (let day = 1; day < 4; day++) {
      let airMax = -Infinity;
      let airMin = Infinity;
      let deckMax = -Infinity;
      let deckMin = Infinity;
      let airMaxAt = 0;
      let deckMaxAt = 0;
      for (let t = day * DAY; t < (day + 1) * DAY; t += 5 * 60 * SECOND) {
        const a = air.air(t).temperature;
        const d = w.deckTemperature(t);
        if (a > airMax) [airMax, airMaxAt] = [a, t];
        if (d > deckMax) [deckMax, deckMaxAt] = [d, t];
        airMin = Math.min(airMin, a);
        deckMin = Math.min(deckMin, d);
        expect(w.temperature(t)).toBeCloseTo(d + 0.3, 9);
        expect(w.thermalStrain(t)).toBeCloseTo(2.5 * (d - 20), 9);
      }
      const ratio = (deckMax - deckMin) / (airMax - airMin);
      console.info(`bridge day ${day}: air ${airMin.toFixed(1)}–${airMax.toFixed(1)} °C, deck ${deckMin.toFixed(1)}–${deckMax.toFixed(1)} °C, range ×${ratio.toFixed(2)}, maximum ${((deckMaxAt - airMaxAt) / HOUR).toFixed(2)} h later`);
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.0);
      const lagH = (deckMaxAt - airMaxAt) / HOUR;
      expect(lagH).toBeGreaterThan(0.5);
      expect(lagH).toBeLessThan(3);
    }
  });

  it("changes on day 3: a step offset and a stiffer response to traffic, nothing before", () => {
    const damaged = createBridge({ seed: 9 });
    const sound = createBridge({ seed: 9, damage: false });
    const at = damaged.damageAt;
    expect(at).toBeGreaterThanOrEqual(2 * DAY);
    expect(at).toBeLessThan(3 * DAY);
    expect(damaged.stiffnessLoss).toBeGreaterThanOrEqual(0.1);
    expect(damaged.stiffnessLoss).toBeLessThan(0.25);
    expect(damaged.offsetMicrostrain).toBeGreaterThanOrEqual(6);
    expect(damaged.offsetMicrostrain).toBeLessThan(15);
    for (let t = 0; t < at; t += 641 * SECOND) expect(damaged.strain(t)).toBe(sound.strain(t));
    expect(damaged.snapshot(at - 1).offset).toBe(0);
    expect(damaged.snapshot(at).offset).toBe(damaged.offsetMicrostrain);
    // The static response of every vehicle after the damage is 1/(1 − loss) times as large.
    const after = damaged.vehicles(at + 60 * SECOND, at + 3 * HOUR).filter((v) => v.kind === "semi6");
    expect(after.length).toBeGreaterThan(5);
    let ratioSum = 0;
    for (const v of after) {
      let m1 = -Infinity;
      let m0 = -Infinity;
      for (let t = v.enter; t <= v.leave; t += 5_000) {
        m1 = Math.max(m1, damaged.trafficStrain(t));
        m0 = Math.max(m0, sound.trafficStrain(t));
      }
      ratioSum += m1 / m0;
    }
    const gain = ratioSum / after.length;
    expect(gain).toBeGreaterThan(0.93 / (1 - damaged.stiffnessLoss));
    expect(gain).toBeLessThan(1.07 / (1 - damaged.stiffnessLoss));
    // Seeded per world; overridable.
    const other = createBridge({ seed: 10 });
    expect(other.damageAt).not.toBe(at);
    const chosen = createBridge({ seed: 9, damage: { atMs: damaged.epochMs + DAY / 1000, stiffnessLoss: 0.2, offsetMicrostrain: 12 } });
    expect(chosen.damageAt).toBe(DAY);
    expect(chosen.snapshot(DAY).offset).toBe(12);
  });

  it("rejects options it cannot use, naming them", () => {
    expect(() => createBridge({ seed: 1, spanM: 0 })).toThrow("bridge: spanM must be a span between 2 and 200 m, got 0");
    expect(() => createBridge({ seed: 1, heavyShare: 2 })).toThrow("bridge: heavyShare must be a share from 0 to 1, got 2");
    expect(() => createBridge({ seed: 1, damage: { stiffnessLoss: 1 } })).toThrow("bridge: damage.stiffnessLoss must be a share from 0 to 0.9, got 1");
    expect(() => createBridge({ seed: 1, deckLagH: 30 })).toThrow("bridge: deckLagH must be between 0 and 24 h, got 30");
  });
});

const EXPECTED_FINGERPRINT = "568efb54:6fd2b264/14042";
