/**
 * The committed XS cost baseline (test/xs/baseline.json) and the gate it is: the accepted figures per device, a
 * measured profile compared with them, and the file's own audit, which needs no git history.
 *
 * The gate (`compareToBaseline`) fails a figure that rose more than `tolerance` over its baseline, and a kind of
 * work the baseline holds that the run no longer measured (a cost that disappears is a broken probe or a changed
 * device, never a zero).
 *
 * The audit (`auditBaseline`): each entry carries the figures it replaced (`previous`, with their reason) and a
 * digest of itself, written by `ganzhi profile --update-baseline --reason "…"`. A figure above its previous value
 * (a new kind counts as a rise) needs a reason other than the previous one; an entry whose digest does not match
 * was edited by hand (figures or reason) and fails. So a raise always carries its own reason in the file itself.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../../tools/xs/build.js";
import type { CycleCost, DeviceProfile, HeapFigure } from "./profile.js";
import { gatedKinds } from "./profile.js";

/** The figures of one accepted run. */
export interface BaselineFigures {
  board: string;
  hours: number;
  seed: number;
  /** Metering units per cycle, by kind (start-up, report, sample:*). */
  metering: Record<string, CycleCost>;
  heap: { startup: HeapFigure; peak: HeapFigure };
}

export interface BaselineEntry extends BaselineFigures {
  /** Why these figures are the accepted ones (required; a new one whenever a figure rises). */
  reason: string;
  /** The figures this entry replaced, and their reason; absent for a device's first baseline. */
  previous?: BaselineFigures & { reason: string };
  /** sha256 of the entry's other fields as `ganzhi profile --update-baseline` wrote them. */
  digest: string;
}

export interface Baseline {
  about: string;
  /** Allowed rise over the baseline, as a fraction (0.1 = 10 %). */
  tolerance: number;
  devices: Record<string, BaselineEntry>;
}

const ABOUT =
  "Accepted XS cost per device (ganzhi profile): metering units per cycle (median, max over a simulated day) and heap (chunk bytes, slots; host runner, 64-bit). test/xs/devices.test.ts fails when a figure rises more than `tolerance` over these, or a kind of work is no longer measured. Written only by `ganzhi profile <device> --update-baseline --reason`: each entry keeps the figures it replaced and a digest, and a rise needs a new reason (checked without git).";

export function baselinePath(root = repoRoot()): string {
  return path.join(root, "test", "xs", "baseline.json");
}

export function loadBaseline(file = baselinePath()): Baseline {
  return JSON.parse(readFileSync(file, "utf8")) as Baseline;
}

/** A profile's figures as a baseline holds them. */
export function figuresOf(p: DeviceProfile): BaselineFigures {
  const metering: Record<string, CycleCost> = {};
  for (const k of gatedKinds(p)) metering[k.name] = { median: k.median, max: k.max };
  return { board: p.board, hours: p.hours, seed: p.seed, metering, heap: { startup: { ...p.heap.startup }, peak: { ...p.heap.peak } } };
}

/** Every figure by name ("metering report max", "heap peak chunks"), in a fixed order. */
function figureList(f: Pick<BaselineFigures, "metering" | "heap">): [string, number][] {
  const out: [string, number][] = [];
  for (const kind of Object.keys(f.metering).sort()) {
    out.push([`metering ${kind} median`, f.metering[kind]!.median], [`metering ${kind} max`, f.metering[kind]!.max]);
  }
  for (const which of ["startup", "peak"] as const) {
    out.push([`heap ${which} chunks`, f.heap[which].chunks], [`heap ${which} slots`, f.heap[which].slots]);
  }
  return out;
}

/** The figures that are higher in `now` than in `before`, or new; and a change of run (board, hours, seed). */
function rises(before: BaselineFigures, now: BaselineFigures): string[] {
  const out: string[] = [];
  if (before.board !== now.board || before.hours !== now.hours || before.seed !== now.seed) {
    out.push(`the run (${before.board}, ${before.hours} h, seed ${before.seed} → ${now.board}, ${now.hours} h, seed ${now.seed})`);
  }
  const old = new Map(figureList(before));
  for (const [name, value] of figureList(now)) {
    const was = old.get(name);
    if (was === undefined) out.push(`${name} (new, ${value})`);
    else if (value > was) out.push(`${name} (${was} → ${value})`);
  }
  return out;
}

function canonical(f: BaselineFigures): BaselineFigures {
  const metering: Record<string, CycleCost> = {};
  for (const kind of Object.keys(f.metering).sort()) metering[kind] = { median: f.metering[kind]!.median, max: f.metering[kind]!.max };
  const h = (x: HeapFigure): HeapFigure => ({ chunks: x.chunks, slots: x.slots });
  return { board: f.board, hours: f.hours, seed: f.seed, metering, heap: { startup: h(f.heap.startup), peak: h(f.heap.peak) } };
}

/** The digest an entry must carry: sha256 over its figures, reason and previous figures, in a fixed layout. */
export function entryDigest(e: Omit<BaselineEntry, "digest">): string {
  const body = {
    ...canonical(e),
    reason: e.reason,
    previous: e.previous ? { ...canonical(e.previous), reason: e.previous.reason } : null,
  };
  return "sha256:" + createHash("sha256").update(JSON.stringify(body)).digest("hex");
}

/** What is wrong with the file, one sentence per problem naming the device; empty when it is sound. */
export function auditBaseline(b: Baseline): string[] {
  const out: string[] = [];
  if (!(b.tolerance > 0 && b.tolerance <= 0.1)) out.push(`tolerance ${b.tolerance} is not in (0, 0.1]`);
  for (const [device, e] of Object.entries(b.devices)) {
    if (typeof e.reason !== "string" || e.reason.trim() === "") out.push(`${device}: no reason`);
    if (e.digest !== entryDigest(e)) {
      out.push(`${device}: figures or reason differ from what ganzhi profile wrote (digest mismatch); rewrite them with ganzhi profile ${device} --update-baseline --reason "why"`);
    }
    if (e.previous && e.reason.trim() === e.previous.reason.trim()) {
      const up = rises(e.previous, e);
      if (up.length > 0) out.push(`${device}: ${up.join(", ")} rose under the previous reason; a rise needs a new reason`);
    }
  }
  return out;
}

export interface BaselineFinding {
  /** e.g. "metering report max", "heap peak chunks", "metering report" (missing). */
  figure: string;
  baseline: number;
  measured: number;
  /** measured / baseline − 1 (−1 for a missing kind) */
  change: number;
  /** Fails the gate: a rise over the tolerance, or a kind the run did not measure. */
  over: boolean;
  /** The baseline holds this kind of work and the run measured none of it. */
  missing?: boolean;
}

/** Every gated figure against the baseline; `over` when it rose by more than the tolerance or went missing. */
export function compareToBaseline(p: DeviceProfile, entry: BaselineFigures, tolerance: number): BaselineFinding[] {
  const out: BaselineFinding[] = [];
  const add = (figure: string, baseline: number, measured: number): void => {
    const change = baseline > 0 ? measured / baseline - 1 : measured > 0 ? Infinity : 0;
    out.push({ figure, baseline, measured, change, over: measured > baseline * (1 + tolerance) });
  };
  const measured = figuresOf(p);
  for (const [kind, cost] of Object.entries(entry.metering)) {
    const m = measured.metering[kind];
    if (!m) {
      out.push({ figure: `metering ${kind}`, baseline: cost.max, measured: 0, change: -1, over: true, missing: true });
      continue;
    }
    add(`metering ${kind} median`, cost.median, m.median);
    add(`metering ${kind} max`, cost.max, m.max);
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

/** The entry that replaces `old` with these figures; throws when a figure rises under the old reason. */
export function nextEntry(figures: BaselineFigures, reason: string, old: BaselineEntry | undefined, device: string): BaselineEntry {
  const why = reason.trim();
  if (why === "") throw new Error("a baseline update needs a reason");
  if (old && why === old.reason.trim()) {
    const up = rises(old, figures);
    if (up.length > 0) throw new Error(`${device}: ${up.join(", ")} rise; give a new reason, not the current one ("${old.reason}")`);
  }
  const body: Omit<BaselineEntry, "digest"> = {
    ...canonical(figures),
    reason: why,
    ...(old ? { previous: { ...canonical(old), reason: old.reason } } : {}),
  };
  return { ...body, digest: entryDigest(body) };
}

/** Write (or replace) one device's entry; the reason is required, and must be new when a figure rises. */
export function updateBaseline(p: DeviceProfile, reason: string, file = baselinePath()): Baseline {
  let b: Baseline;
  try {
    b = loadBaseline(file);
  } catch {
    b = { about: ABOUT, tolerance: 0.1, devices: {} };
  }
  b.about = ABOUT;
  b.devices[p.device] = nextEntry(figuresOf(p), reason, b.devices[p.device], p.device);
  const sorted: Record<string, BaselineEntry> = {};
  for (const k of Object.keys(b.devices).sort()) sorted[k] = b.devices[k]!;
  b.devices = sorted;
  writeFileSync(file, JSON.stringify(b, null, 2) + "\n");
  return b;
}
