/**
 * `ganzhi emulate --census` (emulator/firmware/census.c, emulator/host/census.ts): who holds XS's live slots, counted
 * after a full collection once the harness is built and again at the end, the device's share the difference.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { censusLines, deviceShare, parseCensus, type Census } from "../../emulator/host/census.js";
import { emulate, type EmulateResult } from "../../emulator/host/emulate.js";

let run: EmulateResult;
let plain: EmulateResult;
let census: Census;

beforeAll(async () => {
  const o = { device: "weather-station", board: "nrf52840-dk", profile: "nrf52840", hours: 0.01, seed: 1 } as const;
  [run, plain] = await Promise.all([emulate({ ...o, census: true }), emulate(o)]);
  census = parseCensus(run.console.platform)!;
}, 600_000);

describe("the census of XS's live slots (weather station, nrf52840-dk, 36 s)", () => {
  it("counts every live slot once: the owners' slots add up to the live count, which is XS's own count of slots in use", () => {
    expect(census).toBeDefined();
    for (const c of [census.settle, census.end]) {
      expect(c.rows.reduce((t, r) => t + r.slots, 0)).toBe(c.live);
      expect(c.live).toBe(c.xsCount);
    }
    const share = deviceShare(census);
    expect(share.reduce((t, r) => t + r.slots, 0)).toBe(census.end.live - census.settle.live);
  });

  // The walk of the chunks the live slots point to (emulator/firmware/chunks.c) is also what the emulated heap figure
  // takes after a collection run for slots, when XS's own count still holds the garbage since the last compaction.
  // After the census's full collection, which compacts, XS's count is the live chunks exactly: the walk finds them,
  // each once, but for about 100 B of the harness's own (five of the replayed configuration's part names, which XS
  // reaches other than through a slot) that are there when it settles and unchanged at the end: none of the device's
  // chunks is missed.
  it("counts every live chunk of the device once: what a compacting collection keeps, less the harness's few it reaches otherwise", () => {
    const unreached = (c: Census["end"]) => c.xsChunks - c.chunks;
    expect(unreached(census.settle)).toBeGreaterThanOrEqual(0);
    expect(unreached(census.settle)).toBeLessThan(256);
    expect(unreached(census.end)).toBe(unreached(census.settle));
    for (const c of [census.settle, census.end]) {
      expect(c.chunks).toBeGreaterThan(0);
      expect(c.rows.reduce((t, r) => t + r.chunks, 0)).toBe(c.chunks);
    }
    // The device's buffers are its own: the SHT3x's and BME280's reads, the MQTT client's, the uplink queue's.
    const share = deviceShare(census);
    expect(share.find((r) => r.owner === "ArrayBuffer")!.chunks).toBeGreaterThan(1_000);
    expect(censusLines(census)[1]).toMatch(/^XS chunks the live slots point to: the device's \d+ B/);
  });

  it("names the device's own objects by their classes and functions", () => {
    const share = new Map(deviceShare(census).map((r) => [r.owner, r]));
    // One MQTT client, one uplink queue, the device's SHT3x and BME280 drivers: made by the device's main, after the
    // harness was counted.
    for (const owner of ["new MqttClient", "new UplinkQueue", "new SHT3x", "new BME280"]) expect(share.get(owner)?.instances, owner).toBe(1);
    expect(censusLines(census)[0]).toMatch(/^XS live slots after a full collection: \d+ once the harness was built, \d+ at the end: the device's \d+ \(\d+ B/);
  });

  it("changes nothing the device is charged: same frames, the device's and its provider's instructions, its memory", () => {
    expect(run.frames).toEqual(plain.frames);
    // Instructions are SysTick ticks per mode (2.5 instructions each) read at every switch: the census's own
    // instructions at the harness's settle move the ticks' phase against the device's code, which moves each switch's
    // rounding (some hundreds of instructions in tens of millions).
    // A thousand instructions, or 1e-4 of the count where that is more (the provider's 2.4 M in this run are mostly
    // host calls of a fixed charge, so the rounding is a larger share of them).
    for (const k of ["device", "provider"] as const) {
      expect(Math.abs(run.figures.instructions[k] - plain.figures.instructions[k])).toBeLessThan(Math.max(1_000, 1e-4 * plain.figures.instructions[k]));
    }
    expect(run.figures.xsDeviceBytes).toBe(plain.figures.xsDeviceBytes);
    expect(parseCensus(plain.console.platform)).toBeUndefined();
  });
});
