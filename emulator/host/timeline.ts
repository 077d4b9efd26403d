/**
 * The emulated run replayed on a board's clock (board-timing.ts), in the best and the worst case: when each event's
 * handler would have started and ended, from what the emulation measured (the order of events, when each was due,
 * and how many instructions the device and its provider ran in it: emulator/image/modes.ts) and nothing else.
 *
 * Per event, in the order the image dispatched them (the device's own order, by due time):
 * - when it is due on the board: an interrupt (an edge, a connection's data, a radio's DIO line) when it happened;
 *   a timer when the RTOS fires it (`rtos` below), on its tick. A wait that another event's handler started (a
 *   sensor's conversion, a radio's RX window after TxDone) counts from the instant that handler armed it on the
 *   board, so a late handler makes a late wait; a timer re-armed by its own firing, or armed at boot, keeps the
 *   device's own schedule (the runtime's scheduler computes each delay from the device's clock towards a fixed
 *   slot, so it lands there however late it was armed) — the image cannot tell which a device meant, this is the
 *   rule;
 *   what the network delivers is due when the simulator delivered it, but not before the end of the handler after
 *   which the broker answered (the recording posts it after that many device callbacks);
 *   a line a part drives in answer to the device's SPI command (a transceiver's BUSY falling when the command is done,
 *   DIO1 rising at TxDone) is due as long after the command's transfer ended on the board as it was after the command
 *   in the simulation: a late SetTx makes a late TxDone;
 * - one CPU runs one handler at a time: when it is free, of the events due by then the earliest due runs next
 *   (Moddable runs due timers and queued messages in that order, so the board's order can differ from the image's
 *   when arming shifted a timer); if none is due it sleeps until the next wake-up and pays the start-up time;
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

/** Options of the timeline beyond the board's clock. */
export interface TimelineOptions {
  /** The SPI clock of the device's transactions (`P` records), Hz: a command reaches the part once its bytes are out. */
  spiHz?: number;
}

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
  /** When it was due in the device's own schedule (the simulator's time), µs since reset. */
  dueUs: number;
  /** When the board had it due: an interrupt when it happened; a timer when its RTOS would fire it, counted from the
   * instant the device armed it on the board (a late handler's timers are late with it), in the RTOS's ticks. */
  boardDueUs: Pair;
  /** The event whose handler armed this timer (an index into `events`), or -1. */
  armedBy: number;
  startUs: Pair;
  endUs: Pair;
  /** start − board due: when the device's handler actually ran against when it was due on the board. */
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

/**
 * A Moddable timer on the RTOS's clock. Moddable's milliseconds are the tick count (nRF52: ticks × 1000 / 1024,
 * truncated; ESP32: ticks at 1000 Hz), a timer fires when that clock reaches `now + delay` taken when it was armed,
 * and a repeating one adds its interval to that (modules/base/timer/mc/timer.c): its trigger, in the clock's ms, is
 * the ms at arming plus the delay. It wakes the board on the first tick whose ms reaches it. The clock starts at the
 * device's boot (`origin`), where the simulator's virtual time does.
 */
export function rtos(origin: number, tickHz: number) {
  const tickUs = 1e6 / tickHz;
  return {
    /** The clock's milliseconds at `t`. */
    ms(t: number): number {
      return Math.floor((Math.floor((t - origin) / tickUs + 1e-9) * 1000) / tickHz + 1e-9);
    },
    /** When a trigger of `ms` is reached: its due time and the tick it fires on, µs since reset. */
    fire(ms: number): { due: number; wake: number } {
      return { due: origin + ms * 1000, wake: origin + Math.ceil((ms * tickHz) / 1000 - 1e-9) * tickUs };
    },
  };
}

/** The dispatch a record made inside a handler belongs to: due at `dueUs` (µs since reset, the record's virtual time
 * plus the image's origin) and running at `realUs`; -1 if none. */
export function dispatchAt(c: ImageConsole, dueUs: number, realUs: number): number {
  return c.dispatches.findIndex((x) => Math.abs(x.dueUs - dueUs) < 1 && x.start / TICKS_PER_US <= realUs && x.end / TICKS_PER_US >= realUs);
}

/** Device + provider instructions of a dispatch. */
export function workInstructions(d: Dispatch): number {
  return (d.deviceTicks + d.providerTicks) * INSTRUCTIONS_PER_TICK;
}

/** A binary heap of event indices ordered by `key`, then index. */
class Heap {
  readonly #items: number[] = [];
  readonly #key: (i: number) => number;
  constructor(key: (i: number) => number) {
    this.#key = key;
  }
  get size(): number {
    return this.#items.length;
  }
  #less(a: number, b: number): boolean {
    const ka = this.#key(a);
    const kb = this.#key(b);
    return ka < kb || (ka === kb && a < b);
  }
  push(i: number): void {
    const h = this.#items;
    h.push(i);
    for (let n = h.length - 1; n > 0; ) {
      const p = (n - 1) >> 1;
      if (!this.#less(h[n]!, h[p]!)) break;
      [h[n], h[p]] = [h[p]!, h[n]!];
      n = p;
    }
  }
  peek(): number | undefined {
    return this.#items[0];
  }
  pop(): number | undefined {
    const h = this.#items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      for (let n = 0; ; ) {
        const l = 2 * n + 1;
        const r = l + 1;
        let m = n;
        if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
        if (m === n) break;
        [h[n], h[m]] = [h[m]!, h[n]!];
        n = m;
      }
    }
    return top;
  }
}

export function timeline(c: ImageConsole, t: BoardTiming, o: TimelineOptions = {}): Timeline {
  const origin = Number(c.boot?.originUs ?? 0);
  const clock = rtos(origin, t.tickHz);
  const usPerInstruction: Pair = { fast: t.cpi.best / (t.coreHz / 1e6), slow: t.cpi.worst / (t.coreHz / 1e6) };
  const wakeUs: Pair = { fast: t.wakeUs.best, slow: t.wakeUs.worst };
  const events: EventTiming[] = [];
  const byDispatch = new Int32Array(c.dispatches.length).fill(-1);
  // The events that ran device code, in the image's order (the device's own: by due time).
  c.dispatches.forEach((d, index) => {
    const instructions = workInstructions(d);
    if (instructions <= 0) return;
    const label = c.streams.get(d.stream) ?? `stream ${d.stream}`;
    byDispatch[index] = events.length;
    const zero = (): Pair => ({ fast: 0, slow: 0 });
    events.push({
      index,
      stream: d.stream,
      label,
      source: wakeSourceOf(label),
      dueUs: d.dueUs,
      boardDueUs: zero(),
      armedBy: -1,
      startUs: zero(),
      endUs: zero(),
      latenessUs: zero(),
      instructions,
      woke: { fast: false, slow: false },
    });
  });
  // What must have run before an event is known on the board: the handler that armed a timer; for what the network
  // delivers, the last handler before the broker's answer was posted (the recording keeps that order).
  const waitsFor = new Int32Array(events.length).fill(-1);
  /** The last event at or before a dispatch that ran device code. */
  const eventAtOrBefore = (dispatch: number): number => {
    for (let d = dispatch; d >= 0; d--) if ((byDispatch[d] ?? -1) >= 0) return byDispatch[d]!;
    return -1;
  };
  // An SPI command's transfer time, by the device + provider ticks at which it began (the `P` record's).
  const transferUs = new Map<number, number>();
  if (o.spiHz) for (const p of c.spi) transferUs.set(p.work, (p.tx.length * 8 * 1e6) / o.spiHz);
  /** An interrupt answering a command: a network delivery names only the dispatch (work 0), a part's line the point. */
  const answersCommand = (d: Dispatch): boolean => d.armedWork > 0;
  events.forEach((e, i) => {
    const d = c.dispatches[e.index]!;
    if (d.armedIn < 0) return;
    if (e.source === "timer") e.armedBy = byDispatch[d.armedIn] ?? -1;
    else if (answersCommand(d)) e.armedBy = eventAtOrBefore(d.armedIn);
    waitsFor[i] = e.source === "timer" ? e.armedBy : eventAtOrBefore(d.armedIn);
  });
  const dependents: number[][] = events.map(() => []);
  waitsFor.forEach((w, i) => {
    if (w >= 0) dependents[w]!.push(i);
  });

  /** Where a point inside an event's handler falls, in one case. */
  const pointAt = (dispatch: number, work: number, k: keyof Pair): number | undefined => {
    const e = events[byDispatch[dispatch] ?? -1];
    const d = c.dispatches[dispatch];
    if (!e || !d) return undefined;
    return e.startUs[k] + Math.max(0, work - d.workBefore) * INSTRUCTIONS_PER_TICK * usPerInstruction[k];
  };

  const busy: Pair = { fast: 0, slow: 0 };
  const wakeups: Pair = { fast: 0, slow: 0 };
  for (const k of ["fast", "slow"] as const) {
    // One CPU, one handler at a time: of the events known and due by the time it is free, the earliest due runs
    // next (Moddable runs due timers and queued messages in that order); if none is due it sleeps until one is.
    const wake = new Float64Array(events.length);
    const known = (i: number): void => {
      const e = events[i]!;
      const d = c.dispatches[e.index]!;
      let due = e.dueUs;
      let at = e.dueUs;
      if (e.source === "timer") {
        // A wait another event's handler started (a conversion, a receive window) counts from the instant that
        // handler reached the `set` on the board. A timer re-armed by its own firing, or armed at boot, keeps the
        // device's own schedule: the runtime's scheduler computes each delay from the device's clock towards a
        // fixed slot (runtime/scheduler.ts), so on the board it lands on that slot however late it was armed; but
        // never before it was armed (the delay is never negative): a slot already past, or a piece of work re-armed
        // with no delay (runtime/work-queue.ts), fires at the instant its handler armed it, after whatever came due
        // while that handler ran.
        const arming = e.armedBy >= 0 ? events[e.armedBy]! : undefined;
        const relative = arming !== undefined && arming.stream !== e.stream && arming.label !== "boot";
        const armedAt = arming !== undefined ? pointAt(d.armedIn, d.armedWork, k) : undefined;
        // Moddable takes a timer's delay as whole milliseconds (xsmcToInteger in modules/base/timer/modTimer.c).
        const trigger = relative
          ? clock.ms(armedAt!) + Math.floor((d.dueUs - arming.dueUs) / 1000 + 1e-9)
          : Math.max((d.dueUs - origin) / 1000, armedAt === undefined ? -Infinity : clock.ms(armedAt));
        const fire = clock.fire(trigger);
        due = fire.due;
        at = fire.wake;
      } else if (waitsFor[i]! >= 0 && answersCommand(d)) {
        // The part answers the command as long after its transfer ended as it did in the simulation.
        const command = c.dispatches[d.armedIn]!;
        due = pointAt(d.armedIn, d.armedWork, k)! + (transferUs.get(d.armedWork) ?? 0) + (d.dueUs - command.dueUs);
        at = due;
      } else if (waitsFor[i]! >= 0) {
        // Delivered no earlier than the end of the handler after which the broker answered.
        due = Math.max(due, events[waitsFor[i]!]!.endUs[k]);
        at = due;
      }
      e.boardDueUs[k] = due;
      wake[i] = at;
      waiting.push(i);
    };
    const waiting = new Heap((i) => wake[i]!);
    const ready = new Heap((i) => events[i]!.boardDueUs[k]);
    events.forEach((_, i) => {
      if (waitsFor[i]! < 0) known(i);
    });
    let free = 0;
    while (waiting.size > 0 || ready.size > 0) {
      while (waiting.size > 0 && wake[waiting.peek()!]! <= free) ready.push(waiting.pop()!);
      let i = ready.pop();
      const e = i === undefined ? undefined : events[i];
      let start: number;
      if (i === undefined || !e) {
        i = waiting.pop()!;
        start = wake[i]! + (t.sleeps ? wakeUs[k] : 0);
        events[i]!.woke[k] = true;
        wakeups[k]++;
      } else start = free;
      const ev = events[i]!;
      const duration = ev.instructions * usPerInstruction[k];
      ev.startUs[k] = start;
      ev.endUs[k] = start + duration;
      ev.latenessUs[k] = start - ev.boardDueUs[k];
      free = ev.endUs[k];
      busy[k] += duration;
      for (const j of dependents[i]!) known(j);
    }
  }
  return {
    events,
    byDispatch,
    busyUs: busy,
    wakeups,
    at(dispatch: number, work: number): Pair | undefined {
      const fast = pointAt(dispatch, work, "fast");
      const slow = pointAt(dispatch, work, "slow");
      return fast === undefined || slow === undefined ? undefined : { fast, slow };
    },
  };
}
