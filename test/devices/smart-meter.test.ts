/**
 * The smart meter's on-device algorithms (devices/smart-meter/): 15-minute interval energy from register readings
 * and S0 pulse counts — exact, late readings, gaps, a power cut and clock steps, with energy conserved throughout —;
 * daily and settlement-day snapshots in the power-fail-safe flash log with power cut at every write and erase;
 * tamper events raised once and cleared with hysteresis; the meter clock's validation. Dates are checked against
 * the JavaScript Date (an independent calendar). Portable: runs on V8 and XS.
 */
import { describe, expect, it } from "vitest";
import { PowerCut, SimFlash } from "../../simulator/core/flash.js";
import { FlashRecordLog } from "../../runtime/flash-records.js";
import { civilFromDays, daysFromCivil, lastBillingBoundary, localDay } from "../../devices/smart-meter/calendar.js";
import { CLOCK_MIN_MS, MeterClock } from "../../devices/smart-meter/clock.js";
import { INTERVAL_MS, IntervalEnergy, IntervalFlag, type IntervalRecord } from "../../devices/smart-meter/interval.js";
import { SnapshotKeeper, SnapshotFlag, SnapshotKind, type Snapshot } from "../../devices/smart-meter/snapshots.js";
import { TamperKind, TamperMonitor } from "../../devices/smart-meter/tamper.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** 2026-03-02T00:00:00+08:00 */
const T0 = Date.UTC(2026, 2, 1, 16);

/** A household meter: power in W by time, energy integrated exactly; register in 10 Wh steps, 1 Wh pulses. */
class Meter {
  energyWh = 12_345_678.9;
  t = T0;
  constructor(readonly power: (t: number) => number) {}
  advanceTo(t: number): void {
    for (; this.t < t; this.t += 1000) this.energyWh += (this.power(this.t) * Math.min(1000, t - this.t)) / 3.6e6;
  }
  register(): number {
    return Math.floor(this.energyWh / 10) * 10;
  }
  pulses(base = 0): number {
    return Math.floor(this.energyWh) - base;
  }
}

const copy = (r: Readonly<IntervalRecord>): IntervalRecord => ({ ...r });
const at = (h: number, m = 0) => T0 + h * HOUR + m * MIN;

describe("calendar", () => {
  it("agrees with Date on day numbers and dates over four centuries", () => {
    for (let z = -150_000; z < 150_000; z += 97) {
      const d = new Date(z * DAY);
      expect(civilFromDays(z)).toBe(d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate());
      expect(daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())).toBe(z);
    }
    expect(localDay(Date.UTC(2026, 0, 1, 15, 59, 59))).toBe(daysFromCivil(2026, 1, 1));
    expect(localDay(Date.UTC(2026, 0, 1, 16))).toBe(daysFromCivil(2026, 1, 2));
  });
  it("finds the last settlement instant (00:00 UTC+8 on the billing day) across months and years", () => {
    const local = (y: number, m: number, d: number, h = 0) => Date.UTC(y, m - 1, d, h) - 8 * HOUR;
    expect(lastBillingBoundary(local(2026, 3, 5, 0) - 1, 5)).toBe(local(2026, 2, 5));
    expect(lastBillingBoundary(local(2026, 3, 5, 0), 5)).toBe(local(2026, 3, 5));
    expect(lastBillingBoundary(local(2026, 1, 3, 12), 28)).toBe(local(2025, 12, 28));
    expect(lastBillingBoundary(local(2024, 3, 1, 7), 1)).toBe(local(2024, 3, 1));
  });
});

describe("meter clock", () => {
  it("validates, steps forward and back within the limit, and reports every step", () => {
    let host = T0;
    const steps: number[] = [];
    const c = new MeterClock({ source: () => host, onStep: (s) => steps.push(s.stepMs) });
    expect(c.now()).toBe(T0);
    expect(c.set(CLOCK_MIN_MS - 1)).toMatch(/^clock: time 1704067199999 is not a whole ms between 1704067200000 \(2024-01-01\)/);
    expect(c.set(T0 + 0.5)).toMatch(/not a whole ms/);
    expect(c.set(T0 + 90_000)).toBeUndefined();
    host += 1000;
    expect(c.now()).toBe(T0 + 91_000);
    expect(c.set(T0 - 30 * MIN)).toBeUndefined();
    expect(c.lastStep.backward).toBe(true);
    expect(c.set(T0 - 3 * HOUR)).toBe("clock: a step back of 9000000 ms is more than the 3600000 ms allowed (closed periods would open again)");
    expect(c.now()).toBe(T0 - 30 * MIN);
    expect(steps).toEqual([90_000, -30 * MIN - 91_000]);
    expect(c.steps).toBe(2);
    host = 0;
    expect(c.now()).toBeNaN();
    expect(c.set(T0)).toBe("clock: the host has no wall time to keep the meter time against");
  });
});

describe("interval energy", () => {
  it("gives exact pulse energy and register energy to its resolution at 15-minute boundaries", () => {
    const m = new Meter((t) => 600 + 400 * (Math.floor((t - T0) / HOUR) % 3));
    const out: IntervalRecord[] = [];
    const ie = new IntervalEnergy({ whPerPulse: 1, onInterval: (r) => out.push(copy(r)) });
    for (let t = T0; t <= at(6); t += MIN) {
      m.advanceTo(t);
      ie.observe(t, m.register(), m.pulses());
    }
    expect(out.length).toBe(24);
    for (const r of out) {
      expect(r.endMs - r.startMs).toBe(INTERVAL_MS);
      expect(r.flags).toBe(0);
      const p = 600 + 400 * (Math.floor((r.startMs - T0) / HOUR) % 3);
      expect(Math.abs(r.pulseWh - p / 4)).toBeLessThanOrEqual(1);
      expect(Math.abs(r.registerWh - p / 4)).toBeLessThanOrEqual(10);
      expect(r.energyWh).toBe(r.pulseWh);
    }
    expect(out.reduce((s, r) => s + r.pulseWh, 0)).toBe(m.pulses() - out[0]!.endPulses + out[0]!.pulseWh);
  });

  it("marks late readings and gaps, conserves energy through a power cut, and never emits an interval twice across clock steps", () => {
    const m = new Meter((t) => 300 + 200 * Math.sin((t - T0) / HOUR));
    const out: IntervalRecord[] = [];
    const onInterval = (r: Readonly<IntervalRecord>) => out.push(copy(r));
    let ie = new IntervalEnergy({ whPerPulse: 1, onInterval });
    let pulseBase = 0;
    let offset = 0; // meter clock − real time
    const startRegister = (() => {
      m.advanceTo(T0);
      return m.register();
    })();
    const read = (t: number) => {
      m.advanceTo(t);
      ie.observe(t + offset, m.register(), m.pulses(pulseBase));
    };
    for (let t = T0; t < at(1); t += MIN) read(t);
    // 01:00 and 01:01 are missed (a busy bus): 01:02 closes 00:45–01:00 late and opens 01:00–01:15 late.
    for (let t = at(1, 2); t < at(1, 20); t += MIN) read(t);
    // Nothing from 01:20 until 02:10: one record spans 01:15–02:00.
    for (let t = at(2, 10); t < at(3, 7); t += MIN) read(t);
    // Power cut at 03:07, back at 03:52: the S0 count starts again from 0; the device resumes from its last record.
    const kept = out[out.length - 1]!;
    m.advanceTo(at(3, 52));
    pulseBase = m.pulses();
    ie = new IntervalEnergy({ whPerPulse: 1, onInterval });
    ie.resume(kept.endMs, kept.endRegisterWh, NaN);
    for (let t = at(3, 52); t < at(4, 3); t += MIN) read(t);
    // The clock is set 40 minutes ahead at 04:03 real time, then 30 minutes back at 05:01 real time.
    ie.clockStepped();
    offset = 40 * MIN;
    for (let t = at(4, 3); t < at(5, 1); t += MIN) read(t);
    ie.clockStepped();
    offset = 10 * MIN;
    for (let t = at(5, 1); t <= at(7); t += MIN) read(t);

    const find = (h: number, mm: number) => out.find((r) => r.startMs === at(h, mm))!;
    expect(find(0, 45).flags).toBe(IntervalFlag.LATE_END);
    expect(find(1, 0).flags).toBe(IntervalFlag.LATE_START);
    const gap = find(1, 15);
    expect([gap.intervals, gap.flags]).toEqual([3, IntervalFlag.GAP | IntervalFlag.LATE_END]);
    const restart = find(3, 0);
    expect(restart.intervals).toBe(3);
    expect(restart.flags).toBe(IntervalFlag.RESTARTED | IntervalFlag.PULSES_LOST | IntervalFlag.GAP | IntervalFlag.LATE_END);
    expect(restart.pulseWh).toBeNaN();
    expect(restart.energyWh).toBe(restart.registerWh);
    // Forward step: the interval it fell in runs to the first boundary the stepped clock reached.
    const forward = find(4, 0);
    expect(forward.flags & IntervalFlag.CLOCK_STEP).toBeTruthy();
    expect(forward.endMs).toBe(at(4, 30));
    // Back step at 05:41 meter time to 05:11: the interval 05:30–05:45 stays open until the clock passes 05:45 again.
    const back = find(5, 30);
    expect(back.flags & IntervalFlag.CLOCK_STEP).toBeTruthy();
    expect(back.endMs).toBe(at(5, 45));
    // Boundaries only go forward: no interval twice, none overlapping.
    for (let i = 1; i < out.length; i++) expect(out[i]!.startMs).toBe(out[i - 1]!.endMs);
    // Nothing lost: the register energies add up to the register's advance.
    const sum = out.reduce((s, r) => s + r.registerWh, 0);
    expect(sum).toBe(out[out.length - 1]!.endRegisterWh - startRegister + (out[0]!.endRegisterWh - out[0]!.registerWh - startRegister));
    expect(out.every((r) => r.registerWh === r.registerWh)).toBe(true);
  });

  it("refuses a resume point that is not a boundary", () => {
    const ie = new IntervalEnergy({ whPerPulse: 1, onInterval: () => {} });
    expect(() => ie.resume(T0 + 1, 0, 0)).toThrow("interval energy: resume at 1772380800001, not an interval boundary");
  });
});

describe("snapshots in flash", () => {
  const layout = { size: 64 * 1024, blockLength: 4096, writeAlign: 4, partitions: { meter: { offset: 0, size: 5 * 4096 } } };
  /** 1 KB blocks (15 snapshots each) for the power-cut sweep, so that a short run rotates the daily log twice. */
  const small = { size: 8 * 1024, blockLength: 1024, writeAlign: 4, partitions: { meter: { offset: 0, size: 5 * 1024 } } };
  const logs = (flash: SimFlash) => {
    const p = flash.open("meter");
    return {
      daily: new FlashRecordLog(p, { firstBlock: 0, blocks: 3, slotBytes: 64, name: "daily snapshots" }),
      billing: new FlashRecordLog(p, { firstBlock: 3, blocks: 2, slotBytes: 64, name: "settlement snapshots" }),
    };
  };
  /** The snapshots of a kind in flash, without the INITIAL record (the keeper's first reading). */
  const collect = (k: SnapshotKeeper, kind: number) => {
    const out: Snapshot[] = [];
    k.forEach(kind, (s) => {
      if (!(s.flags & SnapshotFlag.INITIAL)) out.push({ ...s, tariffWh: Float64Array.from(s.tariffWh) });
    });
    return out;
  };

  it("freezes 00:00 local and the settlement day, once each, with the first reading after", () => {
    const flash = new SimFlash(layout);
    const m = new Meter(() => 500);
    const k = new SnapshotKeeper({ ...logs(flash), billingDay: 5 });
    const truth = new Map<number, number>();
    for (let t = T0 - 23 * MIN; t < T0 + 70 * DAY; t += 15 * MIN) {
      m.advanceTo(t);
      const day = Math.floor((t + 8 * HOUR) / DAY) * DAY - 8 * HOUR;
      if (!truth.has(day)) truth.set(day, m.register());
      k.observe(t, m.register(), m.pulses(), [1, 2, 3, m.register() - 6]);
    }
    const daily = collect(new SnapshotKeeper({ ...logs(flash), billingDay: 5 }), SnapshotKind.DAILY);
    expect(daily.length).toBe(70);
    for (const s of daily) {
      expect(s.registerWh).toBe(truth.get(s.boundaryMs));
      expect(s.readAtMs - s.boundaryMs).toBe(7 * MIN);
      expect(s.flags).toBe(SnapshotFlag.LATE);
      expect(s.missed).toBe(0);
      expect(new Date(s.boundaryMs + 8 * HOUR).getUTCHours()).toBe(0);
    }
    const billing = collect(k, SnapshotKind.BILLING);
    expect(billing.map((s) => new Date(s.boundaryMs + 8 * HOUR).toISOString().slice(0, 10))).toEqual(["2026-03-05", "2026-04-05", "2026-05-05"]);
    expect(Array.from(billing[1]!.tariffWh)).toEqual([1, 2, 3, truth.get(billing[1]!.boundaryMs)! - 6]);
    expect(billing.every((s) => s.missed === 0 && s.readAtMs - s.boundaryMs === 7 * MIN)).toBe(true);
  });

  it("after a clock step back across midnight freezes nothing twice; a step forward says how many were missed", () => {
    const flash = new SimFlash(layout);
    const k = new SnapshotKeeper({ ...logs(flash) });
    k.observe(at(23, 50), 1000, 10);
    k.observe(at(24, 1), 1010, 11);
    k.clockStepped();
    k.observe(at(23, 40), 1020, 12); // the clock went back before midnight
    k.observe(at(24, 2), 1030, 13);
    k.clockStepped();
    k.observe(at(24 * 4, 30), 1100, 20);
    const daily = collect(k, SnapshotKind.DAILY);
    // 00:00 of day 0 passed before the keeper's first reading (kept as INITIAL): it freezes from day 1.
    expect(daily.map((s) => [(s.boundaryMs - T0) / DAY, s.registerWh, s.missed, s.flags])).toEqual([
      [1, 1010, 0, 0],
      [4, 1100, 2, SnapshotFlag.LATE | SnapshotFlag.CLOCK_STEP],
    ]);
  });

  it("with power cut at every flash write and erase, freezes every boundary exactly once", () => {
    const reading = (t: number) => Math.floor((t - T0) / MIN) * 10;
    const run = (flash: SimFlash, from: number, to: number): number => {
      const k = new SnapshotKeeper({ ...logs(flash), billingDay: 3 });
      for (let t = from; t < to; t += 6 * HOUR) {
        try {
          k.observe(t, reading(t), NaN);
        } catch (e) {
          if (e instanceof PowerCut) return t;
          throw e;
        }
      }
      return to;
    };
    const END = T0 + 75 * DAY;
    const reference = new SimFlash(small);
    run(reference, T0, END);
    const ops = reference.writes + reference.erases;
    expect(reference.erases).toBeGreaterThan(0);
    let checked = 0;
    for (let op = 1; op <= ops; op += 1) {
      for (const bytes of [0, 30]) {
        const flash = new SimFlash(small);
        let n = 0;
        flash.beforeOperation = (o) => (++n === op ? (o.kind === "write" ? Math.min(bytes, o.length - 1) : 0) : undefined);
        const cutAt = run(flash, T0, END);
        if (cutAt === END) continue;
        flash.beforeOperation = undefined;
        // The node restarts at the same reading (the one whose freeze was cut) and runs to the end.
        run(flash, cutAt, END);
        const k = new SnapshotKeeper({ ...logs(flash), billingDay: 3 });
        for (const kind of [SnapshotKind.DAILY, SnapshotKind.BILLING]) {
          const got = collect(k, kind);
          const boundaries = got.map((s) => s.boundaryMs);
          // Each boundary once, in order, and the newest ones all there (the daily log keeps at least 2 × 15).
          for (let i = 1; i < boundaries.length; i++) expect(boundaries[i]! - boundaries[i - 1]!).toBeGreaterThanOrEqual(28 * DAY * (kind === SnapshotKind.BILLING ? 1 : 0) + (kind === SnapshotKind.DAILY ? DAY : 0));
          if (kind === SnapshotKind.DAILY) {
            expect(boundaries.length).toBeGreaterThanOrEqual(30);
            expect(boundaries[boundaries.length - 1]).toBe(T0 + 74 * DAY);
            for (let i = 1; i < boundaries.length; i++) expect(boundaries[i]! - boundaries[i - 1]!).toBe(DAY);
          } else {
            expect(boundaries.map((b) => new Date(b + 8 * HOUR).toISOString().slice(0, 10))).toEqual([
              "2026-03-03", "2026-04-03", "2026-05-03",
            ]);
          }
          // Every value is what the meter read at the first reading at or after the boundary (readings every 6 h).
          for (const s of got) expect(s.registerWh).toBe(reading(s.readAtMs));
          for (const s of got) expect(s.readAtMs - s.boundaryMs).toBeLessThan(6 * HOUR);
          let initial = 0;
          k.forEach(kind, (s) => (initial += s.flags & SnapshotFlag.INITIAL ? 1 : 0));
          expect(initial).toBe(kind === SnapshotKind.BILLING ? 1 : 0); // the daily log rotated its INITIAL out
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(2 * 75);
  });
});

describe("tamper events", () => {
  const events: string[] = [];
  const monitor = (o: Partial<ConstructorParameters<typeof TamperMonitor>[0]> = {}) => {
    events.length = 0;
    return new TamperMonitor({ whPerPulse: 1, onEvent: (k, raised, t, v) => events.push(`${k} ${raised ? "raised" : "cleared"} ${(t - T0) / MIN} ${v}`), ...o });
  };

  it("raises a magnet or cover event once per episode and clears it an hour after the last evidence", () => {
    const m = monitor();
    const counts = [3, 3, 4, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6];
    counts.forEach((c, i) => m.magnetCount(T0 + i * 15 * MIN, c));
    expect(events).toEqual([`${TamperKind.MAGNET} raised 30 4`, `${TamperKind.MAGNET} cleared 105 5`, `${TamperKind.MAGNET} raised 120 6`, `${TamperKind.MAGNET} cleared 180 6`]);
    events.length = 0;
    [false, true, true, false, true, false, false, false, false, false].forEach((open, i) => m.coverSwitch(T0 + i * 20 * MIN, open));
    expect(events).toEqual([`${TamperKind.COVER} raised 20 1`, `${TamperKind.COVER} cleared 140 0`]);
  });

  it("raises reverse energy and reverse flow once, from the registers' own steps", () => {
    const m = monitor();
    [0, 0, 5, 10, 10, 30, 30].forEach((wh, i) => m.reverseEnergy(T0 + i * HOUR, 1000 + wh));
    expect(events).toEqual([`${TamperKind.REVERSE_ENERGY} raised 180 10`]);
    events.length = 0;
    [100, 120, 119.5, 118, 117, 150].forEach((l, i) => m.waterVolume(T0 + i * HOUR, l));
    expect(events).toEqual([`${TamperKind.REVERSE_FLOW} raised 180 2`]);
  });

  it("judges pulses against the register over windows: no alarm within quantisation, one alarm when pulses go missing, cleared when they agree again", () => {
    const m = monitor();
    const meter = new Meter((t) => 200 + 1800 * (Math.floor((t - T0) / (7 * MIN)) % 2));
    let lost = 0;
    let lastPulses = 0;
    for (let t = T0; t < T0 + 30 * HOUR; t += 5 * MIN) {
      meter.advanceTo(t);
      const p = meter.pulses();
      // From hour 10 to hour 16 one pulse in ten never reaches the input (a loose S0 wire).
      if (t >= T0 + 10 * HOUR && t < T0 + 16 * HOUR) lost += Math.floor((p - lastPulses) / 10);
      lastPulses = p;
      m.energy(t, meter.register(), p - lost);
    }
    const mismatch = events.filter((e) => e.startsWith(`${TamperKind.PULSE_MISMATCH} `));
    expect(mismatch.length).toBe(2);
    expect(mismatch[0]).toMatch(/^4 raised (66\d|67\d|68\d|69\d|7\d\d) -/);
    expect(mismatch[1]).toMatch(/^4 cleared/);
    expect(m.windowsJudged).toBeGreaterThan(20);
    // Quantisation alone: a long run of agreeing windows never raises.
    const q = monitor();
    const meter2 = new Meter((t) => 37 + 3000 * (Math.floor((t - T0) / (13 * MIN)) % 3 === 0 ? 1 : 0));
    for (let t = T0; t < T0 + 20 * DAY; t += 15 * MIN) {
      meter2.advanceTo(t);
      q.energy(t, meter2.register(), meter2.pulses());
    }
    expect(events).toEqual([]);
    expect(q.windowsJudged).toBeGreaterThan(200);
  });

  it("drops a window the pulse count broke in rather than calling it tamper", () => {
    const m = monitor();
    m.energy(T0, 10_000, 500);
    m.pulsesLost();
    m.energy(T0 + 2 * HOUR, 11_000, 0);
    m.energy(T0 + 4 * HOUR, 12_000, 1000);
    expect(m.windowsDropped).toBe(1);
    expect(m.windowsJudged).toBe(1);
    expect(m.lastDifferenceWh).toBe(0);
    expect(events).toEqual([]);
  });
});
