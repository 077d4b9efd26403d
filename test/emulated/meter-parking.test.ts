/**
 * The smart meter and the parking sensor on the emulated Cortex-M4 in the nRF52840 profile (the board's 128 KB XS
 * creation, 64 MHz, 1024 Hz tick), replaying what the simulator's part models did for the same seed: the meter's
 * RS-485 replies (DL/T 645 and CJ/T 188) and S0 pulse edges, the magnetometer's I2C transactions. Frames must be
 * byte-identical to the simulator's, and every budget in the device's manifest met (CPU, XS memory, latency, JS
 * stack, mean current on nrf52840-dk, no divergence from the recording).
 *
 * One hour each: three meter reads (the first freezing the first daily and settlement snapshots) and an hourly
 * report; 3,600 parking ticks with a first heartbeat.
 */
import { decode } from "cborg";
import { beforeAll, describe, expect, it } from "vitest";
import { loadDevice } from "../../manifests/load.js";
import { checkBudgets } from "../../emulator/host/budgets.js";
import { emulate } from "../../emulator/host/emulate.js";
import type { EmulateResult } from "../../emulator/host/emulate.js";

const HOURS = 1;
const results = new Map<string, EmulateResult>();

beforeAll(async () => {
  const [meter, parking] = await Promise.all([
    emulate({ device: "smart-meter", board: "nrf52840-dk", profile: "nrf52840", hours: HOURS, seed: 1 }),
    emulate({ device: "parking", board: "nrf52840-dk", profile: "nrf52840", hours: HOURS, seed: 1 }),
  ]);
  results.set("smart-meter", meter);
  results.set("parking", parking);
}, 600_000);

describe.each(["smart-meter", "parking"])("%s on the emulated nRF52840 (1 h, seed 1)", (device) => {
  it("sends the simulator's uplink frames, byte for byte, and never leaves the recording", () => {
    const r = results.get(device)!;
    expect(r.comparison.firstDifference).toBeUndefined();
    expect(r.comparison.identical).toBe(true);
    expect(r.figures.divergences).toBe(0);
    expect(r.figures.crashes).toBe(0);
    // Something beyond the MQTT status: the first telemetry (snapshots and a report; a heartbeat).
    const senml = r.frames.filter((f) => f.topic.endsWith("/senml"));
    expect(senml.length).toBeGreaterThan(0);
    for (const f of senml) expect(Array.isArray(decode(Buffer.from(f.hex, "hex"), { useMaps: true }))).toBe(true);
  });

  it("meets every budget of its manifest on the board", () => {
    const r = results.get(device)!;
    const failed = checkBudgets(loadDevice(device).manifest.budgets, r.figures).filter((c) => !c.ok);
    expect(failed.map((c) => `${c.name}: ${c.what}`)).toEqual([]);
  });
});

describe("the meter's RS-485 replies on the emulated MCU", () => {
  it("are the recorded ones, delivered to the device's Serial at their virtual times", () => {
    const r = results.get("smart-meter")!;
    // Reads at 15, 30 and 45 min of ten DL/T 645 items and one CJ/T 188 read each (the run ends at the 60-minute
    // boundary, before its read).
    expect(r.recording.uartRx?.length).toBe(3 * 11);
    expect(r.recording.uartRx!.every((e) => e.link === "default")).toBe(true);
  });
});
