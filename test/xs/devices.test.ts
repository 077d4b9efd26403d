/**
 * Every device that exists, on the real XS engine (the host runner built from the XS sources on the npm registry),
 * for the simulated day its baseline names (at least 6 h):
 * - its uplink frames are byte-identical to the V8 run with the same seed (time, topic, flags, packet id, payload,
 *   acknowledgement);
 * - its metered cost per cycle and its heap stay within the baseline's tolerance (10 %) of test/xs/baseline.json,
 *   and every kind of work the baseline holds is still measured;
 * - the baseline file is sound without any git history: written by `ganzhi profile --update-baseline` (its digests
 *   match), and every figure that rose over the one it replaced carries a new reason (simulator/xs/baseline.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { listDevices, loadDevice } from "../../manifests/load.js";
import { wiredPairs } from "../helpers/manifests.js";
import type { Frame } from "../../simulator/node/frame-log.js";
import { firstDifference } from "../helpers/frames.js";
import { runSim } from "../../simulator/node/session.js";
import { runSimXs } from "../../simulator/xs/session.js";
import { auditBaseline, compareToBaseline, entryDigest, loadBaseline, nextEntry, type Baseline, type BaselineFigures } from "../../simulator/xs/baseline.js";
import { PROFILE_DEFAULTS, profileDevice, type DeviceProfile } from "../../simulator/xs/profile.js";

const baseline = loadBaseline();
const devices = listDevices();


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
    const findings = compareToBaseline(xs, entry!, baseline.tolerance);
    const over = findings
      .filter((f) => f.over)
      .map((f) => (f.missing ? `${f.figure}: in the baseline, not measured` : `${f.figure}: ${f.measured} vs baseline ${f.baseline} (+${(f.change * 100).toFixed(1)} %)`));
    expect(over, `cost rose over the baseline or went unmeasured; if that is intended: ganzhi profile ${device} --update-baseline --reason "why"`).toEqual([]);
  });
});

/** The other boards each device is wired for, frames only (the baseline board runs its whole day above; this covers
 * what differs per board, e.g. an anemometer counted by edge interrupts on the nRF52): 2 h each, or 3 of the device's
 * report intervals when it samples faster than 10 Hz (a strain monitor's 90 samples/s cost XS 45 s per 2 h). */
const otherBoards = wiredPairs()
  .filter(([device, board]) => board !== (baseline.devices[device]?.board ?? PROFILE_DEFAULTS.board))
  .map(([device, board]): [string, string, number] => {
    const m = loadDevice(device).manifest;
    const fastest = Math.min(...Object.values(m.sampling).map((g) => g.intervalMs));
    return [device, board, fastest < 100 ? Math.min(2, (3 * m.reporting.intervalS) / 3600) : 2];
  });

describe("on the other boards", () => {
  it.each(otherBoards)("%s on %s: XS frames byte-identical to V8 over %s h", async (device, board, hours) => {
    const run = { device, board, hours, seed: 3 };
    const [xs, v8] = await Promise.all([runSimXs(run), runSim(run)]);
    expect(xs.summary.crashes).toEqual([]);
    expect(v8.frames.length).toBeGreaterThan(0);
    expect(firstDifference(xs.frames, v8.frames)).toBeUndefined();
  }, 300_000);
});

describe("baseline file", () => {
  it("is sound: a tolerance, a reason per device, digests that match, no rise under an old reason", () => {
    expect(auditBaseline(baseline)).toEqual([]);
  });

  const figures: BaselineFigures = {
    board: "b",
    hours: 24,
    seed: 1,
    metering: { report: { median: 1000, max: 2000 }, "sample:air": { median: 500, max: 600 } },
    heap: { startup: { chunks: 100, slots: 10 }, peak: { chunks: 1000, slots: 100 } },
  };
  const profile = (reportMax: number, peakChunks: number, kinds = ["report", "sample:air"]): DeviceProfile => ({
    device: "d",
    board: "b",
    hours: 24,
    seed: 1,
    kinds: kinds.map((name) => ({
      name,
      phase: name === "report" ? ("report" as const) : ("sample" as const),
      cycles: 144,
      median: name === "report" ? 1000 : 500,
      max: name === "report" ? reportMax : 600,
      total: 0,
      transientChunks: 0,
      transientSlots: 0,
    })),
    totalUnits: 0,
    heap: { slotBytes: 32, startup: { chunks: 100, slots: 10 }, peak: { chunks: peakChunks, slots: 100 }, peakKind: "report", live: { chunks: 0, slots: 0 }, checkpoints: 0 },
    wallSeconds: 0,
    frames: [],
    crashes: 0,
  });
  const over = (p: DeviceProfile) => compareToBaseline(p, figures, 0.1).filter((f) => f.over).map((f) => f.figure);

  it("a rise of more than the tolerance is over the baseline, a smaller one is not", () => {
    expect(over(profile(2200, 1100))).toEqual([]);
    expect(over(profile(2201, 1000))).toEqual(["metering report max"]);
    expect(over(profile(1500, 1101))).toEqual(["heap peak chunks"]);
  });

  it("a kind of work the baseline holds and the run no longer measures fails, by name (it is not a zero)", () => {
    const findings = compareToBaseline(profile(2000, 1000, ["sample:air"]), figures, 0.1);
    expect(findings.filter((f) => f.over).map((f) => [f.figure, f.missing])).toEqual([["metering report", true]]);
  });

  it("the audit catches a rise under the previous reason, and a hand edit, without git", () => {
    const first = nextEntry(figures, "first baseline", undefined, "d");
    const file = (e: typeof first): Baseline => ({ about: "", tolerance: 0.1, devices: { d: e } });
    expect(auditBaseline(file(first))).toEqual([]);
    const higher: BaselineFigures = { ...figures, metering: { ...figures.metering, report: { median: 1000, max: 2100 } } };
    // The tool refuses the old reason for higher figures, and takes a new one.
    expect(() => nextEntry(higher, "first baseline", first, "d")).toThrow("d: metering report max (2000 → 2100) rise; give a new reason");
    const second = nextEntry(higher, "the report now also sends the frost point", first, "d");
    expect(second.previous?.reason).toBe("first baseline");
    expect(auditBaseline(file(second))).toEqual([]);
    // Lower figures may keep the reason.
    expect(auditBaseline(file(nextEntry(figures, "the report now also sends the frost point", second, "d")))).toEqual([]);
    // Editing a figure, or the reason, by hand breaks the digest.
    const edited = JSON.parse(JSON.stringify(second)) as typeof second;
    edited.heap.peak.chunks += 1;
    expect(auditBaseline(file(edited))).toEqual([
      'd: figures or reason differ from what ganzhi profile wrote (digest mismatch); rewrite them with ganzhi profile d --update-baseline --reason "why"',
    ]);
    // A rise under the previous reason is caught even with a digest recomputed to match.
    const forged = { ...second, reason: "first baseline" };
    forged.digest = entryDigest(forged);
    expect(auditBaseline(file(forged))).toEqual(["d: metering report max (2000 → 2100) rose under the previous reason; a rise needs a new reason"]);
  });
});
