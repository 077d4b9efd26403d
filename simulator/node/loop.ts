/**
 * The shell's run loop: steps the engine, stops whenever real I/O is pending (see tcp-bridge.ts), and yields to
 * Node's event loop regularly so socket events are delivered. Virtual time never waits for the wall clock
 * otherwise.
 */
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

/** Several gates as one: busy while any is, idle once all are. */
export function combineGates(...gates: IoGate[]): IoGate {
  return {
    get busy() {
      return gates.some((g) => g.busy);
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
