/**
 * The strain monitor's HX711 build (examples/devices/structural-strain-hx711.json) on the real XS engine: its uplink
 * frames byte-identical to the V8 run of the same seed. Half an hour (three reports, the alarms and captures of the
 * traffic in it): every one of its 144 000 readings is a 25-pulse train bit-banged through XS's GPIO calls, the
 * slowest sample path of any node on XS.
 */
import { describe, expect, it } from "vitest";
import { firstDifference } from "../helpers/frames.js";
import { runSim } from "../../simulator/node/session.js";
import { runSimXs } from "../../simulator/xs/session.js";

const DEVICE = "examples/devices/structural-strain-hx711.json";


describe("structural-strain on an HX711, on XS", () => {
  it.each(["esp32-devkitc", "nrf52840-dk"])("on %s: frames byte-identical to V8 over 0.5 h", async (board) => {
    const run = { device: DEVICE, board, hours: 0.5, seed: 3 };
    const [xs, v8] = await Promise.all([runSimXs(run), runSim(run)]);
    expect(xs.summary.crashes).toEqual([]);
    expect(v8.summary.deviceStats.sensorErrors).toBe(0);
    expect(v8.frames.filter((f) => f.topic.endsWith("/senml")).length).toBeGreaterThanOrEqual(2);
    expect(firstDifference(xs.frames, v8.frames)).toBeUndefined();
    expect(xs.frames.length).toBe(v8.frames.length);
  }, 600_000);
});
