/**
 * The weather station on the emulated MCU (QEMU mps2-an386, Cortex-M4F, -icount shift=4: 16 ns per instruction),
 * replaying what the simulator's part models and broker did for the same seed: frames, timing on the board's clock,
 * CPU and memory with the board's XS creation, against the budgets in manifests/devices/weather-station.json, and
 * determinism of every figure.
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
import { INSTRUCTIONS_PER_TICK } from "../../emulator/host/analyze.js";

const HOURS = 1;
const budgets = loadDevice("weather-station").manifest.budgets!;

let a: EmulateResult;
let b: EmulateResult;

beforeAll(async () => {
  // The same run twice, at once (QEMU takes one core each), each simulating and recording for itself:
  // determinism is itself a test.
  [a, b] = await Promise.all([
    emulate({ device: "weather-station", board: "esp32-devkitc", hours: HOURS, seed: 1 }),
    emulate({ device: "weather-station", board: "esp32-devkitc", hours: HOURS, seed: 1 }),
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
      expect(g.jitterP99Us.high / 1000, g.group).toBeLessThanOrEqual(budgets.jitterMs!);
      expect(g.missed, g.group).toBe(0);
      expect(g.slots, g.group).toBe(Math.round((HOURS * 3_600_000) / g.periodMs));
    }
  });

  // This failed at first (63 ms: a report and a wind slot fell on one instant and the wind sample waited behind the
  // SenML encoding and the publish); the station now runs wind half a period off the report/air grid.
  it("samples on time at every slot: worst jitter within the budget, also while a report is encoded and sent", () => {
    for (const g of a.figures.groups.filter((x) => x.group !== "report")) {
      expect(g.jitterMaxUs.high / 1000, g.group).toBeLessThanOrEqual(budgets.jitterMs!);
    }
  });

  it("keeps sampling while a frame is encoded and sent: no wind slot is missed around a report, on the board's clock", () => {
    const wind = a.analysis.streams.find((s) => s.periodMs === 250)!;
    const report = a.analysis.streams.find((s) => s.periodMs === 600_000)!;
    const events = a.analysis.timeline.events;
    const reports = events.filter((e) => e.stream === report.stream);
    expect(reports).toHaveLength(6);
    // The last report closes the hour: the recording ends before the wind slot that follows it.
    for (const r of reports.slice(0, -1)) {
      const during = events.filter((e) => e.stream === wind.stream && e.dueUs >= r.dueUs && e.dueUs < r.endUs.slow + 250_000);
      expect(during.length).toBeGreaterThan(0);
      for (const e of during) expect(e.latenessUs.slow).toBeLessThan(250_000);
    }
  });

  it("times every handler on the board's clock: FreeRTOS's 1 ms tick, no start-up (the ESP32 idles clocked), a range of cycles per instruction", () => {
    expect(a.timing).toMatchObject({ tickHz: 1000, sleeps: false, wakeUs: { best: 0, worst: 0 } });
    const events = a.analysis.timeline.events;
    expect(events.length).toBeGreaterThan(14_000);
    for (const e of events) {
      // The board clock's tick arithmetic is in float ms: allow a picosecond of rounding, nothing an event could use.
      expect(e.startUs.fast).toBeGreaterThanOrEqual(e.dueUs - 1e-6);
      expect(e.endUs.slow - e.startUs.slow).toBeGreaterThan(e.endUs.fast - e.startUs.fast);
    }
    // The device's timers are set in whole milliseconds from its boot, on the tick grid: after boot, a wind slot
    // starts late only when it waited behind other work.
    const wind = a.figures.groups.find((g) => g.group === "wind")!;
    expect(wind.jitterP99Us.high).toBeLessThan(1000);
  });

  it("charges the device's work, not the emulator's: the harness's instructions are counted apart and left out", () => {
    const ins = a.figures.instructions;
    expect(ins.device).toBeGreaterThan(0);
    expect(ins.provider).toBeGreaterThan(0);
    expect(ins.harness).toBeGreaterThan(0.2 * (ins.device + ins.provider + ins.harness));
    // Every busy instruction of the run is in one of the three (within the calibration's rounding).
    const busy = (a.console.end!.ticks - a.console.end!.idleTicks) * INSTRUCTIONS_PER_TICK;
    expect((ins.device + ins.provider + ins.harness) / busy).toBeCloseTo(1, 3);
    // CPU busy on the board counts the device and its provider only, at CORTEX_M4_CPI cycles per instruction.
    const work = a.analysis.timeline.events.reduce((t, e) => t + e.instructions, 0);
    expect(a.figures.cpuBusyPercentBounds.high).toBeCloseTo((100 * (work * a.timing.cpi.worst)) / 64e6 / (HOURS * 3600), 6);
  });

  it("sends within the latency budget: report slot to PUBLISH on the socket, on the board's clock", () => {
    expect(a.analysis.latencyMs.slow.count).toBe(6);
    expect(a.figures.latencySamples).toBe(6);
    expect(a.figures.latencyMsMax.high).toBeLessThanOrEqual(budgets.latencyMs!);
    expect(a.figures.latencyMsMax.low).toBeGreaterThan(0);
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
    const mcu = e.shares.filter((s) => s.state !== "load" && s.state !== "part").reduce((t, s) => t + s.milliampSeconds, 0) / (HOURS * 3600);
    expect(mcu).toBeGreaterThanOrEqual(40);
    expect(mcu).toBeLessThan(40.1);
    expect(e.averageMilliamps).toBeLessThan(40.5);
    const seconds = e.shares.reduce((t, s) => t + (s.state === "load" || s.state === "part" ? 0 : s.seconds), 0);
    expect(seconds).toBeCloseTo(HOURS * 3600, 6);
  });

  it("fits the board's XS creation (fixed 32 KB chunk and 4,096-slot heaps), the budget, and its stacks", () => {
    const f = a.figures;
    expect(f.creation).toMatchObject({ chunk: 32768, chunkIncrement: 0, heap: 4096, heapIncrement: 0, stack: 512 });
    expect(f.xsDeviceBytes).toBeGreaterThan(10_000);
    expect(f.xsDeviceBytes).toBeLessThanOrEqual(f.creation.chunk + f.creation.heap * 16);
    expect(f.xsDeviceBytes).toBeLessThanOrEqual(budgets.heapBytes!);
    // The image's own JS was measured and kept outside the board's budget.
    expect(f.harnessSlots).toBeGreaterThan(500);
    expect(a.console.platform.find((l) => l.startsWith("#harness"))).toMatch(/ free-slots=(\d+) free-chunks=(\d+) board-free-slots=\1 board-free-chunks=(\d+)/);
    expect(f.heapPeakBytes).toBeLessThan(f.heapCapacityBytes);
    expect(f.cStackPeakBytes).toBeLessThan(f.cStackBytes);
    // ...and within the XS stack the board gives it from the device's callbacks (esp32-devkitc: 512 slots; the image
    // raises XS's stack bottom to there while a callback runs, so an overflow happens where the board's would).
    expect(f.jsStackPeakSlots).toBeGreaterThan(100);
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
