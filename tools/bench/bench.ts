/**
 * `npm run bench`: figures, not assertions. For each device, a 7-day simulation against the embedded broker
 * (simulated seconds per wall second, events per second) and the size of what it sends (bytes per report).
 */
import { listDevices } from "../../manifests/load.js";
import { runSim } from "../../simulator/node/session.js";

interface Row {
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

const days = Number(process.env.GANZHI_BENCH_DAYS ?? 7);
const rows: Row[] = [];
for (const device of listDevices()) {
  const board = "esp32-devkitc";
  const { summary, frames } = await runSim({ device, board, hours: days * 24, seed: 1 });
  const reports = frames.filter((f) => typeof f.decoded !== "string" && !f.dup);
  const sizes = reports.map((f) => f.bytes);
  rows.push({
    device,
    board,
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
  });
}

const header = ["device", "board", "sim s / wall s", "wall s per sim day", "events/s", "reports", "B/report (mean, max)", "B on air/day"];
const table = rows.map((r) => [
  r.device,
  r.board,
  r.simSecondsPerWallSecond.toLocaleString("en-US"),
  r.wallPerSimDayS.toFixed(3),
  r.eventsPerWallS.toLocaleString("en-US"),
  String(r.reports),
  `${r.bytesPerReportMean.toFixed(1)}, ${r.bytesPerReportMax}`,
  r.bytesOnAirPerDay.toLocaleString("en-US"),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
console.log(`ganzhi bench: ${days}-day simulation per device, seed 1, embedded broker, node ${process.version}`);
console.log(line(header));
for (const row of table) console.log(line(row));
if (process.env.GANZHI_BENCH_JSON) console.log(JSON.stringify(rows, null, 2));
