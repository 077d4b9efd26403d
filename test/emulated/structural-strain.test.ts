/**
 * The strain monitor on the emulated Cortex-M4 in the nRF52840 profile: 12 minutes of virtual time replayed from the
 * simulator's recording (the ADS1220's SPI conversation and its data-ready edges at 90 samples a second), long
 * enough for the first 10-minute report. Its frames must be byte-identical to the simulator's and its budgets held.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkBudgets } from "../../emulator/host/budgets.js";
import { emulate, type EmulateResult } from "../../emulator/host/emulate.js";
import { loadDevice } from "../../manifests/load.js";

const budgets = loadDevice("structural-strain").manifest.budgets!;
let run: EmulateResult;

beforeAll(async () => {
  run = await emulate({ device: "structural-strain", board: "nrf52840-dk", profile: "nrf52840", hours: 0.2, seed: 1 });
}, 1_200_000);

describe("structural-strain on the emulated nRF52840 (0.2 h, seed 1)", () => {
  it("reads the converter at every data-ready edge and sends the simulator's frames, byte for byte", () => {
    expect(run.comparison.firstDifference).toBeUndefined();
    expect(run.comparison.identical).toBe(true);
    expect(run.frames.filter((f) => f.topic.endsWith("/senml"))).toHaveLength(1);
    expect(run.console.divergences).toEqual([]);
    expect(run.figures.crashes).toBe(0);
    expect(run.figures.stackOverflows).toBe(0);
    // About 90 samples a second for 12 minutes (the converter's data rate, less its start-up), each an SPI read
    // after a data-ready edge.
    expect(run.replay.spiTransactions).toBeGreaterThan(88 * 720);
    expect(run.replay.lineChanges).toBeGreaterThan(88 * 720);
  });

  it("holds the budgets on CPU, XS memory, latency and the JS stack", () => {
    const held = checkBudgets(budgets, run.figures).filter((c) => ["cpuPercent", "heapBytes", "latencyMs", "jsStack", "crashes", "divergences", "frames"].includes(c.name));
    expect(held.length).toBeGreaterThanOrEqual(6);
    expect(held.filter((c) => !c.ok).map((c) => `${c.name}: ${c.value} (limit ${c.limit})`)).toEqual([]);
  });

  // Known to fail (a finding for devices/structural-strain): the 10-minute report runs in one callback (about 1.5 M
  // device instructions, 35-50 ms on the board), longer than the 11.1 ms between two data-ready edges at 90 samples
  // a second, so the sample handler behind it starts up to ~47 ms late and one sample is missed (the ADS1220 has
  // overwritten it by then). The report's work has to be cut into pieces shorter than a sample period, or the
  // samples taken by a FIFO; until then the jitter and missed-slot budgets fail on the board.
  it.fails("misses no sample and keeps the sampling jitter within the manifest's budget", () => {
    const checks = checkBudgets(budgets, run.figures);
    expect(checks.find((c) => c.name === "missed")!.ok).toBe(true);
    expect(checks.find((c) => c.name === "jitterMs")!.ok).toBe(true);
  });
});
