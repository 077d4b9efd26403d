/**
 * The XS probe's bookkeeping (simulator/xs/inside/probe.ts) that needs no runner: cost histograms and the kinds of
 * work a device manifest defines. Portable: also runs inside XS (unit.test.ts).
 */
import { describe, expect, it } from "vitest";
import { CostHistogram, kindsFor } from "../../simulator/xs/inside/probe.js";

describe("CostHistogram", () => {
  it("gives the lower median, the max, the count and the total", () => {
    const h = new CostHistogram(16);
    for (const c of [5, 1, 9, 5, 7, 5, 2, 100]) h.add(c);
    expect(h.count).toBe(8);
    expect(h.total).toBe(134);
    expect(h.max).toBe(100);
    expect(h.median()).toBe(5); // sorted 1 2 5 5 5 7 9 100: the 4th value
    const even = new CostHistogram(16);
    for (const c of [1, 2, 3, 4]) even.add(c);
    expect(even.median()).toBe(2);
  });
  it("matches a sort on many repeated values", () => {
    const h = new CostHistogram(64);
    const all: number[] = [];
    let x = 12345;
    for (let i = 0; i < 5001; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const c = 2000 + (x % 40);
      all.push(c);
      h.add(c);
    }
    all.sort((a, b) => a - b);
    expect(h.median()).toBe(all[2500]);
    expect(h.max).toBe(all[5000]);
  });
  it("past its capacity, new values count in count, total and max but not in the median", () => {
    const h = new CostHistogram(2);
    for (const c of [10, 20, 30, 10]) h.add(c);
    expect(h.overflow).toBe(1);
    expect(h.count).toBe(4);
    expect(h.max).toBe(30);
    expect(h.median()).toBe(10);
  });
  it("an empty histogram has median 0", () => expect(new CostHistogram().median()).toBe(0));
});

describe("kindsFor", () => {
  it("start-up, report, one sample kind per sampling interval (groups sharing one merged), timer, io", () => {
    const kinds = kindsFor(600, { air: { intervalMs: 60_000 }, wind: { intervalMs: 250 }, rain: { intervalMs: 60_000 } });
    expect(kinds).toEqual([
      { name: "start-up", phase: "start-up" },
      { name: "report", phase: "report", periodMs: 600_000 },
      { name: "sample:air+rain", phase: "sample", periodMs: 60_000 },
      { name: "sample:wind", phase: "sample", periodMs: 250 },
      { name: "timer", phase: "timer" },
      { name: "io", phase: "io" },
    ]);
  });
  it("a sampling group on the reporting interval is the report", () => {
    expect(kindsFor(60, { air: { intervalMs: 60_000 } }).map((k) => k.name)).toEqual(["start-up", "report", "timer", "io"]);
  });
});
