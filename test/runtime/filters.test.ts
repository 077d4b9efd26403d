import { describe, expect, it } from "vitest";
import {
  Accumulator,
  Delta,
  Ema,
  Gust,
  Heartbeat,
  isValue,
  LinearCalibration,
  Median,
  MovingAverage,
  RunningWindow,
  Throttle,
  VectorMean,
} from "../../runtime/filters/index.js";
import { mulberry32 } from "../helpers/random.js";

/** Feed a series, collect the outputs. */
function run(f: { push(x: number): number }, xs: number[]): number[] {
  return xs.map((x) => f.push(x));
}

const rng = mulberry32;

describe("isValue", () => {
  it("NaN and ±Infinity are no value; 0 and negatives are", () => {
    expect([NaN, Infinity, -Infinity, 0, -0, -3.5, 1e300].map(isValue)).toEqual([false, false, false, true, true, true, true]);
  });
});

describe("MovingAverage", () => {
  it("averages the last n values; NaN is skipped and returns the current mean", () => {
    const m = new MovingAverage(3);
    expect(m.value).toBeNaN();
    expect(m.push(NaN)).toBeNaN();
    expect(run(m, [1, 2, 3, 4])).toEqual([1, 1.5, 2, 3]);
    expect(m.push(NaN)).toBe(3);
    expect(m.push(Infinity)).toBe(3);
    expect(m.push(11)).toBe(6); // (3 + 4 + 11) / 3
    expect(m.count).toBe(3);
    m.reset();
    expect(m.value).toBeNaN();
    expect(m.push(7)).toBe(7);
  });

  it("does not keep rounding residue after a huge value leaves the window", () => {
    const m = new MovingAverage(4);
    run(m, [1e16, 1, 1, 1, 1, 1, 1, 1]);
    expect(m.value).toBe(1);
  });

  it("rejects a window that is not a positive whole number", () => {
    expect(() => new MovingAverage(0)).toThrow(RangeError);
    expect(() => new MovingAverage(2.5)).toThrow(RangeError);
  });
});

describe("Median", () => {
  it("odd window: the middle value; a spike never gets through", () => {
    const m = new Median(5);
    expect(m.value).toBeNaN();
    // While filling: 1 → 1; 1,2 → 1.5; 1,2,100 → 2; 1,2,3,100 → 2.5; 1,2,3,4,100 → 3.
    expect(run(m, [1, 2, 100, 3, 4])).toEqual([1, 1.5, 2, 2.5, 3]);
    expect(m.push(5)).toBe(4); // window 2,100,3,4,5
    expect(m.push(NaN)).toBe(4);
    expect(m.push(6)).toBe(5); // window 100,3,4,5,6
    expect(m.push(7)).toBe(5); // window 3,4,5,6,7: the spike is gone
  });

  it("even window: the mean of the two middle values", () => {
    const m = new Median(4);
    expect(run(m, [4, 1, 3, 2])).toEqual([4, 2.5, 3, 2.5]);
    expect(m.push(10)).toBe(2.5); // 1,3,2,10 → (2 + 3) / 2
    expect(m.push(20)).toBe(6.5); // 3,2,10,20 → (3 + 10) / 2
    expect(m.push(-1)).toBe(6); // 2,10,20,-1 → (2 + 10) / 2
  });

  it("handles repeated values and matches a sort of the window on a random series", () => {
    const r = rng(7);
    for (const n of [1, 2, 3, 4, 7, 12]) {
      const m = new Median(n);
      const window: number[] = [];
      for (let i = 0; i < 500; i++) {
        const x = r() < 0.1 ? NaN : Math.floor(r() * 20) - 5; // many repeats and some gaps
        const out = m.push(x);
        if (Number.isNaN(x)) continue;
        window.push(x);
        if (window.length > n) window.shift();
        const s = [...window].sort((a, b) => a - b);
        const k = s.length;
        const want = k % 2 ? s[(k - 1) / 2]! : (s[k / 2 - 1]! + s[k / 2]!) / 2;
        expect(out).toBe(want);
      }
    }
  });
});

describe("Ema", () => {
  it("alpha 0.5 step response: 0, 0.5, 0.75, 0.875", () => {
    const e = new Ema(0.5);
    expect(e.value).toBeNaN();
    expect(run(e, [0, 1, 1, 1])).toEqual([0, 0.5, 0.75, 0.875]);
    expect(e.push(NaN)).toBe(0.875);
    expect(e.push(1)).toBe(0.9375);
  });

  it("the first value is taken as is", () => {
    expect(new Ema(0.1).push(42)).toBe(42);
  });

  it("time constant: α = 1 − e^(−Δt/τ); τ = 4 s at 1 s steps follows 1 − e^(−t/τ)", () => {
    const e = new Ema({ tauMs: 4000, sampleMs: 1000 });
    expect(e.alpha).toBeCloseTo(1 - Math.exp(-0.25), 15); // 0.2211992169…
    e.push(0);
    const out = run(e, [1, 1, 1, 1]);
    for (let k = 1; k <= 4; k++) expect(out[k - 1]).toBeCloseTo(1 - Math.exp(-k / 4), 14);
  });

  it("time constant: after τ the step response is 1 − 1/e, however small the steps", () => {
    for (const sampleMs of [100, 1000, 7500]) {
      const e = new Ema({ tauMs: 60_000, sampleMs });
      e.push(0);
      let y = 0;
      for (let t = 0; t < 60_000; t += sampleMs) y = e.push(1);
      expect(y).toBeCloseTo(1 - Math.exp(-1), 12);
    }
  });

  it("time constant with an explicit Δt, and NaN gaps adding to the next Δt", () => {
    const e = new Ema({ tauMs: 4000, sampleMs: 1000 });
    e.push(0);
    expect(e.push(1, 4000)).toBeCloseTo(1 - Math.exp(-1), 15);
    const g = new Ema({ tauMs: 4000, sampleMs: 1000 });
    g.push(0);
    expect(g.push(NaN)).toBe(0); // holds
    expect(g.push(1)).toBeCloseTo(1 - Math.exp(-0.5), 15); // Δt = 2000
    const z = new Ema({ tauMs: 0, sampleMs: 1000 }); // τ = 0: no smoothing
    z.push(3);
    expect(z.push(8)).toBe(8);
  });

  it("rejects alpha outside (0, 1]", () => {
    expect(() => new Ema(0)).toThrow(RangeError);
    expect(() => new Ema(1.5)).toThrow(RangeError);
    expect(() => new Ema(NaN)).toThrow(RangeError);
  });
});

describe("Delta", () => {
  it("absolute: passes a change ≥ threshold from the last value passed", () => {
    const d = new Delta(0.5);
    expect(run(d, [20, 20.3, 20.5, 20.9, 20.0, NaN, 19.6, 19.5])).toEqual([20, NaN, 20.5, NaN, 20, NaN, NaN, 19.5]);
    expect(d.last).toBe(19.5);
  });

  it("a change of exactly the threshold written in decimal passes (0.3 − 0.2 < 0.1 in binary)", () => {
    const d = new Delta(0.1);
    expect(run(d, [0.2, 0.3, 0.35])).toEqual([0.2, 0.3, NaN]);
  });

  it("relative: the change is measured against threshold · |last|", () => {
    const d = new Delta(0.1, { relative: true });
    expect(run(d, [100, 109, 110, 99, 90, -10, -10.5, -11])).toEqual([100, NaN, 110, 99, NaN, -10, NaN, -11]);
  });

  it("relative from 0: any non-zero value passes, no change never does", () => {
    const d = new Delta(0.1, { relative: true });
    expect(run(d, [0, 0, 0.001])).toEqual([0, NaN, 0.001]);
  });

  it("rebase and reset", () => {
    const d = new Delta(1);
    d.push(10);
    d.rebase(12);
    expect(d.push(12.5)).toBeNaN();
    expect(d.push(11)).toBe(11);
    d.reset();
    expect(d.push(11)).toBe(11);
    expect(() => new Delta(0)).toThrow(RangeError);
  });
});

describe("Throttle", () => {
  it("passes at most one value per interval; NaN does not use up the interval", () => {
    const t = new Throttle(1000);
    expect(t.push(1, 0)).toBe(1);
    expect(t.push(2, 500)).toBeNaN();
    expect(t.push(NaN, 1000)).toBeNaN();
    expect(t.push(3, 1000)).toBe(3);
    expect(t.push(4, 1999)).toBeNaN();
    expect(t.push(5, 2000)).toBe(5);
    expect(t.lastMs).toBe(2000);
    t.reset();
    expect(t.push(6, 2001)).toBe(6);
  });
});

describe("LinearCalibration", () => {
  it("gain and offset", () => {
    const c = new LinearCalibration(2, -1);
    expect(c.apply(3)).toBe(5);
    expect(c.push(-0.5)).toBe(-2);
    expect(c.apply(NaN)).toBeNaN();
  });

  it("two points: raw 100 at 0 °C and 900 at 100 °C", () => {
    const c = LinearCalibration.fromTwoPoints(100, 0, 900, 100);
    expect(c.gain).toBe(0.125);
    expect(c.offset).toBe(-12.5);
    expect(c.apply(500)).toBe(50);
    expect(c.apply(100)).toBe(0);
    expect(c.apply(900)).toBe(100);
    expect(c.apply(0)).toBe(-12.5);
  });

  it("two points given in either order give the same line; equal raw readings are refused", () => {
    const a = LinearCalibration.fromTwoPoints(1.2, 10, 3.4, 54);
    const b = LinearCalibration.fromTwoPoints(3.4, 54, 1.2, 10);
    expect(a.apply(2.3)).toBeCloseTo(32, 12); // gain 20, offset −14
    expect(b.apply(2.3)).toBeCloseTo(32, 12);
    expect(() => LinearCalibration.fromTwoPoints(5, 1, 5, 2)).toThrow(RangeError);
    expect(() => LinearCalibration.fromTwoPoints(NaN, 1, 5, 2)).toThrow(RangeError);
  });
});

describe("Heartbeat", () => {
  it("due before the first report, then after maxInterval of silence since the latest report", () => {
    const h = new Heartbeat(900_000);
    expect(h.due(0)).toBe(true);
    expect(h.nextDueMs).toBeNaN();
    h.sent(0);
    expect(h.due(899_999)).toBe(false);
    expect(h.due(900_000)).toBe(true);
    h.sent(600_000); // a report sent for a change also resets the silence
    expect(h.nextDueMs).toBe(1_500_000);
    expect(h.due(1_400_000)).toBe(false);
    expect(h.due(1_500_000)).toBe(true);
    h.reset();
    expect(h.due(1_500_001)).toBe(true);
  });

  it("with Delta: report on change of 0.5, or at least every 10 samples", () => {
    const delta = new Delta(0.5);
    const hb = new Heartbeat(10);
    const sent: Array<[number, number]> = [];
    const series = [20, 20.1, 20.2, 20.1, 20, 20.1, 20.2, 20.3, 20.2, 20.1, 20.2, 20.3, 20.9, 21, 21.1];
    series.forEach((x, t) => {
      const changed = delta.push(x);
      if (isValue(changed) || hb.due(t)) {
        sent.push([t, x]);
        hb.sent(t);
        delta.rebase(x);
      }
    });
    // t0 first value; t10 heartbeat (10 samples of silence); t12 20.9 is 0.7 above 20.2.
    expect(sent).toEqual([
      [0, 20],
      [10, 20.2],
      [12, 20.9],
    ]);
  });
});

describe("RunningWindow", () => {
  it("sum and mean over the last n samples, NaN until the window is full", () => {
    const w = new RunningWindow(3);
    expect(run(w, [1, 2, 3, 4])).toEqual([NaN, NaN, 2, 3]);
    expect(w.sum).toBe(9);
    expect(w.full).toBe(true);
  });

  it("a NaN takes its place in the window as a gap", () => {
    const strict = new RunningWindow(3);
    expect(run(strict, [1, 2, 3, NaN, 5, 6, 7])).toEqual([NaN, NaN, 2, NaN, NaN, NaN, 6]);
    const lax = new RunningWindow(3, { minValid: 2 });
    expect(run(lax, [1, 2, 3, NaN, 5, NaN, NaN, 8])).toEqual([NaN, 1.5, 2, 2.5, 4, NaN, NaN, NaN]);
    expect(lax.valid).toBe(1);
    expect(lax.sum).toBeNaN();
    expect(() => new RunningWindow(3, { minValid: 4 })).toThrow(RangeError);
  });

  it("matches a direct sum of the window on a long random series", () => {
    const r = rng(3);
    const w = new RunningWindow(12);
    const xs: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = r() * 30;
      xs.push(x);
      const m = w.push(x);
      if (i >= 11) {
        let s = 0;
        for (let j = i - 11; j <= i; j++) s += xs[j]!;
        expect(m).toBeCloseTo(s / 12, 12);
      }
    }
  });
});

describe("Gust (WMO 3 s running mean of 250 ms samples, peak over the period)", () => {
  /** 250 ms samples: `n` samples at `v` m/s. */
  const hold = (v: number, n: number) => new Array<number>(n).fill(v);

  it("a 2 s burst of 17 m/s in 5 m/s wind gives a 13 m/s gust, not 17", () => {
    const g = new Gust();
    // Best 3 s window: 8 samples at 17 and 4 at 5 → (136 + 20) / 12 = 13.
    for (const v of [...hold(5, 40), ...hold(17, 8), ...hold(5, 40)]) g.push(v);
    expect(g.peak).toBe(13);
    expect(g.mean).toBe(5);
  });

  it("a 4 s burst at 11 m/s: the 3 s gust is the burst speed", () => {
    const g = new Gust();
    for (const v of [...hold(4, 20), ...hold(11, 16), ...hold(4, 20)]) g.push(v);
    expect(g.peak).toBe(11);
  });

  it("over a 10 min period with a ramp: the peak is the best 12-sample mean", () => {
    const g = new Gust();
    const series: number[] = [];
    for (let i = 0; i < 2400; i++) series.push(i === 1000 ? 30 : 3 + ((i * 7) % 11) / 2); // a saw plus one spike
    for (const v of series) g.push(v);
    let best = -Infinity;
    for (let i = 11; i < series.length; i++) {
      let s = 0;
      for (let j = i - 11; j <= i; j++) s += series[j]!;
      best = Math.max(best, s / 12);
    }
    expect(g.peak).toBeCloseTo(best, 12);
  });

  it("resetPeriod forgets the peak but keeps the window; a gap makes the next 12 means NaN", () => {
    const g = new Gust();
    for (const v of hold(10, 12)) g.push(v);
    expect(g.peak).toBe(10);
    g.resetPeriod();
    expect(g.peak).toBeNaN();
    expect(g.push(22)).toBe(11); // (11 · 10 + 22) / 12: the window spans the period boundary
    expect(g.peak).toBe(11);
    expect(g.push(NaN)).toBeNaN();
    for (let i = 0; i < 11; i++) expect(g.push(40)).toBeNaN();
    expect(g.push(40)).toBe(40);
    expect(g.peak).toBe(40);
  });
});

describe("Accumulator", () => {
  it("count, sum, mean, min, max, last and missing; reset starts over", () => {
    const a = new Accumulator();
    expect([a.count, a.mean, a.min, a.max, a.last]).toEqual([0, NaN, NaN, NaN, NaN]);
    for (const x of [3, NaN, 1, 4, 1, 5]) a.push(x);
    expect(a.count).toBe(5);
    expect(a.missing).toBe(1);
    expect(a.sum).toBe(14);
    expect(a.mean).toBe(2.8);
    expect(a.min).toBe(1);
    expect(a.max).toBe(5);
    expect(a.last).toBe(5);
    a.push(NaN);
    expect(a.last).toBe(5);
    a.reset();
    expect([a.count, a.missing, a.sum, a.mean, a.min, a.max, a.last]).toEqual([0, 0, 0, NaN, NaN, NaN, NaN]);
    a.push(-2);
    expect([a.min, a.max, a.mean]).toEqual([-2, -2, -2]);
  });
});

/** Smallest angle between two directions in degrees. */
function angDiff(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
}

describe("VectorMean", () => {
  it("350° and 10° average to 0°, not 180°", () => {
    const v = new VectorMean();
    v.push(350);
    v.push(10);
    expect(v.mean).toBe(0);
    expect(v.resultant).toBeCloseTo(Math.cos((10 * Math.PI) / 180), 12);
  });

  it("hand-computed means", () => {
    const cases: Array<[number[], number]> = [
      [[90, 180], 135],
      [[270, 300, 330], 300],
      [[-10, 370], 0],
      [[359, 3], 1],
      [[0, 0, 90], (Math.atan2(1, 2) * 180) / Math.PI], // 26.565…°
      [[180, 190], 185],
    ];
    for (const [dirs, want] of cases) {
      const v = new VectorMean();
      for (const d of dirs) v.push(d);
      expect(angDiff(v.mean, want)).toBeLessThan(1e-9);
      expect(v.mean).toBeGreaterThanOrEqual(0);
      expect(v.mean).toBeLessThan(360);
    }
  });

  it("speed-weighted: 0° at 1 m/s and 90° at 3 m/s point at atan(3) ≈ 71.565°", () => {
    const v = new VectorMean();
    v.push(0, 1);
    v.push(90, 3);
    expect(v.mean).toBeCloseTo((Math.atan2(3, 1) * 180) / Math.PI, 9);
    // Unweighted, the same two directions give 45°.
    const u = new VectorMean();
    u.push(0);
    u.push(90);
    expect(u.mean).toBeCloseTo(45, 9);
  });

  it("opposite directions cancel: no mean; calm and NaN samples are handled", () => {
    const v = new VectorMean();
    v.push(0);
    v.push(180);
    expect(v.mean).toBeNaN();
    const c = new VectorMean();
    expect(c.mean).toBeNaN();
    c.push(123, 0); // calm: counted, no direction
    expect(c.mean).toBeNaN();
    expect(c.resultant).toBeNaN();
    c.push(NaN);
    c.push(45, NaN);
    c.push(45, -1);
    c.push(200, 2);
    expect(c.count).toBe(2);
    expect(c.missing).toBe(3);
    expect(c.mean).toBeCloseTo(200, 9);
    c.reset();
    expect([c.count, c.missing, c.mean]).toEqual([0, 0, NaN]);
  });
});
