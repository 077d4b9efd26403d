/**
 * The device manifest's budgets (manifests/schema/device.ts `budgets`: jitterMs, cpuPercent, heapBytes, latencyMs,
 * rxWindowErrorUs, and per board averageMicroamps) held against an emulated run's figures, plus the checks every run
 * must pass whatever the manifest says: no missed sample, the board's JS stack, no crash, the simulator's frames, and
 * for a LoRaWAN node every receive window able to catch a preamble sent on time and the join accepted.
 *
 * Time figures are the board model's (timeline.ts) and a budget holds against the high end of each. A budget on
 * what the run did not do (no telemetry frame to time, no frame at all) fails: nothing measured is not a pass.
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
  /** Why a check failed that has no value to show (nothing was measured). */
  note?: string;
}

export function checkBudgets(budgets: Device["budgets"], f: EmulateFigures): BudgetCheck[] {
  const checks: BudgetCheck[] = [];
  const b = budgets ?? {};
  const sampling = f.groups.filter((g) => g.group !== "report");
  const jitterMs = sampling.reduce((a, g) => Math.max(a, g.jitterMaxUs.high), 0) / 1000;
  if (b.jitterMs !== undefined) {
    const measured = sampling.some((g) => g.slots > 0);
    checks.push({
      name: "jitterMs",
      what: "sampling period jitter on the board's clock, worst |interval − period| after boot",
      limit: b.jitterMs,
      value: jitterMs,
      unit: "ms",
      ok: measured && jitterMs <= b.jitterMs,
      ...(measured ? {} : { note: "no sampling slot ran: nothing to measure" }),
    });
  }
  if (b.cpuPercent !== undefined) {
    checks.push({ name: "cpuPercent", what: "CPU busy with the device's work on the board", limit: b.cpuPercent, value: f.cpuBusyPercent, unit: "%", ok: f.cpuBusyPercent <= b.cpuPercent });
  }
  if (b.heapBytes !== undefined) {
    // XS memory the device holds after collections (the board's creation bounds it; the image aborts beyond it).
    checks.push({ name: "heapBytes", what: "XS memory the device holds after collections, peak", limit: b.heapBytes, value: f.xsDeviceBytes, unit: "B", ok: f.xsDeviceBytes <= b.heapBytes });
  }
  const microamps = b.averageMicroamps?.[f.board];
  if (microamps !== undefined) {
    const value = f.energy.averageMilliamps * 1000;
    checks.push({ name: "averageMicroamps", what: `mean supply current on ${f.board} (energy estimate, high end)`, limit: microamps, value, unit: "µA", ok: value <= microamps });
  }
  if (b.latencyMs !== undefined) {
    const measured = f.latencySamples > 0;
    checks.push({
      name: "latencyMs",
      what: "sample-to-uplink latency on the board's clock, worst",
      limit: b.latencyMs,
      value: f.latencyMsMax.high,
      unit: "ms",
      ok: measured && f.latencyMsMax.high <= b.latencyMs,
      ...(measured ? {} : { note: "no telemetry frame was sent: nothing to measure" }),
    });
  }
  const lora = f.lorawan;
  if (b.rxWindowErrorUs !== undefined && (lora || f.link === "lorawan")) {
    const measured = lora !== undefined && lora.absMaxUs !== undefined;
    checks.push({
      name: "rxWindowErrorUs",
      what: "LoRaWAN receive window opening error on the board's clock, worst |listening − (TxDone + delay)|, RX1 and RX2",
      limit: b.rxWindowErrorUs,
      value: lora?.absMaxUs ?? 0,
      unit: "µs",
      ok: measured && lora.absMaxUs! <= b.rxWindowErrorUs,
      ...(measured ? {} : { note: "the device opened no receive window (it never transmitted): nothing to measure" }),
    });
  }
  if (lora) {
    checks.push({
      name: "rxWindowsMissed",
      what: "LoRaWAN receive windows that would miss a preamble sent on time (symbol timeout and preamble against the error)",
      limit: 0,
      value: lora.missed,
      unit: "",
      ok: lora.windows > 0 && lora.missed === 0,
      ...(lora.windows > 0 ? {} : { note: "no receive window opened: nothing to measure" }),
    });
    if (lora.joins > 0) checks.push({ name: "joined", what: "LoRaWAN OTAA join accepted (JoinAccept received, data uplinks followed)", limit: undefined, value: lora.joins, unit: "join requests", ok: lora.joined });
  }
  const missed = sampling.reduce((a, g) => a + g.missed, 0);
  checks.push({ name: "missed", what: "sampling slots missed after boot", limit: 0, value: missed, unit: "", ok: missed === 0 });
  // The device's JS stack from its callbacks' entry, which the image holds to the board's creation.stack as it runs;
  // the provider's frames are included (hal/moddable's are on a board), so it errs on the safe side.
  if (f.jsStackBoardSlots > 0) {
    checks.push({ name: "jsStack", what: "JS stack peak, slots, within the board's creation.stack", limit: f.jsStackBoardSlots, value: f.jsStackPeakSlots, unit: "", ok: f.jsStackPeakSlots <= f.jsStackBoardSlots });
  }
  checks.push({ name: "crashes", what: "device crashes", limit: 0, value: f.crashes, unit: "", ok: f.crashes === 0 });
  checks.push({ name: "stackOverflows", what: "JS or C stack overflows (XS threw RangeError: stack overflow)", limit: 0, value: f.stackOverflows, unit: "", ok: f.stackOverflows === 0 });
  checks.push({ name: "divergences", what: "times the device left the recording", limit: 0, value: f.divergences, unit: "", ok: f.divergences === 0 });
  checks.push({
    name: "frames",
    what: "uplink frames byte-identical to the simulator's",
    limit: undefined,
    value: f.frames,
    unit: "",
    ok: f.framesIdentical && f.frames > 0,
    ...(f.frames > 0 ? {} : { note: "the device sent no frame: nothing to compare" }),
  });
  return checks;
}
