/**
 * Every device that exists, on the real XS engine (the host runner built from the XS sources on the npm registry),
 * for the simulated day its baseline names (at least 6 h):
 * - its uplink frames are byte-identical to the V8 run with the same seed (time, topic, flags, packet id, payload,
 *   acknowledgement);
 * - its metered cost per cycle and its heap stay within the baseline's tolerance (10 %) of test/xs/baseline.json;
 * - a baseline whose figures change carries a new reason in the same commit.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { listDevices } from "../../manifests/load.js";
import { wiredPairs } from "../helpers/manifests.js";
import type { Frame } from "../../simulator/node/frame-log.js";
import { runSim } from "../../simulator/node/session.js";
import { runSimXs } from "../../simulator/xs/session.js";
import {
  baselinePath,
  compareToBaseline,
  loadBaseline,
  PROFILE_DEFAULTS,
  profileDevice,
  type Baseline,
  type BaselineEntry,
  type DeviceProfile,
} from "../../simulator/xs/profile.js";
import { repoRoot } from "../../tools/xs/build.js";

const baseline = loadBaseline();
const devices = listDevices();

function firstDifference(a: readonly Frame[], b: readonly Frame[]): string | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = JSON.stringify(a[i]);
    const y = JSON.stringify(b[i]);
    if (x !== y) return `frame ${i}: XS ${x ?? "(none)"} vs V8 ${y ?? "(none)"}`;
  }
  return undefined;
}

describe.each(devices)("%s on XS", (device) => {
  const entry = baseline.devices[device];
  const run = { board: entry?.board ?? PROFILE_DEFAULTS.board, hours: entry?.hours ?? PROFILE_DEFAULTS.hours, seed: entry?.seed ?? PROFILE_DEFAULTS.seed };
  let xs: DeviceProfile;
  let v8Frames: Frame[];

  beforeAll(async () => {
    const [p, v] = await Promise.all([profileDevice(device, run), runSim({ device, ...run })]);
    xs = p;
    v8Frames = v.frames;
  }, 600_000);

  it(`sends byte-identical uplink frames to the V8 run (seed ${run.seed}, ${run.hours} h)`, () => {
    expect(run.hours).toBeGreaterThanOrEqual(6);
    expect(xs.crashes).toBe(0);
    expect(v8Frames.length).toBeGreaterThan(0);
    expect(firstDifference(xs.frames, v8Frames)).toBeUndefined();
    expect(xs.frames.length).toBe(v8Frames.length);
  });

  it(`keeps metering per cycle and heap within ${Math.round(baseline.tolerance * 100)} % of test/xs/baseline.json`, () => {
    expect(entry, `no baseline for ${device}: run ganzhi profile ${device} --update-baseline --reason "first baseline"`).toBeDefined();
    expect(entry!.reason.trim()).not.toBe("");
    const findings = compareToBaseline(xs, entry!, baseline.tolerance);
    const over = findings
      .filter((f) => f.over)
      .map((f) => `${f.figure}: ${f.measured} vs baseline ${f.baseline} (+${(f.change * 100).toFixed(1)} %)`);
    expect(
      over,
      `cost rose over the baseline; if that is intended: ganzhi profile ${device} --update-baseline --reason "why", in the same commit`,
    ).toEqual([]);
  });
});

/** The other boards each device is wired for: 2 h each, frames only (the baseline board runs its whole day above; this
 * covers what differs per board, e.g. an anemometer counted by edge interrupts on the nRF52). */
const otherBoards = wiredPairs().filter(([device, board]) => board !== (baseline.devices[device]?.board ?? PROFILE_DEFAULTS.board));

describe("on the other boards", () => {
  it.each(otherBoards)("%s on %s: XS frames byte-identical to V8 over 2 h", async (device, board) => {
    const run = { device, board, hours: 2, seed: 3 };
    const [xs, v8] = await Promise.all([runSimXs(run), runSim(run)]);
    expect(xs.summary.crashes).toEqual([]);
    expect(v8.frames.length).toBeGreaterThan(0);
    expect(firstDifference(xs.frames, v8.frames)).toBeUndefined();
  }, 300_000);
});

describe("baseline file", () => {
  const file = path.relative(repoRoot(), baselinePath());
  const git = (args: string[]): string | undefined => {
    const r = spawnSync("git", args, { cwd: repoRoot(), encoding: "utf8" });
    return r.status === 0 ? r.stdout : undefined;
  };
  const figures = (e: BaselineEntry) => JSON.stringify({ board: e.board, hours: e.hours, seed: e.seed, metering: e.metering, heap: e.heap });

  /** Entries whose figures changed from `older` to `newer` without a new reason. */
  function unexplained(older: Baseline, newer: Baseline): string[] {
    const out: string[] = [];
    for (const [device, e] of Object.entries(newer.devices)) {
      const o = older.devices[device];
      if (o && figures(o) !== figures(e) && o.reason.trim() === e.reason.trim()) out.push(device);
    }
    return out;
  }

  it("has a tolerance and a reason for every device", () => {
    expect(baseline.tolerance).toBeGreaterThan(0);
    expect(baseline.tolerance).toBeLessThanOrEqual(0.1);
    for (const e of Object.values(baseline.devices)) expect(e.reason.trim()).not.toBe("");
  });

  it("changes its figures only together with a new reason (working tree vs HEAD, HEAD vs its parent)", () => {
    const parse = (text: string | undefined): Baseline | undefined => (text === undefined ? undefined : (JSON.parse(text) as Baseline));
    const work = parse(readFileSync(baselinePath(), "utf8"))!;
    const head = parse(git(["show", `HEAD:${file}`]));
    const parent = parse(git(["show", `HEAD^:${file}`]));
    if (head) expect(unexplained(head, work), "uncommitted baseline figures changed without a new reason").toEqual([]);
    if (head && parent) expect(unexplained(parent, head), "the last commit changed baseline figures without a new reason").toEqual([]);
  });

  it("a rise of more than the tolerance is over the baseline, a smaller one is not", () => {
    const entry: BaselineEntry = {
      board: "b",
      hours: 24,
      seed: 1,
      reason: "r",
      metering: { report: { median: 1000, max: 2000 } },
      heap: { startup: { chunks: 100, slots: 10 }, peak: { chunks: 1000, slots: 100 } },
    };
    const profile = (reportMax: number, peakChunks: number): DeviceProfile => ({
      device: "d",
      board: "b",
      hours: 24,
      seed: 1,
      kinds: [
        { name: "report", phase: "report", cycles: 144, median: 1000, max: reportMax, total: 0, transientChunks: 0, transientSlots: 0 },
      ],
      totalUnits: 0,
      heap: { slotBytes: 32, startup: { chunks: 100, slots: 10 }, peak: { chunks: peakChunks, slots: 100 }, peakKind: "report", live: { chunks: 0, slots: 0 }, checkpoints: 0 },
      wallSeconds: 0,
      frames: [],
      crashes: 0,
    });
    const over = (p: DeviceProfile) => compareToBaseline(p, entry, 0.1).filter((f) => f.over).map((f) => f.figure);
    expect(over(profile(2200, 1100))).toEqual([]);
    expect(over(profile(2201, 1000))).toEqual(["metering report max"]);
    expect(over(profile(1500, 1101))).toEqual(["heap peak chunks"]);
  });

  it("the check catches figures that change under an old reason", () => {
    const a: Baseline = JSON.parse(JSON.stringify(baseline)) as Baseline;
    const b: Baseline = JSON.parse(JSON.stringify(baseline)) as Baseline;
    const name = Object.keys(b.devices)[0]!;
    b.devices[name]!.heap.peak.chunks += 1;
    expect(unexplained(a, b)).toEqual([name]);
    b.devices[name]!.reason += " (and more)";
    expect(unexplained(a, b)).toEqual([]);
  });
});
