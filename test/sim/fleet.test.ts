/**
 * A fleet against the embedded broker (aedes), run node by node in windows of virtual time (simulator/node/loop.ts
 * `runFleet`): deterministic, every node doing exactly what it would do beside any other nodes, each node's virtual
 * time still waiting for its own round trips, and boots staggered.
 */
import { describe, expect, it } from "vitest";
import { runSim } from "../../simulator/node/session.js";
import type { Frame } from "../../simulator/node/frame-log.js";

const run = { device: "weather-station", board: "esp32-devkitc", hours: 1, seed: 5 } as const;
const jsonl = (frames: readonly Frame[]) => frames.map((f) => JSON.stringify(f)).join("\n");
const ofNodes = (frames: readonly Frame[], ids: readonly string[]) => frames.filter((f) => ids.includes(f.node));

describe("a fleet of 20 nodes", () => {
  it("is deterministic, and each node sends what it sends in a smaller fleet, in virtual-time order", async () => {
    const [a, b, small] = await Promise.all([runSim({ ...run, nodes: 20 }), runSim({ ...run, nodes: 20 }), runSim({ ...run, nodes: 5 })]);
    expect(a.summary.crashes).toEqual([]);
    expect(a.summary.warnings).toEqual([]);
    // Each node: its "online" status, then a report every 10 minutes from its boot (within the first minute): five
    // in the hour.
    expect(a.frames.length).toBe(20 * 6);
    expect(jsonl(a.frames)).toBe(jsonl(b.frames));
    // Boots are drawn node by node from the seed, so ws-0001…ws-0005 are the same nodes in both fleets; nothing
    // the other fifteen do (or when their broker answers come) changes a byte of what these five send.
    const five = small.frames.map((f) => f.node).filter((n, i, all) => all.indexOf(n) === i);
    expect(five.sort()).toEqual(["ws-0001", "ws-0002", "ws-0003", "ws-0004", "ws-0005"]);
    expect(jsonl(ofNodes(a.frames, five))).toBe(jsonl(small.frames));
    // The log is in virtual-time order although the nodes ran in turns.
    const times = a.frames.map((f) => f.t);
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it("holds each node's virtual time for its own broker round trips, and boots the nodes at different times", async () => {
    const { summary, frames, world } = await runSim({ ...run, nodes: 20 });
    // Every publish is acknowledged at the virtual instant it was sent: the node waited for its PUBACK, whatever
    // the other nodes were doing meanwhile.
    expect(frames.every((f) => f.acked === f.t)).toBe(true);
    expect(summary.framesAcked).toBe(20 * 5);
    // The first frame of each node follows its power-on: twenty different instants spread over the first minute.
    const firsts = world.nodes.map((n) => frames.find((f) => f.node === n.id)!.t);
    expect(new Set(firsts).size).toBe(20);
    expect(Math.max(...firsts)).toBeLessThan(61_000);
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(30_000);
    // Every node's clock and the world's stand at the end of the run.
    for (const n of world.nodes) expect(n.engine.now).toBe(3_600_000_000);
    expect(world.engine.now).toBe(3_600_000_000);
    expect(summary.events).toBe(world.nodes.reduce((s, n) => s + n.engine.executed, world.engine.executed));
  });
});
