/**
 * The benchmark's first table: each device simulated for whole days against the embedded broker (seed 1, the
 * esp32-devkitc board), with its speed and what it sends. `npm run bench` prints it; test/docs/figures.test.ts
 * re-runs it and compares the deterministic columns (reports and bytes) with docs/figures.md.
 */
import { runSim } from "../../simulator/node/session.js";
import { int } from "../../simulator/node/figures.js";
import { isTelemetryTopic } from "../../runtime/node/topics.js";

export interface SimRow {
  device: string;
  board: string;
  days: number;
  wallS: number;
  simSecondsPerWallSecond: number;
  wallPerSimDayS: number;
  events: number;
  eventsPerWallS: number;
  reports: number;
  bytesPerReportMean: number;
  bytesPerReportMax: number;
  bytesOnAirPerDay: number;
}

export const SIM_BOARD = "esp32-devkitc";
export const SIM_HEADER = ["device", "board", "sim s / wall s", "wall s per sim day", "events/s", "reports", "B/report (mean, max)", "B on air/day"];
/** The columns that depend on the simulation alone, not on the machine or its load. */
export const SIM_DETERMINISTIC = ["device", "board", "reports", "B/report (mean, max)", "B on air/day"];

export const simTitle = (days: number) => `ganzhi bench: ${days}-day simulation per device, seed 1, embedded broker, node ${process.version}`;

export async function simFigures(device: string, days: number): Promise<SimRow> {
  const { summary, frames } = await runSim({ device, board: SIM_BOARD, hours: days * 24, seed: 1 });
  const reports = frames.filter((f) => isTelemetryTopic(f.topic) && !f.dup);
  const sizes = reports.map((f) => f.bytes);
  return {
    device,
    board: SIM_BOARD,
    days,
    wallS: summary.wallSeconds,
    simSecondsPerWallSecond: Math.round(summary.speedup),
    wallPerSimDayS: summary.wallSeconds / days,
    events: summary.events,
    eventsPerWallS: Math.round(summary.events / summary.wallSeconds),
    reports: reports.length,
    bytesPerReportMean: sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length),
    bytesPerReportMax: Math.max(0, ...sizes),
    bytesOnAirPerDay: Math.round(summary.bytesOnAir / days),
  };
}

/** One row as printed, in SIM_HEADER's order. */
export function simCells(r: SimRow): string[] {
  return [
    r.device,
    r.board,
    int(r.simSecondsPerWallSecond),
    r.wallPerSimDayS.toFixed(3),
    int(r.eventsPerWallS),
    String(r.reports),
    `${r.bytesPerReportMean.toFixed(1)}, ${r.bytesPerReportMax}`,
    int(r.bytesOnAirPerDay),
  ];
}
