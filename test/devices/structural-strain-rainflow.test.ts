/**
 * Rainflow counting (devices/structural-strain/rainflow.ts) against counts published by others:
 * - ASTM E1049-85 (2017) §5.4.4, Fig. 6 / its rainflow cycle table: the sequence −2, 1, −3, 5, −1, 3, −4, 4, −2
 *   counts range 3: 0.5, 4: 1.5, 6: 0.5, 8: 1.0, 9: 0.5 cycles (10, 7 and 5: none);
 * - the `rainflow` Python package (iamlikeme/rainflow, tests/test_rainflow.py): the same sequence with 0 at both
 *   ends, counted with both ends as reversals, gives its cycles in the order 0.5, 0.5, 0.5, 1.0, 0.5, 0.5, 0.5,
 *   0.5, 0.5 with means −1.0, −0.5, −1.0, 1.0, 1.0, 0.5, 0.0, 1.0, −1.0;
 * - a-ma72/rainflow (test/rfc_test.c, RFC_small_example; four-point method, 6 classes of width 1 from 0.5,
 *   hysteresis 1): 2,5,3,6,2,4,1,6,1,4,1,5,3,6,3,6,1,5,2 closes 7 cycles — 5→3 twice, 6→3, 1→4, 2→4, 1→6 twice —
 *   and leaves the residue 2, 6, 1, 5, 2. The standard's three-point method with half cycles, as here, counts the
 *   same ranges once the four-point residue is counted as half cycles.
 * And, against an offline four-point count written below, random histories sampled densely; the stack bound.
 */
import { describe, expect, it } from "vitest";
import { Rainflow, cyclesPerBin } from "../../devices/structural-strain/rainflow.js";
import { Rng } from "../../simulator/core/rng.js";

/** Unit classes centred on the integers −10 … 9 (class c holds c − 10). */
const unitClasses = (gate = 1) => new Rainflow({ classes: 20, classWidth: 1, offset: -10.5, gate });

function counted(r: Rainflow): Record<number, number> {
  const out: Record<number, number> = {};
  r.halfCycles.forEach((h, k) => {
    if (h) out[k] = h / 2;
  });
  return out;
}

function record(r: Rainflow): [number, number, number][] {
  const cycles: [number, number, number][] = [];
  r.onCycle = (from, to, count) => cycles.push([from, to, count]);
  return cycles;
}

/** The history drawn through its points with `steps` samples per segment (a half-cosine between them). */
function dense(points: readonly number[], steps: number): number[] {
  const out: number[] = [points[0]!];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    for (let s = 1; s <= steps; s++) out.push(a + ((b - a) * (1 - Math.cos((Math.PI * s) / steps))) / 2);
  }
  return out;
}

const ASTM_FIG6 = [-2, 1, -3, 5, -1, 3, -4, 4, -2];

describe("rainflow (ASTM E1049 §5.4.4)", () => {
  it("counts the standard's Fig. 6 example as its table says", () => {
    const r = unitClasses();
    const cycles = record(r);
    for (const x of ASTM_FIG6) r.push(x);
    r.flush();
    expect(counted(r)).toEqual({ 3: 0.5, 4: 1.5, 6: 0.5, 8: 1.0, 9: 0.5 });
    // The rules' order: two half cycles off the start, the cycle −1…3, the half −3…5, then the residue's halves.
    expect(cycles).toEqual([
      [-2, 1, 0.5],
      [1, -3, 0.5],
      [-1, 3, 1],
      [-3, 5, 0.5],
      [5, -4, 0.5],
      [-4, 4, 0.5],
      [4, -2, 0.5],
    ]);
  });

  it("gives the same counts from the history sampled between its peaks and valleys, and with held values", () => {
    const r = unitClasses();
    for (const x of dense(ASTM_FIG6, 37)) r.push(x);
    r.flush();
    expect(counted(r)).toEqual({ 3: 0.5, 4: 1.5, 6: 0.5, 8: 1.0, 9: 0.5 });
    const held = unitClasses();
    for (const x of ASTM_FIG6) {
      held.push(x);
      held.push(x);
    }
    held.flush();
    expect(counted(held)).toEqual(counted(r));
  });

  it("matches the rainflow Python package's published cycles, order and means (both ends as reversals)", () => {
    const r = unitClasses();
    const cycles = record(r);
    for (const x of [0, ...ASTM_FIG6, 0]) r.push(x);
    r.flush();
    expect(cycles.map((c) => c[2])).toEqual([0.5, 0.5, 0.5, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(cycles.map((c) => (c[0] + c[1]) / 2)).toEqual([-1.0, -0.5, -1.0, 1.0, 1.0, 0.5, 0.0, 1.0, -1.0]);
  });

  it("matches a-ma72/rainflow's small example: its 7 closed cycles plus its residue as half cycles", () => {
    // 6 classes of width 1 from 0.5 (class k holds the value k + 1); hysteresis 1 there: a reversal must exceed one
    // class width, which on these whole numbers is a gate of 2 classes.
    const r = new Rainflow({ classes: 6, classWidth: 1, offset: 0.5, gate: 2 });
    for (const x of [2, 5, 3, 6, 2, 4, 1, 6, 1, 4, 1, 5, 3, 6, 3, 6, 1, 5, 2]) r.push(x);
    // a-ma72's closed cycles by range: 5→3 ×2, 2→4 → range 2: 3; 6→3, 1→4 → range 3: 2; 1→6 ×2 → range 5: 2.
    const closed: Record<number, number> = { 2: 3, 3: 2, 5: 2 };
    // Its residue 2, 6, 1, 5, 2 as half cycles: ranges 4, 5, 4, 3.
    const residue = [2, 6, 1, 5, 2];
    const want: Record<number, number> = { ...closed };
    for (let i = 1; i < residue.length; i++) {
      const k = Math.abs(residue[i]! - residue[i - 1]!);
      want[k] = (want[k] ?? 0) + 0.5;
    }
    r.flush();
    expect(counted(r)).toEqual(want);
    expect(want).toEqual({ 2: 3, 3: 2.5, 4: 1, 5: 2.5 });
  });

  it("leaves reversals inside the gate out, and keeps counting across flushes until the counts are reset", () => {
    // A 3 Hz vibration of ±10 classes with a dither of about one class on every sample: gate 2 sees only the
    // vibration (ranges of 19–21 classes, and the half cycle from the start at 0), gate 1 the dither too.
    const signal = (i: number) => 10 * Math.sin((2 * Math.PI * 3 * i) / 100) + (i % 2 ? 0.6 : -0.6);
    const r = new Rainflow({ classes: 64, classWidth: 1, offset: -32, gate: 2 });
    const fine = new Rainflow({ classes: 64, classWidth: 1, offset: -32, gate: 1 });
    for (let i = 0; i <= 1000; i++) {
      r.push(signal(i));
      fine.push(signal(i));
    }
    r.flush();
    fine.flush();
    const c = counted(r);
    const small = (h: Record<number, number>) => Object.entries(h).filter(([k]) => Number(k) < 10).reduce((a, [, n]) => a + n, 0);
    expect(small(c)).toBe(0);
    expect(small(counted(fine))).toBeGreaterThan(50);
    const large = Object.entries(c).filter(([k]) => Number(k) >= 19).reduce((a, [, n]) => a + n, 0);
    expect(large).toBeGreaterThanOrEqual(29);
    expect(large).toBeLessThanOrEqual(30.5);
    r.push(0);
    r.push(5);
    r.push(0);
    r.flush();
    expect(r.halfCycles[5]).toBe(2);
    r.resetCounts();
    expect(counted(r)).toEqual({});
  });

  it("clips values outside the classes into the edge classes and counts them", () => {
    const r = new Rainflow({ classes: 10, classWidth: 2, offset: -10 });
    for (const x of [0, 50, -50, 0]) r.push(x);
    r.flush();
    expect(r.clipped).toBe(2);
    expect(r.classOf(50)).toBe(9);
    expect(r.classOf(-50)).toBe(0);
    expect(counted(r)).toEqual({ 4: 0.5, 9: 0.5, 5: 0.5 });
  });

  it("holds at most classes − gate + 2 turning points, reached by a converging history", () => {
    for (const gate of [1, 3]) {
      const C = 16;
      const r = new Rainflow({ classes: C, classWidth: 1, offset: 0, gate });
      expect(r.capacity).toBe(C - gate + 2);
      // 0, 15, 1, 14, … : every swing smaller than the one before, down to the gate, then one swing across all.
      const points: number[] = [];
      for (let lo = 0, hi = C - 1; hi - lo >= gate; lo++, hi--) points.push(lo + 0.5, hi + 0.5);
      points.push(0.5);
      for (const x of points) r.push(x);
      expect(r.depth).toBe(C - gate + 1);
      r.flush();
      expect(r.deepest).toBe(r.capacity);
      expect(r.depth).toBe(0);
    }
  });

  it("counts long random histories as an offline four-point count of their turning points does, within the bound", () => {
    const rng = new Rng("rainflow-differential");
    for (let run = 0; run < 40; run++) {
      const C = 8 + rng.int(120);
      const gate = 1 + rng.int(3);
      // Turning points in class units, alternating, each swing at least the gate.
      const tps: number[] = [rng.int(C)];
      let up = rng.chance(0.5);
      while (tps.length < 300) {
        const last = tps[tps.length - 1]!;
        const room = up ? C - 1 - last : last;
        if (room < gate) {
          up = !up;
          continue;
        }
        const step = gate + rng.int(room - gate + 1);
        tps.push(up ? last + step : last - step);
        up = !up;
      }
      const r = new Rainflow({ classes: C, classWidth: 0.5, offset: -3, gate });
      for (const x of dense(tps.map((c) => -3 + (c + 0.5) * 0.5), 1 + rng.int(6))) r.push(x);
      r.flush();
      expect(counted(r), `run ${run}: ${C} classes, gate ${gate}`).toEqual(fourPoint(tps));
      expect(r.deepest).toBeLessThanOrEqual(r.capacity);
    }
  });

  it("groups the counts into reporting bins", () => {
    const half = new Uint32Array(10);
    half[1] = 4;
    half[2] = 1;
    half[5] = 2;
    half[9] = 6;
    expect(Array.from(cyclesPerBin(half, 3, new Float64Array(3)))).toEqual([2.5, 1, 3]);
    expect(Array.from(cyclesPerBin(half, 4, new Float64Array(2)))).toEqual([2.5, 4]);
    expect(() => cyclesPerBin(half, 0, new Float64Array(2))).toThrow("rainflow: classesPerBin must be a whole number ≥ 1, got 0");
  });

  it("rejects a configuration it cannot use, naming the field", () => {
    expect(() => new Rainflow({ classes: 1, classWidth: 1, offset: 0 })).toThrow("rainflow: classes must be a whole number from 2 to 4096, got 1");
    expect(() => new Rainflow({ classes: 8, classWidth: 0, offset: 0 })).toThrow("rainflow: classWidth must be a finite number > 0, got 0");
    expect(() => new Rainflow({ classes: 8, classWidth: 1, offset: NaN })).toThrow("rainflow: offset must be a finite number, got NaN");
    expect(() => new Rainflow({ classes: 8, classWidth: 1, offset: 0, gate: 8 })).toThrow("rainflow: gate must be a whole number of classes from 1 to 7, got 8");
    const r = unitClasses();
    r.push(NaN);
    r.push(Infinity);
    expect(r.turningPoints).toBe(0);
    expect(() => r.residue(0)).toThrow("rainflow: residue 0 is not open (depth 0)");
  });
});

/**
 * An offline count of a whole list of turning points: the four-point rule (min(B,C) ≥ min(A,D) and max(B,C) ≤
 * max(A,D): B–C is a cycle, remove B and C) over the list, the residue then counted as half cycles. Ranges in
 * classes → cycles.
 */
function fourPoint(points: readonly number[]): Record<number, number> {
  const out: Record<number, number> = {};
  const add = (k: number, n: number) => (out[k] = (out[k] ?? 0) + n);
  const res: number[] = [];
  for (const p of points) {
    res.push(p);
    while (res.length >= 4) {
      const [a, b, c, d] = res.slice(-4) as [number, number, number, number];
      if (Math.min(b, c) >= Math.min(a, d) && Math.max(b, c) <= Math.max(a, d)) {
        add(Math.abs(b - c), 1);
        res.splice(res.length - 3, 2);
      } else break;
    }
  }
  for (let i = 1; i < res.length; i++) add(Math.abs(res[i]! - res[i - 1]!), 0.5);
  return out;
}
