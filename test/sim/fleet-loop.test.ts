/**
 * The fleet loop (simulator/node/loop.ts `runFleet`) on plain engines, with the I/O gate played by the test: each
 * lane's events in time order, world events with every lane at their time, a lane that waits for I/O waiting alone
 * and getting its answer at its own virtual time, and every clock at `until` at the end.
 */
import { describe, expect, it } from "vitest";
import { Engine, SECOND } from "../../simulator/core/engine.js";
import { runFleet } from "../../simulator/node/loop.js";
import type { Lane, LaneGate } from "../../simulator/node/loop.js";

class TestLane implements Lane {
  readonly engine = new Engine();
  busy = false;
  readonly seen: number[] = [];
}

/** Lanes wait while the test says so; `release` ends a lane's wait as a socket's answer would. */
class TestGate implements LaneGate {
  readonly #lanes: TestLane[];
  #watchers: (() => void)[] = [];
  constructor(lanes: TestLane[]) {
    this.#lanes = lanes;
  }
  get busy(): boolean {
    return this.#lanes.some((l) => l.busy);
  }
  async idle(): Promise<void> {
    while (this.busy) await this.released();
  }
  released(): Promise<void> {
    return this.busy ? new Promise((resolve) => this.#watchers.push(resolve)) : Promise.resolve();
  }
  release(lane: TestLane, answer: () => void): void {
    lane.engine.at(lane.engine.now, answer);
    lane.busy = false;
    const w = this.#watchers;
    this.#watchers = [];
    for (const fn of w) fn();
  }
}

/** A lane that notes the virtual time of an event every `periodUs`, from `startUs`. */
function ticking(periodUs: number, startUs: number): TestLane {
  const lane = new TestLane();
  const tick = (): void => {
    lane.seen.push(lane.engine.now);
    lane.engine.after(periodUs, tick);
  };
  lane.engine.at(startUs, tick);
  return lane;
}

describe("runFleet", () => {
  it("runs each lane's events in time order, world events with every lane at their time, every clock at the end", async () => {
    const lanes = [ticking(700_000, 100_000), ticking(1_300_000, 0), ticking(250_000, 3)];
    const world = new Engine();
    const atWorld: { t: number; clocks: number[]; last: number[] }[] = [];
    for (const t of [5 * SECOND, 12_345_678, 30 * SECOND]) {
      world.at(t, () => atWorld.push({ t: world.now, clocks: lanes.map((l) => l.engine.now), last: lanes.map((l) => l.seen.at(-1)!) }));
    }
    const ok = await runFleet(world, lanes, new TestGate(lanes), 40 * SECOND, undefined, { windowUs: 3 * SECOND });
    expect(ok).toBe(true);
    for (const [i, [period, start]] of [
      [700_000, 100_000],
      [1_300_000, 0],
      [250_000, 3],
    ].entries()) {
      const expected: number[] = [];
      for (let t = start!; t <= 40 * SECOND; t += period!) expected.push(t);
      expect(lanes[i]!.seen).toEqual(expected);
    }
    // At each world event, every lane had run everything before it and nothing at or after it.
    expect(atWorld.map((w) => w.t)).toEqual([5 * SECOND, 12_345_678, 30 * SECOND]);
    for (const w of atWorld) {
      expect(w.clocks).toEqual([w.t, w.t, w.t]);
      for (const last of w.last) expect(last).toBeLessThan(w.t);
    }
    for (const l of lanes) expect(l.engine.now).toBe(40 * SECOND);
    expect(world.now).toBe(40 * SECOND);
  });

  it("holds a waiting lane at its virtual time while the others run on; its answer lands at that time", async () => {
    const waiting = new TestLane();
    const other = ticking(SECOND, 0);
    const gate = new TestGate([waiting, other]);
    const log: string[] = [];
    waiting.engine.at(2 * SECOND, () => {
      log.push(`request at ${waiting.engine.now}`);
      waiting.busy = true;
      // The "peer" answers only once the other lane has run to the end of the window (4 s).
      const answer = (): void => {
        if (other.engine.now < 4 * SECOND) {
          setImmediate(answer);
          return;
        }
        log.push(`other lane at ${other.engine.now} when the answer came`);
        gate.release(waiting, () => log.push(`answer at ${waiting.engine.now}`));
      };
      setImmediate(answer);
    });
    waiting.engine.at(2 * SECOND + 1, () => log.push(`next event at ${waiting.engine.now}`));
    await runFleet(new Engine(), [waiting, other], gate, 10 * SECOND, undefined, { windowUs: 4 * SECOND, eventsPerSlice: 1 });
    expect(log).toEqual([`request at ${2 * SECOND}`, `other lane at ${4 * SECOND} when the answer came`, `answer at ${2 * SECOND}`, `next event at ${2 * SECOND + 1}`]);
    expect(other.seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => s * SECOND));
    expect(waiting.engine.now).toBe(10 * SECOND);
  });

  it("stops at the virtual time of the event that aborted it", async () => {
    const stop = new AbortController();
    const lanes = [ticking(SECOND, 0), ticking(SECOND, 500_000)];
    lanes[1]!.engine.at(3_700_000, () => stop.abort());
    const world = new Engine();
    const ok = await runFleet(world, lanes, new TestGate(lanes), 60 * SECOND, undefined, { signal: stop.signal });
    expect(ok).toBe(false);
    expect(world.now).toBe(3_700_000);
    expect(lanes[1]!.seen.at(-1)).toBe(3_500_000);
  });
});
