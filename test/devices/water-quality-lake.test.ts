/**
 * The buoy's algorithms on the simulated lake (simulator/core/environment/dianchi.ts under the Kunming weather):
 * the readings a perfect probe set would give every 15 minutes from mid-May to the end of October, turned into %
 * saturation at the air's pressure and fed to the bloom flag, the GB 3838 class and the probe-fault detectors.
 * The lake's blooms are known, so hits, lead times and false raises can be counted; the thresholds come from the
 * modules (devices/water-quality/bloom.ts), not from this test.
 */
import { describe, expect, it } from "vitest";
import { BloomRisk } from "../../devices/water-quality/bloom.js";
import { classifyReadings, CLASS_I, WORSE_THAN_V, type WaterClass } from "../../devices/water-quality/gb3838.js";
import { FAULT_DRIFT, FAULT_RANGE, FAULT_STUCK, PROBE_CHANNELS, ProbeFaultDetector } from "../../devices/water-quality/probe-faults.js";
import { oxygenPercent, salinityOfConductance } from "../../devices/water-quality/saturation.js";
import { HOUR } from "../../simulator/core/engine.js";
import { createDianchiLake } from "../../simulator/core/environment/dianchi.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import { Rng } from "../../simulator/core/rng.js";

const DAY = 24 * HOUR;
const JAN1 = Date.UTC(2025, 11, 31, 16);
const STEP = 15 * 60e6;
/**
 * A healthy probe's reading of the true value `v`, with the noise the part models add: uniform within half the stated
 * accuracy of each circuit (EZO-RTD ±(0.1 + 0.0017·T), EZO-pH ±0.002, EZO-DO ±0.05 mg/L, EZO-EC ±2 %, EZO-ORP
 * ±1 mV); for turbidity the mean of the driver's 8 ADC readings, each with the model's ±5 mV at the probe (18 NTU
 * near clear water, where the SEN0189 curve falls 3650 NTU/V), floored at 0 as the driver does.
 */
function reading(q: "temperature" | "pH" | "oxygen" | "conductivity" | "orp" | "turbidity", v: number, rng: Rng): number {
  const u = () => 2 * rng.float() - 1;
  switch (q) {
    case "temperature":
      return v + ((0.1 + 0.0017 * v) / 2) * u();
    case "pH":
      return v + 0.001 * u();
    case "oxygen":
      return v + 0.025 * u();
    case "conductivity":
      return v * (1 + 0.01 * u());
    case "orp":
      return v + 0.5 * u();
    case "turbidity": {
      let s = 0;
      for (let i = 0; i < 8; i++) s += v + 18 * u();
      return Math.max(0, s / 8);
    }
  }
}

describe("the buoy's algorithms on the simulated Dianchi", () => {
  it("the bloom flag catches the blooms within their course and rarely rises outside them (10 seeds, May–October)", () => {
    let blooms = 0;
    let caught = 0;
    let falseRaises = 0;
    const leads: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const air = createKunmingWeather({ seed, epochMs: JAN1 });
      const lake = createDianchiLake({ seed, atmosphere: air });
      const risk = new BloomRisk();
      const raises: number[] = [];
      let was = false;
      for (let t = 135 * DAY; t < 305 * DAY; t += STEP) {
        const pct = oxygenPercent(lake.oxygen(t), lake.temperature(t), salinityOfConductance(lake.conductivity(t)), air.air(t).pressure / 1000);
        const up = risk.add(JAN1 + t / 1000, pct, lake.pH(t), lake.turbidity(t));
        if (up && !was) raises.push(t);
        was = up;
      }
      const list = lake.blooms(135 * DAY, 305 * DAY);
      for (const b of list) {
        blooms++;
        const hit = raises.find((t) => t >= b.start && t <= b.end);
        if (hit !== undefined) {
          caught++;
          leads.push((hit - b.start) / DAY);
        }
      }
      falseRaises += raises.filter((t) => !list.some((b) => t >= b.start && t <= b.end)).length;
    }
    leads.sort((a, b) => a - b);
    console.info(
      `bloom flag on the lake: ${caught}/${blooms} blooms caught, median ${leads[leads.length >> 1]!.toFixed(1)} d after onset ` +
        `(${leads[0]!.toFixed(1)}…${leads[leads.length - 1]!.toFixed(1)}), ${falseRaises} raises outside a bloom in 10 seasons`,
    );
    expect(caught / blooms).toBeGreaterThanOrEqual(0.9);
    expect(falseRaises).toBeLessThanOrEqual(2);
    for (const l of leads) expect(l).toBeLessThan(3);
  });

  it("a bloom is class worse than V on pH and class I on oxygen", () => {
    const air = createKunmingWeather({ seed: 1, epochMs: JAN1 });
    const lake = createDianchiLake({ seed: 1, atmosphere: air });
    const b = lake.blooms(150 * DAY, 250 * DAY)[0]!;
    const out: WaterClass = { oxygen: 0, pH: 0, worst: 0 };
    let worseThanV = 0;
    for (let t = b.start; t < b.end; t += STEP) {
      const pct = oxygenPercent(lake.oxygen(t), lake.temperature(t), salinityOfConductance(lake.conductivity(t)), air.air(t).pressure / 1000);
      classifyReadings(lake.oxygen(t), pct, lake.pH(t), out);
      if (out.worst === WORSE_THAN_V) {
        worseThanV++;
        expect(out.pH).toBe(WORSE_THAN_V);
        expect(out.oxygen).toBe(CLASS_I);
      }
    }
    expect(worseThanV).toBeGreaterThan(0);
  });

  it("healthy probes in the lake: no range fault or drift over 200 days, stuck on under 0.1 % of readings (3 seeds)", () => {
    const counts = { range: 0, stuck: 0, drift: 0, readings: 0 };
    const rng = new Rng("probe noise");
    for (const seed of [1, 2, 3]) {
      const air = createKunmingWeather({ seed, epochMs: JAN1 });
      const lake = createDianchiLake({ seed, atmosphere: air });
      const probes = (["temperature", "pH", "oxygen", "conductivity", "orp", "turbidity"] as const).map((q) => [q, new ProbeFaultDetector(PROBE_CHANNELS[q])] as const);
      for (let t = 100 * DAY; t < 300 * DAY; t += STEP) {
        for (const [q, p] of probes) {
          const r = p.channel.resolution;
          const v = reading(q, lake[q](t), rng);
          const f = p.add(JAN1 + t / 1000, Math.round(v / r) * r);
          counts.readings++;
          if (f & FAULT_RANGE) counts.range++;
          if (f & FAULT_STUCK) counts.stuck++;
          if (f & FAULT_DRIFT) counts.drift++;
        }
      }
    }
    console.info(`probe faults on healthy simulated probes: ${JSON.stringify(counts)}`);
    expect(counts.range).toBe(0);
    expect(counts.drift).toBe(0);
    expect(counts.stuck / counts.readings).toBeLessThan(0.001);
  });
});
