/**
 * A node's deep sleep (simulator/core/board-node.ts, shared by the simulator's node and the emulator image's):
 * the firmware stops, boots again with reset reason "deep-sleep" when the timer fires, and the time asleep is
 * counted, including a sleep the run ends in (the energy estimate charges it at the deep-sleep current).
 */
import { describe, expect, it } from "vitest";
import type { DeviceMain, ResetReason } from "../../hal/host.js";
import type { SimNode } from "../../simulator/core/node.js";
import { runSim } from "../../simulator/node/session.js";

describe("deep sleep", () => {
  it("reboots with reason deep-sleep after the delay and counts the time asleep, up to the end of the run", async () => {
    const boots: { reason: ResetReason; at: number }[] = [];
    let now = () => NaN; // virtual time (the device's own clock restarts at every boot, as a board's does)
    // Awake at power-on: sleep 20 minutes; woken: sleep 50 minutes, which the 1-hour run ends in.
    const main: DeviceMain = (host) => {
      boots.push({ reason: host.power.resetReason, at: now() });
      host.power.deepSleep(host.power.resetReason === "deep-sleep" ? 50 * 60_000 : 20 * 60_000);
      return { stats: () => ({}) };
    };
    let nodes: SimNode[] = [];
    const { summary } = await runSim({
      device: "weather-station",
      board: "esp32-devkitc",
      hours: 1,
      seed: 1,
      main,
      beforeStart: (w) => {
        nodes = w.nodes;
        now = () => w.engine.now;
      },
    });
    expect(summary.crashes).toEqual([]);
    expect(boots.map((b) => b.reason)).toEqual(["power-on", "deep-sleep"]);
    const node = nodes[0]!;
    expect(node.boots).toBe(2);
    // 20 minutes, then the 40 minutes of the second sleep the run still had.
    expect(boots[1]!.at - boots[0]!.at).toBe(20 * 60e6);
    expect(node.sleptUs).toBe(60 * 60e6 - boots[0]!.at);
  });
});
