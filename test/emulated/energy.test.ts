/**
 * The energy estimate (emulator/host/energy.ts) against figures worked by hand from the board manifests' currents
 * (nRF52840 PS and ESP32 datasheet values, manifests/boards/*.json `power`).
 */
import { describe, expect, it } from "vitest";
import { airSeconds, estimateEnergy } from "../../emulator/host/energy.js";
import { checkBudgets } from "../../emulator/host/budgets.js";
import { partLoads } from "../../emulator/host/emulate.js";
import type { EmulateFigures } from "../../emulator/host/emulate.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import type { Recording } from "../../simulator/node/record.js";
import type { Board } from "../../manifests/schema/board.js";
import { loadBoard } from "../../manifests/load.js";

const S = 1e6;

describe("energy estimate", () => {
  it("nRF52840-DK: CPU busy at 3.3 mA, the rest in System ON idle at 3.16 µA, no radio to charge", () => {
    const b = loadBoard("nrf52840-dk").manifest;
    const e = estimateEnergy(b.power, b.network, { runUs: 3600 * S, busyUs: 36 * S, deepSleepUs: 0, txPackets: [500], rxPackets: [500] });
    // 36 s × 3.3 mA + 3564 s × 0.00316 mA = 118.8 + 11.26224 mA·s over 3600 s.
    expect(e.averageMilliamps).toBeCloseTo(130.06224 / 3600, 9);
    expect(e.milliwattHoursPerDay).toBeCloseTo((130.06224 / 3600) * 3.0 * 24, 9);
    expect(e.daysPer1000mAh).toBeCloseTo(1000 / ((130.06224 / 3600) * 24), 6);
    expect(e.radio).toBe(false);
    expect(e.noRadio).toBe("the board has no network interface");
    expect(e.runSeconds).toBe(3600);
    expect(e.shares.map((s) => [s.state, s.current])).toEqual([
      ["cpu", "cpuActive"],
      ["idle", "lightSleep"],
    ]);
  });

  it("ESP32: air time at 1 Mbps with 100 bytes a packet, waiting in modem sleep with the CPU clock running", () => {
    const b = loadBoard("esp32-devkitc").manifest;
    expect(airSeconds([60, 190], b.power.radio!)).toBeCloseTo(0.0036, 12); // (250 + 2 × 100) B × 8 / 1 Mbit/s
    const e = estimateEnergy(b.power, b.network, { runUs: 600 * S, busyUs: 6 * S, deepSleepUs: 0, txPackets: [60, 190], rxPackets: [4] });
    // cpu 6 s × 40 + tx 3.6 ms × 240 + rx 0.832 ms × 100 + the other 593.995568 s × 40 mA.
    const charge = 240 + 0.864 + 0.0832 + 593.995568 * 40;
    expect(e.averageMilliamps).toBeCloseTo(charge / 600, 9);
    expect(e.radio).toBe(true);
    expect(e.shares.find((s) => s.state === "idle")!.current).toBe("cpuActive");
  });

  it("charges deep sleep at its own current, and a network without radio figures not at all", () => {
    const power: Board["power"] = {
      supplyVolts: 3.6,
      currentsMa: { cpuActive: 5, radioTx: 10, radioRx: 8, lightSleep: 0.5, deepSleep: 0.01 },
      idleState: "lightSleep",
      source: "test",
    };
    const e = estimateEnergy(power, ["wifi"], { runUs: 100 * S, busyUs: 1 * S, deepSleepUs: 90 * S, txPackets: [100], rxPackets: [] });
    // 1 s × 5 + 9 s × 0.5 + 90 s × 0.01 = 10.4 mA·s over 100 s.
    expect(e.averageMilliamps).toBeCloseTo(0.104, 12);
    expect(e.radio).toBe(false);
    expect(e.noRadio).toBe("the board manifest gives no radio figures (power.radio)");
    expect(e.shares.find((s) => s.state === "deepSleep")!.seconds).toBe(90);
    // A part's draw adds its mean over the whole run, beside the MCU's states.
    const withLoad = estimateEnergy(power, ["wifi"], { runUs: 100 * S, busyUs: 1 * S, deepSleepUs: 90 * S, txPackets: [], rxPackets: [], loads: [{ name: "vane", milliamps: 0.25 }] });
    expect(withLoad.averageMilliamps).toBeCloseTo(0.354, 12);
    expect(withLoad.shares.at(-1)).toEqual({ state: "load", current: "vane", seconds: 100, milliamps: 0.25, milliampSeconds: 25 });
  });

  it("counts what an always-powered vane divider draws from the volts it read, and nothing for a switched one", () => {
    const vane = { part: "wind-vane", io: "analog", pin: 34, channel: "ADC1_CH6", resolutionBits: 12, fullScaleVolts: 3.3, options: { pullupOhms: 10_000, supplyVolts: 3.3, northOffset: 0 } };
    const config = { parts: { vane } } as unknown as NodeConfig;
    // Two readings, north (33 kΩ) and east (1 kΩ): the pull-up carries (3.3 − V) / 10 kΩ at each.
    const volts = [(3.3 * 33_000) / 43_000, (3.3 * 1_000) / 11_000];
    const recording = { analog: [{ pin: 34, volts }] } as unknown as Recording;
    const expected = ((3.3 - volts[0]!) / 10 + (3.3 - volts[1]!) / 10) / 2;
    expect(partLoads(config, recording)).toEqual([{ name: "vane (wind-vane)", milliamps: expect.closeTo(expected, 12) as unknown as number }]);
    const switched = { parts: { vane: { ...vane, powerPin: 25 } } } as unknown as NodeConfig;
    expect(partLoads(switched, recording)).toEqual([]);
  });

  it("holds the mean current against the device's per-board energy budget, and only on the boards it names", () => {
    const figures = (board: string, mA: number) =>
      ({ board, energy: { averageMilliamps: mA }, groups: [], cpuBusyPercent: 1, crashes: 0, divergences: 0, framesIdentical: true, frames: 1, jsStackBoardSlots: 0 }) as unknown as EmulateFigures;
    const budgets = { averageMicroamps: { "nrf52840-dk": 100 } };
    // The always-powered vane divider took the node to 318 µA: over the budget.
    expect(checkBudgets(budgets, figures("nrf52840-dk", 0.318)).find((c) => c.name === "averageMicroamps")).toMatchObject({ ok: false, limit: 100, unit: "µA" });
    expect(checkBudgets(budgets, figures("nrf52840-dk", 0.0745)).find((c) => c.name === "averageMicroamps")!.ok).toBe(true);
    expect(checkBudgets(budgets, figures("esp32-devkitc", 40)).find((c) => c.name === "averageMicroamps")).toBeUndefined();
  });
});
