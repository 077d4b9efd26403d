/**
 * The emulated run replayed on a board's clock (board-timing.ts), in the best and the worst case: when each event's
 * handler would have started and ended, from what the emulation measured (the order of events, when each was due,
 * and how many instructions the device and its provider ran in it: emulator/image/modes.ts) and nothing else.
 *
 * Per event, in the order the image dispatched them (the device's own order, by due time):
 * - the CPU is free at F (the end of the event before). If F is not later than the event's due time the board was
 *   idle: a timer wakes it on the first tick of its RTOS at or after the due time, an interrupt (an edge, a
 *   connection's data, a radio's DIO line) at the due time itself, and either way the wake-up costs the start-up
 *   time; if F is later, the event was waiting and runs at F. The tick grid starts at the device's boot: on a board
 *   the RTOS tick count is the device's clock (Moddable's milliseconds are ticks), so a timer the device set for a
 *   whole number of ticks lands on one, and one set from an interrupt's arbitrary instant (a radio's TxDone) waits
 *   up to a tick;
 * - it runs (device + provider instructions) × cycles per instruction / core clock.
 * The emulator's own work (its event loop, the replay, its console records) is in neither: a board does not have it.
 *
 * Two cases: `fast` takes the low end of every range (cycles per instruction, wake-up), `slow` the high end. A
 * figure's bounds are the smaller and the larger of its two values (a faster CPU can be later: it went to sleep and
 * waits for the next tick where the slower one was still busy). Nothing here is random: both cases are functions of
 * the emulated run, itself the same every time under -icount.
 */
import type { Dispatch, ImageConsole } from "./console.js";
import type { BoardTiming } from "./board-timing.js";
import { NS_PER_INSTRUCTION } from "./qemu.js";

/** SysTick runs at 25 MHz in the image: 40 ns a tick, 2.5 instructions. */
export const TICKS_PER_US = 25;
export const INSTRUCTIONS_PER_TICK = 40 / NS_PER_INSTRUCTION;

/** The two cases. */
export interface Pair {
  fast: number;
  slow: number;
}

/** A figure's bounds over the two cases. */
export interface Bounds {
  low: number;
  high: number;
}

export function bounds(p: Pair): Bounds {
  return p.fast <= p.slow ? { low: p.fast, high: p.slow } : { low: p.slow, high: p.fast };
}

/** How a board learns an event is due: its RTOS tick (a timer), or an interrupt. */
export type WakeSource = "timer" | "interrupt";

/** Timers and the boot are on the tick grid; edges, socket traffic and radio lines are interrupts. */
export function wakeSourceOf(label: string): WakeSource {
  return label.startsWith("timer(") || label === "boot" ? "timer" : "interrupt";
}

/** One event as a board would have run it: when its handler was due and when it began and ended, µs since reset. */
export interface EventTiming {
  /** Index into the console's dispatches. */
  index: number;
  stream: number;
  label: string;
  source: WakeSource;
  dueUs: number;
  startUs: Pair;
  endUs: Pair;
  /** start − due: when the device's handler actually ran against when it was due. */
  latenessUs: Pair;
  /** Device and provider instructions the event ran. */
  instructions: number;
  /** Whether the board was asleep when it came due (in each case). */
  woke: { fast: boolean; slow: boolean };
}

export interface Timeline {
  events: EventTiming[];
  /** Index of each dispatch in `events` (-1: the event ran no device code and is not a board's). */
  byDispatch: Int32Array;
  /** Busy time of the device and provider, µs, and the number of wake-ups from sleep, per case. */
  busyUs: Pair;
  wakeups: Pair;
  /** When a point inside an event happened on the board: `work` is the device + provider ticks of the run at that
   * point (a `T` record's), µs since reset. */
  at(dispatch: number, work: number): Pair | undefined;
}

/** The first tick at or after `t`. The RTOS's tick count is the device's clock on a board (Moddable's milliseconds
 * are ticks), so the grid starts where the device's time does: at `origin`, its boot. */
function nextTick(t: number, origin: number, periodUs: number): number {
  const k = Math.ceil((t - origin) / periodUs - 1e-9);
  return origin + k * periodUs;
}

/** Device + provider instructions of a dispatch. */
export function workInstructions(d: Dispatch): number {
  return (d.deviceTicks + d.providerTicks) * INSTRUCTIONS_PER_TICK;
}

export function timeline(c: ImageConsole, t: BoardTiming): Timeline {
  const tick = 1e6 / t.tickHz;
  const origin = Number(c.boot?.originUs ?? 0);
  const usPerInstruction: Pair = { fast: t.cpi.best / (t.coreHz / 1e6), slow: t.cpi.worst / (t.coreHz / 1e6) };
  const wakeUs: Pair = { fast: t.wakeUs.best, slow: t.wakeUs.worst };
  const cases = ["fast", "slow"] as const;
  const free: Pair = { fast: 0, slow: 0 };
  const busy: Pair = { fast: 0, slow: 0 };
  const wakeups: Pair = { fast: 0, slow: 0 };
  const events: EventTiming[] = [];
  const byDispatch = new Int32Array(c.dispatches.length).fill(-1);
  c.dispatches.forEach((d, index) => {
    const instructions = workInstructions(d);
    if (instructions <= 0) return;
    const label = c.streams.get(d.stream) ?? `stream ${d.stream}`;
    const source = wakeSourceOf(label);
    const start: Pair = { fast: 0, slow: 0 };
    const end: Pair = { fast: 0, slow: 0 };
    const woke = { fast: false, slow: false };
    for (const k of cases) {
      const duration = instructions * usPerInstruction[k];
      if (free[k] <= d.dueUs) {
        const wake = source === "timer" ? nextTick(d.dueUs, origin, tick) : d.dueUs;
        start[k] = wake + (t.sleeps ? wakeUs[k] : 0);
        woke[k] = true;
        wakeups[k]++;
      } else start[k] = free[k];
      end[k] = start[k] + duration;
      free[k] = end[k];
      busy[k] += duration;
    }
    byDispatch[index] = events.length;
    events.push({
      index,
      stream: d.stream,
      label,
      source,
      dueUs: d.dueUs,
      startUs: start,
      endUs: end,
      latenessUs: { fast: start.fast - d.dueUs, slow: start.slow - d.dueUs },
      instructions,
      woke,
    });
  });
  return {
    events,
    byDispatch,
    busyUs: busy,
    wakeups,
    at(dispatch: number, work: number): Pair | undefined {
      const e = events[byDispatch[dispatch] ?? -1];
      const d = c.dispatches[dispatch];
      if (!e || !d) return undefined;
      const into = Math.max(0, work - d.workBefore) * INSTRUCTIONS_PER_TICK;
      return { fast: e.startUs.fast + into * usPerInstruction.fast, slow: e.startUs.slow + into * usPerInstruction.slow };
    },
  };
}
