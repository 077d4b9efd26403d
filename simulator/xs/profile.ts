/**
 * A device's cost on XS in deterministic units, and the committed baseline it is held to.
 *
 * `profileDevice` runs the node on the XS runner for a simulated day (simulator/xs/session.ts, heap probes on) and
 * keeps, per kind of work (start-up, each sampling cycle, the report, …), the XS metering count per cycle (median
 * and max over the run) and the heap: the node's live heap after start-up and its peak (chunk bytes and slots).
 * Metering counts XS byte codes and does not depend on the machine; heap figures are the host runner's (64-bit:
 * 32-byte slots where an MCU has 16).
 *
 * test/xs/baseline.json holds the accepted figures per device (simulator/xs/baseline.ts: the gate and the file's
 * audit). A figure more than `tolerance` (10 %) over its baseline, or a kind of work no longer measured, fails the
 * test suite (test/xs/devices.test.ts) unless the baseline is updated with a new reason:
 * `ganzhi profile <device> --update-baseline --reason "…"`.
 */
import { int } from "../node/figures.js";
import { loadBoard } from "../../manifests/load.js";
import type { Frame } from "../node/frame-log.js";
import type { BaselineFinding } from "./baseline.js";
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

/** The kinds a baseline holds: start-up, the report and the sampling cycles (timers and IO vary with the link). */
export function gatedKinds(p: DeviceProfile): (KindReport & { phase: PhaseName })[] {
  return p.kinds.filter((k) => (k.phase === "start-up" || k.phase === "report" || k.phase === "sample") && k.cycles > 0);
}

// ------------------------------------------------------------------------------------------------ text


function periodText(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms % 3_600_000 === 0) return `every ${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `every ${ms / 60_000} min`;
  if (ms % 1000 === 0) return `every ${ms / 1000} s`;
  return `every ${ms} ms`;
}

/** Column layout of the metering table: what the header and every row share. */
const COL = { cycles: 8, median: 10, max: 10, gap: 2 } as const;

export function formatProfile(p: DeviceProfile, findings?: BaselineFinding[], tolerance = 0.1): string {
  const rows = p.kinds.filter((k) => k.cycles > 0);
  const name = (k: KindReport) => (k.name.startsWith("sample:") ? `sample ${k.name.slice(7)}` : k.name);
  const w = Math.max(12, ...rows.map((k) => name(k).length));
  const sep = " ".repeat(COL.gap);
  const row = (work: string, cycles: string, median: string, max: string, period: string): string =>
    `  ${work.padEnd(w)}${sep}${cycles.padStart(COL.cycles)}${sep}${median.padStart(COL.median)}${sep}${max.padStart(COL.max)}${sep}${period}`.trimEnd();
  const lines = [
    `${p.device} on ${p.board}: XS metering over ${p.hours} h virtual, seed ${p.seed} (${p.wallSeconds.toFixed(1)} s wall)`,
    // "units per cycle" spans the median and max columns it heads.
    `  ${"".padEnd(w)}${sep}${"".padStart(COL.cycles)}${sep}${"units per cycle".padStart(COL.median + COL.gap + COL.max)}`,
    row("work", "cycles", "median", "max", "period"),
  ];
  for (const k of rows) lines.push(row(name(k), int(k.cycles), int(k.median), int(k.max), periodText(k.periodMs)));
  lines.push(`  all device work ${int(p.totalUnits)} units (${int((p.totalUnits / p.hours) * 24)} per day)`);
  const h = p.heap;
  const fig = (f: HeapFigure) => `${int(f.chunks)} B of chunks, ${int(f.slots)} slots`;
  lines.push(`  heap, live       after start-up ${fig(h.startup)}; largest at a checkpoint ${fig(h.live)}`);
  lines.push(`  heap, peak       ${fig(h.peak)} (live + the most one callback allocated, as if nothing were collected inside it; set by ${h.peakKind})`);
  const sizes = `host sizes: ${h.slotBytes} B per slot here, 16 on an MCU, where chunks holding slots are half the size`;
  if (p.budget) {
    // The budget is for the heap live at each collection (XS collects when a heap is full): the live heap measured
    // at checkpoints is a lower bound of that, the peak an upper bound.
    const b = p.budget;
    const vs = (f: HeapFigure) => (f.slots <= b.heap && f.chunks <= b.chunk ? "within it" : "over it");
    lines.push(
      `  heap budget      ${p.board}'s XS creation: ${int(b.chunk)} B of chunks, ${int(b.heap)} slots, for the heap live at each collection`,
      `                   (XS collects when a heap is full): at least the live heap above (${int(h.live.slots)} slots, ${int(h.live.chunks)} B: ${vs(h.live)}),`,
      `                   at most the peak (${int(h.peak.slots)} slots, ${int(h.peak.chunks)} B: ${vs(h.peak)}${vs(h.peak) === "over it" ? ", so what a callback leaves behind must be collectable" : ""})`,
      `                   (${sizes})`,
    );
  } else {
    lines.push(`                   ${sizes}`);
  }
  if (p.crashes > 0) lines.push(`  crashes          ${p.crashes}`);
  if (findings) {
    const over = findings.filter((f) => f.over);
    const worst = findings.reduce((a, f) => (f.change > a ? f.change : a), -Infinity);
    if (over.length === 0) lines.push(`  baseline         within ${Math.round(tolerance * 100)} % (largest change ${(worst * 100).toFixed(1)} %)`);
    for (const f of over) {
      if (f.missing) lines.push(`  MISSING          ${f.figure}: in the baseline, not measured in this run`);
      else lines.push(`  OVER BASELINE    ${f.figure}: ${int(f.measured)} vs ${int(f.baseline)} (+${(f.change * 100).toFixed(1)} %)`);
    }
  }
  return lines.join("\n");
}
