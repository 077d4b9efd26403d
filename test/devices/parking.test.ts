/**
 * The parking sensor's algorithms on constructed signals (devices/parking/): the ATDA baseline tracks drift while
 * the bay is empty and never absorbs a parked car; the state machine's hysteresis (N samples above the high
 * threshold, M below the low one), its indifference to passing cars, departure to a changed empty field, the
 * stuck-state timeouts, re-calibration by downlink; the reporter's events and heartbeat. Portable: runs on V8 and XS.
 */
import { describe, expect, it } from "vitest";
import { AdaptiveBaseline } from "../../devices/parking/baseline.js";
import { BayState, ChangeReason, ParkingDetector } from "../../devices/parking/detector.js";
import { MessageKind, ParkingReporter, type ParkingEvent } from "../../devices/parking/report.js";
import { Rng } from "../../simulator/core/rng.js";

const EARTH = [29.9, 20.0, -30.4];
const MIN = 60_000;
const HOUR = 60 * MIN;

/** Drive a detector from `signal(t)` (µT offset from the Earth's field, per axis) with 0.2 µT noise, as it asks. */
function drive(det: ParkingDetector, from: number, to: number, signal: (t: number) => readonly number[], rng = new Rng("parking")): number {
  let t = from;
  let n = 0;
  while (t < to) {
    const s = signal(t);
    t += det.sample(EARTH[0]! + s[0]! + rng.normal(0, 0.2), EARTH[1]! + s[1]! + rng.normal(0, 0.2), EARTH[2]! + s[2]! + rng.normal(0, 0.2), t);
    n++;
  }
  return t;
}

function recorder() {
  const events: string[] = [];
  const det = new ParkingDetector({ onChange: (state, reason, at) => events.push(`${state === BayState.OCCUPIED ? "occupied" : "vacant"} ${reason} ${Math.round(at / 1000)}`) });
  return { det, events };
}

describe("adaptive baseline (ATDA)", () => {
  it("folds a sample in only once the holdSamples before it were quiet, and counts again after one that is not", () => {
    const b = new AdaptiveBaseline({ holdSamples: 3, tauMs: 1000, maxRateUtPerHour: 1e9 });
    b.update(0, 0, 0, 1000, true);
    expect(b.axis(0)).toBe(0);
    expect(b.update(10, 0, 0, 1000, true)).toBe(false);
    expect(b.update(10, 0, 0, 1000, true)).toBe(false);
    expect(b.update(10, 0, 0, 1000, false)).toBe(false); // the run of quiet samples starts again
    for (let i = 0; i < 3; i++) expect(b.update(20, 0, 0, 1000, true)).toBe(false);
    expect(b.quietRun).toBe(3);
    expect(b.update(20, 0, 0, 1000, true)).toBe(true); // three quiet ones before it
    // Single precision, as the baseline is kept across deep sleep.
    expect(b.axis(0)).toBe(Math.fround(20 * (1 - Math.exp(-1))));
  });

  it("follows drift while the bay is empty, at most maxRateUtPerHour", () => {
    const { det, events } = recorder();
    // 2.5 µT of drift over five hours on x, a step of 2 µT on y (a car parked next door) at hour 6.
    const end = drive(det, 0, 10 * HOUR, (t) => [(2.5 * Math.min(t, 5 * HOUR)) / (5 * HOUR), t > 6 * HOUR ? 2 : 0, 0]);
    expect(events).toEqual([]);
    expect(det.baseline.axis(0) - EARTH[0]!).toBeCloseTo(2.5, 0);
    expect(Math.abs(det.baseline.axis(1) - EARTH[1]! - 2)).toBeLessThan(0.3);
    expect(end).toBeGreaterThanOrEqual(10 * HOUR);
  });
});

describe("parking state machine", () => {
  const car = [4, -9, 12]; // |car| = 15.5 µT

  it("declares a parked car after N settled samples above the high threshold, keeps it out of the baseline for 10 hours of drift, and clears after M below the low one", () => {
    const { det, events } = recorder();
    const drift = (t: number) => 0.8 * Math.sin(t / (3 * HOUR)); // slow drift on every axis
    drive(det, 0, 2 * HOUR, (t) => [drift(t), drift(t), drift(t)]);
    const before = [det.baseline.axis(0), det.baseline.axis(1), det.baseline.axis(2)];
    // A car rolls in over 10 s, stands for 10 h, and leaves over 8 s.
    const arrive = 2 * HOUR;
    const leave = arrive + 10 * HOUR;
    const signal = (t: number) => {
      const f = t < arrive ? 0 : t < arrive + 10_000 ? (t - arrive) / 10_000 : t < leave ? 1 : t < leave + 8000 ? 1 - (t - leave) / 8000 : 0;
      return car.map((c) => c * f * f + drift(t));
    };
    const t1 = drive(det, 2 * HOUR, leave - MIN, signal);
    // Frozen while the car stood there: the baseline is where it was when the car came (the drift moved 1.2 µT).
    const during = [det.baseline.axis(0), det.baseline.axis(1), det.baseline.axis(2)];
    for (let i = 0; i < 3; i++) expect(Math.abs(during[i]! - before[i]!)).toBeLessThan(0.05);
    expect(Math.abs(drift(leave) - drift(arrive))).toBeGreaterThan(1);
    drive(det, t1, 14 * HOUR, signal);
    expect(events.length).toBe(2);
    const [a, d] = events.map((e) => e.split(" "));
    expect(a![0]).toBe("occupied");
    expect(Number(a![2])).toBeGreaterThan(arrive / 1000);
    expect(Number(a![2])).toBeLessThan(arrive / 1000 + 20);
    expect(d!.slice(0, 2)).toEqual(["vacant", String(ChangeReason.DEPARTURE)]);
    expect(Number(d![2])).toBeLessThan(leave / 1000 + 20);
    // Tracking again after it left.
    for (let i = 0; i < 3; i++) expect(Math.abs(det.baseline.axis(i) - EARTH[i]! - drift(14 * HOUR))).toBeLessThan(0.3);
    expect(det.arrivals).toBe(1);
    expect(det.departures).toBe(1);
  });

  it("ignores a car rolling over the sensor and cars driving by; needs N settled samples", () => {
    const { det, events } = recorder();
    drive(det, 0, HOUR, () => [0, 0, 0]);
    // 3 s at walking pace over the sensor: a big field that never stands still.
    const over = (t: number) => {
      const x = (t - HOUR) / 1000 - 1.5; // m, at 1 m/s
      return Math.abs(x) < 2 ? [40 * Math.cos(2 * x), 30 * Math.sin(3 * x), -50 * Math.exp(-x * x)] : [0, 0, 0];
    };
    drive(det, HOUR, 2 * HOUR, over);
    expect(events).toEqual([]);
    // A field that stands still above the threshold for 3 samples only, then goes back.
    const brief = (t: number) => (t >= 2 * HOUR + 10_000 && t < 2 * HOUR + 13_000 ? [0, 6, 0] : [0, 0, 0]);
    drive(det, 2 * HOUR, 3 * HOUR, brief);
    expect(events).toEqual([]);
  });

  it("holds occupied between the thresholds (hysteresis) and clears only after M samples below the low one", () => {
    const { det, events } = recorder();
    drive(det, 0, HOUR, () => [0, 0, 0]);
    // 5 µT arrives, sags to 2.5 µT (between low 2.2 and high 3.5) for an hour, then 1 µT for 4 s, then 0.
    const sig = (t: number) => {
      if (t < HOUR + 60_000) return [0, 5, 0];
      if (t < 2 * HOUR) return [0, 2.5, 0];
      if (t < 2 * HOUR + 4000) return [0, 1, 0];
      if (t < 3 * HOUR) return [0, 2.5, 0];
      return [0, 0, 0];
    };
    drive(det, HOUR, 4 * HOUR, sig);
    expect(events.map((e) => e.split(" ")[0])).toEqual(["occupied", "vacant"]);
    expect(Number(events[1]!.split(" ")[2])).toBeGreaterThanOrEqual(3 * 3600);
  });

  it("clears when the car leaves after the field next door changed, and learns the empty bay again", () => {
    const { det, events } = recorder();
    drive(det, 0, HOUR, () => [0, 0, 0]);
    // Our car (15.5 µT) from 1 h to 5 h; a car next door from 2 h on moves our sensor's field by 3 µT on x.
    const sig = (t: number) => {
      const nb = t >= 2 * HOUR ? 3 : 0;
      const own = t >= HOUR && t < 5 * HOUR ? 1 : 0;
      return [car[0]! * own + nb, car[1]! * own, car[2]! * own];
    };
    drive(det, HOUR, 7 * HOUR, sig);
    expect(events.map((e) => e.split(" ").slice(0, 2).join(" "))).toEqual([`occupied ${ChangeReason.ARRIVAL}`, `vacant ${ChangeReason.DEPARTURE_RELEARNT}`]);
    expect(det.baseline.axis(0) - EARTH[0]!).toBeCloseTo(3, 0);
  });

  // A car driving into or out of the bay passes over the sensor: tens of µT for a few seconds on its way, slowing
  // down to stop (the detector samples every 4 s while the bay is settled). A car in the next bay passes 1.5 m off
  // and strays the field by a few µT. `over(t0)`: such a pass starting at t0 (6 s, at 0.5 m/s).
  const over = (t0: number) => (t: number) => {
    const x = (t - t0) / 2000 - 1.5; // m
    return Math.abs(x) < 1.5 ? [20 * Math.cos(2 * x), 15 * Math.sin(3 * x), -60 * Math.exp(-4 * x * x)] : [0, 0, 0];
  };
  const add = (a: readonly number[], b: readonly number[]) => a.map((v, i) => v + b[i]!);

  it("reports a weak car (2 µT, below the low threshold) that drove over the sensor, coming and going; not the same field from next door", () => {
    const { det, events } = recorder();
    drive(det, 0, HOUR, () => [0, 0, 0]);
    const weak = [1.2, -0.5, 1.5]; // 2.0 µT settled
    const inAt = HOUR;
    const outAt = 3 * HOUR;
    const arrive = over(inAt);
    const leave = over(outAt);
    // The car's own field from the middle of its pass in to the middle of its pass out.
    drive(det, HOUR, 5 * HOUR, (t) => add(add(arrive(t), leave(t)), t >= inAt + 3000 && t < outAt + 3000 ? weak : [0, 0, 0]));
    expect(events.map((e) => e.split(" ").slice(0, 2).join(" "))).toEqual([`occupied ${ChangeReason.ARRIVAL}`, `vacant ${ChangeReason.DEPARTURE}`]);
    const [a, d] = events.map((e) => Number(e.split(" ")[2]));
    expect(a! - inAt / 1000).toBeLessThan(15);
    expect(d! - outAt / 1000).toBeLessThan(15);
    // The same settled field, from a car next door easing in (no pass over the sensor), and gone two hours later.
    const next = recorder();
    drive(next.det, 0, HOUR, () => [0, 0, 0]);
    drive(next.det, HOUR, 5 * HOUR, (t) => {
      const f = t < HOUR ? 0 : t < HOUR + 10_000 ? (t - HOUR) / 10_000 : t < 3 * HOUR ? 1 : t < 3 * HOUR + 10_000 ? 1 - (t - 3 * HOUR) / 10_000 : 0;
      return weak.map((v) => v * f);
    });
    expect(next.events).toEqual([]);
  });

  it("takes no car rolling over the sensor for an arrival after a car next door moved the field (it follows the neighbour within minutes)", () => {
    const { det, events } = recorder();
    drive(det, 0, HOUR, () => [0, 0, 0]);
    const nb = [1.8, -0.4, 1.6]; // 2.4 µT from next door, at 1 h; a car rolls over our empty sensor at 1 h 5 min
    const roll = over(HOUR + 5 * MIN);
    drive(det, HOUR, 3 * HOUR, (t) => add(roll(t), nb));
    expect(events).toEqual([]);
    // The baseline had not taken the neighbour in yet (it moves at most 1 µT an hour), the stood field had.
    expect(Math.abs(det.baseline.axis(0) - EARTH[0]! - nb[0]!)).toBeLessThan(1.5);
  });

  it("does not take the slowly decaying stray of a car turning into the next bay for a parked car", () => {
    const { det, events } = recorder();
    drive(det, 0, HOUR, () => [0, 0, 0]);
    // Up to 8 µT (below overUt), then down at 1.3 µT a second to 2.6 µT, where the neighbour stands.
    const end = [0.9, -0.5, 2.4];
    drive(det, HOUR, 2 * HOUR, (t) => {
      const s = (t - HOUR) / 1000;
      const size = s < 2 ? 4 * s : Math.max(2.6, 8 - 1.3 * (s - 2));
      return end.map((v) => (v * size) / 2.6);
    });
    expect(events).toEqual([]);
  });

  it("resolves stuck states: a long-standing field is taken for a changed empty bay after maxOccupiedMs; re-calibration by downlink", () => {
    const events: string[] = [];
    const det = new ParkingDetector({ maxOccupiedMs: 6 * HOUR, onChange: (s, r) => events.push(`${s} ${r}`) });
    drive(det, 0, HOUR, () => [0, 0, 0]);
    // Road works leave a steel plate over the sensor: 8 µT that never goes.
    drive(det, HOUR, 9 * HOUR, () => [0, 0, 8]);
    expect(events).toEqual([`${BayState.OCCUPIED} ${ChangeReason.ARRIVAL}`, `${BayState.VACANT} ${ChangeReason.TIMEOUT}`]);
    expect(det.occupied).toBe(false);
    // A car parks; the operator says the bay is empty (the sensor was reinstalled under it): recalibrate.
    drive(det, 9 * HOUR, 10 * HOUR, () => [0, 10, 8]);
    expect(det.occupied).toBe(true);
    det.recalibrate(10 * HOUR);
    expect(events[events.length - 1]).toBe(`${BayState.VACANT} ${ChangeReason.RECALIBRATED}`);
    expect(det.baseline.axis(1) - EARTH[1]!).toBeCloseTo(10, 0);
    drive(det, 10 * HOUR, 11 * HOUR, () => [0, 10, 8]);
    expect(det.occupied).toBe(false);
  });

  it("samples fast only while something changes", () => {
    const det = new ParkingDetector();
    const intervals: number[] = [];
    let t = 0;
    const rng = new Rng("intervals");
    while (t < 2 * HOUR) {
      const v = t > HOUR && t < HOUR + 30_000 ? 20 : 0;
      const dt = det.sample(EARTH[0]! + rng.normal(0, 0.2), EARTH[1]! + v + rng.normal(0, 0.2), EARTH[2]!, t);
      intervals.push(dt);
      t += dt;
    }
    const fast = intervals.filter((x) => x === 1000).length;
    expect(intervals.filter((x) => x === 4000).length).toBeGreaterThan(1700);
    expect(fast).toBeLessThan(60);
    expect(fast).toBeGreaterThan(10);
  });

  it("rejects thresholds that cannot work", () => {
    expect(() => new ParkingDetector({ lowUt: 4, highUt: 3 })).toThrow("parking detector: need 0 < lowUt < highUt, got 4 and 3");
    expect(() => new ParkingDetector({ arriveSamples: 0 })).toThrow("parking detector: arriveSamples must be a whole number in 1…8, got 0");
    expect(() => new ParkingDetector({ overUt: 3 })).toThrow("parking detector: need 0 < nearUt and overUt > highUt, got 1.3 and 3");
    // The baseline's quiet run shares its retained byte with the went-over flag.
    expect(() => new ParkingDetector({ baseline: { holdSamples: 200 } })).toThrow("parking detector: baseline holdSamples must be at most 126 (kept in 7 bits), got 200");
  });
});

describe("parking reports", () => {
  it("sends every change as an event at once, a heartbeat after silence, and counts what overflowed", () => {
    const r = new ParkingReporter({ heartbeatMs: 6 * HOUR, capacity: 3 });
    const ev: ParkingEvent = { seq: 0, state: 0, reason: 0, atMs: 0, deviationUt: 0 };
    expect(r.due(0)).toBe(MessageKind.HEARTBEAT); // nothing sent yet: say hello
    r.sent(0);
    expect(r.due(HOUR)).toBe(MessageKind.NONE);
    r.change(BayState.OCCUPIED, ChangeReason.ARRIVAL, HOUR, 15);
    expect(r.due(HOUR)).toBe(MessageKind.EVENT);
    expect(r.takeEvent(ev)).toBe(true);
    expect(ev).toEqual({ seq: 0, state: BayState.OCCUPIED, reason: ChangeReason.ARRIVAL, atMs: HOUR, deviationUt: 15 });
    r.sent(HOUR);
    expect(r.due(6 * HOUR)).toBe(MessageKind.NONE);
    expect(r.due(7 * HOUR)).toBe(MessageKind.HEARTBEAT);
    for (let i = 0; i < 5; i++) r.change(i % 2, ChangeReason.ARRIVAL + (i % 2), 2 * HOUR + i, i);
    expect([r.pending, r.dropped]).toEqual([3, 2]);
    const seqs: number[] = [];
    while (r.takeEvent(ev)) seqs.push(ev.seq);
    expect(seqs).toEqual([3, 4, 5]);
    expect(r.takeEvent(ev)).toBe(false);
  });
});
