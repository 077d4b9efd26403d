/**
 * The code a board runs — the project `ganzhi build` writes: main.js and app.js with hal/moddable — on XS, linked to
 * simulated Moddable modules (`timer`, `time`, `flash`, `embedded:io/*`, `resetReason`, `sleep`, `mc/config`), gives
 * the uplink frames of the device entry on V8 (the simulator's own host provider), byte for byte, on every board the
 * weather station is wired for: same times, topics, packet ids, payloads and acknowledgements, and the same device
 * counters. So the host provider that ships is checked against the one the simulator trusts.
 */
import { describe, expect, it } from "vitest";
import type { Frame } from "../../simulator/node/frame-log.js";
import { firstDifference } from "../helpers/frames.js";
import { runSim, type SimSummary } from "../../simulator/node/session.js";
import { runSimXs } from "../../simulator/xs/session.js";


function expectSameRun(board: { frames: Frame[]; summary: SimSummary }, v8: { frames: Frame[]; summary: SimSummary }): void {
  expect(board.summary.crashes).toEqual([]);
  expect(v8.frames.length).toBeGreaterThan(0);
  expect(firstDifference(board.frames, v8.frames, ["board entry", "V8"])).toBeUndefined();
  expect(board.frames.length).toBe(v8.frames.length);
  expect(board.summary.deviceStats).toEqual(v8.summary.deviceStats);
}

describe("the board entry (hal/moddable) on XS", () => {
  it.each(["esp32-devkitc", "nrf52840-dk"])("weather station on %s: 6 h, seed 4, frames byte-identical to the device entry on V8", async (board) => {
    const run = { device: "weather-station", board, hours: 6, seed: 4 };
    const logs: string[] = [];
    const onBoard = await runSimXs({ ...run, entry: "board", onLog: (e) => logs.push(`${e.level} ${e.message}`) });
    const v8 = await runSim(run);
    expectSameRun(onBoard, v8);
    expect(v8.frames.length).toBe(6 * 6 + 1); // the "online" status, then a report every 10 minutes
    // hal/moddable's boot line went through `trace` to the simulated serial console.
    expect(logs).toContain(`info ws-0001 (weather-station on ${board}, ${board.startsWith("esp32") ? "esp32" : "nrf52"}) reset: power-on`);
  }, 600_000);

  it("weather station on nrf52840-dk-bc95: NB-IoT through the BC95 on embedded:io/serial, 3 h, frames byte-identical to the device entry on V8", async () => {
    const run = { device: "weather-station", board: "nrf52840-dk-bc95", hours: 3, seed: 4 };
    const onBoard = await runSimXs({ ...run, entry: "board" });
    const v8 = await runSim(run);
    expect(v8.summary.link).toBe("nbiot");
    // hal/moddable rounds timer delays up to whole ms (Moddable's Timer takes integer ms) where V8's provider fires
    // a fractional delay at its microsecond: on the NB-IoT path a report's delivery is seen up to 1 ms later on the
    // board, while every datagram and frame keeps its microsecond.
    const { uplinkMaxLatencyMs: boardLatency, ...boardStats } = onBoard.summary.deviceStats;
    const { uplinkMaxLatencyMs: v8Latency, ...v8Stats } = v8.summary.deviceStats;
    expect(boardLatency! - v8Latency!).toBeGreaterThanOrEqual(0);
    expect(boardLatency! - v8Latency!).toBeLessThanOrEqual(1);
    expectSameRun({ frames: onBoard.frames, summary: { ...onBoard.summary, deviceStats: boardStats } }, { frames: v8.frames, summary: { ...v8.summary, deviceStats: v8Stats } });
    expect(onBoard.summary.linkStats).toEqual(v8.summary.linkStats);
    expect(v8.summary.linkStats["coap.published"]).toBe(v8.frames.length);
  }, 600_000);

  // hal/moddable's timers round delays up to whole ms and, without the SDK's microseconds module (not on nRF52),
  // `clock.microseconds()` is Time.ticks × 1000: the class A windows open up to a couple of milliseconds off the
  // instant. The MAC plans them for that error (runtime/link/lorawan/rx-window.ts) and the SX1262 locks on a
  // preamble it hears enough of, so the join completes and every frame matches V8's.
  it("weather station on nrf52840-dk-sx1262: LoRaWAN through the SX1262 on embedded:io/spi, 1 h, frames byte-identical to V8", async () => {
    const run = { device: "weather-station", board: "nrf52840-dk-sx1262", hours: 1, seed: 4 };
    const onBoard = await runSimXs({ ...run, entry: "board" });
    const v8 = await runSim(run);
    expect(v8.summary.link).toBe("lorawan");
    expect(v8.summary.linkStats["lns.joins"]).toBe(1);
    // Each uplink waits on a chain of timers (windows, duty cycle, the queue), each rounded up to a whole ms on the
    // board: a frame reaches the broker, and its uplink is acknowledged, 0–3 ms later than on V8; every byte, topic,
    // record and counter is the same.
    const late = (b: Frame, v: Frame, key: "t" | "acked") => (b[key] ?? 0) - (v[key] ?? 0);
    expect(onBoard.frames.length).toBe(v8.frames.length);
    onBoard.frames.forEach((f, i) => {
      const v = v8.frames[i]!;
      for (const key of ["t", "acked"] as const) {
        expect(late(f, v, key), `frame ${i} ${key}`).toBeGreaterThanOrEqual(0);
        expect(late(f, v, key), `frame ${i} ${key}`).toBeLessThanOrEqual(3);
      }
      expect(JSON.stringify({ ...f, t: 0, acked: 0 }), `frame ${i}`).toBe(JSON.stringify({ ...v, t: 0, acked: 0 }));
    });
    const { uplinkMaxLatencyMs: boardLatency, ...boardStats } = onBoard.summary.deviceStats;
    const { uplinkMaxLatencyMs: v8Latency, ...v8Stats } = v8.summary.deviceStats;
    expect(boardLatency! - v8Latency!).toBeGreaterThanOrEqual(0);
    expect(boardLatency! - v8Latency!).toBeLessThanOrEqual(3);
    expect(boardStats).toEqual(v8Stats);
    expect(onBoard.summary.crashes).toEqual([]);
    // The air and the network server saw the same: one join, the same uplinks, downlinks and ADR change.
    expect(onBoard.summary.linkStats).toEqual(v8.summary.linkStats);
  }, 600_000);

  it("through a broker outage: the reconnects' jitter comes from Math.random, the board's RNG, and matches V8's host.random()", async () => {
    const run = {
      device: "weather-station",
      board: "esp32-devkitc",
      hours: 6,
      seed: 5,
      onHour: async (h: number, w: { broker: { stop(): Promise<void>; start(): Promise<void> } | undefined }) => {
        if (h === 2) await w.broker!.stop();
        if (h === 3) await w.broker!.start();
      },
    };
    const backoff = (lines: string[]) => lines.filter((l) => l.includes("reconnecting in"));
    const boardLogs: string[] = [];
    const v8Logs: string[] = [];
    const onBoard = await runSimXs({ ...run, entry: "board", onLog: (e) => boardLogs.push(`${e.at} ${e.message.replace(/:\d+;/, ";")}`) });
    const v8 = await runSim({ ...run, onLog: (e) => v8Logs.push(`${e.at} ${e.message.replace(/:\d+;/, ";")}`) });
    expectSameRun(onBoard, v8);
    expect(onBoard.summary.deviceStats.mqttConnects).toBeGreaterThanOrEqual(2);
    expect(backoff(boardLogs).length).toBeGreaterThan(2);
    expect(backoff(boardLogs)).toEqual(backoff(v8Logs));
  }, 600_000);

  it("runs one board per XS machine: a fleet is refused with one line", async () => {
    await expect(runSimXs({ device: "weather-station", board: "esp32-devkitc", hours: 1, seed: 1, nodes: 2, entry: "board" })).rejects.toThrow(
      "the board entry runs one node (a board is one XS machine), not 2",
    );
  });
});
