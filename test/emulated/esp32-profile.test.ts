/**
 * The four battery nodes beside the weather station in the ESP32 profile (mps2-4m: 4 MB of flash, the
 * esp32-devkitc's fixed XS heaps, its 100 Hz tick) on the board their manifests give first, replaying the
 * simulator's recording for the same seed. The nRF52840 runs (meter-parking, nbiot, water-quality,
 * structural-strain tests) hold each manifest's budgets; here the same firmware, built for the other profile, must
 * send the simulator's frames byte for byte and pass the checks every run must pass whatever the manifest says.
 *
 * Lengths: long enough for each node's first telemetry (the strain monitor's first 10-minute report, the buoy's
 * readings, the meter's hourly report, the parking sensor's first heartbeat).
 */
import { decode } from "cborg";
import { beforeAll, describe, expect, it } from "vitest";
import { checkBudgets } from "../../emulator/host/budgets.js";
import { emulate, type EmulateResult } from "../../emulator/host/emulate.js";
import { loadDevice } from "../../manifests/load.js";

const RUNS = [
  { device: "parking", hours: 1 },
  { device: "smart-meter", hours: 1 },
  { device: "water-quality", hours: 0.5 },
  { device: "structural-strain", hours: 0.2 },
] as const;
const results = new Map<string, EmulateResult>();

beforeAll(async () => {
  const runs = await Promise.all(RUNS.map((r) => emulate({ device: r.device, board: "esp32-devkitc", profile: "mps2-4m", hours: r.hours, seed: 1 })));
  RUNS.forEach((r, i) => results.set(r.device, runs[i]!));
}, 1_200_000);

describe.each(RUNS.map((r) => r.device))("%s on the emulated ESP32 profile (esp32-devkitc, seed 1)", (device) => {
  it("sends the simulator's frames, byte for byte, with SenML telemetry among them", () => {
    const r = results.get(device)!;
    expect(r.figures.profile).toBe("mps2-4m");
    expect(r.comparison.firstDifference).toBeUndefined();
    expect(r.comparison.identical).toBe(true);
    const senml = r.frames.filter((f) => f.topic.endsWith("/senml"));
    expect(senml.length).toBeGreaterThan(0);
    for (const f of senml) expect(Array.isArray(decode(Buffer.from(f.hex, "hex"), { useMaps: true }))).toBe(true);
  });

  it("passes what every run must: no crash, stack overflow, divergence or missed sample, within the board's JS stack", () => {
    const r = results.get(device)!;
    // The strain monitor's missed sample on this profile is the known failure below.
    const always = [...(device === "structural-strain" ? [] : ["missed"]), "jsStack", "crashes", "stackOverflows", "divergences", "frames"];
    const checks = checkBudgets(loadDevice(device).manifest.budgets, r.figures).filter((c) => always.includes(c.name));
    expect(checks.length).toBeGreaterThanOrEqual(5);
    expect(checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.value} (limit ${c.limit})`)).toEqual([]);
  });
});

// A finding for the strain monitor on ESP32 boards, which failed until the aesnative branch: one data-ready edge in
// the 12 minutes was read after the next (missed 1; lateness 8.3–11.3 ms against the 11.1 ms period), because a
// collection on this profile's 4,096-slot heap takes ~450 k emulated instructions, 15 ms at the timing model's slow
// end, longer than a sample period wherever it lands. With host.cipher the image's own JS changed and the collections
// land elsewhere: none inside a sample's callback holds the next edge past its period in this run (seed 1). Nothing
// made a collection shorter, so another seed or change can miss an edge again.
describe("structural-strain on the emulated ESP32 profile", () => {
  it("misses no data-ready edge", () => {
    const r = results.get("structural-strain")!;
    expect(checkBudgets(loadDevice("structural-strain").manifest.budgets, r.figures).find((c) => c.name === "missed")!.ok).toBe(true);
  });
});
