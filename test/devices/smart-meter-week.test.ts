/**
 * A simulated week of the smart meter node (devices/smart-meter, manifests/devices/smart-meter.json) in the
 * household world, on the V8 simulator with the embedded broker. Every uplink is taken from the frame log, decoded
 * with cborg (an independent CBOR decoder) and read as SenML by test/helpers/senml.ts, then checked against the
 * world's truth, built again from the same seed (simulator/core/environment/household.ts):
 * - each 15-minute interval's energy against the household's exact energy over the same quarter hour (the S0 count
 *   is latched at the boundary: within the pulse quantum, 1 Wh at 1000 imp/kWh, and one pulse in progress);
 * - every interval of the week there once, in order, none missing;
 * - each daily snapshot's register against the exact energy since the run began (the DL/T 645 register resolves
 *   10 Wh and is read seconds after the boundary), and the settlement-day snapshot's first (INITIAL) record;
 * - tamper: the meter's cover opened and a magnet applied at known times (the model's event registers) give one
 *   raised and one cleared event each, at the first read after, and nothing else all week.
 */
import { decode } from "cborg";
import { describe, expect, it } from "vitest";
import type { Dlt645MeterModel } from "../../parts/dlt645/model.js";
import { createHousehold } from "../../simulator/core/environment/household.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import { runSim } from "../../simulator/node/session.js";
import { senmlRecords, type SenmlRecord } from "../helpers/senml.js";

const S = 1_000_000;
const H = 3600 * S;
const HOURS = 168;
const SEED = 1;
const QUARTER_S = 900;
const COVER_AT = 30 * H + 7 * 60 * S;
const MAGNET_AT = 80 * H + 3 * 60 * S;

describe("smart meter node: a simulated week against the household world", async () => {
  const run = await runSim({
    device: "smart-meter",
    board: "esp32-devkitc",
    hours: HOURS,
    seed: SEED,
    beforeStart(world) {
      const meter = world.models.get(world.nodes[0]!.id)!.find((m) => m.part === "dlt645")!.model as Dlt645MeterModel;
      world.engine.at(COVER_AT, () => meter.openCover());
      world.engine.at(MAGNET_AT, () => meter.applyMagnet());
    },
  });
  const weather = createKunmingWeather({ seed: SEED });
  const house = createHousehold({ seed: SEED, epochMs: weather.epochMs });
  const epochS = weather.epochMs / 1000;
  const us = (unixS: number) => (unixS - epochS) * S;
  const packs = (suffix: string) => run.frames.filter((f) => f.topic.endsWith(suffix) && !f.dup).map((f) => senmlRecords(decode(Buffer.from(f.hex, "hex"), { useMaps: true })));
  const telemetry = packs("/senml");
  const named = (rs: SenmlRecord[], n: string) => rs.filter((r) => r.n.endsWith(`:${n}`));
  const intervals = telemetry.flatMap((p) => named(p, "e"));

  it("sends every 15-minute interval of the week once, in order", () => {
    const starts = intervals.map((r) => r.t);
    expect(starts.length).toBeGreaterThanOrEqual(HOURS * 4 - 6);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(QUARTER_S);
    // No interval flagged or merged: the node read at every boundary.
    expect(telemetry.flatMap((p) => [...named(p, "ef"), ...named(p, "en")])).toEqual([]);
  });

  it("gives each interval's energy to the pulse: within 2 Wh of the household's exact energy", () => {
    let worst = 0;
    let total = 0;
    let exactTotal = 0;
    for (const r of intervals) {
      const wh = r.v! / 3600;
      const exact = house.electricity.energyBetween(us(r.t), us(r.t + QUARTER_S));
      worst = Math.max(worst, Math.abs(wh - exact));
      total += wh;
      exactTotal += exact;
    }
    console.info(`smart meter week (seed ${SEED}): ${intervals.length} intervals, ${(total / 1000).toFixed(3)} kWh against ${(exactTotal / 1000).toFixed(3)} kWh exact, worst interval off by ${worst.toFixed(2)} Wh`);
    expect(worst).toBeLessThanOrEqual(2);
    // Pulses are whole: the week's sum is off by at most the quantum at each end.
    expect(Math.abs(total - exactTotal)).toBeLessThanOrEqual(2);
  });

  it("freezes a daily snapshot at every local midnight, the register within 10 Wh and a few seconds of power of the truth", () => {
    const daily = telemetry.filter((p) => named(p, "dE").length > 0);
    // The midnight the run starts at (the keeper's INITIAL record, flag 4) and the six after it; the seventh is the
    // run's last instant, before its read.
    expect(daily.length).toBe(HOURS / 24);
    expect(named(daily[0]!, "sf")[0]!.v).toBe(4);
    for (const p of daily.slice(1)) {
      const r = named(p, "dE")[0]!;
      expect((r.t - epochS) % 86_400).toBe(0);
      expect(named(p, "sf")).toEqual([]);
      const exact = house.electricity.energyWh(us(r.t));
      // Read within 5 s of the boundary: at most 10 Wh of quantisation and 5 s at the flat's 3 kW peak.
      expect(Math.abs(r.s! / 3600 - exact)).toBeLessThanOrEqual(10 + (3000 * 5) / 3600);
      // The four tariffs add up to the total (DL/T 645: the total is their sum, each to 10 Wh).
      const tariffs = [1, 2, 3, 4].map((i) => named(p, `dE${i}`)[0]!.s! / 3600);
      expect(Math.abs(tariffs.reduce((a, b) => a + b, 0) - r.s! / 3600)).toBeLessThanOrEqual(40);
    }
    const billing = telemetry.filter((p) => named(p, "bE").length > 0);
    expect(billing.length).toBe(1);
    expect(named(billing[0]!, "sf")[0]!.v).toBe(4);
  });

  it("raises and clears one cover-open and one magnet event, at the first read after each, and nothing else", () => {
    const events = packs("/event").map((p) => ({ name: p[0]!.n.split(":")[1], raised: p[0]!.vb, t: us(p[0]!.t) }));
    expect(events.map((e) => `${e.name} ${e.raised}`)).toEqual(["cover-open true", "cover-open false", "magnet true", "magnet false"]);
    const next = (at: number) => Math.ceil(at / (QUARTER_S * S)) * QUARTER_S * S;
    expect(events[0]!.t - next(COVER_AT)).toBeLessThan(10 * S);
    expect(events[0]!.t).toBeGreaterThanOrEqual(next(COVER_AT));
    expect(events[2]!.t - next(MAGNET_AT)).toBeLessThan(10 * S);
    // Cleared once an hour has passed with no new evidence.
    expect(events[1]!.t - events[0]!.t).toBeGreaterThanOrEqual(H);
    expect(events[3]!.t - events[2]!.t).toBeGreaterThanOrEqual(H);
  });

  it("reads the water meter too, and everything reached the broker", () => {
    const w = telemetry.flatMap((p) => named(p, "w"));
    expect(w.length).toBeGreaterThan(HOURS - 2);
    const last = w[w.length - 1]!;
    // CJ/T 188 resolves 0.01 m³ (XXXXXX.XX); the flat uses about 290 L a day.
    expect(Math.abs(last.s! - house.water.volumeBetween(0, us(last.t)) / 1000)).toBeLessThanOrEqual(0.02);
    expect(run.summary.crashes).toEqual([]);
    expect(run.summary.undelivered).toBe(0);
    expect(run.summary.deviceStats["busErrors"]).toBe(0);
  });
});
