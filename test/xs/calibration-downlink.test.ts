/**
 * EZO calibration by downlink on the water-quality buoy (devices/water-quality/calibration.ts), on V8 and on XS:
 * - the acknowledgement checks the text against the circuit's own calibration grammar, in the project's words
 *   (the same bytes on both engines), and echoes what it accepted;
 * - an accepted command reaches the circuit at the next round of the probes, before that round's reading, and the
 *   circuit's answer comes back as an event ("cal" the text, "res" ok);
 * - the calibration changes what the circuit reports: the EZO-ORP model, immersed in the lake as a moored buoy's
 *   probe is, takes the lake's ORP at that instant to be the command's 300 mV, so from then on the node reports the
 *   lake's ORP (the world's truth) shifted by 300 mV less what the lake had then; before it, the lake's own.
 */
import { readFileSync } from "node:fs";
import { decode } from "cborg";
import { beforeAll, describe, expect, it } from "vitest";
import type { Frame } from "../../simulator/node/frame-log.js";
import { runSim, type SimResult } from "../../simulator/node/session.js";
import { runSimXs } from "../../simulator/xs/session.js";
import { buildWorlds } from "../../simulator/core/worlds.js";
import { downlinksAt, type DownlinkCase } from "../helpers/downlinks.js";

const TOPIC = "kunming/dianchi/wq-0001";
const RUN = { device: "water-quality", board: "esp32-devkitc", hours: 3, seed: 5 } as const;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export const CALIBRATION_DOWNLINKS: readonly DownlinkCase[] = [
  { what: "a pH beyond the scale", payload: text('{"cal":"ph,mid,15"}'), ack: '{"error":"cal: Cal,mid,15: pH must be 0–14, got 15"}' },
  { what: "an unknown probe", payload: text('{"cal":"xy,1"}'), ack: '{"error":"cal: unknown probe \\"xy\\" (probes: rtd, ph, do, ec, orp)"}' },
  { what: "a number", payload: text('{"cal":7}'), ack: '{"error":"cal must be a string of 1–32 printable ASCII characters without escapes"}' },
  {
    what: "a point the EC circuit does not have",
    payload: text('{"cal":"ec,wet"}'),
    ack: '{"error":"cal: Cal,wet: \\"wet\\" is not a decimal number (EZO-EC calibration commands are Cal,dry, Cal,low,<µS/cm>, Cal,high,<µS/cm>, Cal,<µS/cm>, Cal,clear, Cal,?)"}',
  },
  { what: "a bad one with a good setting: nothing applied", payload: text('{"reportS":1800,"cal":"do,1"}'), ack: '{"error":"cal: Cal,1: EZO-DO calibration commands are Cal, Cal,0, Cal,clear, Cal,?; got 1 where only 0 is taken"}' },
  { what: "ORP one-point against a 300 mV reference", payload: text('{"cal":"orp,300"}'), ack: '{"cal":"orp,300"}' },
  { what: "the pH circuit back to its factory response, with a setting", payload: text('{"reportS":1800,"cal":"ph,clear"}'), ack: '{"reportS":1800,"cal":"ph,clear"}' },
];

interface Pack {
  t: number;
  bt: number;
  records: Map<string, number | string>;
}
function unpack(f: Frame): Pack {
  const maps = decode(Buffer.from(f.hex, "hex"), { useMaps: true }) as Map<number, unknown>[];
  let bt = NaN;
  const records = new Map<string, number | string>();
  for (const m of maps) {
    if (m.has(-3)) bt = m.get(-3) as number;
    records.set(m.get(0) as string, (m.get(2) ?? m.get(3)) as number | string);
  }
  return { t: f.t, bt, records };
}

let v8: SimResult;
let xs: Frame[];

beforeAll(async () => {
  const onHour = downlinksAt(1, TOPIC, CALIBRATION_DOWNLINKS);
  const [a, b] = await Promise.all([runSim({ ...RUN, onHour }), runSimXs({ ...RUN, onHour })]);
  expect(a.summary.crashes).toEqual([]);
  expect(b.summary.crashes).toEqual([]);
  v8 = a;
  xs = b.frames;
}, 600_000);

describe("EZO calibration by downlink, V8 and XS", () => {
  it("answers each downlink with the documented acknowledgement, in order", () => {
    const acks = v8.frames.filter((f) => f.topic === `${TOPIC}/config/ack`).map((f) => f.decoded);
    expect(acks).toEqual(CALIBRATION_DOWNLINKS.map((c) => c.ack));
  });

  it("docs/downlinks.md shows each of these acknowledgements as sent", () => {
    const doc = readFileSync("docs/downlinks.md", "utf8");
    for (const c of CALIBRATION_DOWNLINKS) expect(doc, c.what).toContain(`| \`${c.ack}\` |`);
  });

  it("sends every frame byte-identical on XS", () => {
    expect(xs.map((f) => [f.t, f.topic, f.id, f.hex])).toEqual(v8.frames.map((f) => [f.t, f.topic, f.id, f.hex]));
  });

  it("sends each accepted command at the next round and reports the circuit's answer", () => {
    const events = v8.frames.filter((f) => f.topic === `${TOPIC}/event`).map(unpack).filter((p) => p.records.has("cal"));
    expect(events.map((e) => [e.records.get("cal"), e.records.get("res")])).toEqual([
      ["ph,clear", "ok"],
      ["orp,300", "ok"],
    ]);
    // The next round is at most one sampling period (15 min) after the downlinks at 1 h.
    for (const e of events) expect(e.t / 1000).toBeGreaterThan(3600);
    for (const e of events) expect(e.t / 1000).toBeLessThan(3600 + 900 + 10);
    expect(v8.summary.deviceStats.calibrations).toBe(2);
    expect(v8.summary.deviceStats.calibrationsFailed).toBe(0);
    expect(v8.summary.deviceStats.downlinkRejected).toBe(5);
  });

  it("shifts the reported ORP by what the calibration took out: 300 mV less the lake's ORP at that instant", () => {
    const lake = buildWorlds(["lake"], { seed: RUN.seed, atmosphere: v8.world.atmosphere, nodes: 1 })(0).water!;
    const epochS = v8.world.atmosphere.epochMs / 1000;
    const cal = v8.frames.filter((f) => f.topic === `${TOPIC}/event`).map(unpack).find((p) => p.records.get("cal") === "orp,300")!;
    const calUs = (cal.bt - epochS) * 1e6;
    const reports = v8.frames.filter((f) => f.topic.endsWith("/senml")).map(unpack);
    let before = 0;
    let after = 0;
    for (const r of reports) {
      const mv = (r.records.get("orp") as number) * 1000;
      const us = (r.bt - epochS) * 1e6;
      // The round's reading is taken a second or two after its start (the RTD first): the lake moves little by then.
      const truth = lake.orp(us + 1.5e6);
      if (us < calUs - 60e6) {
        before++;
        expect(Math.abs(mv - truth), `before, at ${r.bt}`).toBeLessThan(1);
      } else if (us > calUs + 60e6) {
        after++;
        expect(Math.abs(mv - (truth + 300 - lake.orp(calUs))), `after, at ${r.bt}`).toBeLessThan(1.5);
      }
    }
    expect(before).toBeGreaterThan(2);
    expect(after).toBeGreaterThan(2);
    expect(Math.abs(300 - lake.orp(calUs))).toBeGreaterThan(20);
  });
});
