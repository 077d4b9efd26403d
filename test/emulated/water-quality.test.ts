/**
 * The water-quality buoy on the emulated Cortex-M4 in the nRF52840 profile its manifest wires it for (1 MB of
 * flash, the board's 128 KB XS static block, 256 KB of RAM): an hour of virtual time replayed from the simulator's
 * recording (EZO replies on I2C, the turbidity probe's volts), its frames byte-identical to the simulator's, and
 * its manifest budgets held (CPU, XS memory, latency, energy).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { emulate, type EmulateResult } from "../../emulator/host/emulate.js";
import { checkBudgets } from "../../emulator/host/budgets.js";
import { PROFILES } from "../../emulator/host/profiles.js";
import { loadDevice } from "../../manifests/load.js";

const budgets = loadDevice("water-quality").manifest.budgets!;
let run: EmulateResult;

beforeAll(async () => {
  run = await emulate({ device: "water-quality", board: "nrf52840-dk", profile: "nrf52840", hours: 1, seed: 1 });
}, 600_000);

describe("water-quality on the emulated nRF52840", () => {
  it("fits the profile and sends the simulator's frames, byte for byte", () => {
    expect(run.comparison.firstDifference).toBeUndefined();
    expect(run.comparison.identical).toBe(true);
    expect(run.frames.filter((f) => f.topic.endsWith("/senml"))).toHaveLength(4);
    expect(run.console.divergences).toEqual([]);
    expect(run.console.crashes).toEqual([]);
    expect(run.figures.flashBytes).toBeLessThan(PROFILES.nrf52840.flashBytes);
    expect(run.figures.heapPeakBytes).toBeLessThan(run.figures.heapCapacityBytes);
  });

  it("holds the manifest's budgets", () => {
    const failed = checkBudgets(budgets, run.figures).filter((c) => !c.ok).map((c) => `${c.name}: ${c.value} ${c.unit} (limit ${c.limit}) ${c.note ?? ""}`);
    expect(failed).toEqual([]);
  });
});
