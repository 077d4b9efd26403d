/**
 * The cooperative work queue (runtime/work-queue.ts): a job's pieces run one per turn of the host's event loop, never
 * inside `add`, jobs one after another in the order queued, and whatever else is due on the host runs between two
 * pieces. On the project's virtual-time engine no time passes in a callback, so every piece runs at the instant its
 * job was queued; a host whose callbacks take time (a board) is the hand-cranked one below.
 */
import { describe, expect, it } from "vitest";
import type { TimerHandle, Timers } from "../../hal/host.js";
import { UplinkQueue } from "../../runtime/uplink.js";
import type { Link, LinkHandlers, LinkStats, SendDone, SendOptions } from "../../runtime/link/link.js";
import { WorkQueue, type Job } from "../../runtime/work-queue.js";
import { Engine, MS } from "../../simulator/core/engine.js";
import { EngineClock, EngineTimers } from "../../simulator/core/timers.js";

/** A job of `pieces` pieces, each logging `name:k` at the engine's time. */
function job(name: string, pieces: number, log: string[], engine?: Engine): Job & { done: number } {
  const j = {
    done: 0,
    step(): boolean {
      log.push(engine ? `${name}:${j.done}@${engine.now / MS}` : `${name}:${j.done}`);
      j.done++;
      return j.done < pieces;
    },
  };
  return j;
}

/** A host whose callbacks take CPU time (`busy`): a timer armed at t with delay d is due at t + d and runs, earliest
 * due first (ties in arming order), once the CPU is free, as Moddable runs due timers and interrupts on a board. */
class BusyHost implements Timers {
  now = 0;
  #seq = 0;
  #pending: { due: number; seq: number; cb: () => void; cleared: boolean }[] = [];
  set(cb: () => void, delay: number): TimerHandle {
    const t = { due: this.now + delay, seq: this.#seq++, cb, cleared: false };
    this.#pending.push(t);
    return t as unknown as TimerHandle;
  }
  clear(h: TimerHandle | undefined): void {
    if (h) (h as unknown as { cleared: boolean }).cleared = true;
  }
  run(until: number): void {
    for (;;) {
      const live = this.#pending.filter((t) => !t.cleared);
      if (live.length === 0) return;
      live.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = live[0]!;
      if (next.due > until) return;
      this.#pending = live.slice(1);
      if (next.due > this.now) this.now = next.due;
      next.cb();
    }
  }
}

describe("work queue", () => {
  it("runs a job's pieces on later turns, one per turn, all at the instant it was queued in virtual time", () => {
    const engine = new Engine();
    const timers = new EngineTimers(engine);
    const work = new WorkQueue(timers);
    const log: string[] = [];
    engine.runUntil(5 * MS);
    work.add(job("a", 3, log, engine));
    expect(log).toEqual([]); // never inside add
    expect(work.pending).toBe(1);
    engine.runUntil(100 * MS);
    expect(log).toEqual(["a:0@5", "a:1@5", "a:2@5"]);
    expect(work.pending).toBe(0);
    expect(work.counters()).toEqual({ workSteps: 3, workJobs: 1, workDeepest: 1 });
  });

  it("lets what is due on the host run between two pieces", () => {
    const engine = new Engine();
    const timers = new EngineTimers(engine);
    const work = new WorkQueue(timers);
    const log: string[] = [];
    // Something else that re-arms itself at once, as often as it can (a stand-in for a data-ready edge).
    let others = 0;
    const other = () => {
      log.push(`other:${others}`);
      if (++others < 3) timers.set(other, 0);
    };
    work.add(job("a", 3, log));
    timers.set(other, 0);
    engine.runUntil(1 * MS);
    expect(log).toEqual(["a:0", "other:0", "a:1", "other:1", "a:2", "other:2"]);
  });

  it("on a host whose callbacks take time, an edge that came during a piece runs before the next piece", () => {
    const host = new BusyHost();
    const work = new WorkQueue(host);
    const log: string[] = [];
    const piece = { k: 0 };
    work.add({
      step() {
        log.push(`piece:${piece.k}@${host.now}`);
        host.now += 4; // 4 ms of work
        return ++piece.k < 4;
      },
    });
    // Samples every 11 ms from t = 2: the first two fall due while a piece runs.
    const late: number[] = [];
    for (let t = 2; t < 40; t += 11) {
      host.set(() => {
        log.push(`sample@${host.now}`);
        late.push(host.now - t);
      }, t);
    }
    host.run(100);
    expect(log).toEqual(["piece:0@0", "sample@4", "piece:1@4", "piece:2@8", "piece:3@12", "sample@16", "sample@24", "sample@35"]);
    // No sample waits for more than the one piece it came during (4 ms), where the whole job would hold it 16.
    expect(Math.max(...late)).toBe(3);
  });

  it("runs jobs one after another in the order queued; a piece that throws ends only its job", () => {
    const engine = new Engine();
    const timers = new EngineTimers(engine);
    const work = new WorkQueue(timers);
    const log: string[] = [];
    work.add(job("a", 2, log));
    work.add({
      step(): boolean {
        log.push("bad");
        throw new Error("piece failed");
      },
    });
    work.add(job("c", 2, log));
    expect(work.pending).toBe(3);
    expect(() => engine.runUntil(1 * MS)).toThrow("piece failed");
    // The engine stopped at the throw (a host logs it and goes on): the rest still runs on the next turns.
    engine.runUntil(2 * MS);
    expect(log).toEqual(["a:0", "a:1", "bad", "c:0", "c:1"]);
    expect(work.counters()).toEqual({ workSteps: 5, workJobs: 3, workDeepest: 3 });
  });

  it("hands an uplink's frames to the link on a turn of their own when given, once per batch", () => {
    const engine = new Engine();
    const timers = new EngineTimers(engine);
    const work = new WorkQueue(timers);
    const sent: Uint8Array[] = [];
    const link: Link = {
      kind: "scripted",
      stats: { framesOut: 0, delivered: 0, failed: 0, bytesOut: 0, bytesIn: 0 } as LinkStats,
      maxPayload: 100,
      ready: true,
      send(payload: Uint8Array, _o: SendOptions, done: SendDone) {
        sent.push(payload);
        done(undefined);
      },
      start(_h: LinkHandlers) {},
      close() {},
    };
    const queue = new UplinkQueue({ link, clock: new EngineClock(engine, 0), capacity: 8, work });
    queue.enqueue(new Uint8Array([1]));
    queue.enqueue(new Uint8Array([2]));
    expect(sent).toEqual([]); // not inside enqueue
    expect(work.pending).toBe(1); // one pump for both
    engine.runUntil(1 * MS);
    expect(sent.map((p) => p[0])).toEqual([1, 2]);
    expect(queue.stats.acked).toBe(2);
    expect(work.counters().workSteps).toBe(1);
  });

  it("paced by samples: pieces run right after a sample, a few a sample, never on a timer while samples come", () => {
    const host = new BusyHost();
    const work = new WorkQueue(host);
    work.paceBySamples(34, 2);
    const log: string[] = [];
    const piece = { k: 0 };
    work.add({
      step() {
        log.push(`piece:${piece.k}@${host.now}`);
        host.now += 3; // 3 ms of work
        return ++piece.k < 5;
      },
    });
    // Samples every 11 ms from t = 2, each 2 ms of work, then the queue's turn.
    const late: number[] = [];
    for (let t = 2; t < 100; t += 11) {
      host.set(() => {
        late.push(host.now - t);
        log.push(`sample@${host.now}`);
        host.now += 2;
        work.afterSample();
      }, t);
    }
    host.run(200);
    expect(log.slice(0, 9)).toEqual(["sample@2", "piece:0@4", "piece:1@7", "sample@13", "piece:2@15", "piece:3@18", "sample@24", "piece:4@26", "sample@35"]);
    // Every sample on time: no piece started just before one.
    expect(Math.max(...late)).toBe(0);
    expect(work.pending).toBe(0);
    expect(work.counters()).toEqual({ workSteps: 5, workJobs: 1, workDeepest: 1 });
  });

  it("paced by samples: when no sample comes (the converter stopped), a timer runs the pieces, one each fallback period", () => {
    const engine = new Engine();
    const timers = new EngineTimers(engine);
    const work = new WorkQueue(timers);
    work.paceBySamples(34);
    const log: string[] = [];
    work.add(job("a", 3, log, engine));
    work.afterSample(); // one sample, then none
    engine.runUntil(200 * MS);
    // The sample ran the first piece at 0; the timer armed at 0 sees that sample and waits on (34), then runs one
    // piece a period.
    expect(log).toEqual(["a:0@0", "a:1@68", "a:2@102"]);
    expect(() => work.paceBySamples(0)).toThrow(RangeError);
    expect(() => work.paceBySamples(10, 1.5)).toThrow(RangeError);
  });
});
