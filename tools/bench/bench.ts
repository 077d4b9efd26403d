/**
 * `npm run bench`: figures, not assertions. For each device, a 7-day simulation against the embedded broker
 * (simulated seconds per wall second, events per second) and the size of what it sends (bytes per report); then
 * the same simulated day of each device on V8 and on XS (the host runner), one after the other in this run, for the
 * XS/V8 wall-time ratio (GANZHI_BENCH_XS_DAYS, default 1; 0 skips it).
 */
import { listDevices } from "../../manifests/load.js";
import { runSim } from "../../simulator/node/session.js";
import { runSimXs } from "../../simulator/xs/session.js";

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

interface EngineRow {
  device: string;
  days: number;
  v8WallPerDayS: number;
  xsWallPerDayS: number;
  ratio: number;
  identical: boolean;
  xsUnitsPerDay: number;
}

const xsDays = Number(process.env.GANZHI_BENCH_XS_DAYS ?? 1);
const engineRows: EngineRow[] = [];
if (xsDays > 0) {
  for (const device of listDevices()) {
    const run = { device, board: "esp32-devkitc", hours: xsDays * 24, seed: 1 };
    const v8 = await runSim(run);
    const xs = await runSimXs(run);
    engineRows.push({
      device,
      days: xsDays,
      v8WallPerDayS: v8.summary.wallSeconds / xsDays,
      xsWallPerDayS: xs.summary.wallSeconds / xsDays,
      ratio: xs.summary.wallSeconds / v8.summary.wallSeconds,
      identical: JSON.stringify(v8.frames) === JSON.stringify(xs.frames),
      xsUnitsPerDay: Math.round(xs.profile.total / xsDays),
    });
  }
  const h2 = ["device", "V8 wall s per sim day", "XS wall s per sim day", "XS / V8", "frames identical", "XS device work, units/day"];
  const t2 = engineRows.map((r) => [
    r.device,
    r.v8WallPerDayS.toFixed(2),
    r.xsWallPerDayS.toFixed(2),
    `${r.ratio.toFixed(1)}×`,
    r.identical ? "yes" : "NO",
    r.xsUnitsPerDay.toLocaleString("en-US"),
  ]);
  const w2 = h2.map((h, i) => Math.max(h.length, ...t2.map((row) => row[i]!.length)));
  const line2 = (cells: string[]) => cells.map((c, i) => c.padEnd(w2[i]!)).join("  ");
  console.log("");
  console.log(`V8 against XS (host runner, tools/xs): ${xsDays}-day simulation per device, same seed, measured in this run`);
  console.log(line2(h2));
  for (const row of t2) console.log(line2(row));
}
if (process.env.GANZHI_BENCH_JSON) console.log(JSON.stringify({ rows, engines: engineRows }, null, 2));
