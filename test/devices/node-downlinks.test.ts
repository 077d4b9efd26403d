/**
 * The downlink settings the smart meter and the parking sensor add to the node skeleton's `reportS`
 * (runtime/node/node.ts `NodeSetting`), sent as an operator would (an MQTT client on the run's broker) in a simulated
 * run, with the acknowledgements and their effect read back from the frame log (SenML through cborg):
 * - meter `clockS`: the meter time in Unix seconds; a step forward is taken and flags the interval it falls in
 *   (IntervalFlag.CLOCK_STEP), later intervals sit on the new clock's quarter hours; a step back of more than an
 *   hour is refused (the clock unchanged, the answer gives the time in force); out of range is an error;
 * - parking `recal`: 1 relearns the empty bay now; anything else is an error.
 */
import { decode } from "cborg";
import { describe, expect, it } from "vitest";
import { runSim } from "../../simulator/node/session.js";
import { downlinksAt, type DownlinkCase } from "../helpers/downlinks.js";
import { senmlRecords } from "../helpers/senml.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const EPOCH_S = 1_780_243_200; // 2026-06-01T00:00:00+08:00, virtual time 0 of every run here

describe("smart meter: clockS by downlink", async () => {
  // At virtual 1 h the meter clock reads EPOCH_S + 3600: set it 5 min ahead, then try 70 min back, then nonsense.
  const ahead = EPOCH_S + 3600 + 300;
  const cases: DownlinkCase[] = [
    { what: "5 min ahead", payload: text(`{"clockS":${ahead}}`), ack: `{"clockS":${ahead}}` },
    { what: "70 min back: refused, the time in force", payload: text(`{"clockS":${ahead - 4200}}`), ack: `{"clockS":${ahead}}` },
    { what: "before 2024", payload: text('{"clockS":1}'), ack: '{"error":"clockS must be an integer in [1704067200, 4102444799]"}' },
  ];
  const run = await runSim({
    device: "smart-meter",
    board: "esp32-devkitc",
    hours: 2.5,
    seed: 1,
    onHour: downlinksAt(1, "kunming/meter/sm-0001", cases),
  });

  it("answers each on config/ack with the project's text", () => {
    const acks = run.frames.filter((f) => f.topic.endsWith("/config/ack")).map((f) => f.decoded);
    expect(acks).toEqual(cases.map((c) => c.ack));
  });

  it("flags the interval the step fell in, and keeps the later ones on the new clock's quarter hours", () => {
    const intervals = run.frames
      .filter((f) => f.topic.endsWith("/senml"))
      .flatMap((f) => senmlRecords(decode(Buffer.from(f.hex, "hex"), { useMaps: true })))
      .filter((r) => r.n.endsWith(":e") || r.n.endsWith(":ef"));
    const flagged = intervals.filter((r) => r.n.endsWith(":ef"));
    // The interval open at the step (3600 s on the old clock) is the only one flagged: CLOCK_STEP (8).
    expect(flagged.map((r) => [r.t - EPOCH_S, r.v])).toEqual([[3600, 8]]);
    for (const r of intervals) expect((r.t - EPOCH_S) % 900).toBe(0);
    expect(run.summary.deviceStats["clockSteps"]).toBe(1);
  });
});

describe("parking: recal by downlink", async () => {
  const cases: DownlinkCase[] = [
    { what: "recalibrate", payload: text('{"recal":1}'), ack: '{"recal":1}' },
    { what: "anything but 1", payload: text('{"recal":2}'), ack: '{"error":"recal must be an integer in [1, 1]"}' },
  ];
  const run = await runSim({
    device: "parking",
    board: "esp32-devkitc",
    hours: 3.5,
    seed: 1,
    onHour: downlinksAt(3, "kunming/parking/p-0001", cases),
  });

  it("answers on config/ack and relearns the empty field once", () => {
    const acks = run.frames.filter((f) => f.topic.endsWith("/config/ack")).map((f) => f.decoded);
    expect(acks).toEqual(cases.map((c) => c.ack));
    expect(run.summary.deviceStats["recalibrations"]).toBe(1);
  });
});
