/**
 * A device's cost on XS in deterministic units, and the committed baseline it is held to.
 *
 * `profileDevice` runs the node on the XS runner for a simulated day (simulator/xs/session.ts, heap probes on) and
 * keeps, per kind of work (start-up, each sampling cycle, the report, …), the XS metering count per cycle (median
 * and max over the run) and the heap: the node's live heap after start-up and its peak (chunk bytes and slots).
 * Metering counts XS byte codes and does not depend on the machine; heap figures are the host runner's (64-bit:
 * 32-byte slots where an MCU has 16).
 *
 * test/xs/baseline.json holds the accepted figures per device. A figure more than `tolerance` (10 %) over its
 * baseline fails the test suite (test/xs/devices.test.ts) unless the baseline is updated, with a reason, in the
 * same commit: `ganzhi profile <device> --update-baseline --reason "…"`.
 */
import { int } from "../node/figures.js";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadBoard } from "../../manifests/load.js";
import { repoRoot } from "../../tools/xs/build.js";
import type { Frame } from "../node/frame-log.js";
import type { KindReport, PhaseName } from "./inside/probe.js";
import { runSimXs, type XsSimOptions } from "./session.js";

export interface CycleCost {
  median: number;
  max: number;
}

export interface HeapFigure {
  chunks: number;
  slots: number;
}

export interface DeviceProfile {
  device: string;
  board: string;
  hours: number;
  seed: number;
  /** Per kind of work, e.g. "report", "sample:wind". */
  kinds: (KindReport & { phase: PhaseName })[];
  /** Device work over the whole run, metering units. */
  totalUnits: number;
  heap: { slotBytes: number; startup: HeapFigure; peak: HeapFigure; peakKind: string; live: HeapFigure; checkpoints: number };
  /** The board's XS budget (its manifest's memory.creation): chunk bytes and heap slots on the MCU. */
  budget?: { chunk: number; heap: number };
  wallSeconds: number;
  /** The run's uplink frames (the identity test compares them with V8's). */
  frames: Frame[];
  crashes: number;
}

export const PROFILE_DEFAULTS = { board: "esp32-devkitc", hours: 24, seed: 1 } as const;

function boardBudget(board: string): { budget?: { chunk: number; heap: number } } {
  try {
    const c = loadBoard(board).manifest.memory.creation;
    return { budget: { chunk: c.chunk, heap: c.heap } };
  } catch {
    return {};
  }
}

export async function profileDevice(
  device: string,
  options: Partial<Pick<XsSimOptions, "board" | "hours" | "seed" | "onProgress">> = {},
): Promise<DeviceProfile> {
  const board = options.board ?? PROFILE_DEFAULTS.board;
  const hours = options.hours ?? PROFILE_DEFAULTS.hours;
  const seed = options.seed ?? PROFILE_DEFAULTS.seed;
  const r = await runSimXs({ device, board, hours, seed, heap: true, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  const heap = r.profile.heap!;
  return {
    device,
    board,
    hours,
    seed,
    kinds: r.profile.kinds,
    totalUnits: r.profile.total,
    heap: { slotBytes: heap.slotBytes, startup: heap.startup, peak: heap.peak, peakKind: heap.peakKind, live: heap.live, checkpoints: heap.checkpoints },
    ...boardBudget(board),
    wallSeconds: r.summary.wallSeconds,
    frames: r.frames,
    crashes: r.summary.crashes.length,
  };
}

// ------------------------------------------------------------------------------------------------ baseline

export interface BaselineEntry {
  board: string;
  hours: number;
  seed: number;
  /** Why these figures are the accepted ones (required; changes whenever the figures change). */
  reason: string;
  /** Metering units per cycle, by kind (start-up, report, sample:*). */
  metering: Record<string, CycleCost>;
  heap: { startup: HeapFigure; peak: HeapFigure };
}

export interface Baseline {
  about: string;
  /** Allowed rise over the baseline, as a fraction (0.1 = 10 %). */
  tolerance: number;
  devices: Record<string, BaselineEntry>;
}

export function baselinePath(root = repoRoot()): string {
  return path.join(root, "test", "xs", "baseline.json");
}

export function loadBaseline(file = baselinePath()): Baseline {
  return JSON.parse(readFileSync(file, "utf8")) as Baseline;
}

/** The kinds a baseline holds: start-up, the report and the sampling cycles (timers and IO vary with the link). */
export function gatedKinds(p: DeviceProfile): (KindReport & { phase: PhaseName })[] {
  return p.kinds.filter((k) => (k.phase === "start-up" || k.phase === "report" || k.phase === "sample") && k.cycles > 0);
}

export function baselineEntry(p: DeviceProfile, reason: string): BaselineEntry {
  const metering: Record<string, CycleCost> = {};
  for (const k of gatedKinds(p)) metering[k.name] = { median: k.median, max: k.max };
  return {
    board: p.board,
    hours: p.hours,
    seed: p.seed,
    reason,
    metering,
    heap: { startup: { ...p.heap.startup }, peak: { ...p.heap.peak } },
  };
}

export interface BaselineFinding {
  /** e.g. "metering report max", "heap peak chunks". */
  figure: string;
  baseline: number;
  measured: number;
  /** measured / baseline − 1 */
  change: number;
  over: boolean;
}

/** Every gated figure against the baseline; `over` when it rose by more than the tolerance. */
export function compareToBaseline(p: DeviceProfile, entry: BaselineEntry, tolerance: number): BaselineFinding[] {
  const out: BaselineFinding[] = [];
  const add = (figure: string, baseline: number, measured: number): void => {
    const change = baseline > 0 ? measured / baseline - 1 : measured > 0 ? Infinity : 0;
    out.push({ figure, baseline, measured, change, over: measured > baseline * (1 + tolerance) });
  };
  const measured = baselineEntry(p, "");
  for (const [kind, cost] of Object.entries(entry.metering)) {
    const m = measured.metering[kind];
    add(`metering ${kind} median`, cost.median, m ? m.median : 0);
    add(`metering ${kind} max`, cost.max, m ? m.max : 0);
  }
  for (const [kind, m] of Object.entries(measured.metering)) {
    if (!(kind in entry.metering)) add(`metering ${kind} max (new kind)`, 0, m.max);
  }
  for (const which of ["startup", "peak"] as const) {
    add(`heap ${which} chunks`, entry.heap[which].chunks, measured.heap[which].chunks);
    add(`heap ${which} slots`, entry.heap[which].slots, measured.heap[which].slots);
  }
  return out;
}

/** Write (or replace) one device's entry; the reason is required. */
export function updateBaseline(p: DeviceProfile, reason: string, file = baselinePath()): Baseline {
  if (reason.trim() === "") throw new Error("a baseline update needs a reason");
  let b: Baseline;
  try {
    b = loadBaseline(file);
  } catch {
    b = {
      about:
        "Accepted XS cost per device (ganzhi profile): metering units per cycle (median, max over a simulated day) and heap (chunk bytes, slots; host runner, 64-bit). test/xs/devices.test.ts fails when a figure rises more than `tolerance` over these, unless this file is updated with a new reason in the same commit.",
      tolerance: 0.1,
      devices: {},
    };
  }
  b.devices[p.device] = baselineEntry(p, reason.trim());
  const sorted: Record<string, BaselineEntry> = {};
  for (const k of Object.keys(b.devices).sort()) sorted[k] = b.devices[k]!;
  b.devices = sorted;
  writeFileSync(file, JSON.stringify(b, null, 2) + "\n");
  return b;
}

// ------------------------------------------------------------------------------------------------ text


function periodText(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms % 3_600_000 === 0) return `every ${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `every ${ms / 60_000} min`;
  if (ms % 1000 === 0) return `every ${ms / 1000} s`;
  return `every ${ms} ms`;
}

export function formatProfile(p: DeviceProfile, findings?: BaselineFinding[], tolerance = 0.1): string {
  const rows = p.kinds.filter((k) => k.cycles > 0);
  const name = (k: KindReport) => (k.name.startsWith("sample:") ? `sample ${k.name.slice(7)}` : k.name);
  const w = Math.max(12, ...rows.map((k) => name(k).length));
  const lines = [
    `${p.device} on ${p.board}: XS metering over ${p.hours} h virtual, seed ${p.seed} (${p.wallSeconds.toFixed(1)} s wall)`,
    `  ${"work".padEnd(w)}  ${"cycles".padStart(8)}  ${"median".padStart(10)}  ${"max".padStart(10)}   units per cycle`,
  ];
  for (const k of rows) {
    lines.push(`  ${name(k).padEnd(w)}  ${int(k.cycles).padStart(8)}  ${int(k.median).padStart(10)}  ${int(k.max).padStart(10)}   ${periodText(k.periodMs)}`);
  }
  lines.push(`  all device work ${int(p.totalUnits)} units (${int((p.totalUnits / p.hours) * 24)} per day)`);
  const h = p.heap;
  const fig = (f: HeapFigure) => `${int(f.chunks)} B of chunks, ${int(f.slots)} slots`;
  lines.push(`  heap, live       after start-up ${fig(h.startup)}; largest at a checkpoint ${fig(h.live)}`);
  lines.push(`  heap, peak       ${fig(h.peak)} (live + the most one callback allocated, set by ${h.peakKind})`);
  lines.push(
    `                   host runner: ${h.slotBytes} B per slot (16 on an MCU, where chunks holding slots are half the size)` +
      (p.budget ? `; ${p.board}'s XS budget: ${int(p.budget.chunk)} B of chunks, ${int(p.budget.heap)} slots` : ""),
  );
  if (p.crashes > 0) lines.push(`  crashes          ${p.crashes}`);
  if (findings) {
    const over = findings.filter((f) => f.over);
    const worst = findings.reduce((a, f) => (f.change > a ? f.change : a), -Infinity);
    if (over.length === 0) lines.push(`  baseline         within ${Math.round(tolerance * 100)} % (largest change ${(worst * 100).toFixed(1)} %)`);
    for (const f of over) {
      lines.push(`  OVER BASELINE    ${f.figure}: ${int(f.measured)} vs ${int(f.baseline)} (+${(f.change * 100).toFixed(1)} %)`);
    }
  }
  return lines.join("\n");
}
