/**
 * The small signal stages of the strain node on constructed series: thermal compensation, the quasi-static minute
 * means and dynamic part, graded alarms with hysteresis and hold, and the event capture's windows.
 */
import { describe, expect, it } from "vitest";
import { ThresholdAlarm } from "../../devices/structural-strain/alarm.js";
import { EventCapture } from "../../devices/structural-strain/capture.js";
import { QuasiStaticStrain } from "../../devices/structural-strain/quasi-static.js";
import { ThermalCompensation } from "../../devices/structural-strain/thermal.js";

const US_PER_S = 1_000_000;

describe("thermal compensation (TN-504: subtract the thermal output)", () => {
  it("subtracts k·(T − T_ref), waiting for a first temperature and keeping the last valid one", () => {
    const t = new ThermalCompensation({ microstrainPerC: 2.5, referenceC: 20 });
    expect(t.compensate(100)).toBeNaN();
    t.temperature = 30;
    expect(t.thermalOutput).toBe(25);
    expect(t.compensate(100)).toBe(75);
    t.temperature = NaN;
    t.temperature = Infinity;
    expect(t.temperature).toBe(30);
    t.temperature = 12;
    expect(t.compensate(-3)).toBe(17);
  });

  it("scales a coefficient quoted at gauge factor 2.0 to the driver's gauge factor", () => {
    const t = new ThermalCompensation({ microstrainPerC: 2.1, referenceC: 20, gaugeFactor: 2.1 });
    expect(t.microstrainPerC).toBeCloseTo(2.0, 12);
    const same = new ThermalCompensation({ microstrainPerC: 2.1, referenceC: 20, gaugeFactor: 2.05, datasheetGaugeFactor: 2.05 });
    expect(same.microstrainPerC).toBe(2.1);
  });

  it("rejects what it cannot use, naming the field", () => {
    expect(() => new ThermalCompensation({ microstrainPerC: NaN, referenceC: 20 })).toThrow("thermal compensation: microstrainPerC must be a finite number of µε/°C within ±100, got NaN");
    expect(() => new ThermalCompensation({ microstrainPerC: 1, referenceC: 200 })).toThrow("thermal compensation: referenceC must be a temperature between −60 and 150 °C, got 200");
    expect(() => new ThermalCompensation({ microstrainPerC: 1, referenceC: 20, gaugeFactor: 0 })).toThrow("thermal compensation: gaugeFactor must be between 0.5 and 10, got 0");
  });
});

describe("quasi-static strain (minute means) and the dynamic part", () => {
  it("takes each minute's mean as the next minute's baseline", () => {
    const q = new QuasiStaticStrain();
    // 100 Hz for three minutes: a level of 10, 11, 12 µε, and a 30 µε pulse for 2 s in the middle of each minute.
    const dyn: number[] = [];
    for (let i = 0; i < 3 * 6000; i++) {
      const minute = Math.floor(i / 6000);
      const inMinute = i % 6000;
      const pulse = inMinute >= 3000 && inMinute < 3200 ? 30 : 0;
      dyn.push(q.push(10 + minute + pulse, i * 10_000));
    }
    q.push(0, 3 * 60 * US_PER_S); // closes the third minute
    expect(q.closed).toBe(3);
    for (let m = 0; m < 3; m++) {
      expect(q.periodOf(m)).toBe(m);
      expect(q.meanOf(m)).toBeCloseTo(10 + m + (30 * 200) / 6000, 9); // the pulse raises the mean by 1 µε
      expect(q.minOf(m)).toBe(10 + m);
      expect(q.maxOf(m)).toBe(40 + m);
      expect(q.countOf(m)).toBe(6000);
    }
    // Minute 1: the dynamic part is the sample minus minute 0's mean (11): 0 between pulses, 30 in the pulse.
    expect(dyn[6000 + 100]).toBeCloseTo(0, 9);
    expect(dyn[6000 + 3100]).toBeCloseTo(30, 9);
    // Minute 0 had no minute before it: its own running mean.
    expect(dyn[0]).toBe(0);
    expect(dyn[2999]).toBe(0);
    expect(dyn[3000]).toBeCloseTo(30 - 30 / 3001, 9);
  });

  it("does not take a baseline across a gap, and holds only the last `keep` periods", () => {
    const q = new QuasiStaticStrain({ periodS: 10, keep: 2 });
    q.push(5, 0);
    q.push(7, 1 * US_PER_S);
    expect(q.baseline).toBe(6);
    // Samples again 40 s later: the period before is empty, so the baseline is this period's own mean.
    expect(q.push(20, 40 * US_PER_S)).toBe(0);
    expect(q.push(22, 41 * US_PER_S)).toBe(1);
    q.push(30, 50 * US_PER_S); // right after: the previous period (21) is the baseline
    expect(q.baseline).toBe(21);
    q.push(0, 60 * US_PER_S);
    expect(q.closed).toBe(3);
    expect(() => q.meanOf(0)).toThrow("quasi-static strain: period 0 is not held (closed 3, keeping the last 2)");
    expect(q.meanOf(1)).toBe(21);
    expect(q.meanOf(2)).toBe(30);
    expect(q.push(NaN, 61 * US_PER_S)).toBeNaN();
    expect(() => new QuasiStaticStrain({ keep: 0 })).toThrow("quasi-static strain: keep must be a whole number of periods from 1 to 10080, got 0");
  });
});

describe("graded threshold alarm", () => {
  const levels = [
    { raise: 100, clear: 80 },
    { raise: 150, clear: 130 },
  ];

  it("raises at once, clears below the lower threshold only after the hold, and steps between levels", () => {
    const a = new ThresholdAlarm({ levels, holdMs: 1000 });
    const steps: [number, number, boolean, number][] = [
      // value, ms, changed?, level after
      [90, 0, false, 0],
      [100, 10, true, 1],
      [120, 20, false, 1],
      [85, 30, false, 1], // inside the hysteresis band
      [70, 500, false, 1], // below clear, but held only 490 ms
      [70, 1010, true, 0],
      [160, 2000, true, 2], // straight to level 2
      [140, 2500, false, 2],
      [125, 3000, true, 1], // below level 2's clear after the hold, still inside level 1's band
      [60, 3500, false, 1], // level 1 entered at 3000: hold not over
      [60, 4000, true, 0],
    ];
    for (const [value, ms, changed, level] of steps) {
      expect(a.update(value, ms), `${value} at ${ms} ms`).toBe(changed);
      expect(a.level, `${value} at ${ms} ms`).toBe(level);
    }
    expect(a.raises).toBe(2);
    expect(a.previous).toBe(1);
    expect(a.raisedAtMs).toBe(2000);
    expect(a.peak).toBe(160);
    expect(a.update(NaN, 5000)).toBe(false);
  });

  it("raises once for a value wandering around the threshold, and once for a train of pulses within the hold", () => {
    const wander = new ThresholdAlarm({ levels, holdMs: 0 });
    for (let i = 0; i < 1000; i++) wander.update(100 + 5 * Math.sin(i / 3), i * 10);
    expect(wander.raises).toBe(1);
    expect(wander.level).toBe(1);
    // 120 µε pulses of 1 s every 3 s for 12 s, 5 s hold: up at 0 s (the pulse at 3 s is in that alarm), down at
    // 5 s, up at 6 s (with the pulse at 9 s), down at 11 s: two alarms for four pulses.
    const trucks = new ThresholdAlarm({ levels, holdMs: 5000 });
    let changes = 0;
    for (let ms = 0; ms < 20_000; ms += 10) {
      const v = ms < 12_000 && ms % 3000 < 1000 ? 120 : 5;
      if (trucks.update(v, ms)) changes++;
    }
    expect(trucks.raises).toBe(2);
    expect(changes).toBe(4);
    expect(trucks.changedAtMs).toBe(11_000);
  });

  it("rejects thresholds it cannot use, naming the level", () => {
    expect(() => new ThresholdAlarm({ levels: [], holdMs: 0 })).toThrow("alarm: levels must be a list of 1 to 8 levels");
    expect(() => new ThresholdAlarm({ levels: [{ raise: 100, clear: 100 }], holdMs: 0 })).toThrow("alarm: levels[0].clear must be a finite number below raise (100), got 100");
    expect(() => new ThresholdAlarm({ levels: [levels[1]!, levels[0]!], holdMs: 0 })).toThrow("alarm: levels[1].raise must be above levels[0].raise (150), got 100");
    expect(() => new ThresholdAlarm({ levels: [{ raise: 100, clear: 90 }, { raise: 150, clear: 85 }], holdMs: 0 })).toThrow("alarm: levels[1].clear must be above levels[0].clear (90), got 85");
    expect(() => new ThresholdAlarm({ levels, holdMs: -1 })).toThrow("alarm: holdMs must be a finite number of ms ≥ 0, got -1");
  });
});

describe("event capture", () => {
  it("freezes the window before the trigger and hands the event out after the window after", () => {
    const c = new EventCapture({ preSamples: 5, postSamples: 3, slots: 2 });
    for (let i = 0; i < 8; i++) c.push(i);
    expect(c.trigger(7_000)).toBe(true); // sample 7 is the trigger, the last of the window before
    expect(c.take()).toBe(-1);
    c.push(8);
    c.push(9);
    expect(c.recording).toBe(true);
    c.push(10);
    expect(c.recording).toBe(false);
    c.push(11);
    const slot = c.take();
    expect(slot).toBe(0);
    expect(Array.from(c.samples(slot).subarray(0, c.length(slot)))).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(c.before(slot)).toBe(5);
    expect(c.firstSample(slot)).toBe(3);
    expect(c.triggerUs(slot)).toBe(7_000);
    expect(c.take()).toBe(-1); // handed out once
    c.release(slot);
    expect(() => c.length(slot)).toThrow("event capture: slot 0 is not handed out (take() gives a ready one)");
  });

  it("merges triggers during a recording, misses them when every slot is busy, and starts short after boot", () => {
    const c = new EventCapture({ preSamples: 4, postSamples: 2, slots: 2 });
    c.push(1);
    c.push(2);
    expect(c.trigger(0)).toBe(true); // only two samples so far
    c.push(3);
    expect(c.trigger(1)).toBe(false);
    expect(c.merged).toBe(1);
    c.push(4); // slot 0 ready
    c.push(5);
    expect(c.trigger(2)).toBe(true); // slot 1
    c.push(6);
    c.push(7); // slot 1 ready
    expect(c.trigger(3)).toBe(false);
    expect(c.missed).toBe(1);
    const first = c.take();
    expect(Array.from(c.samples(first).subarray(0, c.length(first)))).toEqual([1, 2, 3, 4]);
    expect(c.before(first)).toBe(2);
    const second = c.take();
    expect(Array.from(c.samples(second).subarray(0, c.length(second)))).toEqual([2, 3, 4, 5, 6, 7]);
    c.release(first);
    expect(c.trigger(4)).toBe(true);
    expect(c.captured).toBe(3);
  });

  it("is ready at once without a window after, and rejects a configuration it cannot use", () => {
    const c = new EventCapture({ preSamples: 3, postSamples: 0, slots: 1 });
    for (let i = 0; i < 10; i++) c.push(i * 0.5);
    c.trigger(99);
    const s = c.take();
    expect(Array.from(c.samples(s))).toEqual([3.5, 4, 4.5]);
    expect(() => new EventCapture({ preSamples: 0, postSamples: 1 })).toThrow("event capture: preSamples must be a whole number from 1 to 100000, got 0");
    expect(() => new EventCapture({ preSamples: 1, postSamples: 1, slots: 0 })).toThrow("event capture: slots must be a whole number from 1 to 16, got 0");
  });
});
