/**
 * The device manifest's budgets (manifests/schema/device.ts `budgets`: jitterMs, cpuPercent, heapBytes, latencyMs,
 * and per board averageMicroamps) held against an emulated run's figures, plus the checks every run must pass
 * whatever the manifest says: no missed sample, the board's JS stack, no crash, the simulator's frames.
 */
import type { Device } from "../../manifests/schema/device.js";
import type { EmulateFigures } from "./emulate.js";

export interface BudgetCheck {
  name: string;
  what: string;
  limit: number | undefined;
  value: number;
  unit: string;
  ok: boolean;
}

export function checkBudgets(budgets: Device["budgets"], f: EmulateFigures): BudgetCheck[] {
  const checks: BudgetCheck[] = [];
  const b = budgets ?? {};
  const sampling = f.groups.filter((g) => g.group !== "report");
  const jitterMs = sampling.reduce((a, g) => Math.max(a, g.jitterMaxUs), 0) / 1000;
  if (b.jitterMs !== undefined) {
    checks.push({ name: "jitterMs", what: "sampling jitter, worst |start − due| after boot", limit: b.jitterMs, value: jitterMs, unit: "ms", ok: jitterMs <= b.jitterMs });
  }
  if (b.cpuPercent !== undefined) {
    checks.push({ name: "cpuPercent", what: "CPU busy over the run", limit: b.cpuPercent, value: f.cpuBusyPercent, unit: "%", ok: f.cpuBusyPercent <= b.cpuPercent });
  }
  if (b.heapBytes !== undefined) {
    // What the device's objects need at run time. What the image holds before the device's main is left out: with
    // the preload that is the XS machine cloned from flash, without it every module's objects (heapModulesBytes).
    checks.push({ name: "heapBytes", what: "run-phase heap (peak less the loaded modules)", limit: b.heapBytes, value: f.heapRunBytes, unit: "B", ok: f.heapRunBytes <= b.heapBytes });
  }
  const microamps = b.averageMicroamps?.[f.board];
  if (microamps !== undefined) {
    const value = f.energy.averageMilliamps * 1000;
    checks.push({ name: "averageMicroamps", what: `mean supply current on ${f.board} (energy estimate)`, limit: microamps, value, unit: "µA", ok: value <= microamps });
  }
  if (b.latencyMs !== undefined) {
    checks.push({ name: "latencyMs", what: "sample-to-uplink latency, worst", limit: b.latencyMs, value: f.latencyMsMax, unit: "ms", ok: f.latencyMsMax <= b.latencyMs });
  }
  const missed = sampling.reduce((a, g) => a + g.missed, 0);
  checks.push({ name: "missed", what: "sampling slots missed after boot", limit: 0, value: missed, unit: "", ok: missed === 0 });
  // The board's XS stack is what the device gets on the board: deeper, and it dies there with a stack overflow
  // the image (which gives XS more, to measure) would not show. The peak includes a few frames of the image's
  // event loop that a Moddable timer callback does not have, so it errs on the safe side.
  if (f.jsStackBoardSlots > 0) {
    checks.push({ name: "jsStack", what: "JS stack peak, slots, within the board's creation.stack", limit: f.jsStackBoardSlots, value: f.jsStackPeakSlots, unit: "", ok: f.jsStackPeakSlots <= f.jsStackBoardSlots });
  }
  checks.push({ name: "crashes", what: "device crashes", limit: 0, value: f.crashes, unit: "", ok: f.crashes === 0 });
  checks.push({ name: "divergences", what: "times the device left the recording", limit: 0, value: f.divergences, unit: "", ok: f.divergences === 0 });
  checks.push({ name: "frames", what: "uplink frames byte-identical to the simulator's", limit: undefined, value: f.frames, unit: "", ok: f.framesIdentical });
  return checks;
}
