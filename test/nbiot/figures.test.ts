/**
 * The NB-IoT figures command's runs (simulator/node/nbiot/figures.ts), shortened: every report is delivered, and
 * deeper coverage costs more time and charge, as its repetitions must.
 */
import { describe, expect, it } from "vitest";
import { levelFigures } from "../../simulator/node/nbiot/figures.js";

describe("NB-IoT figures", () => {
  it("two hours at CE0, CE1 and CE2: all reports delivered; attach, round trip and charge grow with the coverage level", async () => {
    const rows = [];
    for (const mcl of [130, 150, 160]) rows.push(await levelFigures(mcl, 2, 1));
    expect(rows.map((r) => r.ce)).toEqual([0, 1, 2]);
    for (const r of rows) expect(r.delivered).toBe(r.reports);
    expect(rows[0]!.reports).toBe(12);
    for (const key of ["attachS", "meanRoundTripS", "mAhPerDay"] as const) {
      expect(rows[0]![key]).toBeLessThan(rows[1]![key]);
      expect(rows[1]![key]).toBeLessThan(rows[2]![key]);
    }
    const shares = rows[0]!.shares.reduce((a, s) => a + s.share, 0);
    expect(shares).toBeCloseTo(1, 9);
  });
});
