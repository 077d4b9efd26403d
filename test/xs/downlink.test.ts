/**
 * Configuration downlinks and their acknowledgements on V8 and on XS: every error path answers with the project's
 * text (runtime/settings.ts), so the ack frames are byte-identical on both engines, and equal to the documented
 * answers (docs/downlinks.md). The emulated MCU runs the same cases in test/emulated/downlink.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Frame } from "../../simulator/node/frame-log.js";
import { runSim } from "../../simulator/node/session.js";
import { runSimXs } from "../../simulator/xs/session.js";
import { runXsModule } from "../../tools/xs/process.js";
import { CONFIG_DOWNLINKS, downlinksAt } from "../helpers/downlinks.js";

const TOPIC = "kunming/weather/ws-0001";
const RUN = { device: "weather-station", board: "esp32-devkitc", hours: 1.25, seed: 4 } as const;
const acks = (frames: Frame[]) => frames.filter((f) => f.topic === `${TOPIC}/config/ack`);
const reportTimes = (frames: Frame[]) => frames.filter((f) => f.topic.endsWith("/senml")).map((f) => f.t / 1000);

let v8: Frame[];
let xs: Frame[];

beforeAll(async () => {
  const onHour = downlinksAt(1, TOPIC);
  const [a, b] = await Promise.all([runSim({ ...RUN, onHour }), runSimXs({ ...RUN, onHour })]);
  expect(a.summary.crashes).toEqual([]);
  expect(b.summary.crashes).toEqual([]);
  v8 = a.frames;
  xs = b.frames;
}, 300_000);

describe("configuration downlinks on V8 and XS", () => {
  it("answer every case with the documented acknowledgement, in order, on V8", () => {
    expect(acks(v8).map((f) => f.decoded)).toEqual(CONFIG_DOWNLINKS.map((c) => c.ack));
  });

  it("send byte-identical frames on XS: the acknowledgements and everything else", () => {
    expect(acks(xs).map((f) => f.hex)).toEqual(acks(v8).map((f) => f.hex));
    expect(xs.map((f) => [f.t, f.topic, f.id, f.hex])).toEqual(v8.map((f) => [f.t, f.topic, f.id, f.hex]));
  });

  it("the accepted one takes effect: reports every 5 minutes from the hour on", () => {
    expect(reportTimes(v8)).toEqual([600, 1200, 1800, 2400, 3000, 3600, 3900, 4200, 4500]);
  });

  it("docs/downlinks.md shows each of these acknowledgements as sent", () => {
    const doc = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "downlinks.md"), "utf8");
    for (const c of CONFIG_DOWNLINKS) expect(doc, c.what).toContain(`| \`${c.ack}\` |`);
  });
});

describe("why the station does not answer with the engine's text", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ganzhi-downlink-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("JSON.parse's message for the same bad payload is V8's on V8 and XS's on XS", async () => {
    const parse = `try { JSON.parse("not json"); } catch (e) { globalThis.out = e.message; }`;
    const file = path.join(dir, "parse.js");
    writeFileSync(file, `${parse}\n$xs.send(globalThis.out);\n`);
    const r = await runXsModule({ module: file });
    let onV8 = "";
    try {
      JSON.parse("not json");
    } catch (e) {
      onV8 = (e as Error).message;
    }
    expect(r.text).toHaveLength(1);
    expect(onV8).toMatch(/^Unexpected token/);
    expect(r.text[0]).not.toBe(onV8);
  });
});
