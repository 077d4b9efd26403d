/**
 * What the node reports tracks the simulated world: interval means within the parts' resolution and the
 * sampling offset, rain within one bucket tip. Also the page that shows it. The records are set against the world
 * quantities the device's manifest names (`report`); the report itself knows no device.
 */
import { describe, expect, it } from "vitest";
import { runSim } from "../../simulator/node/session.js";
import { simReport } from "../../tools/report/sim-report.js";

describe("run report", () => {
  it("reported interval means match the true ones; the page has a chart per quantity", async () => {
    const result = await runSim({ device: "weather-station", board: "esp32-devkitc", hours: 72, seed: 3 });
    const { html, fidelity, totals, charts } = simReport(result);
    const by = Object.fromEntries(fidelity.map((f) => [f.quantity.slice("air.".length), f]));
    expect(by.temperature!.n).toBe(432);
    // SHT3x: 0.0027 °C and 0.0015 %RH steps; the node samples 1 s after the minute the truth mean uses.
    expect(by.temperature!.mean).toBeLessThan(0.05);
    expect(by.temperature!.worst).toBeLessThan(0.2);
    expect(by.humidity!.mean).toBeLessThan(0.2);
    // BME280 at ×1 oversampling: ~2.7 Pa steps.
    expect(by.pressure!.mean).toBeLessThan(2);
    expect(by.pressure!.worst).toBeLessThan(4);
    // The bucket reports whole tips: what fell, less at most one tip still in the bucket.
    const rain = totals.find((t) => t.record === "rain")!;
    const rainFellMm = rain.truth * 1000;
    const rainReportedMm = rain.reported * 1000;
    expect(rainFellMm).toBeGreaterThan(1);
    expect(rainReportedMm).toBeLessThanOrEqual(rainFellMm + 1e-9);
    expect(rainFellMm - rainReportedMm).toBeLessThan(0.2794);
    // A chart per numeric record the station sends (the frost flag is a boolean).
    expect([...charts].sort()).toEqual(["dew", "gust", "press", "rain", "rh", "rrate", "temp", "wdir", "wspd"]);
    expect(html.match(/<svg /g)).toHaveLength(charts.length);
    expect(html).toContain("Reported against the simulated world");
  });
});
