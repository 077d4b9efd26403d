/**
 * The V8 shell runs a fleet node by node in windows of virtual time, each node on its own engine
 * (simulator/node/loop.ts `runFleet`); the XS runner runs every node on one engine in strict time order
 * (simulator/xs/inside/entry.ts). The frames must not tell them apart.
 */
import { describe, expect, it } from "vitest";
import { runSim } from "../../simulator/node/session.js";
import { runSimXs } from "../../simulator/xs/session.js";

describe("a fleet on V8 (in windows) and on XS (in time order)", () => {
  it("sends byte-identical frames", async () => {
    const run = { device: "weather-station", board: "esp32-devkitc", hours: 1, seed: 5, nodes: 4 };
    const [v8, xs] = await Promise.all([runSim(run), runSimXs(run)]);
    expect(v8.summary.crashes).toEqual([]);
    expect(new Set(v8.frames.map((f) => f.node)).size).toBe(4);
    expect(v8.frames.length).toBe(4 * 6);
    expect(v8.frames.map((f) => JSON.stringify(f))).toEqual(xs.frames.map((f) => JSON.stringify(f)));
  }, 300_000);
});
