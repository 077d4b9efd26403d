/**
 * The shell's run loops: they step the engine, stop whenever real I/O is pending (see tcp-bridge.ts), and yield to
 * Node's event loop regularly so socket events are delivered. Virtual time never waits for the wall clock
 * otherwise.
 *
 * `runEngine` runs one engine in time order. `runFleet` runs a fleet whose nodes do not meet in virtual time (each
 * talks only to the broker, over its own connections): each node on an engine of its own (a lane), in windows of
 * virtual time. Within a window it runs one node's events, then the next node's, so a node's state stays in the
 * CPU's caches for the whole window instead of being fetched again for every event, and a node that waits for the
 * broker waits alone while the others run. Every node's own events still run in (time, order) and its virtual
 * time still waits exactly for its real I/O, so what each node does is what it would do alone; nodes' frames are
 * put back in time order by the frame log. World events (the session's, a test's faults) run on their own engine
 * between windows, with every node at their time.
 */
import { SECOND } from "../core/engine.js";
import type { Engine, Micros } from "../core/engine.js";

export interface IoGate {
  readonly busy: boolean;
  idle(): Promise<void>;
}

export interface LoopProgress {
  virtualUs: Micros;
  untilUs: Micros;
  events: number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Run `engine` until virtual time `until`, honouring the I/O gate. Returns false when `signal` stopped it first
 * (Ctrl-C, or every node down): virtual time then stays where the last event left it.
 */
export async function runEngine(
  engine: Engine,
  gate: IoGate | undefined,
  until: Micros,
  onProgress?: (p: LoopProgress) => void,
  options: { eventsPerSlice?: number; progressEveryMs?: number; signal?: AbortSignal } = {},
): Promise<boolean> {
  const slice = options.eventsPerSlice ?? 5000;
  const every = options.progressEveryMs ?? 100;
  const signal = options.signal;
  let lastReport = 0;
  for (;;) {
    if (gate?.busy) {
      await gate.idle();
      continue;
    }
    // Stop only with no real I/O pending, so what was on the wire has landed in the tap.
    if (signal?.aborted) return false;
    let n = 0;
    let reached = false;
    while (n < slice) {
      if (signal?.aborted) break;
      if (!engine.step(until)) {
        reached = true;
        break;
      }
      n++;
      if (gate?.busy) break;
    }
    const wall = performance.now();
    if (onProgress && wall - lastReport >= every) {
      lastReport = wall;
      onProgress({ virtualUs: engine.now, untilUs: until, events: engine.executed });
    }
    if (reached && !gate?.busy) {
      // Nothing due before `until`: settle the clock there, but let late socket events land first.
      await yieldToEventLoop();
      if (gate?.busy) continue;
      if (engine.peek() <= until) continue;
      engine.runUntil(until);
      onProgress?.({ virtualUs: engine.now, untilUs: until, events: engine.executed });
      return true;
    }
    await yieldToEventLoop();
  }
}

/** One node's engine, and whether it waits for real I/O now (tcp-bridge.ts `BridgeLane`). */
export interface Lane {
  readonly engine: Engine;
  readonly busy: boolean;
}

export interface LaneGate extends IoGate {
  /** Resolves once some lane may have stopped waiting. */
  released(): Promise<void>;
}

export interface FleetOptions {
  /** Virtual time each node runs on its own before the next one does (default 10 s). */
  windowUs?: Micros;
  eventsPerSlice?: number;
  progressEveryMs?: number;
  signal?: AbortSignal;
}

/**
 * Run `lanes` and the `world` engine until virtual time `until`, each lane's virtual time waiting for its own real
 * I/O. Returns false when `signal` stopped it first: the world clock is then where the lane that saw it had got.
 */
export async function runFleet(
  world: Engine,
  lanes: readonly Lane[],
  gate: LaneGate,
  until: Micros,
  onProgress?: (p: LoopProgress) => void,
  options: FleetOptions = {},
): Promise<boolean> {
  const windowUs = options.windowUs ?? 10 * SECOND;
  const slice = options.eventsPerSlice ?? 5000;
  const every = options.progressEveryMs ?? 100;
  const signal = options.signal;
  const events = (): number => lanes.reduce((n, l) => n + l.engine.executed, world.executed);
  let lastReport = 0;
  let sinceYield = 0;
  // Every lane has run every event before `reached`, and its clock is there.
  let reached = world.now;
  for (;;) {
    while (world.step(reached)) sinceYield++;
    if (signal?.aborted) {
      // Stop only with no real I/O pending, so what was on the wire has landed in the tap.
      await gate.idle();
      return false;
    }
    const barrier = Math.min(reached + windowUs, world.peek(), until + 1);
    const clock = Math.min(barrier, until);
    let waiting: readonly Lane[] = lanes;
    for (;;) {
      const blocked: Lane[] = [];
      for (const lane of waiting) {
        if (!lane.busy) {
          const engine = lane.engine;
          while (engine.step(barrier - 1)) {
            sinceYield++;
            if (lane.busy || signal?.aborted) break;
          }
          if (signal?.aborted) {
            // Stopped by this lane's event (every node down) or from outside: the run ends at its time.
            world.advance(engine.now);
            await gate.idle();
            return false;
          }
        }
        if (lane.busy) blocked.push(lane);
        else lane.engine.advance(clock);
        // Yield every slice even in a long pass, so socket events (and the bridge's wall-clock limit for a hung
        // peer) are never held up by the other nodes' work.
        if (sinceYield >= slice) {
          sinceYield = 0;
          await yieldToEventLoop();
        }
      }
      if (blocked.length > 0) {
        await gate.released();
        await yieldToEventLoop();
        waiting = blocked;
        continue;
      }
      if (barrier <= until) break;
      // Before the clocks settle at `until`, let late socket events land: data that came for a lane is on its
      // engine at `until` now, and runs before the run (or this hour) ends.
      sinceYield = 0;
      await yieldToEventLoop();
      waiting = lanes.filter((l) => l.busy || l.engine.peek() < barrier);
      if (waiting.length === 0) break;
    }
    world.advance(clock);
    reached = barrier;
    const wall = performance.now();
    if (onProgress && wall - lastReport >= every) {
      lastReport = wall;
      onProgress({ virtualUs: clock, untilUs: until, events: events() });
    }
    if (barrier > until) {
      onProgress?.({ virtualUs: world.now, untilUs: until, events: events() });
      return true;
    }
  }
}

/** Several gates as one: busy while any is, idle once all are. */
export function combineGates(...gates: IoGate[]): IoGate {
  return {
    get busy() {
      for (const g of gates) if (g.busy) return true;
      return false;
    },
    async idle() {
      for (;;) {
        const g = gates.find((x) => x.busy);
        if (!g) return;
        await g.idle();
      }
    },
  };
}
