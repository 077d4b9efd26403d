import { describe, expect, it } from "vitest";
import type { Clock, TimerHandle, Timers } from "../../hal/host.js";
import { Engine, HOUR, MS } from "../../simulator/core/engine.js";
import { EngineClock, EngineTimers } from "../../simulator/core/timers.js";
import { Scheduler } from "../../runtime/scheduler.js";

/** Virtual-time host on the project's engine. Refuses repeat timers: the scheduler must not use them. */
function engineHost() {
  const engine = new Engine();
  const timers = new EngineTimers(engine);
  const clock = new EngineClock(engine, 0);
  const sets: Array<() => void> = [];
  let extraDelay = 0; // ms added to the next timer armed: the host firing late
  const timer: Timers = {
    set(cb, delay, repeat) {
      if (repeat !== undefined) throw new Error("scheduler used a repeat timer");
      sets.push(cb);
      const d = delay + extraDelay;
      extraDelay = 0;
      return timers.set(cb, d);
    },
    clear: (h) => timers.clear(h),
  };
  const ms = () => engine.now / MS;
  return {
    engine,
    timers,
    timer,
    clock,
    sets,
    ms,
    lateNext(byMs: number) {
      extraDelay = byMs;
    },
    runUntilMs: (t: number) => engine.runUntil(t * MS),
  };
}

/**
 * A hand-cranked host whose callbacks can take time (`busy`), as on a board: a timer armed at t with delay d is due
 * at t + d and fires when the CPU is free, possibly later. `ticks()` can be offset and wrapped like an MCU's signed
 * 32-bit `Time.ticks`.
 */
interface ManualTimer {
  due: number;
  seq: number;
  cb: () => void;
  cleared: boolean;
}

class ManualHost implements Timers, Clock {
  now = 0;
  tickOffset = 0;
  wrap32 = false;
  #seq = 0;
  #pending: ManualTimer[] = [];
  set(cb: () => void, delay: number, repeat?: number): TimerHandle {
    if (repeat !== undefined) throw new Error("scheduler used a repeat timer");
    const t: ManualTimer = { due: this.now + delay, seq: this.#seq++, cb, cleared: false };
    this.#pending.push(t);
    return t as unknown as TimerHandle;
  }
  clear(h: TimerHandle | undefined): void {
    if (h) (h as unknown as ManualTimer).cleared = true;
  }
  ticks(): number {
    const t = this.now + this.tickOffset;
    return this.wrap32 ? t | 0 : t;
  }
  microseconds(): number {
    return this.now * 1000;
  }
  unixMs(): number {
    return 0;
  }
  /** The running callback takes `ms` of CPU time. */
  busy(ms: number): void {
    this.now += ms;
  }
  run(until: number): void {
    for (;;) {
      this.#pending = this.#pending.filter((t) => !t.cleared);
      let next: ManualTimer | undefined;
      for (const t of this.#pending) if (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq)) next = t;
      if (!next || next.due > until) break;
      next.cleared = true;
      if (next.due > this.now) this.now = next.due;
      next.cb();
    }
    if (until > this.now) this.now = until;
  }
  get live(): number {
    return this.#pending.filter((t) => !t.cleared).length;
  }
}

describe("Scheduler.every", () => {
  it("runs 24 h at 250 ms with no drift: run k at k·250 ms, the 345 600th at 86 400 000 ms", () => {
    const h = engineHost();
    const s = new Scheduler(h.timer, h.clock);
    let off = 0;
    let lastAt = -1;
    const task = s.every(250, () => {
      lastAt = h.clock.ticks();
      if (lastAt !== (task.runs) * 250) off++;
    });
    h.runUntilMs(24 * 3600 * 1000);
    expect(h.engine.now).toBe(24 * HOUR);
    expect(task.runs).toBe(345_600);
    expect(lastAt).toBe(86_400_000);
    expect(off).toBe(0);
    expect(task.missed).toBe(0);
    expect(task.maxLatenessMs).toBe(0);
    // One one-shot timer per slot, all with the same preallocated callback.
    expect(h.sets.length).toBe(345_601);
    expect(new Set(h.sets).size).toBe(1);
  });

  it("keeps slots on the nominal grid with a non-zero phase and a start that is not at 0", () => {
    const h = engineHost();
    h.runUntilMs(1234);
    const s = new Scheduler(h.timer, h.clock);
    const at: number[] = [];
    s.every(1000, () => at.push(h.ms()), { phaseMs: 100 });
    h.runUntilMs(5000);
    expect(at).toEqual([1334, 2334, 3334, 4334]);
  });

  it("runs the first slot at once with phaseMs 0", () => {
    const h = engineHost();
    const s = new Scheduler(h.timer, h.clock);
    const at: number[] = [];
    s.every(500, () => at.push(h.ms()), { phaseMs: 0, name: "x" });
    h.runUntilMs(1600);
    expect(at).toEqual([0, 500, 1000, 1500]);
  });

  it("a host that fires late by less than a period: the slot runs late, later slots stay on the grid", () => {
    // The scheduler arms the next slot's timer before calling back, so lateNext() in run 3 hits the timer armed
    // in run 4 (at 1000 ms, for slot 1250): the host delivers it 90 ms late.
    const h2 = engineHost();
    const s2 = new Scheduler(h2.timer, h2.clock);
    const at2: number[] = [];
    const t2 = s2.every(250, () => {
      at2.push(h2.ms());
      if (t2.runs === 3) h2.lateNext(90);
    });
    h2.runUntilMs(2000);
    expect(at2).toEqual([250, 500, 750, 1000, 1340, 1500, 1750, 2000]);
    expect(t2.missed).toBe(0);
    expect(t2.maxLatenessMs).toBe(90);
    expect(t2.lastLatenessMs).toBe(0);
  });

  it("a host late by more than a period skips and counts the missed slots: no catch-up burst", () => {
    const h = engineHost();
    const s = new Scheduler(h.timer, h.clock);
    const at: number[] = [];
    const task = s.every(250, () => {
      at.push(h.ms());
      // Hits the timer armed in run 2 (at 500 ms, for slot 750): the host delivers it 1100 ms late, at 1850.
      if (task.runs === 1) h.lateNext(1100);
    });
    h.runUntilMs(2600);
    // 1850 − 750 = 1100 ms late: slots 750, 1000, 1250, 1500 are missed (4), slot 1750 runs at 1850 (one run),
    // then 2000, 2250, 2500 on the grid.
    expect(at).toEqual([250, 500, 1850, 2000, 2250, 2500]);
    expect(task.missed).toBe(4);
    expect(task.runs).toBe(6);
    expect(task.maxLatenessMs).toBe(1100);
    expect(task.lastLatenessMs).toBe(0);
  });

  it("a callback that overruns: slots it covered are missed, the next runs late, then back on the grid", () => {
    const host = new ManualHost();
    const s = new Scheduler(host, host);
    const at: number[] = [];
    const lateness: number[] = [];
    const task = s.every(100, () => {
      at.push(host.now);
      lateness.push(task.lastLatenessMs);
      if (task.runs === 3) host.busy(250); // the run at 300 ms takes until 550 ms
      if (task.runs === 6) host.busy(60); // the run at 600 ms takes until 660 ms: 700 is still on time
    });
    host.run(1000);
    // Run 4: the 400 slot's timer fires at 550 (150 ms late) → slot 400 missed, slot 500 runs at 550.
    expect(at).toEqual([100, 200, 300, 550, 600, 700, 800, 900, 1000]);
    expect(lateness).toEqual([0, 0, 0, 150, 0, 0, 0, 0, 0]);
    expect(task.missed).toBe(1);
    expect(task.maxLatenessMs).toBe(150);
  });

  it("an overrun shorter than a period makes the next slot late, not missed", () => {
    const host = new ManualHost();
    const s = new Scheduler(host, host);
    const at: number[] = [];
    const task = s.every(100, () => {
      at.push(host.now);
      if (task.runs === 2) host.busy(130); // run at 200 ends at 330
    });
    host.run(600);
    expect(at).toEqual([100, 200, 330, 400, 500, 600]);
    expect(task.missed).toBe(0);
    expect(task.maxLatenessMs).toBe(30);
  });

  it("survives the wrap of a signed 32-bit Time.ticks", () => {
    const host = new ManualHost();
    host.tickOffset = 2 ** 31 - 1000; // wraps to −2^31 1000 ms after boot
    host.wrap32 = true;
    const s = new Scheduler(host, host);
    const at: number[] = [];
    const task = s.every(300, () => at.push(host.now));
    host.run(2000);
    expect(at).toEqual([300, 600, 900, 1200, 1500, 1800]);
    expect(task.missed).toBe(0);
    expect(s.now()).toBe(2000);
  });

  it("a callback that throws does not end its task", () => {
    const h = engineHost();
    const errors: unknown[] = [];
    h.engine.onError = (e) => errors.push(e);
    const s = new Scheduler(h.timer, h.clock);
    const task = s.every(100, () => {
      if (task.runs === 2) throw new Error("boom");
    });
    h.runUntilMs(500);
    expect(errors.length).toBe(1);
    expect(task.runs).toBe(5);
  });

  it("rejects periods and phases that are not whole ms in range", () => {
    const h = engineHost();
    const s = new Scheduler(h.timer, h.clock);
    expect(() => s.every(0, () => {})).toThrow(RangeError);
    expect(() => s.every(2.5, () => {})).toThrow(RangeError);
    expect(() => s.every(100, () => {}, { phaseMs: -1 })).toThrow(RangeError);
    expect(() => s.every(2 ** 31, () => {})).toThrow(RangeError);
  });
});

describe("Task.setPeriod", () => {
  it("from inside the callback: the new period starts at that slot", () => {
    const h = engineHost();
    const s = new Scheduler(h.timer, h.clock);
    const at: number[] = [];
    const task = s.every(1000, () => {
      at.push(h.ms());
      if (task.runs === 3) task.setPeriod(250);
    });
    h.runUntilMs(4000);
    expect(at).toEqual([1000, 2000, 3000, 3250, 3500, 3750, 4000]);
    expect(task.periodMs).toBe(250);
    expect(task.missed).toBe(0);
  });

  it("shorter, between slots: no burst for grid points already past, the grid keeps its phase", () => {
    const h = engineHost();
    const s = new Scheduler(h.timer, h.clock);
    const at: number[] = [];
    const task = s.every(1000, () => at.push(h.ms()));
    h.engine.at(1600 * MS, () => task.setPeriod(250));
    h.runUntilMs(2600);
    // New grid from the last slot (1000): 1250 and 1500 are past at 1600, so the next is 1750.
    expect(at).toEqual([1000, 1750, 2000, 2250, 2500]);
    expect(task.missed).toBe(0);
    expect(task.maxLatenessMs).toBe(0);
  });

  it("longer, between slots: the next slot moves out to the new period from the last one", () => {
    const h = engineHost();
    const s = new Scheduler(h.timer, h.clock);
    const at: number[] = [];
    const task = s.every(1000, () => at.push(h.ms()));
    h.engine.at(1600 * MS, () => task.setPeriod(5000));
    h.runUntilMs(16_000);
    expect(at).toEqual([1000, 6000, 11_000, 16_000]);
    expect(h.timers.active).toBe(1);
  });

  it("before the first run: the first slot keeps its time", () => {
    const h = engineHost();
    const s = new Scheduler(h.timer, h.clock);
    const at: number[] = [];
    const task = s.every(1000, () => at.push(h.ms()), { phaseMs: 500 });
    h.engine.at(100 * MS, () => task.setPeriod(200));
    h.runUntilMs(1200);
    expect(at).toEqual([500, 700, 900, 1100]);
  });
});

describe("Task.stop and Scheduler.after", () => {
  it("stop from the callback and from outside; no timer is left behind", () => {
    const h = engineHost();
    const s = new Scheduler(h.timer, h.clock);
    const a = s.every(100, () => {
      if (a.runs === 3) a.stop();
    });
    const b = s.every(70, () => {});
    h.engine.at(500 * MS, () => b.stop());
    h.runUntilMs(2000);
    expect(a.runs).toBe(3);
    expect(a.active).toBe(false);
    expect(Number.isNaN(a.nextAtMs)).toBe(true);
    expect(b.runs).toBe(7); // 70 … 490
    expect(h.timers.active).toBe(0);
    expect(s.tasks.length).toBe(0);
    a.stop(); // twice is fine
  });

  it("stopAll stops every task", () => {
    const h = engineHost();
    const s = new Scheduler(h.timer, h.clock);
    const t1 = s.every(100, () => {});
    const t2 = s.every(300, () => {});
    const t3 = s.after(5000, () => {});
    h.runUntilMs(1000);
    s.stopAll();
    h.runUntilMs(10_000);
    expect([t1.runs, t2.runs, t3.runs]).toEqual([10, 3, 0]);
    expect(h.timers.active).toBe(0);
  });

  it("after runs once at its time; a stopped one never runs", () => {
    const h = engineHost();
    const s = new Scheduler(h.timer, h.clock);
    h.runUntilMs(40);
    const at: number[] = [];
    const once = s.after(1500, () => at.push(h.ms()));
    const never = s.after(1000, () => at.push(-1));
    expect(once.nextAtMs).toBe(1540);
    h.engine.at(900 * MS, () => never.stop());
    h.runUntilMs(10_000);
    expect(at).toEqual([1540]);
    expect(once.runs).toBe(1);
    expect(once.active).toBe(false);
    expect(never.runs).toBe(0);
    expect(() => once.setPeriod(10)).toThrow(TypeError);
    expect(h.timers.active).toBe(0);
  });
});
