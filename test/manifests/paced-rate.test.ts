/**
 * A converter that paces its own samples (ADS1220 DRDY, HX711 DOUT) gives them at the rate its options set, and no
 * other: a device manifest whose sampling group asks another rate of it is refused, the error at the option when the
 * manifest sets it, else at the group's interval. The HX711's rates are those of its RATE pin (10 or 80 SPS, the
 * datasheet's two); the strain monitor then refuses, at start, a rate under the 20 samples/s it needs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic, loadDevice, ManifestError, parseDevice } from "../../manifests/load.js";
import { runSim } from "../../simulator/node/session.js";

const HX = "examples/devices/structural-strain-hx711.json";
const ADS = "manifests/devices/structural-strain.json";

/** The manifest's text with `from` replaced once by `to`, and the 1-based line:column of `at` in the result. */
function edited(file: string, from: string, to: string, at: string): { text: string; where: string } {
  const text = readFileSync(file, "utf8");
  expect(text.split(from).length, `${file} holds ${from} once`).toBe(2);
  const out = text.replace(from, to);
  const i = out.indexOf(at);
  const before = out.slice(0, i).split("\n");
  return { text: out, where: `${before.length}:${before[before.length - 1]!.length + 1}` };
}

function errorsOf(file: string, text: string): string[] {
  try {
    parseDevice(text, resolve(file));
  } catch (e) {
    if (e instanceof ManifestError) return e.errors.map(formatDiagnostic);
    throw e;
  }
  throw new Error("expected a ManifestError, but nothing was thrown");
}

describe("paced converters: the sampling interval is the part's rate", () => {
  it("takes the HX711 at 80 SPS every 12 ms, and the ADS1220 at 90 SPS every 11 ms", () => {
    expect(loadDevice(HX).warnings).toEqual([]);
    expect(loadDevice(ADS).warnings).toEqual([]);
  });

  it("refuses the HX711 strapped for 10 SPS under a 12 ms group, at the rate option", () => {
    const { text, where } = edited(HX, `"rate": 80`, `"rate": 10`, `"rate": 10`);
    expect(errorsOf(HX, text)).toEqual([
      `${HX}:${where}: /parts/strain/options/rate: part "strain" (hx711) gives 10 samples/s at options.rate = 10, one every 100 ms, but sampling group "strain" samples it every 12 ms: the hx711 cannot give that rate`,
    ]);
  });

  it("refuses a rate the RATE pin cannot give (the schema's two values)", () => {
    const { text, where } = edited(HX, `"rate": 80`, `"rate": 40`, `"rate": 40`);
    expect(errorsOf(HX, text)).toEqual([`${HX}:${where}: /parts/strain/options/rate: expected one of 10, 80, got integer 40`]);
  });

  it("puts the error on the group's interval when the rate is the part's default", () => {
    const { text, where } = edited(HX, `"intervalMs": 12,`, `"intervalMs": 50,`, `"intervalMs": 50`);
    expect(errorsOf(HX, text.replace(`"rate": 80, `, ""))).toEqual([
      `${HX}:${where}: /sampling/strain/intervalMs: part "strain" (hx711) gives 80 samples/s at options.rate = 80 (its default), one every 12 ms, but sampling group "strain" samples it every 50 ms: the hx711 cannot give that rate`,
    ]);
  });

  it("holds the ADS1220 in continuous conversion to its data rate, not in single shots (the firmware paces those)", () => {
    const { text, where } = edited(ADS, `"dataRate": 90`, `"dataRate": 45`, `"dataRate": 45`);
    expect(errorsOf(ADS, text)).toEqual([
      `${ADS}:${where}: /parts/strain/options/dataRate: part "strain" (ads1220) gives 45 samples/s at options.dataRate = 45, one every 22 ms, but sampling group "strain" samples it every 11 ms: the ads1220 cannot give that rate`,
    ]);
    const single = text.replace(`"dataRate": 45`, `"dataRate": 45, "conversion": "single-shot"`);
    expect(() => parseDevice(single, resolve(ADS))).not.toThrow();
  });
});

describe("the strain monitor's own range, 20–100 samples/s", () => {
  it("refuses at start an HX711 at 10 SPS that the manifest allowed (a 100 ms group), naming the option", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ganzhi-hx711-"));
    const file = join(dir, "structural-strain-hx711.json");
    const text = readFileSync(HX, "utf8").replace(`"rate": 80`, `"rate": 10`).replace(`"intervalMs": 12,`, `"intervalMs": 100,`).replace(`"$schema": "../../manifests/schema/device.schema.json",`, "");
    writeFileSync(file, text);
    expect(loadDevice(file).warnings).toEqual([]);
    const run = await runSim({ device: file, board: "esp32-devkitc", hours: 0.01, seed: 1 });
    expect(run.frames.filter((f) => f.topic.endsWith("/senml"))).toEqual([]);
    expect(run.summary.crashes.length).toBeGreaterThan(0);
    for (const c of run.summary.crashes) {
      expect(c.error).toContain("structural-strain config: parts.strain.options.rate: 10 samples/s is outside the 20–100 the monitor samples strain at");
    }
  });
});
