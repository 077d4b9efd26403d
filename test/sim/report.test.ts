/**
 * What the node reports tracks the simulated world: interval means within the parts' resolution and the
 * sampling offset, rain within one bucket tip. Also the page that shows it.
 */
import { describe, expect, it } from "vitest";
import { runSim } from "../../simulator/node/session.js";
import { simReport } from "../../tools/report/sim-report.js";

describe("run report", () => {
  it("reported interval means match the true ones; the page has a chart per quantity", async () => {
    const result = await runSim({ device: "weather-station", board: "esp32-devkitc", hours: 72, seed: 3 });
    const { html, fidelity, rainReportedMm, rainFellMm } = simReport(result);
    const by = Object.fromEntries(fidelity.map((f) => [f.quantity, f]));
    expect(by.temperature!.n).toBe(432);
    // SHT3x: 0.0027 °C and 0.0015 %RH steps; the node samples 1 s after the minute the truth mean uses.
    expect(by.temperature!.mean).toBeLessThan(0.05);
    expect(by.temperature!.worst).toBeLessThan(0.2);
    expect(by.humidity!.mean).toBeLessThan(0.2);
    // BME280 at ×1 oversampling: ~2.7 Pa steps.
    expect(by.pressure!.mean).toBeLessThan(2);
    expect(by.pressure!.worst).toBeLessThan(4);
    // The bucket reports whole tips: what fell, less at most one tip still in the bucket.
    expect(rainFellMm).toBeGreaterThan(1);
    expect(rainReportedMm).toBeLessThanOrEqual(rainFellMm + 1e-9);
    expect(rainFellMm - rainReportedMm).toBeLessThan(0.2794);
    expect(html.match(/<svg /g)).toHaveLength(6);
    expect(html).toContain("Reported against the simulated world");
  });
});
