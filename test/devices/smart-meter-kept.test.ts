/**
 * The meter's state across a power loss (devices/smart-meter/kept.ts): the interval in progress and the clock offset
 * in the power-fail-safe flash log, wired as the node wires them (the new interval's start kept before the closed one
 * is reported). With power cut at every write and erase of that log (after none and after some of a write's bytes),
 * and the node starting again from what flash holds: no interval is reported twice or left out (the records tile the
 * run), the energy of the records adds up to the register's change over the run, and a clock offset is the old one
 * or the new one, never anything else.
 */
import { describe, expect, it } from "vitest";
import { IntervalEnergy, IntervalFlag, type IntervalRecord } from "../../devices/smart-meter/interval.js";
import { MeterKeeper, type KeptInterval } from "../../devices/smart-meter/kept.js";
import { PowerCut, SimFlash } from "../../simulator/core/flash.js";

const MIN = 60_000;
/** 2026-03-02T00:00:00+08:00 */
const T0 = Date.UTC(2026, 2, 1, 16);
const END = T0 + 2 * 86_400_000;
const layout = { size: 4 * 1024, blockLength: 1024, writeAlign: 4, partitions: { storage: { offset: 0, size: 4 * 1024 } } };
/** The register in Wh at meter time t: 10 Wh steps, a few hundred W. */
const register = (t: number) => 10 * Math.floor((t - T0) / 7_000);

/**
 * The node's wiring of IntervalEnergy and MeterKeeper, reading every 5 minutes from `from`; returns the reading the
 * power cut fell in, or END when it ran through.
 */
function run(flash: SimFlash, from: number, records: IntervalRecord[]): number {
  const keeper = new MeterKeeper(flash.open("storage"), 1, 2, 64);
  const keep = () => {
    if (ie.openSinceMs === ie.openSinceMs) keeper.keepInterval(ie.openSinceMs, ie.openRegisterWh, ie.openPulses, ie.openFlags);
  };
  const ie: IntervalEnergy = new IntervalEnergy({
    whPerPulse: 1,
    onInterval: (r) => {
      keep();
      records.push({ ...r });
    },
  });
  const open = keeper.interval({} as KeptInterval);
  if (open) ie.resume(open.startMs, open.registerWh, open.pulses, false, open.flags);
  for (let t = from; t < END; t += 5 * MIN) {
    try {
      ie.observe(t, register(t), NaN);
      keep();
    } catch (e) {
      if (e instanceof PowerCut) return t;
      throw e;
    }
  }
  return END;
}

describe("the interval in progress across a power cut", () => {
  it("with power cut at every write and erase of the meter's state, every interval is reported once and energy is conserved", () => {
    const reference = new SimFlash(layout);
    const whole: IntervalRecord[] = [];
    run(reference, T0, whole);
    const ops = reference.writes + reference.erases;
    expect(reference.erases).toBeGreaterThan(2);
    let checked = 0;
    let restarted = 0;
    for (let op = 1; op <= ops; op++) {
      for (const bytes of [0, 9]) {
        const flash = new SimFlash(layout);
        let n = 0;
        flash.beforeOperation = (o) => (++n === op ? (o.kind === "write" ? Math.min(bytes, o.length - 1) : 0) : undefined);
        const records: IntervalRecord[] = [];
        const cutAt = run(flash, T0, records);
        if (cutAt === END) continue;
        flash.beforeOperation = undefined;
        const nothingKept = new MeterKeeper(flash.open("storage"), 1, 2, 64).interval({} as KeptInterval) === undefined;
        // Power back 20 minutes later; the node reads again from then on.
        run(flash, cutAt + 20 * MIN, records);
        // The records tile the run: each starts where the one before ended, from the first boundary to the last
        // (a cut in the very first record left nothing to resume: the run then starts at the first reading after it).
        const first = nothingKept ? Math.floor((cutAt + 20 * MIN) / (15 * MIN)) * 15 * MIN : whole[0]!.startMs;
        expect(records[0]!.startMs).toBe(first);
        for (let i = 1; i < records.length; i++) expect(records[i]!.startMs).toBe(records[i - 1]!.endMs);
        // … up to the last boundary, when power came back before the end.
        if (cutAt + 20 * MIN < whole[whole.length - 1]!.endMs) expect(records[records.length - 1]!.endMs).toBe(whole[whole.length - 1]!.endMs);
        // Register energy adds up across the cut: the records' sum is the register's change from the first reading
        // to the last one that closed a record (pulses are lost with the cut: the record across it has none).
        const sum = records.reduce((s, r) => s + r.registerWh, 0);
        expect(sum).toBe(records[records.length - 1]!.endRegisterWh - register(nothingKept ? cutAt + 20 * MIN : T0));
        // The record across the cut says so (when there was something to resume and power came back in time).
        if (!nothingKept && cutAt + 20 * MIN < whole[whole.length - 1]!.endMs) {
          expect(records.some((r) => r.flags & IntervalFlag.RESTARTED)).toBe(true);
          restarted++;
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(restarted).toBeGreaterThan(100);
  });

  it("resumes the interval in progress with its flags, and a new log reads as nothing kept", () => {
    const flash = new SimFlash(layout);
    const k = new MeterKeeper(flash.open("storage"), 1, 2, 64);
    expect(k.interval({} as KeptInterval)).toBeUndefined();
    k.keepInterval(T0 + 15 * MIN, 123_450, NaN, IntervalFlag.LATE_START | IntervalFlag.CLOCK_STEP);
    const again = new MeterKeeper(flash.open("storage"), 1, 2, 64).interval({} as KeptInterval)!;
    expect(again).toEqual({ startMs: T0 + 15 * MIN, registerWh: 123_450, pulses: NaN, flags: IntervalFlag.LATE_START | IntervalFlag.CLOCK_STEP });
    const writes = flash.writes;
    k.keepInterval(T0 + 15 * MIN, 123_450, NaN, IntervalFlag.LATE_START | IntervalFlag.CLOCK_STEP);
    expect(flash.writes).toBe(writes); // unchanged: nothing written
  });
});

describe("the clock offset across a power cut", () => {
  it("reads back what was kept, negative and beyond 32 bits included", () => {
    const flash = new SimFlash(layout);
    const k = new MeterKeeper(flash.open("storage"), 1, 2, 64);
    expect(k.clockOffsetMs()).toBe(0);
    for (const ms of [2_400_000, -123_456_789_012, 987_654_321_098, -1]) {
      k.keepClockOffset(ms);
      expect(new MeterKeeper(flash.open("storage"), 1, 2, 64).clockOffsetMs()).toBe(ms);
    }
  });

  it("is the old offset or the new one when power is cut while it is written", () => {
    for (const bytes of [0, 3, 11, 20]) {
      const flash = new SimFlash(layout);
      const k = new MeterKeeper(flash.open("storage"), 1, 2, 64);
      k.keepClockOffset(-3_600_000);
      flash.beforeOperation = (o) => (o.kind === "write" ? Math.min(bytes, o.length - 1) : 0);
      expect(() => k.keepClockOffset(40 * MIN)).toThrow(PowerCut);
      flash.beforeOperation = undefined;
      expect([-3_600_000, 40 * MIN]).toContain(new MeterKeeper(flash.open("storage"), 1, 2, 64).clockOffsetMs());
    }
  });
});
