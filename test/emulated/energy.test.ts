/**
 * The energy estimate (emulator/host/energy.ts) against figures worked by hand from the board manifests' currents
 * (nRF52840 PS and ESP32 datasheet values, manifests/boards/*.json `power`), and the budgets it and the other figures
 * are held to (emulator/host/budgets.ts).
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
const cpu = (low: number, high = low) => ({ cpuUs: { low: low * S, high: high * S }, wakeUs: { low: 0, high: 0 } });

/** Figures of a run that passes everything, to vary one at a time. */
const FIGURES = {
  board: "nrf52840-dk",
  energy: { averageMilliamps: 0.05 },
  groups: [{ group: "wind", periodMs: 250, slots: 240, jitterP99Us: { low: 3, high: 3 }, jitterMaxUs: { low: 3, high: 900 }, missed: 0 }],
  cpuBusyPercent: 1,
  xsDeviceBytes: 40_000,
  latencySamples: 6,
  latencyMsMax: { low: 30, high: 45 },
  crashes: 0,
  stackOverflows: 0,
  divergences: 0,
  framesIdentical: true,
  frames: 7,
  jsStackPeakSlots: 400,
  jsStackBoardSlots: 512,
};

describe("energy estimate", () => {
  it("nRF52840-DK: CPU busy at 3.3 mA, the rest in System ON idle at 3.16 µA, no radio to charge", () => {
    const b = loadBoard("nrf52840-dk").manifest;
    const e = estimateEnergy(b.power, b.network, { runUs: 3600 * S, ...cpu(36), deepSleepUs: 0, txPackets: [500], rxPackets: [500] });
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
    const e = estimateEnergy(b.power, b.network, { runUs: 600 * S, ...cpu(6), deepSleepUs: 0, txPackets: [60, 190], rxPackets: [4] });
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
    const e = estimateEnergy(power, ["wifi"], { runUs: 100 * S, ...cpu(1), deepSleepUs: 90 * S, txPackets: [100], rxPackets: [] });
    // 1 s × 5 + 9 s × 0.5 + 90 s × 0.01 = 10.4 mA·s over 100 s.
    expect(e.averageMilliamps).toBeCloseTo(0.104, 12);
    expect(e.radio).toBe(false);
    expect(e.noRadio).toBe("the board manifest gives no radio figures (power.radio)");
    expect(e.shares.find((s) => s.state === "deepSleep")!.seconds).toBe(90);
    // A part's draw adds its mean over the whole run, beside the MCU's states.
    const withLoad = estimateEnergy(power, ["wifi"], { runUs: 100 * S, ...cpu(1), deepSleepUs: 90 * S, txPackets: [], rxPackets: [], loads: [{ name: "vane", milliamps: 0.25 }] });
    expect(withLoad.averageMilliamps).toBeCloseTo(0.354, 12);
    expect(withLoad.shares.at(-1)).toEqual({ state: "load", current: "vane", seconds: 100, milliamps: 0.25, milliampSeconds: 25 });
  });

  it("reports the high end of the CPU term and says how wide it is; waking is charged at the CPU's current", () => {
    const b = loadBoard("nrf52840-dk").manifest;
    // The device's own work: 20 s at the fewest cycles, 40 s with its provider's at the most; 1,000 wake-ups of 3 µs.
    const e = estimateEnergy(b.power, b.network, { runUs: 3600 * S, cpuUs: { low: 20 * S, high: 40 * S }, wakeUs: { low: 3000, high: 3000 }, deepSleepUs: 0, txPackets: [], rxPackets: [] });
    const idle = (cpuS: number) => 3600 - cpuS - 0.003;
    expect(e.averageMilliamps).toBeCloseTo((40 * 3.3 + 0.003 * 3.3 + idle(40) * 0.00316) / 3600, 12);
    expect(e.low.averageMilliamps).toBeCloseTo((20 * 3.3 + 0.003 * 3.3 + idle(20) * 0.00316) / 3600, 12);
    expect(e.cpuMilliamps).toEqual({ low: expect.closeTo((20 * 3.3) / 3600, 12) as unknown as number, high: expect.closeTo((40 * 3.3) / 3600, 12) as unknown as number });
    expect(e.low.daysPer1000mAh).toBeGreaterThan(e.daysPer1000mAh);
    expect(e.shares.find((s) => s.state === "wake")).toMatchObject({ current: "cpuActive", seconds: 0.003 });
  });

  it("takes the states a part declares with their datasheet currents (a radio's TX, RX and sleep), beside the MCU's", () => {
    const b = loadBoard("nrf52840-dk").manifest;
    const radio = [
      { part: "sx1262", state: "tx 14 dBm", milliamps: 45, seconds: 10, source: "SX1262 datasheet" },
      { part: "sx1262", state: "sleep", milliamps: 0.0006, seconds: 3590, source: "SX1262 datasheet" },
    ];
    const without = estimateEnergy(b.power, b.network, { runUs: 3600 * S, ...cpu(36), deepSleepUs: 0, txPackets: [], rxPackets: [] });
    const withRadio = estimateEnergy(b.power, b.network, { runUs: 3600 * S, ...cpu(36), deepSleepUs: 0, txPackets: [], rxPackets: [], states: radio });
    expect(withRadio.averageMilliamps - without.averageMilliamps).toBeCloseTo((45 * 10 + 0.0006 * 3590) / 3600, 12);
    expect(withRadio.shares.filter((s) => s.state === "part").map((s) => s.current)).toEqual(["sx1262 tx 14 dBm", "sx1262 sleep"]);
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
    const figures = (board: string, mA: number) => ({ ...FIGURES, board, energy: { averageMilliamps: mA } }) as unknown as EmulateFigures;
    const budgets = { averageMicroamps: { "nrf52840-dk": 100 } };
    // The always-powered vane divider took the node to 318 µA: over the budget.
    expect(checkBudgets(budgets, figures("nrf52840-dk", 0.318)).find((c) => c.name === "averageMicroamps")).toMatchObject({ ok: false, limit: 100, unit: "µA" });
    expect(checkBudgets(budgets, figures("nrf52840-dk", 0.0745)).find((c) => c.name === "averageMicroamps")!.ok).toBe(true);
    expect(checkBudgets(budgets, figures("esp32-devkitc", 40)).find((c) => c.name === "averageMicroamps")).toBeUndefined();
  });
});

describe("budgets", () => {
  const budgets = { jitterMs: 2.5, latencyMs: 100, cpuPercent: 5, heapBytes: 65536 };
  const check = (f: object, name: string) => checkBudgets(budgets, { ...FIGURES, ...f } as unknown as EmulateFigures).find((c) => c.name === name)!;

  it("passes a run within every budget, holding each time figure's high end", () => {
    expect(checkBudgets(budgets, FIGURES as unknown as EmulateFigures).filter((c) => !c.ok)).toEqual([]);
    expect(check({ groups: [{ ...FIGURES.groups[0], jitterMaxUs: { low: 1, high: 2600 } }] }, "jitterMs").ok).toBe(false);
    expect(check({ latencyMsMax: { low: 90, high: 101 } }, "latencyMs").ok).toBe(false);
  });

  it("fails a latency budget when no telemetry frame was sent: nothing measured is not a pass", () => {
    const c = check({ latencySamples: 0, latencyMsMax: { low: 0, high: 0 } }, "latencyMs");
    expect(c.ok).toBe(false);
    expect(c.note).toBe("no telemetry frame was sent: nothing to measure");
  });

  it("fails the frames check when the device sent nothing, even though nothing differs", () => {
    const c = check({ frames: 0, framesIdentical: true }, "frames");
    expect(c.ok).toBe(false);
    expect(c.note).toBe("the device sent no frame: nothing to compare");
  });

  it("fails a jitter budget when no sampling slot ran", () => {
    expect(check({ groups: [{ ...FIGURES.groups[0], slots: 0 }] }, "jitterMs").ok).toBe(false);
  });
});
