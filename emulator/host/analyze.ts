/**
 * Figures from an emulated run's console, on a board's clock (timeline.ts): per event stream (a periodic timer, an
 * edge input, a connection) how late each handler started against its due time and how many instructions the
 * device ran in it; per sampling group of the device manifest, period jitter, lateness, missed slots and instructions per
 * cycle; CPU busy time; sample-to-uplink latency. Every time figure is a pair, the fast and the slow case of the
 * board model; instruction counts are the device's and its provider's, the emulator's own left out.
 */
import type { BoardTiming } from "./board-timing.js";
import type { Dispatch, ImageConsole } from "./console.js";
import { dispatchAt, INSTRUCTIONS_PER_TICK, TICKS_PER_US, timeline, workInstructions } from "./timeline.js";
import type { EventTiming, Pair, Timeline } from "./timeline.js";

export { INSTRUCTIONS_PER_TICK, TICKS_PER_US };

export interface Stats {
  count: number;
  mean: number;
  p99: number;
  max: number;
}

export function stats(values: readonly number[]): Stats {
  if (values.length === 0) return { count: 0, mean: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!;
  return { count: values.length, mean: values.reduce((a, b) => a + b, 0) / values.length, p99, max: sorted[sorted.length - 1]! };
}

/** The same statistics in each case of the board model. */
export interface PairStats {
  fast: Stats;
  slow: Stats;
}

function pairStats(items: readonly EventTiming[], value: (e: EventTiming, k: keyof Pair) => number): PairStats {
  return { fast: stats(items.map((e) => value(e, "fast"))), slow: stats(items.map((e) => value(e, "slow"))) };
}

export interface StreamFigures {
  stream: number;
  label: string;
  /** Most common interval between due times, ms (undefined for a stream that ran once). */
  periodMs: number | undefined;
  dispatches: number;
  /** Handler start − due on the board, µs. */
  latenessUs: PairStats;
  /** Device + provider instructions per dispatch. */
  instructions: Stats;
  /** µs per dispatch spent in XS's garbage collector (emulated). */
  gcUs: Stats;
  /** Slots (16 bytes) and chunk bytes allocated per dispatch, over the dispatches no collection interrupted. */
  allocatedSlots: Stats;
  allocatedChunkBytes: Stats;
  /** Dispatches that started a whole period or more late, in the slow case. */
  missed: number;
}

export interface GroupFigures {
  /** Sampling group name from the device manifest (or "report"). */
  group: string;
  periodMs: number;
  streams: string[];
  /** Slots: dispatches of the group's first stream. */
  slots: number;
  /** Period jitter of the group's slots in the run phase: |interval between two slots' starts − the period|, µs. A
   * constant lateness (the RTOS tick's phase against the device's milliseconds) is not jitter. */
  jitterUs: PairStats;
  /** Worst lateness (handler start − board due) in the run phase, and in the boot phase (start-up work, connecting), µs. */
  latenessMaxUs: Pair;
  bootLatenessMaxUs: Pair;
  /** Run-phase slots that started a period or more late (a slot missed on a real schedule). */
  missed: Pair;
  bootMissed: Pair;
  /** Device + provider instructions of one cycle: the group's streams' dispatches between two slots. */
  instructionsPerCycle: Stats;
}

export interface Analysis {
  timeline: Timeline;
  streams: StreamFigures[];
  groups: GroupFigures[];
  /** The device's and provider's busy time on the board over the run, %. */
  cpuBusyPercent: Pair;
  /** The device's own instructions and its provider's over the run, and the emulator's (harness). */
  instructions: { device: number; provider: number; harness: number };
  /** Write of each telemetry PUBLISH − board due time of the event that wrote it; on a radio link (`telemetryWrites`),
   * the write of each report's first frame − the report's board due time; on the board's clock, ms. */
  latencyMs: PairStats;
  /** Device + provider instructions of the dispatch that encoded and sent each telemetry frame. */
  reportInstructions: Stats;
  /** Emulated busy time spent in XS's garbage collector, %. */
  gcPercentOfBusy: number;
  /** The longest single dispatch's time in the collector, emulated µs. */
  gcMaxUs: number;
}

function mode(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const counts = new Map<number, number>();
  let best: number | undefined;
  let bestCount = 0;
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (n > bestCount) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}

/** Topic of an MQTT PUBLISH packet at the start of `b`, or undefined. */
export function publishTopic(b: Uint8Array): string | undefined {
  if (b.length < 4 || b[0]! >> 4 !== 3) return undefined;
  let i = 1;
  for (;;) {
    const d = b[i++];
    if (d === undefined) return undefined;
    if (!(d & 0x80)) break;
  }
  const tl = (b[i]! << 8) | b[i + 1]!;
  return Buffer.from(b.subarray(i + 2, i + 2 + tl)).toString("utf8");
}

export interface AnalyzeOptions {
  /** Sampling groups of the device manifest: name → interval ms. */
  sampling: Record<string, number>;
  reportIntervalS: number;
  /** Virtual µs of the run. */
  endUs: number;
  isTelemetry: (topic: string) => boolean;
  /** The board's clock (board-timing.ts). */
  timing: BoardTiming;
  /** SPI clock of the device's transactions with a part, Hz (timeline.ts). */
  spiHz?: number;
  /** The boot phase: events due in the first this many µs after boot are left out of jitter (default 10 s). */
  warmupUs?: number;
  /**
   * Where the device handed each telemetry frame to its link, when that is not an MQTT PUBLISH on a socket (the
   * default, read from the `T` lines): an NB-IoT datagram written to the modem, a LoRa frame's SetTx.
   */
  telemetryWrites?: readonly UplinkWrite[];
}

/** One write of a telemetry frame: virtual µs, the image's real µs then, and the device + provider ticks of the run so far. */
export interface UplinkWrite {
  at: number;
  realUs: number;
  work: number;
}

export const DEFAULT_WARMUP_US = 10_000_000;

const CASES = ["fast", "slow"] as const;

function count(items: readonly EventTiming[], test: (e: EventTiming, k: keyof Pair) => boolean): Pair {
  return { fast: items.filter((e) => test(e, "fast")).length, slow: items.filter((e) => test(e, "slow")).length };
}

export function analyze(c: ImageConsole, o: AnalyzeOptions): Analysis {
  const line = timeline(c, o.timing, o.spiHz ? { spiHz: o.spiHz } : {});
  const origin = Number(c.boot?.originUs ?? 0);
  const warmupEnd = origin + (o.warmupUs ?? DEFAULT_WARMUP_US);
  const byStream = new Map<number, EventTiming[]>();
  let gcUs = 0;
  let gcMaxUs = 0;
  let busyTicks = 0;
  for (const d of c.dispatches) {
    gcUs += d.gcUs;
    if (d.gcUs > gcMaxUs) gcMaxUs = d.gcUs;
    busyTicks += d.end - d.start;
  }
  for (const e of line.events) {
    let list = byStream.get(e.stream);
    if (!list) byStream.set(e.stream, (list = []));
    list.push(e);
  }
  const dispatchOf = (e: EventTiming): Dispatch => c.dispatches[e.index]!;
  const streams: StreamFigures[] = [];
  for (const [stream, list] of byStream) {
    const deltas: number[] = [];
    for (let i = 1; i < list.length; i++) deltas.push(Math.round(list[i]!.dueUs - list[i - 1]!.dueUs));
    const period = mode(deltas);
    const dispatches = list.map(dispatchOf);
    streams.push({
      stream,
      label: list[0]!.label,
      periodMs: period === undefined ? undefined : period / 1000,
      dispatches: list.length,
      latenessUs: pairStats(list, (e, k) => e.latenessUs[k]),
      instructions: stats(list.map((e) => e.instructions)),
      gcUs: stats(dispatches.map((d) => d.gcUs)),
      allocatedSlots: stats(dispatches.filter((d) => d.slots >= 0).map((d) => d.slots)),
      allocatedChunkBytes: stats(dispatches.filter((d) => d.chunkBytes >= 0).map((d) => d.chunkBytes)),
      missed: period ? list.filter((e) => e.latenessUs.slow >= period).length : 0,
    });
  }

  const groups: GroupFigures[] = [];
  // Groups with the same period cannot be told apart by their events: they share one row ("air+rain").
  const byPeriod = new Map<number, string[]>();
  for (const [name, periodMs] of [...Object.entries(o.sampling), ["report", o.reportIntervalS * 1000] as [string, number]]) {
    const names = byPeriod.get(periodMs) ?? [];
    names.push(name);
    byPeriod.set(periodMs, names);
  }
  for (const [periodMs, names] of byPeriod) {
    // A group paced by its part rather than a timer (an ADC's data-ready edge at 90 SPS: 11.11 ms) lists its
    // period in whole ms: its stream is the one within a millisecond of it.
    const paced = (s: StreamFigures) => s.periodMs !== undefined && s.periodMs !== periodMs && Math.abs(s.periodMs - periodMs) < Math.min(1, periodMs / 10);
    let members = streams.filter((s) => s.periodMs === periodMs && s.dispatches > 1);
    if (members.length === 0) members = streams.filter((s) => paced(s) && s.dispatches > 1);
    if (members.length === 0) continue;
    const ids = new Set(members.map((m) => m.stream));
    const all = line.events.filter((e) => ids.has(e.stream));
    // The slot stream is the one whose events come first in each cycle.
    const first = all[0]!.stream;
    const cycles: number[] = [];
    let current = -1;
    for (const e of all) {
      if (e.stream === first) {
        if (current >= 0) cycles.push(current);
        current = 0;
      }
      if (current >= 0) current += e.instructions;
    }
    if (current >= 0) cycles.push(current);
    // Period jitter is the slots': a conversion that completes late behind other work is queueing, not jitter.
    const slots = all.filter((e) => e.stream === first);
    const run = slots.filter((e) => e.dueUs >= warmupEnd);
    const boot = slots.filter((e) => e.dueUs < warmupEnd);
    // Jitter against the period the slots actually keep (the part's, for a paced group).
    const periodUs = (members.find((m) => m.stream === first)?.periodMs ?? periodMs) * 1000;

    const intervals = run.slice(1).map((e, i) => ({ e, before: run[i]! }));
    const jitter = (k: keyof Pair) => intervals.map(({ e, before }) => Math.abs(e.startUs[k] - before.startUs[k] - periodUs));
    groups.push({
      group: names.join("+"),
      periodMs,
      streams: members.map((m) => m.label),
      slots: slots.length,
      jitterUs: { fast: stats(jitter("fast")), slow: stats(jitter("slow")) },
      latenessMaxUs: { fast: Math.max(0, ...run.map((e) => e.latenessUs.fast)), slow: Math.max(0, ...run.map((e) => e.latenessUs.slow)) },
      bootLatenessMaxUs: { fast: Math.max(0, ...boot.map((e) => e.latenessUs.fast)), slow: Math.max(0, ...boot.map((e) => e.latenessUs.slow)) },
      missed: count(run, (e, k) => e.latenessUs[k] >= periodUs),
      bootMissed: count(boot, (e, k) => e.latenessUs[k] >= periodUs),
      instructionsPerCycle: stats(cycles),
    });
  }

  const latency: { fast: number[]; slow: number[] } = { fast: [], slow: [] };
  const reportCost: number[] = [];
  const writes =
    o.telemetryWrites ??
    c.tx.filter((t) => {
      const topic = publishTopic(t.bytes);
      return topic !== undefined && o.isTelemetry(topic);
    });
  // A radio link writes the frame in a later event than the report's (after the modem woke, after the
  // transceiver's BUSY handshakes): the latency then counts from the report's own slot, the last dispatch of the
  // report timer's stream before the write. The events a report sets off recur at its period too; their stream
  // labels name the stream they were armed in (a timer armed in the report: "timer(timer(boot+600000ms)+337ms)"), the
  // report's names only the boot. (A second timer armed with the same label gets "#2": emulator/image/main.ts Streams.)
  const reportMs = o.reportIntervalS * 1000;
  const periodic = streams.filter((s) => s.periodMs === reportMs && s.dispatches > 1);
  // Among them, a timer armed in another stream's handler (a window timer a radio's completion armed after a
  // sample, "timer(timer(boot+125ms)+648.603ms)", recurring with the report) is not the report's slot.
  const armedInAnother = (s: StreamFigures): boolean => streams.some((p) => p !== s && p.label !== "boot" && s.label.includes(`${p.label}+`));
  const reportStreams = new Set(periodic.filter((s) => !armedInAnother(s)).map((s) => s.stream));
  // A run with one report shows no period: the report's stream is then the timer armed at boot for the first slot,
  // one period after start give or take the node's report offset (under half a period), the nearest such.
  if (reportStreams.size === 0) {
    const firstSlot = (label: string): number => Number(/^timer\(boot\+(\d+)ms\)(?:#\d+)?$/.exec(label)?.[1] ?? NaN);
    const slots = streams.filter((s) => Math.abs(firstSlot(s.label) - reportMs) < reportMs / 2);
    slots.sort((a, b) => Math.abs(firstSlot(a.label) - reportMs) - Math.abs(firstSlot(b.label) - reportMs));
    if (slots[0]) reportStreams.add(slots[0].stream);
  }
  // A report written in pieces (runtime/work-queue.ts) reaches its write several dispatches after its slot: each piece
  // a timer armed by the piece before it (all at the slot's virtual instant) or, paced, in a sample's handler. The
  // latency counts from the slot: the last dispatch of the report's stream at or before the write, else the dispatch
  // that began the write's chain of zero-delay pieces.
  const chainStart = (index: number): number => {
    let i = index;
    for (;;) {
      const d = c.dispatches[i]!;
      const a = d.armedIn;
      if (a < 0 || a >= i || c.dispatches[a]!.dueUs !== d.dueUs) return i;
      i = a;
    }
  };
  const reportBefore = (at: number): number => {
    const dueUs = c.dispatches[at]!.dueUs;
    for (let i = at; i >= 0 && dueUs - c.dispatches[i]!.dueUs < reportMs * 1000; i--) if (reportStreams.has(c.dispatches[i]!.stream)) return i;
    return chainStart(at);
  };
  // Only a report's first frame counts: when a pack is split to fit the link, the later pieces wait for the MAC
  // (the RX windows, the modem's turn), not for the CPU.
  const reportsCounted = new Set<number>();
  for (const t of writes) {
    const due = origin + t.at;
    // The dispatch that wrote it: due when the frame's virtual time says, running when the bytes went out.
    const index = dispatchAt(c, due, t.realUs);
    const at = index >= 0 ? line.at(index, t.work) : undefined;
    const report = index >= 0 ? reportBefore(index) : -1;
    const e = report >= 0 ? line.events[line.byDispatch[report]!] : undefined;
    if (!at || !e || reportsCounted.has(report)) continue;
    if (o.telemetryWrites) reportsCounted.add(report);
    // From when the board had the report due (its timer counts from when the device armed it) to the write.
    for (const k of CASES) latency[k].push((at[k] - e.boardDueUs[k]) / 1000);
    // The report's own dispatch at its slot (a report written in pieces: the first piece).
    reportCost.push(workInstructions(c.dispatches[report]!));
  }
  const runUs = o.endUs;
  const modes = c.modes;
  return {
    timeline: line,
    streams: streams.sort((a, b) => a.stream - b.stream),
    groups,
    cpuBusyPercent: { fast: (100 * line.busyUs.fast) / runUs, slow: (100 * line.busyUs.slow) / runUs },
    instructions: {
      device: (modes?.device ?? 0) * INSTRUCTIONS_PER_TICK,
      provider: (modes?.provider ?? 0) * INSTRUCTIONS_PER_TICK,
      harness: (modes?.harness ?? 0) * INSTRUCTIONS_PER_TICK,
    },
    latencyMs: { fast: stats(latency.fast), slow: stats(latency.slow) },
    reportInstructions: stats(reportCost),
    gcPercentOfBusy: busyTicks > 0 ? (100 * gcUs * TICKS_PER_US) / busyTicks : 0,
    gcMaxUs,
  };
}
