/**
 * The bridge strain monitor end to end in the simulator, whatever converter its manifest fits: unmodified firmware
 * on the converter's register-level model in the bridge the world registry builds, uplinks over real TCP to a real
 * broker. The day's length and the converter's rate come from the test that calls it.
 *
 * Every frame is decoded here from its bytes with cborg, and checked against the bridge's truth:
 * - each minute's quasi-static mean against the mean of the girder's strain less its thermal part over that minute;
 * - the hourly Miner damage against an offline count written here: the bridge's strain series at the sampling
 *   rate, the dynamic part (less the previous minute's mean), ASTM E1049-85 §5.4.4 rainflow on the whole series (the
 *   batch three-point rules, not the device's streaming discretised counter), and the EN 1993-1-9 three-slope S–N
 *   curve of detail category 36 with E = 210 GPa, written from the standard's formulas;
 * - every alarm raise at an instant where the girder's strain reached the threshold, every peak well over a
 *   threshold inside an alarm, and the capture after each raise holding the strain around it.
 */
import { decode } from "cborg";
import { beforeAll, describe, expect, it } from "vitest";
import { runSim, type SimResult } from "../../simulator/node/session.js";
import { buildWorlds } from "../../simulator/core/worlds.js";
import type { BridgeWorld } from "../../simulator/core/environment/bridge.js";
import type { Frame } from "../../simulator/node/frame-log.js";

const LEVELS = [
  { raise: 150, clear: 135 },
  { raise: 200, clear: 185 },
];

interface Record_ {
  n: string;
  v?: number;
  vd?: Uint8Array;
  t: number;
}
interface Pack {
  t: number;
  bt: number;
  records: Record_[];
}

function unpack(f: Frame): Pack {
  const maps = decode(Buffer.from(f.hex, "hex"), { useMaps: true }) as Map<number, unknown>[];
  let bt = NaN;
  const records: Record_[] = [];
  for (const m of maps) {
    if (m.has(-3)) bt = m.get(-3) as number;
    records.push({ n: m.get(0) as string, v: m.get(2) as number | undefined, vd: m.get(8) as Uint8Array | undefined, t: (m.get(6) as number | undefined) ?? 0 });
  }
  return { t: f.t, bt, records };
}
const value = (p: Pack, n: string) => p.records.find((r) => r.n === n)?.v;

/** EN 1993-1-9:2005 §7.1: cycles to failure of a stress range (MPa) for detail category Δσ_C. */
function cyclesToFailure(rangeMPa: number, detail: number): number {
  const d = Math.cbrt(2 / 5) * detail; // Δσ_D at 5·10⁶
  const l = Math.pow(5 / 100, 1 / 5) * d; // Δσ_L at 10⁸
  if (rangeMPa >= d) return 2e6 * Math.pow(detail / rangeMPa, 3);
  if (rangeMPa >= l) return 5e6 * Math.pow(d / rangeMPa, 5);
  return Infinity;
}

/**
 * ASTM E1049-85 §5.4.4 rainflow on a series: cycles (1) and half cycles (0.5) as [range, count, index of the point
 * that closed it]; the residue left at the end is not counted (the device counts it only when flushed).
 */
function rainflow(x: Float64Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  const stack: number[] = [];
  const at: number[] = [];
  let sIndex = 0; // stack position of the starting point S
  const push = (v: number, i: number) => {
    stack.push(v);
    at.push(i);
    for (;;) {
      const n = stack.length;
      if (n < 3) return;
      const X = Math.abs(stack[n - 1]! - stack[n - 2]!);
      const Y = Math.abs(stack[n - 2]! - stack[n - 3]!);
      if (X < Y) return;
      if (n - 3 === sIndex) {
        out.push([Y, 0.5, i]);
        stack.splice(n - 3, 1);
        at.splice(n - 3, 1);
      } else {
        out.push([Y, 1, i]);
        stack.splice(n - 3, 2);
        at.splice(n - 3, 2);
      }
    }
  };
  // Turning points (strict reversals), then the counting rules on each.
  let prev = x[0]!;
  let dir = 0;
  push(prev, 0);
  for (let i = 1; i < x.length; i++) {
    const v = x[i]!;
    const d = v > prev ? 1 : v < prev ? -1 : 0;
    if (d !== 0 && dir !== 0 && d !== dir) push(prev, i - 1);
    if (d !== 0) dir = d;
    prev = v;
  }
  return out;
}

export interface StrainDay {
  /** Device name or manifest path. */
  device: string;
  board: string;
  hours: number;
  seed: number;
  /** Strain samples per second the converter gives. */
  hz: number;
  /** What the node's temperature compensation leaves in its strain, µε, from the bridge's options. */
  bias(bridge: BridgeWorld): number;
  /** Why that bias (the test's words). */
  biasWhy: string;
}

/** A simulated day (or `hours`) of the strain monitor, every frame checked against the bridge's truth. */
export function describeStrainDay(title: string, o: StrainDay): void {
  const { hours: HOURS, seed: SEED, hz: HZ } = o;
describe(title, () => {
  let run: SimResult;
  let bridge: BridgeWorld;
  let reports: Pack[];
  let events: Pack[];
  /** The girder's strain less its thermal part, µε, at 90 Hz over the day. */
  let truth: Float64Array;

  beforeAll(async () => {
    run = await runSim({ device: o.device, board: o.board, hours: HOURS, seed: SEED });
    bridge = buildWorlds(["bridge"], { seed: SEED, atmosphere: run.world.atmosphere, nodes: 1 })(0).structure as BridgeWorld;
    reports = run.frames.filter((f) => f.topic.endsWith("/senml")).map(unpack);
    events = run.frames.filter((f) => f.topic.endsWith("/event")).map(unpack);
    truth = new Float64Array(HOURS * 3600 * HZ);
    for (let i = 0; i < truth.length; i++) {
      const t = Math.round((i * 1e6) / HZ);
      truth[i] = bridge.strain(t) - bridge.thermalStrain(t);
    }
  }, 600_000);

  it("reports every 10 minutes, each closed minute once, its mean the girder's quasi-static strain", () => {
    expect(run.summary.crashes).toEqual([]);
    expect(run.summary.deviceStats.sensorErrors).toBe(0);
    expect(reports.length).toBe(HOURS * 6);
    expect(run.frames.filter((f) => f.topic.endsWith("/senml")).every((f) => f.acked !== null && !f.dup)).toBe(true);
    // ≥ 98 % of the nominal 90 per second (temperature and open-bridge conversions take their slots).
    expect(run.summary.deviceStats.samples).toBeGreaterThan(HOURS * 3600 * HZ * 0.98);
    const epochS = bridge.epochMs / 1000;
    const minutes = new Map<number, number>();
    for (const p of reports) {
      for (const r of p.records.filter((x) => x.n === "s")) {
        const end = p.bt + r.t - epochS; // virtual seconds at the minute's end
        expect(end % 60).toBe(0);
        expect(minutes.has(end)).toBe(false);
        minutes.set(end, r.v! * 1e6);
      }
    }
    expect(minutes.size).toBe(HOURS * 60 - 1);
    const bias = o.bias(bridge);
    let worst = 0;
    for (const [end, mean] of minutes) {
      let sum = 0;
      for (let i = (end - 60) * HZ; i < end * HZ; i++) sum += truth[i]!;
      const diff = Math.abs(mean - (sum / (60 * HZ) + bias));
      if (diff > worst) worst = diff;
    }
    // Left: the ADC's noise, the steps of its temperature, and the samples its checks take.
    expect(worst, o.biasWhy).toBeLessThan(1);
  });

  it("counts the hour's Miner damage as an offline ASTM E1049 rainflow of the bridge's strain does", () => {
    // Dynamic part: each sample less the mean of the minute before (the first minute: its own mean so far).
    const perMin = 60 * HZ;
    const dyn = new Float64Array(truth.length);
    let prevMean = NaN;
    for (let m = 0; m * perMin < truth.length; m++) {
      let sum = 0;
      for (let i = m * perMin; i < (m + 1) * perMin; i++) {
        sum += truth[i]!;
        dyn[i] = truth[i]! - (prevMean === prevMean ? prevMean : sum / (i - m * perMin + 1));
      }
      prevMean = sum / perMin;
    }
    const damage = new Float64Array(HOURS);
    for (const [range, count, i] of rainflow(dyn)) damage[Math.floor(i / (3600 * HZ))]! += count / cyclesToFailure(range * 210e3 * 1e-6, 36);
    // The device closes hour h at (h + 1)·3600 s; the next report carries it.
    const device = new Float64Array(HOURS).fill(NaN);
    for (const p of reports) {
      const d = value(p, "D");
      if (d !== undefined) device[Math.floor(p.t / 3_600_000) - 1] = d;
    }
    // An hour's damage is a handful of truck cycles, and a cycle is counted when a larger reversal closes it: the
    // device's 2 µε classes and the ADC's noise can close the largest one a few samples later, across the hour's
    // end (then one hour has it and the next does not). So the damage summed hour by hour must follow the offline
    // count within 15 % at every hour's end, and the day's within 5 %.
    let offline = 0;
    let counted = 0;
    for (let h = 1; h < HOURS - 1; h++) {
      expect(device[h]).toBeGreaterThan(0);
      offline += damage[h]!;
      counted += device[h]!;
      expect(Math.abs(counted / offline - 1), `damage summed to hour ${h}`).toBeLessThan(0.15);
    }
    expect(Math.abs(counted / offline - 1)).toBeLessThan(0.05);
  });

  it("raises an alarm where the girder's strain reached a threshold, holds it over every higher peak, and sends the samples around it", () => {
    const epochMs = bridge.epochMs;
    const alarms = events.filter((e) => e.records[0]!.n === "lvl");
    const captures = events.filter((e) => e.records[0]!.n === "hz");
    expect(alarms.length).toBeGreaterThan(0);
    // Level over time from the alarm events, and each raise against the truth within a second of it.
    const steps: { at: number; level: number }[] = [];
    let level = 0;
    let raises = 0;
    for (const a of alarms) {
      const next = value(a, "lvl")!;
      const at = Math.round((a.bt * 1000 - epochMs) * HZ / 1000);
      if (next > level) {
        raises++;
        let peak = -Infinity;
        for (let i = at - HZ; i <= at + HZ; i++) peak = Math.max(peak, truth[i]!);
        expect(peak).toBeGreaterThan(LEVELS[next - 1]!.raise - 3);
      }
      steps.push({ at, level: next });
      level = next;
    }
    const levelAt = (i: number) => {
      let l = 0;
      for (const s of steps) if (s.at <= i) l = s.level;
      return l;
    };
    // Every truth sample 5 µε over a threshold falls where the device held at least that level (within a second).
    for (let i = 0; i < truth.length; i++) {
      const need = LEVELS.filter((l) => truth[i]! >= l.raise + 5).length;
      if (need > 0) expect(Math.max(levelAt(i), levelAt(i + HZ))).toBeGreaterThanOrEqual(need);
    }
    // A capture after every raise (two slots: a raise while both are busy is missed, and counted).
    const missed = run.summary.deviceStats.eventsMissed ?? 0;
    expect(captures.length + missed).toBeGreaterThanOrEqual(raises - run.summary.deviceStats.eventsMerged!);
    for (const c of captures) {
      expect(value(c, "hz")).toBe(HZ);
      const before = value(c, "pre")!;
      const s0 = value(c, "s0")! * 1e6;
      const chunks = c.records.filter((r) => r.n === "cap");
      const samples: number[] = [];
      for (const r of chunks) {
        const view = new DataView(r.vd!.buffer, r.vd!.byteOffset, r.vd!.byteLength);
        for (let j = 0; j < r.vd!.byteLength; j += 2) samples.push(s0 + view.getInt16(j, true) * 0.1);
      }
      expect(samples.length).toBe(before + 5 * HZ);
      // The capture is the indicated strain: the truth plus the thermal part, at the instants it names.
      const first = Math.round(((c.bt * 1000 - epochMs) * HZ) / 1000);
      const t0 = Math.round((first * 1e6) / HZ);
      const thermal = bridge.thermalStrain(t0);
      const peak = Math.max(...samples);
      let truthPeak = -Infinity;
      for (let i = first; i < first + samples.length; i++) truthPeak = Math.max(truthPeak, truth[i]! + thermal);
      expect(Math.abs(peak - truthPeak)).toBeLessThan(3);
      // The triggering sample is at the end of the window before, at or over the first threshold.
      expect(samples[before - 1]! - thermal).toBeGreaterThan(LEVELS[0]!.raise - 3);
    }
  });
});
}
