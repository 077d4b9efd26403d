/**
 * Figures from an emulated run's console: per event stream (a periodic timer, an edge input, a connection), how
 * late each dispatch started against its due time and how many instructions it ran; per sampling group of the
 * device manifest, period jitter, missed slots and instructions per cycle; CPU busy time; sample-to-uplink latency.
 *
 * Time: SysTick runs at 25 MHz (40 ns) and, under `-icount shift=4`, one instruction is 16 ns, so instructions =
 * ticks × 2.5 (exact to ±2 instructions per reading).
 */
import type { Dispatch, ImageConsole } from "./console.js";
import { NS_PER_INSTRUCTION } from "./qemu.js";

export const TICKS_PER_US = 25;
export const INSTRUCTIONS_PER_TICK = 40 / NS_PER_INSTRUCTION;

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

export interface StreamFigures {
  stream: number;
  label: string;
  /** Most common interval between due times, ms (undefined for a stream that ran once). */
  periodMs: number | undefined;
  dispatches: number;
  /** Start − due, µs. */
  latenessUs: Stats;
  /** Instructions per dispatch. */
  instructions: Stats;
  /** µs per dispatch spent in XS's garbage collector. */
  gcUs: Stats;
  /** Slots (16 bytes) and chunk bytes allocated per dispatch, over the dispatches no collection interrupted. */
  allocatedSlots: Stats;
  allocatedChunkBytes: Stats;
  /** Dispatches that started a whole period or more late (the slot after them was due before they ran). */
  missed: number;
}

export interface GroupFigures {
  /** Sampling group name from the device manifest (or "report"). */
  group: string;
  periodMs: number;
  streams: string[];
  /** Slots: dispatches of the group's first stream. */
  slots: number;
  /** |actual − scheduled| of the group's slots (its first stream in each cycle) in the run phase, µs. */
  jitterUs: Stats;
  /** Worst lateness in the boot phase (start-up work, connecting), µs. */
  bootLatenessMaxUs: number;
  /** Run-phase dispatches that started a period or more late (a slot missed on a real schedule). */
  missed: number;
  /** The same in the boot phase. */
  bootMissed: number;
  /** Instructions of one cycle: the group's streams' dispatches between two slots. */
  instructionsPerCycle: Stats;
}

export interface Analysis {
  streams: StreamFigures[];
  groups: GroupFigures[];
  /** Busy time over the run (all dispatches, device code and the provider), %. */
  cpuBusyPercent: number;
  /** Busy time over the run as the firmware's clock counts it (dispatches, loop and idle bookkeeping), %. */
  loopBusyPercent: number | undefined;
  /** Write of each telemetry PUBLISH − due time of the event that wrote it, ms. */
  latencyMs: Stats;
  /** Instructions of the dispatch that encoded and sent each telemetry frame. */
  reportInstructions: Stats;
  /** Busy time spent in XS's garbage collector, %. */
  gcPercentOfBusy: number;
  /** The longest single dispatch's time in the collector, µs. */
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
  let mult = 1;
  let len = 0;
  for (;;) {
    const d = b[i++];
    if (d === undefined) return undefined;
    len += (d & 0x7f) * mult;
    mult *= 128;
    if (!(d & 0x80)) break;
  }
  void len;
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
  /** The boot phase: events due in the first this many µs after boot are left out of jitter (default 10 s). */
  warmupUs?: number;
}

export const DEFAULT_WARMUP_US = 10_000_000;

export function analyze(c: ImageConsole, o: AnalyzeOptions): Analysis {
  const origin = Number(c.boot?.originUs ?? 0);
  const warmupEnd = origin + (o.warmupUs ?? DEFAULT_WARMUP_US);
  const byStream = new Map<number, Dispatch[]>();
  let busyTicks = 0;
  let gcUs = 0;
  let gcMaxUs = 0;
  for (const d of c.dispatches) {
    gcUs += d.gcUs;
    if (d.gcUs > gcMaxUs) gcMaxUs = d.gcUs;
    let list = byStream.get(d.stream);
    if (!list) byStream.set(d.stream, (list = []));
    list.push(d);
    busyTicks += d.end - d.start;
  }
  const streams: StreamFigures[] = [];
  for (const [stream, list] of byStream) {
    const deltas: number[] = [];
    for (let i = 1; i < list.length; i++) deltas.push(Math.round(list[i]!.dueUs - list[i - 1]!.dueUs));
    const period = mode(deltas);
    const lateness = list.map((d) => d.start / TICKS_PER_US - d.dueUs);
    const missed = period ? lateness.filter((l) => l >= period).length : 0;
    streams.push({
      stream,
      label: c.streams.get(stream) ?? `stream ${stream}`,
      periodMs: period === undefined ? undefined : period / 1000,
      dispatches: list.length,
      latenessUs: stats(lateness),
      instructions: stats(list.map((d) => (d.end - d.start) * INSTRUCTIONS_PER_TICK)),
      gcUs: stats(list.map((d) => d.gcUs)),
      allocatedSlots: stats(list.filter((d) => d.slots >= 0).map((d) => d.slots)),
      allocatedChunkBytes: stats(list.filter((d) => d.chunkBytes >= 0).map((d) => d.chunkBytes)),
      missed,
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
  const wanted: [string, number][] = [...byPeriod].map(([periodMs, names]) => [names.join("+"), periodMs]);
  for (const [group, periodMs] of wanted) {
    const members = streams.filter((s) => s.periodMs === periodMs && s.dispatches > 1);
    if (members.length === 0) continue;
    const ids = new Set(members.map((m) => m.stream));
    const all = c.dispatches.filter((d) => ids.has(d.stream));
    // The slot stream is the one whose dispatches come first in each cycle.
    const first = all[0]!.stream;
    const cycles: number[] = [];
    let current = -1;
    for (const d of all) {
      if (d.stream === first) {
        if (current >= 0) cycles.push(current);
        current = 0;
      }
      if (current >= 0) current += (d.end - d.start) * INSTRUCTIONS_PER_TICK;
    }
    if (current >= 0) cycles.push(current);
    // Period jitter is the slots': a conversion that completes late behind other work is queueing, not jitter.
    const slots = all.filter((d) => d.stream === first);
    const run = slots.filter((d) => d.dueUs >= warmupEnd);
    const boot = slots.filter((d) => d.dueUs < warmupEnd);
    groups.push({
      group,
      periodMs,
      streams: members.map((m) => m.label),
      slots: members.find((m) => m.stream === first)!.dispatches,
      jitterUs: stats(run.map((d) => Math.abs(d.start / TICKS_PER_US - d.dueUs))),
      bootLatenessMaxUs: boot.reduce((a, d) => Math.max(a, d.start / TICKS_PER_US - d.dueUs), 0),
      missed: run.filter((d) => d.start / TICKS_PER_US - d.dueUs >= periodMs * 1000).length,
      bootMissed: boot.filter((d) => d.start / TICKS_PER_US - d.dueUs >= periodMs * 1000).length,
      instructionsPerCycle: stats(cycles),
    });
  }

  const latency: number[] = [];
  const reportCost: number[] = [];
  for (const t of c.tx) {
    const topic = publishTopic(t.bytes);
    if (topic === undefined || !o.isTelemetry(topic)) continue;
    latency.push((t.realUs - (origin + t.at)) / 1000);
    const d = c.dispatches.find((x) => Math.abs(x.dueUs - (origin + t.at)) < 1 && x.start / TICKS_PER_US <= t.realUs && x.end / TICKS_PER_US >= t.realUs);
    if (d) reportCost.push((d.end - d.start) * INSTRUCTIONS_PER_TICK);
  }
  const runUs = o.endUs;
  const loop = c.end ? ((c.end.ticks - c.end.idleTicks) / TICKS_PER_US - origin) / runUs : undefined;
  return {
    streams: streams.sort((a, b) => a.stream - b.stream),
    groups,
    cpuBusyPercent: (100 * busyTicks) / TICKS_PER_US / runUs,
    loopBusyPercent: loop === undefined ? undefined : 100 * loop,
    latencyMs: stats(latency),
    reportInstructions: stats(reportCost),
    gcPercentOfBusy: busyTicks > 0 ? (100 * gcUs * TICKS_PER_US) / busyTicks : 0,
    gcMaxUs,
  };
}
