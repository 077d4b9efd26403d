import { describe, expect, it } from "vitest";
import { Engine } from "../../simulator/core/engine.js";
import { EngineClock, EngineTimers } from "../../simulator/core/timers.js";
import { Scheduler } from "../../runtime/scheduler.js";
import { Sampler } from "../../runtime/sampler.js";

/** A sensor whose conversion takes `ms` of virtual time. */
function slowSensor(timers: EngineTimers, ms: number) {
  const s = {
    busy: false,
    conversions: 0,
    measure() {
      if (s.busy) throw new Error("measure() while busy: the sampler should not call it");
      s.busy = true;
      timers.set(() => {
        s.busy = false;
        s.conversions++;
      }, ms);
    },
  };
  return s;
}

describe("Sampler", () => {
  it("starts every sensor in each slot, on the drift-free grid", () => {
    const engine = new Engine();
    const timers = new EngineTimers(engine);
    const a = slowSensor(timers, 10);
    const b = slowSensor(timers, 15);
    const sampler = new Sampler(new Scheduler(timers, new EngineClock(engine, 0)), "air", 1000, [
      { name: "a", sensor: a },
      { name: "b", sensor: b },
    ]);
    engine.runUntil(60_000_000 + 20_000);
    expect(sampler.stats).toEqual({ slots: 60, started: 120, overlaps: 0 });
    expect(a.conversions).toBe(60);
    expect(b.conversions).toBe(60);
  });

  it("counts an overlap when a conversion outlasts the period, instead of restarting it", () => {
    const engine = new Engine();
    const timers = new EngineTimers(engine);
    const slow = slowSensor(timers, 2500); // 2.5 s conversions sampled every second
    const sampler = new Sampler(new Scheduler(timers, new EngineClock(engine, 0)), "slow", 1000, [{ name: "slow", sensor: slow }], 0);
    engine.runUntil(9_000_000);
    // Slots at 0…9 s: conversions start at 0, 3, 6, 9 s; the six slots in between overlap.
    expect(sampler.stats).toEqual({ slots: 10, started: 4, overlaps: 6 });
    expect(slow.conversions).toBe(3);
  });
});
