/**
 * The strain channel's sample path end to end on a constructed 100 Hz history (thermal drift, a dead load, truck
 * pulses with a ring-down, one overload), and its allocation: on XS (test/xs/unit.test.ts runs this file there)
 * the path is counted slot by slot and chunk by chunk, alarms and event triggers included, and must allocate
 * nothing, within a metering budget per sample.
 */
import { describe, expect, it } from "vitest";
import { StrainChannel, type StrainChannelConfig } from "../../devices/structural-strain/channel.js";
import { MinerDamage, en1993Curve } from "../../devices/structural-strain/fatigue.js";
import { times, xsCost } from "../parts/strain-rig.js";
import { createBridge } from "../../simulator/core/environment/bridge.js";
import { MINUTE, SECOND } from "../../simulator/core/engine.js";

const HZ = 100;
const DT_US = 1_000_000 / HZ;
const K = 2.5; // µε/°C
const T_REF = 20;

const CONFIG: StrainChannelConfig = {
  sampleHz: HZ,
  thermal: { microstrainPerC: K, referenceC: T_REF },
  rainflow: { classes: 128, classWidth: 2, offset: -64, gate: 2 },
  fatigue: { detailCategory: 36, youngsModulusGPa: 210 },
  alarm: {
    levels: [
      { raise: 150, clear: 120 },
      { raise: 200, clear: 170 },
    ],
    holdMs: 10_000,
  },
  capture: { beforeS: 2, afterS: 5, slots: 2 },
};

/** Temperature at sample i: 15 °C rising 1 °C per minute. */
const tempAt = (i: number) => 15 + i / (60 * HZ);

/** The mechanical strain: 40 µε dead load, a 90 µε truck every 30 s (an overload of 190 µε at 150 s), ring-down. */
function mechanical(i: number): number {
  const t = i / HZ;
  const k = Math.floor(t / 30);
  const tau = t - 30 * k - 10; // a truck crosses 10 s into each 30 s, taking 2 s
  const peak = k === 5 ? 190 : 90;
  let s = 40;
  if (tau >= 0 && tau < 2) s += peak * (1 - Math.abs(tau - 1));
  if (tau >= 2 && tau < 12) s += 0.1 * peak * Math.exp(-0.5 * (tau - 2)) * Math.sin(2 * Math.PI * 3.5 * (tau - 2));
  return s;
}

function history(n: number) {
  const indicated = new Float64Array(n);
  const temp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    temp[i] = tempAt(i);
    indicated[i] = mechanical(i) + K * (temp[i]! - T_REF);
  }
  return { indicated, temp };
}

describe("strain channel", () => {
  it("compensates, separates, counts, alarms and captures on a constructed history", () => {
    const ch = new StrainChannel(CONFIG);
    const n = 240 * HZ;
    const { indicated, temp } = history(n);
    const changes: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      if (i % HZ === 0) ch.temperature(temp[i]!); // the ADC's temperature once a second
      if (ch.sample(indicated[i]!, i * DT_US)) changes.push([i / HZ, ch.alarm.level]);
      // The compensated strain is the mechanical one, to the 1 s temperature update's lag (≤ 2.5/60 µε).
      expect(Math.abs(ch.strain - mechanical(i))).toBeLessThan(0.05);
    }
    // One overload (230 µε at 161 s): level 1 at 150 µε, level 2 at 200 µε, then straight to 0 once below level 1's
    // clear threshold after level 2's 10 s hold; the 130 µε of the other trucks stay under every threshold.
    expect(changes, JSON.stringify(changes)).toHaveLength(3);
    expect(changes.map((c) => c[1])).toEqual([1, 2, 0]);
    expect(changes[0]![0]).toBeCloseTo(160 + (150 - 40) / 190, 1);
    expect(changes[1]![0]).toBeCloseTo(160 + (200 - 40) / 190, 1);
    expect(changes[2]![0]).toBeCloseTo(changes[1]![0] + 10, 9);
    expect(ch.alarm.peak).toBeCloseTo(230, 0);
    // The event: 2 s before the raise and 5 s after, raw (uncompensated) samples.
    const slot = ch.capture.take();
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(ch.capture.length(slot)).toBe(700);
    expect(ch.capture.before(slot)).toBe(200);
    const first = ch.capture.firstSample(slot);
    expect(first).toBe(Math.round(changes[0]![0] * HZ) - 199);
    const samples = ch.capture.samples(slot);
    for (let j = 0; j < 700; j += 50) expect(samples[j]).toBe(Math.fround(indicated[first + j]!));
    ch.capture.release(slot);
    // Quasi-static minutes: dead load plus the trucks' share of the minute, thermal drift removed.
    expect(ch.quasiStatic.closed).toBe(3);
    for (let m = 0; m < 3; m++) expect(ch.quasiStatic.meanOf(m)).toBeGreaterThan(40);
    expect(ch.quasiStatic.meanOf(0)).toBeLessThan(40 + (2 * 90) / 60 + 0.5);
    // Rainflow on the dynamic part: each truck is one range of about its peak (45 classes of 2 µε; the overload
    // 95), the ring-downs add small ones. Three of the eight pulses are still open, as the residue, until a flush.
    const big = () => {
      const out: number[] = [];
      ch.rainflow.halfCycles.forEach((h, k) => {
        for (let j = 0; j < h && k >= 40; j++) out.push(k);
      });
      return out;
    };
    expect(big().length).toBe(13);
    ch.rainflow.flush();
    const ranges = big();
    expect(ranges.length).toBe(16); // eight pulses, one cycle each
    expect(ranges.filter((k) => k >= 95).length).toBe(2); // the overload: 190 µε and its ring-down's first swing
    for (const k of ranges.filter((k) => k < 95)) expect(k * 2).toBeGreaterThanOrEqual(84); // 90 µε trucks
    for (const k of ranges.filter((k) => k < 95)) expect(k * 2).toBeLessThanOrEqual(108);
    const damage = ch.closePeriod();
    expect(damage).toBeGreaterThan(0);
    const miner = new MinerDamage({ curve: en1993Curve(36), youngsModulusGPa: 210, classWidth: 2, classes: 128 });
    expect(damage).toBe(miner.damage(ch.periodHalfCycles));
    expect(ch.totalDamage).toBe(damage);
    expect(Array.from(ch.rainflow.halfCycles).every((h) => h === 0)).toBe(true);
    const stats = ch.stats();
    expect(stats.samples).toBe(n);
    expect(stats.uncompensated).toBe(0);
    expect(stats.events).toBe(1);
    expect(stats.eventsMerged).toBe(1); // level 2's raise came while the event was being recorded
  });

  it("on the simulated bridge across its day-3 damage: minute means step by the offset, trucks are counted", () => {
    const world = createBridge({ seed: 4 });
    const ch = new StrainChannel({ ...CONFIG, sampleHz: 50, thermal: { microstrainPerC: 2.5, referenceC: 20 } });
    const start = world.damageAt - 30 * MINUTE;
    const end = world.damageAt + 30 * MINUTE;
    // What the device should find: per minute, the world's strain without its thermal part (the ADC's die is 0.3 °C
    // above the deck, so the compensation leaves 2.5 × 0.3 µε).
    const sums = new Map<number, [number, number]>();
    for (let t = start; t < end; t += 20_000) {
      if ((t - start) % SECOND === 0) ch.temperature(world.temperature(t));
      const s = world.strain(t);
      ch.sample(s, t);
      const m = Math.floor(t / MINUTE);
      const acc = sums.get(m) ?? [0, 0];
      sums.set(m, [acc[0] + s - world.thermalStrain(t), acc[1] + 1]);
    }
    const truth = (m: number) => sums.get(m)![0] / sums.get(m)![1] - 0.75;
    const q = ch.quasiStatic;
    expect(q.closed).toBeGreaterThanOrEqual(59);
    for (let seq = Math.max(0, q.closed - q.keep); seq < q.closed; seq++) {
      const m = q.periodOf(seq);
      expect(Math.abs(q.meanOf(seq) - truth(m)), `minute ${m}`).toBeLessThan(0.1);
    }
    // The step: the quietest minutes after the damage sit the offset above those before, give or take traffic.
    const d = Math.floor(world.damageAt / MINUTE);
    const quietest = (from: number, to: number) => {
      let min = Infinity;
      for (let m = from; m < to; m++) min = Math.min(min, truth(m));
      return min;
    };
    const step = quietest(d + 1, d + 30) - quietest(d - 29, d);
    expect(Math.abs(step - world.offsetMicrostrain)).toBeLessThan(3);
    // Rainflow: a large range for each vehicle whose static peak is large, and some more (vehicles close together,
    // vibration on top, a 1/(1 − loss) larger response after the damage); within the stack's bound.
    const heavyNear = world.vehicles(start, end).filter((v) => v.peakMicrostrain > 30).length;
    let large = 0;
    ch.rainflow.halfCycles.forEach((h, k) => {
      if (k * 2 > 30) large += h / 2;
    });
    expect(large).toBeGreaterThanOrEqual(0.8 * heavyNear);
    expect(large).toBeLessThanOrEqual(2 * heavyNear);
    expect(ch.rainflow.deepest).toBeLessThanOrEqual(ch.rainflow.capacity);
    expect(ch.closePeriod()).toBeGreaterThan(0);
  });

  it("counts samples it cannot use: no temperature yet, NaN", () => {
    const ch = new StrainChannel(CONFIG);
    ch.sample(10, 0);
    ch.temperature(20);
    ch.sample(NaN, DT_US);
    ch.sample(10, 2 * DT_US);
    expect(ch.stats()).toMatchObject({ samples: 3, uncompensated: 1, missing: 1 });
    expect(ch.capture.count).toBe(3);
  });

  it("rejects a configuration it cannot use, naming the field", () => {
    expect(() => new StrainChannel({ ...CONFIG, sampleHz: 0 })).toThrow("strain channel: sampleHz must be between 1 and 1000, got 0");
    expect(() => new StrainChannel({ ...CONFIG, fatigue: { youngsModulusGPa: 210 } })).toThrow("strain channel: fatigue needs exactly one of detailCategory and curve");
    expect(() => new StrainChannel({ ...CONFIG, alarm: { ...CONFIG.alarm, on: "both" as never } })).toThrow('strain channel: alarm.on must be "tension" or "magnitude", got both');
    expect(() => new StrainChannel({ ...CONFIG, capture: { beforeS: 0, afterS: 5 } })).toThrow("strain channel: capture.beforeS must be between 0 and 600 s, got 0");
    expect(() => new StrainChannel({ ...CONFIG, rainflow: { ...CONFIG.rainflow, gate: 0 } })).toThrow("rainflow: gate must be a whole number of classes from 1 to 127, got 0");
  });

  it("allocates nothing on the sample path, alarms and event triggers included (counted on XS)", () => {
    const ch = new StrainChannel(CONFIG);
    const n = 200 * HZ;
    const { indicated, temp } = history(n);
    let i = 0;
    const step = () => {
      if (i % HZ === 0) ch.temperature(temp[i]!);
      ch.sample(indicated[i]!, i * DT_US);
      i++;
    };
    times(step, 140 * HZ)(); // warm up: two closed minutes, the ring full
    const measured = 40 * HZ; // 140 s … 180 s: the overload, its alarm, the event trigger and the clear
    const run = times(step, measured);
    const raisesBefore = ch.alarm.raises;
    const counted = xsCost(run);
    if (!counted) run();
    expect(ch.alarm.raises).toBe(raisesBefore + 2);
    expect(ch.capture.captured).toBe(1);
    expect(ch.alarm.level).toBe(0);
    if (counted) {
      expect(counted.slots).toBe(0);
      expect(counted.chunks).toBe(0);
      // A budget in XS metering units per sample, the test's loop included.
      expect(counted.units / measured).toBeLessThan(600);
    }
  });
});
