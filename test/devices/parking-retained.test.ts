/**
 * The parking node's state across deep sleep (devices/parking/detector.ts `save`/`restore`, runtime/retained-block.ts):
 * - a detector saved before every sample and replaced by a new one restored from those bytes (what a node that
 *   deep-sleeps between samples does: every wake is a reboot) reports exactly what one that never slept reports, over
 *   a simulated week of the street world in both bay layouts;
 * - a retained block that does not check out (a flipped bit, another layout version, another kind of block, nothing
 *   saved) is refused with the reason named;
 * - on the simulator's nRF52840 board, told to deep-sleep whenever it is idle (by default it sleeps only when three minutes
 *   or more part two readings, devices/parking/sensor.ts), the node sleeps between readings and its frames are those of the
 *   node that stays awake; a retained block damaged while it sleeps is named in the log and the node learns the
 *   empty bay again (no event for nothing).
 */
import { decode } from "cborg";
import { describe, expect, it } from "vitest";
import { BayState, DETECTOR_STATE_BYTES, ParkingDetector } from "../../devices/parking/detector.js";
import { ParkingSensor } from "../../devices/parking/sensor.js";
import type { Host } from "../../hal/host.js";
import { RetainedBlock, RetainedStatus, retainedStatusName } from "../../runtime/retained-block.js";
import { RetainedWords } from "../../simulator/core/flash.js";
import { runSim } from "../../simulator/node/session.js";
import { runMonth } from "../../tools/bench/parking-month.js";
import { senmlRecords } from "../helpers/senml.js";

describe("the detector across a reboot before every sample", () => {
  it.each(["parallel", "perpendicular"] as const)("reports the same changes as one that never reboots (a week of %s bays, seed 1)", (layout) => {
    const awake = runMonth(1, layout, 7);
    const asleep = runMonth(1, layout, 7, true);
    expect(awake.reports.length).toBeGreaterThan(20);
    expect(asleep.reports).toEqual(awake.reports);
    expect(asleep.samples).toBe(awake.samples);
  });

  it("keeps an occupied bay, the parked field and the counts; a restore before any sample is a fresh detector", () => {
    const changes: number[] = [];
    const a = new ParkingDetector({ onChange: (s) => changes.push(s) });
    let t = 0;
    for (let i = 0; i < 20; i++) t += a.sample(30, 20, -30, t);
    for (let i = 0; i < 10; i++) t += a.sample(40, 10, -20, t);
    expect(a.state).toBe(BayState.OCCUPIED);
    const bytes = new Uint8Array(DETECTOR_STATE_BYTES);
    a.save(bytes, 0);
    const b = new ParkingDetector();
    b.restore(bytes, 0, t);
    expect([b.state, b.arrivals, b.departures, b.baseline.axis(0)]).toEqual([BayState.OCCUPIED, 1, 0, 30]);
    const fresh = new ParkingDetector();
    fresh.save(bytes, 0);
    const c = new ParkingDetector();
    c.restore(bytes, 0, 0);
    expect(c.baseline.valid).toBe(false);
    expect(c.state).toBe(BayState.VACANT);
  });
});

describe("a retained block", () => {
  const make = (mem: RetainedWords, version = 1, tag = 0x50) => new RetainedBlock(mem, { name: "test block", first: 2, words: 4, tag, version });

  it("reads back what was saved, and names what is wrong with one that does not check out", () => {
    const mem = new RetainedWords(8);
    const block = make(mem);
    const out = new Uint8Array(block.bytes);
    expect(block.load(out)).toBe(RetainedStatus.EMPTY);
    const saved = Uint8Array.from({ length: 12 }, (_, i) => i * 17 + 1);
    block.save(saved);
    expect(block.load(out)).toBe(RetainedStatus.OK);
    expect(out).toEqual(saved);
    expect(make(mem, 2).load(out)).toBe(RetainedStatus.BAD_VERSION);
    expect(make(mem, 1, 0x51).load(out)).toBe(RetainedStatus.BAD_TAG);
    for (let bit = 0; bit < 96; bit += 7) {
      const w = 3 + (bit >> 5);
      mem.set(w, mem.get(w) ^ (1 << (bit & 31)));
      expect(block.load(out)).toBe(RetainedStatus.BAD_CRC);
      mem.set(w, mem.get(w) ^ (1 << (bit & 31)));
    }
    expect(block.load(out)).toBe(RetainedStatus.OK);
    expect(retainedStatusName(RetainedStatus.BAD_CRC)).toBe("check (CRC) mismatch");
    block.clear();
    expect(block.load(out)).toBe(RetainedStatus.EMPTY);
  });

  it("refuses words outside retained memory, naming them", () => {
    expect(() => new RetainedBlock(new RetainedWords(8), { name: "test block", first: 6, words: 4, tag: 1, version: 1 })).toThrow("test block: retained words 6…9 do not fit in 0…7");
  });
});

const sleepy = (host: Host) => {
  const s = new ParkingSensor(host, { deepSleepMinMs: 0 });
  s.start();
  return s;
};

describe("the parking node deep-sleeping on the nRF52840 (simulator, seed 1)", async () => {
  // A day with cars: the frames of a node that sleeps whenever it can and of one that never does.
  const [awake, asleep] = await Promise.all([
    runSim({ device: "parking", board: "nrf52840-dk", hours: 12, seed: 1 }),
    runSim({ device: "parking", board: "nrf52840-dk", hours: 12, seed: 1, main: sleepy }),
  ]);
  // What an event says (SenML through cborg): state, sequence number, reason; and when it was sent, to the second.
  const events = (frames: typeof awake.frames) =>
    frames
      .filter((f) => f.topic.endsWith("/event") && !f.dup)
      .map((f) => {
        const rs = senmlRecords(decode(Buffer.from(f.hex, "hex"), { useMaps: true }));
        const v = (n: string) => rs.find((r) => r.n.endsWith(`:${n}`));
        return { occ: v("occ")!.vb, seq: v("seq")!.v, why: v("why")!.v, s: Math.round(f.t / 1000) };
      });

  it("reports the same changes, numbered alike, within the same second, as the node that stays awake", () => {
    // The readings differ in their noise (a woken driver resets the part before it measures), so not bit for bit.
    expect(events(awake.frames).length).toBeGreaterThan(4);
    expect(events(asleep.frames)).toEqual(events(awake.frames));
    expect(asleep.summary.crashes).toEqual([]);
  });

  const logs: string[] = [];
  const sleep = { boots: 0, sleptUs: 0, damaged: false };
  const run = await runSim({
    device: "parking",
    board: "nrf52840-dk",
    hours: 3,
    seed: 1,
    main: sleepy,
    onLog: (e) => logs.push(`${e.level} ${e.message}`),
    onHour(h, world) {
      const node = world.nodes[0]!;
      if (h === 2 && !node.running) {
        // Damage the kept state while the node sleeps (a bit of the baseline's x).
        node.retained.words[3] = node.retained.words[3]! ^ 0x10;
        sleep.damaged = true;
      }
      if (h === 3) {
        sleep.boots = node.boots;
        sleep.sleptUs = node.sleptUs;
      }
    },
  });

  it("sleeps between readings: most of the run in deep sleep, a boot per reading", () => {
    expect(run.summary.crashes).toEqual([]);
    expect(sleep.damaged).toBe(true);
    // Readings every 4 s on a settled bay: about 2,700 in 3 h, each a wake.
    expect(sleep.boots).toBeGreaterThan(2000);
    expect(sleep.sleptUs / (3 * 3600e6)).toBeGreaterThan(0.95);
  });

  it("names a damaged block in the log and learns the empty bay again, reporting nothing for it", () => {
    const lost = logs.filter((l) => l.includes("parking retained state"));
    expect(lost).toEqual(["warn parking: parking retained state in retained words 0…10 not usable (check (CRC) mismatch): learning the empty bay again"]);
    const events = run.frames.filter((f) => f.topic.endsWith("/event"));
    expect(events).toEqual([]);
  });
});
