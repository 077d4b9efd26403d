/**
 * LoRaWAN and NB-IoT nodes on XS: the air and gateways, or the NB-IoT core, run inside XS beside the part models
 * (simulator/core/link-side.ts); their datagrams cross the process boundary to the network server or CoAP server in
 * Node through the V8 run's own UDP bridges. For one seed, the broker's frames and the run's summary (link counters,
 * report accounting, the drain of reports in flight at the end) are the V8 run's.
 */
import { describe, expect, it } from "vitest";
import type { Frame } from "../../simulator/node/frame-log.js";
import { runSim, type SimSummary } from "../../simulator/node/session.js";
import { runSimXs } from "../../simulator/xs/session.js";

/** What a run's summary says about the simulation (not the wall clock, nor where its broker listened). */
function simulated(s: SimSummary): Record<string, unknown> {
  const { wallSeconds: _w, speedup: _s, broker: _b, brokerStatus, ...rest } = s;
  return { ...rest, brokerStatus: { ...brokerStatus, url: "" } };
}

function firstDifference(a: readonly Frame[], b: readonly Frame[]): string | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = JSON.stringify(a[i]);
    const y = JSON.stringify(b[i]);
    if (x !== y) return `frame ${i}: XS ${x ?? "(none)"} vs V8 ${y ?? "(none)"}`;
  }
  return undefined;
}

describe.each([
  ["nrf52840-dk-sx1262", "lorawan", "lns.uplinks"],
  ["nrf52840-dk-bc95", "nbiot", "coap.published"],
])("the weather station on %s (%s) on XS", (board, link, delivered) => {
  it("sends the V8 run's frames, byte for byte, and its summary: link counters, reports, drain", async () => {
    const run = { device: "weather-station", board, hours: 2, seed: 5 };
    const [xs, v8] = await Promise.all([runSimXs(run), runSim(run)]);
    expect(v8.summary.link).toBe(link);
    expect(v8.summary.crashes).toEqual([]);
    expect(v8.summary.linkStats[delivered]).toBeGreaterThan(0);
    expect(v8.frames.length).toBeGreaterThan(0);
    expect(firstDifference(xs.frames, v8.frames)).toBeUndefined();
    expect(simulated(xs.summary)).toEqual(simulated(v8.summary));
  }, 300_000);
});

describe("a LoRaWAN fleet on XS", () => {
  it("three nodes, each with its own OTAA identity, share one air and the gateways: V8's frames and summary", async () => {
    const run = { device: "weather-station", board: "nrf52840-dk-sx1262", hours: 1, seed: 4, nodes: 3 };
    const [xs, v8] = await Promise.all([runSimXs(run), runSim(run)]);
    expect(v8.summary.linkStats["lns.joins"]).toBe(3);
    expect(new Set(v8.frames.map((f) => f.topic)).size).toBe(3);
    expect(firstDifference(xs.frames, v8.frames)).toBeUndefined();
    expect(simulated(xs.summary)).toEqual(simulated(v8.summary));
  }, 300_000);
});
