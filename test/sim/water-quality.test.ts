/**
 * The Dianchi buoy end to end in the simulator, a deterministic week: unmodified firmware on the EZO and turbidity
 * models in the seeded lake the world registry builds, uplinks over real TCP to a real broker. Every frame is
 * decoded here from its bytes with cborg (not the frame log's decoding), and checked against the lake's own truth:
 * - the GB 3838-2002 class of every report against the class of the lake's oxygen and pH at that instant (limits
 *   written here from the standard's Table 1, not taken from the device's table);
 * - the bloom flag: raised once, in daytime, while the lake's bloom is growing or at its peak, with the lake then
 *   supersaturated and above pH 9; never in a week without a bloom;
 * - the sampling: one round per 15-minute report normally, 7–8 (every 2 minutes) from the event that announces
 *   the fast rate until the one that ends it.
 */
import { decode } from "cborg";
import { describe, expect, it } from "vitest";
import { runSim, type SimResult } from "../../simulator/node/session.js";
import { buildWorlds } from "../../simulator/core/worlds.js";
import type { DianchiLake } from "../../simulator/core/environment/dianchi.js";
import type { Frame } from "../../simulator/node/frame-log.js";

const WEEK_H = 168;
/** A seed whose lake has a bloom starting on day 2.5 (lake.blooms says so; checked below). */
const BLOOM_SEED = 56;
/** A seed whose lake has no bloom in the week (checked below). */
const CLEAR_SEED = 1;

interface Pack {
  t: number;
  /** Base time, Unix s. */
  bt: number;
  values: Map<string, number | boolean>;
}

/** A SenML-CBOR pack from the frame's bytes: labels 0 n, 2 v, 4 vb, −3 bt (RFC 8428 §6). */
function unpack(f: Frame): Pack {
  const records = decode(Buffer.from(f.hex, "hex"), { useMaps: true }) as Map<number, unknown>[];
  const values = new Map<string, number | boolean>();
  let bt = NaN;
  for (const r of records) {
    if (r.has(-3)) bt = r.get(-3) as number;
    values.set(r.get(0) as string, (r.has(2) ? r.get(2) : r.get(4)) as number | boolean);
  }
  return { t: f.t, bt, values };
}

function lakeOf(run: SimResult, seed: number): DianchiLake {
  return buildWorlds(["lake"], { seed, atmosphere: run.world.atmosphere, nodes: 1 })(0).water as DianchiLake;
}

/** GB 3838-2002 Table 1: dissolved oxygen ≥ 7.5 (or 90 % saturation) | 6 | 5 | 3 | 2 mg/L; pH 6–9 for all classes. */
function truthClass(oxygen: number, saturation: number, pH: number): number {
  const o = saturation >= 90 ? 1 : [7.5, 6, 5, 3, 2].findIndex((l) => oxygen >= l) + 1 || 6;
  const p = pH >= 6 && pH <= 9 ? 1 : 6;
  return Math.max(o, p);
}

/** Whether the truth is too close to a class limit for a probe's error to be sure of the class. */
function nearLimit(oxygen: number, saturation: number, pH: number): boolean {
  return [7.5, 6, 5, 3, 2].some((l) => Math.abs(oxygen - l) < 0.15) || Math.abs(saturation - 90) < 3 || Math.abs(pH - 9) < 0.05 || Math.abs(pH - 6) < 0.05;
}

const vtime = (lake: DianchiLake, unixS: number) => (unixS * 1000 - lake.epochMs) * 1000;

describe("water-quality buoy, a simulated week", () => {
  let bloomRun: SimResult;

  it("reports every 15 minutes, every frame acknowledged, the GB 3838 class the lake's truth gives", async () => {
    bloomRun = await runSim({ device: "water-quality", board: "esp32-devkitc", hours: WEEK_H, seed: BLOOM_SEED });
    const { summary, frames } = bloomRun;
    expect(summary.crashes).toEqual([]);
    expect(summary.deviceStats.sensorErrors).toBe(0);
    const reports = frames.filter((f) => f.topic.endsWith("/senml"));
    expect(reports.length).toBe(WEEK_H * 4);
    expect(reports.every((f) => f.acked !== null && !f.dup)).toBe(true);
    reports.forEach((f, i) => expect(f.t).toBe((i + 1) * 900_000));

    const lake = lakeOf(bloomRun, BLOOM_SEED);
    let agree = 0;
    let decided = 0;
    let worst = 0;
    for (const f of reports) {
      const p = unpack(f);
      const t = vtime(lake, p.bt);
      const s = lake.snapshot(t);
      // Readings within what the circuits resolve plus their noise, in the units the pack names.
      expect(Math.abs((p.values.get("t") as number) - s.temperature)).toBeLessThan(0.3);
      expect(Math.abs((p.values.get("ph") as number) - s.pH)).toBeLessThan(0.1);
      expect(Math.abs((p.values.get("do") as number) * 1000 - s.oxygen)).toBeLessThan(0.3);
      const cls = p.values.get("cls") as number;
      const truth = truthClass(s.oxygen, s.saturation, s.pH);
      worst = Math.max(worst, truth);
      if (nearLimit(s.oxygen, s.saturation, s.pH)) continue;
      decided++;
      if (cls === truth) agree++;
    }
    // Every report whose truth is clear of a limit carries the truth's class; the week spans several classes.
    expect(decided).toBeGreaterThan(reports.length * 0.6);
    expect(agree).toBe(decided);
    expect(worst).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it("raises the bloom flag once, in daytime, while the lake's bloom grows or peaks, and samples every 2 minutes while it holds", () => {
    const lake = lakeOf(bloomRun, BLOOM_SEED);
    const [bloom] = lake.blooms(0, WEEK_H * 3_600e6);
    expect(bloom).toBeDefined();
    const events = bloomRun.frames.filter((f) => f.topic.endsWith("/event")).map(unpack);
    const raised = events.filter((e, i) => e.values.get("bloom") === true && events[i - 1]?.values.get("bloom") !== true);
    expect(raised.length).toBe(1);
    const at = vtime(lake, raised[0]!.bt);
    const DAY = 86_400e6;
    expect(at).toBeGreaterThan(bloom!.start);
    expect(at).toBeLessThan(bloom!.start + (bloom!.growthDays + bloom!.peakDays) * DAY);
    // Daytime at the buoy (solar time at 102.7° E between 10 and 17 h), and the lake then as the flag says.
    const solarH = (((raised[0]!.bt / 3600 + 102.67 / 15) % 24) + 24) % 24;
    expect(solarH).toBeGreaterThanOrEqual(10);
    expect(solarH).toBeLessThan(17);
    const s = lake.snapshot(at);
    expect(s.saturation).toBeGreaterThan(115);
    expect(s.pH).toBeGreaterThan(8.9);
    expect(s.biomass).toBeGreaterThan(1.5);

    // The rate: announced by events; rounds per report follow it.
    const fastFrom = events.find((e) => e.values.get("per") === 120)!.t;
    const fastTo = events.find((e) => e.t > fastFrom && e.values.get("per") === 900)?.t ?? Infinity;
    expect(fastFrom).toBeLessThanOrEqual(raised[0]!.t);
    const reports = bloomRun.frames.filter((f) => f.topic.endsWith("/senml")).map(unpack);
    for (const r of reports) {
      const n = r.values.get("n") as number;
      if (r.t > fastFrom + 900_000 && r.t <= fastTo) expect([7, 8]).toContain(n);
      else if (r.t <= fastFrom || r.t > fastTo + 900_000 + 30 * 60_000) expect(n).toBeLessThanOrEqual(1);
    }
    expect(bloomRun.summary.deviceStats.fastRounds).toBeGreaterThan(0);
  });

  it("raises no bloom flag in a week whose lake has no bloom", async () => {
    const run = await runSim({ device: "water-quality", board: "esp32-devkitc", hours: WEEK_H, seed: CLEAR_SEED });
    expect(lakeOf(run, CLEAR_SEED).blooms(0, WEEK_H * 3_600e6)).toEqual([]);
    const events = run.frames.filter((f) => f.topic.endsWith("/event")).map(unpack);
    expect(events.filter((e) => e.values.get("bloom") === true)).toEqual([]);
    expect(run.summary.deviceStats.bloomRaised).toBe(0);
  }, 120_000);

  it("is deterministic: the same seed gives a byte-identical frame log", async () => {
    const again = await runSim({ device: "water-quality", board: "esp32-devkitc", hours: WEEK_H, seed: BLOOM_SEED });
    expect(again.frames.map((f) => JSON.stringify(f))).toEqual(bloomRun.frames.map((f) => JSON.stringify(f)));
  }, 120_000);
});
