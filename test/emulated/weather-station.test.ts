/**
 * The weather station on the emulated MCU (QEMU mps2-an386, Cortex-M4F, -icount shift=4: 16 ns per instruction),
 * replaying what the simulator's part models and broker did for the same seed: frames, timing, CPU and memory,
 * against the budgets in manifests/devices/weather-station.json, and determinism of every figure.
 *
 * One hour of virtual time per run (14,400 wind slots, 60 air cycles, 6 reports): long enough to cover every
 * periodic path and GC cycle, short enough for the suite's time budget (about 15 s of wall time per run).
 */
import { decode } from "cborg";
import { beforeAll, describe, expect, it } from "vitest";
import { loadDevice } from "../../manifests/load.js";
import { checkBudgets } from "../../emulator/host/budgets.js";
import { emulate } from "../../emulator/host/emulate.js";
import type { EmulateResult } from "../../emulator/host/emulate.js";
import { TICKS_PER_US } from "../../emulator/host/analyze.js";

const HOURS = 1;
const budgets = loadDevice("weather-station").manifest.budgets!;

let a: EmulateResult;
let b: EmulateResult;

beforeAll(async () => {
  // The same run twice, at once (QEMU takes one core each), each simulating and recording for itself:
  // determinism is itself a test.
  [a, b] = await Promise.all([
    emulate({ device: "weather-station", board: "esp32-devkitc", profile: "mps2-4m", hours: HOURS, seed: 1 }),
    emulate({ device: "weather-station", board: "esp32-devkitc", profile: "mps2-4m", hours: HOURS, seed: 1 }),
  ]);
}, 240_000);

describe("weather-station on the emulated Cortex-M4 (mps2-4m, 1 h, seed 1)", () => {
  it("sends the simulator's uplink frames, byte for byte", () => {
    expect(a.comparison.firstDifference).toBeUndefined();
    expect(a.comparison.identical).toBe(true);
    // The online status and one report every 10 minutes.
    const telemetry = a.frames.filter((f) => f.topic.endsWith("/senml"));
    expect(telemetry).toHaveLength(6);
    for (let i = 0; i < telemetry.length; i++) {
      const mine = telemetry[i]!;
      const theirs = a.simFrames.filter((f) => f.topic.endsWith("/senml"))[i]!;
      expect(mine.hex).toBe(theirs.hex);
      // Decoded by an independent CBOR library: a SenML pack with the station's base name and a temperature.
      const pack = decode(Buffer.from(mine.hex, "hex"), { useMaps: true }) as Map<number, unknown>[];
      expect(pack[0]!.get(-2)).toBe("ws-0001:");
      expect(pack.some((r) => r.get(0) === "temp" && typeof r.get(2) === "number")).toBe(true);
    }
    // Every QoS 1 report was acknowledged in the replayed broker conversation.
    expect(telemetry.every((f) => f.acked !== null)).toBe(true);
  });

  it("stays on the recording: the device never did what the simulated one did not, and never crashed", () => {
    expect(a.console.divergences).toEqual([]);
    expect(a.console.crashes).toEqual([]);
    expect(a.figures.divergences).toBe(0);
    expect(a.replay.i2cTransactions).toBeGreaterThan(100);
    expect(a.replay.analogReads).toBe(14_400); // one vane reading per wind slot, at 125 ms + k·250 ms
  });

  it("samples on time: p99 period jitter of every sampling group within the manifest's budget, no slot missed", () => {
    const sampling = a.figures.groups.filter((g) => g.group !== "report");
    expect(sampling.map((g) => g.group).sort()).toEqual(["air+rain", "wind"]);
    for (const g of sampling) {
      expect(g.jitterP99Us / 1000, g.group).toBeLessThanOrEqual(budgets.jitterMs!);
      expect(g.missed, g.group).toBe(0);
      expect(g.slots, g.group).toBe(Math.round((HOURS * 3_600_000) / g.periodMs));
    }
  });

  // This failed at first (63 ms: a report and a wind slot fell on one instant and the wind sample waited behind the
  // SenML encoding and the publish); the station now runs wind half a period off the report/air grid.
  it("samples on time at every slot: worst jitter within the budget, also while a report is encoded and sent", () => {
    for (const g of a.figures.groups.filter((x) => x.group !== "report")) {
      expect(g.jitterMaxUs / 1000, g.group).toBeLessThanOrEqual(budgets.jitterMs!);
    }
  });

  it("keeps sampling while a frame is encoded and sent: no wind slot is missed around a report", () => {
    const wind = a.analysis.streams.find((s) => s.periodMs === 250)!;
    const report = a.analysis.streams.find((s) => s.periodMs === 600_000)!;
    const reports = a.console.dispatches.filter((d) => d.stream === report.stream);
    expect(reports).toHaveLength(6);
    // The last report closes the hour: the recording ends before the wind slot that follows it.
    for (const r of reports.slice(0, -1)) {
      const during = a.console.dispatches.filter((d) => d.stream === wind.stream && d.dueUs >= r.dueUs && d.dueUs < r.end / TICKS_PER_US + 250_000);
      expect(during.length).toBeGreaterThan(0);
      for (const d of during) expect(d.start / TICKS_PER_US - d.dueUs).toBeLessThan(250_000);
    }
  });

  it("sends within the latency budget: report slot to PUBLISH on the socket", () => {
    expect(a.analysis.latencyMs.count).toBe(6);
    expect(a.figures.latencyMsMax).toBeLessThanOrEqual(budgets.latencyMs!);
    expect(a.figures.latencyMsMax).toBeGreaterThan(0);
  });

  it("keeps the CPU within budget at its default rates", () => {
    expect(a.figures.cpuBusyPercent).toBeGreaterThan(0.1);
    expect(a.figures.cpuBusyPercent).toBeLessThanOrEqual(budgets.cpuPercent!);
    // Instructions are what the emulated CPU executed (16 ns each): a wind sample is hundreds of thousands of them.
    const wind = a.figures.groups.find((g) => g.group === "wind")!;
    expect(wind.instructionsPerCycleMean).toBeGreaterThan(50_000);
    expect(wind.instructionsPerCycleMean).toBeLessThan(2_000_000);
  });

  it("estimates energy from the measured time in each state: an ESP32 on Wi-Fi draws its modem-sleep current throughout", () => {
    const e = a.figures.energy;
    expect(e.radio).toBe(true);
    expect(e.shares.find((s) => s.state === "radioTx")!.seconds).toBeGreaterThan(0);
    // Without ESP-IDF's power management the CPU clock never stops: the MCU draws 40 mA whatever the load, and
    // the radio's air time and the vane's divider (a quarter of a milliamp) hardly move the mean.
    const mcu = e.shares.filter((s) => s.state !== "load").reduce((t, s) => t + s.milliampSeconds, 0) / (HOURS * 3600);
    expect(mcu).toBeGreaterThanOrEqual(40);
    expect(mcu).toBeLessThan(40.1);
    expect(e.averageMilliamps).toBeLessThan(40.5);
    const seconds = e.shares.reduce((t, s) => t + (s.state === "load" ? 0 : s.seconds), 0);
    expect(seconds).toBeCloseTo(HOURS * 3600, 6);
  });

  it("fits its memory: run-phase heap within budget, heap peak within the profile, stacks within their limits", () => {
    const f = a.figures;
    expect(f.heapRunBytes).toBeGreaterThan(0);
    expect(f.heapRunBytes).toBeLessThanOrEqual(budgets.heapBytes!);
    expect(f.heapPeakBytes).toBeLessThan(f.heapCapacityBytes);
    expect(f.heapPeakBytes).toBeGreaterThanOrEqual(f.heapBootBytes);
    expect(f.cStackPeakBytes).toBeLessThan(f.cStackBytes);
    expect(f.jsStackPeakSlots).toBeLessThan(f.jsStackSlots);
    // ...and within the XS stack the board gives it (esp32-devkitc: 512 slots; Moddable's bare default of 384
    // would overflow on the board, where the image, which gives XS more, would not show it).
    expect(f.jsStackPeakSlots).toBeLessThanOrEqual(f.jsStackBoardSlots);
    expect(checkBudgets(budgets, f).find((c) => c.name === "jsStack")?.ok).toBe(true);
    expect(f.flashBytes).toBeLessThan(a.image.profile.flashBytes);
    expect(f.programBytes).toBeGreaterThan(50_000);
  });

  it("is deterministic: a second run gives the same recording, the same console records and the same figures", () => {
    // The same image (built at the same time as the other: the build must not depend on how it is scheduled).
    expect(b.image.firmware.elf).toBe(a.image.firmware.elf);
    expect(JSON.stringify(b.recording)).toBe(JSON.stringify({ ...a.recording, frames: b.recording.frames }));
    expect(b.recording.frames.map((f) => [f.t, f.hex, f.acked])).toEqual(a.recording.frames.map((f) => [f.t, f.hex, f.acked]));
    expect(b.console.dispatches.length).toBe(a.console.dispatches.length);
    const strip = (r: EmulateResult) => ({ ...r.figures, wallSeconds: undefined });
    expect(strip(b)).toEqual(strip(a));
    expect(b.console.dispatches).toEqual(a.console.dispatches);
    expect(b.console.tx.map((t) => [t.at, t.realUs])).toEqual(a.console.tx.map((t) => [t.at, t.realUs]));
  });
});
