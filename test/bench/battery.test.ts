/**
 * The battery estimate's terms (tools/bench/battery.ts) on the strain monitor, whose bridge is the one sensor whose
 * model keeps its current: its excitation is Vex / R by Ohm's law (3.3 V over a 350 Ω full bridge, the manifest's
 * defaults), it is charged beside the MCU and the radio, and it dominates. Short runs: the terms, not the years the
 * benchmark prints, are what is checked here.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BATTERY_NODES, batteryLife, yearsOn, yearsRange, type BatteryRow } from "../../tools/bench/battery.js";

let row: BatteryRow;

beforeAll(async () => {
  row = await batteryLife(BATTERY_NODES.find((s) => s.device === "structural-strain")!, 0.125, 0.02);
}, 600_000);

describe("years on the battery for the strain monitor (3 simulated hours, 0.02 emulated)", () => {
  it("charges the bridge's excitation, 3.3 V / 350 Ω, for the whole run", () => {
    expect(row.sensorStates.map((s) => s.state)).toEqual(["strain (ads1220) bridge excited"]);
    expect(row.sensorMicroamps).toBeCloseTo((3.3 / 350) * 1e6, 6);
  });

  it("adds MCU, radio and sensors, and names the bridge as what dominates", () => {
    for (const k of ["low", "high"] as const) expect(row.totalMicroamps[k]).toBeCloseTo(row.mcuMicroamps[k] + row.radioMicroamps + row.sensorMicroamps, 9);
    expect(row.mcuMicroamps.low).toBeGreaterThan(0);
    expect(row.radioMicroamps).toBeGreaterThan(0);
    expect(row.dominant).toMatch(/^sensors \(strain \(ads1220\) bridge excited 9428\.6 µA\)$/);
    expect(row.years.low).toBeCloseTo(yearsOn(19_000, row.totalMicroamps.high), 12);
    expect(row.years.high).toBeLessThan(0.25);
  });
});

describe("years as printed", () => {
  it("takes as few decimals as tell the ends apart: a short life is not printed as 0.2–0.2", () => {
    expect(yearsRange(15.64, 21.38)).toBe("15.6–21.4");
    expect(yearsRange(0.2281, 0.2339)).toBe("0.228–0.234");
    expect(yearsRange(0.21, 0.26)).toBe("0.2–0.3");
    expect(yearsRange(1.0001, 1.0002)).toBe("1.000");
  });
});
