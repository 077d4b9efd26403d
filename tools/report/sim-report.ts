/**
 * A run as a page: what the node reported against what the simulated world really was, one chart per quantity,
 * plus the run's figures. Written by `ganzhi sim --report run.html`; one self-contained HTML file.
 */
import type { SimResult } from "../../simulator/node/session.js";
import type { Frame } from "../../simulator/node/frame-log.js";
import { chart } from "./svg-chart.js";
import type { Series } from "./svg-chart.js";

const MIN = 60_000_000;
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

interface Point {
  h: number;
  v: number;
}

/**
 * The values of one quantity, in the chart's unit: `scale` maps each SenML unit the node may send to the factor
 * into that unit (rain comes as m and is charted in mm). A record in a unit not listed is an error, not a guess.
 */
function measured(frames: readonly Frame[], name: string, scale: Readonly<Record<string, number>>): Point[] {
  const out: Point[] = [];
  for (const f of frames) {
    const r = f.records?.find((x) => x.name.endsWith(`:${name}`));
    if (!r || typeof r.value !== "number") continue;
    const k = scale[r.unit ?? ""];
    if (k === undefined) throw new Error(`sim report: "${r.name}" in unit "${r.unit ?? ""}", expected one of ${Object.keys(scale).join(", ")}`);
    out.push({ h: f.t / 3.6e6, v: r.value * k });
  }
  return out;
}

const pts = (p: readonly Point[], scale = 1): [number, number][] => p.map((x) => [x.h, x.v * scale]);

/** Mean and worst absolute difference between reported interval means and the true interval means. */
function fidelity(reported: readonly Point[], truthMean: (endUs: number, spanUs: number) => number, spanUs: number) {
  let sum = 0;
  let worst = 0;
  for (const p of reported) {
    const d = Math.abs(p.v - truthMean(p.h * 3.6e9, spanUs));
    sum += d;
    if (d > worst) worst = d;
  }
  return { n: reported.length, mean: reported.length ? sum / reported.length : NaN, worst };
}

export interface Fidelity {
  quantity: string;
  unit: string;
  n: number;
  /** Mean |reported − true interval mean|. */
  mean: number;
  worst: number;
}

export function simReportHtml(result: SimResult): string {
  return simReport(result).html;
}

export function simReport(result: SimResult): { html: string; fidelity: Fidelity[]; rainReportedMm: number; rainFellMm: number } {
  const { summary, world } = result;
  const node = world.nodes[0]!;
  const frames = result.frames.filter((f) => f.node === node.id && f.records && !f.dup);
  const atm = world.atmosphere;
  const endUs = summary.virtualHours * 3.6e9;
  const truthStep = Math.max(MIN, Math.round(endUs / 1500 / MIN) * MIN);
  const truth: { h: number; s: ReturnType<typeof atm.snapshot> }[] = [];
  for (let t = 0; t <= endUs; t += truthStep) truth.push({ h: t / 3.6e9, s: atm.snapshot(t) });
  const truthLine = (f: (s: ReturnType<typeof atm.snapshot>) => number): [number, number][] => truth.map((x) => [x.h, f(x.s)]);
  const spanUs = (world.config.reporting.intervalS ?? 600) * 1e6;
  const meanOver = (f: (s: ReturnType<typeof atm.snapshot>) => number) => (end: number, span: number) => {
    let acc = 0;
    let n = 0;
    for (let t = end - span + MIN; t <= end; t += MIN) {
      acc += f(atm.snapshot(t));
      n++;
    }
    return acc / n;
  };

  const temp = measured(frames, "temp", { Cel: 1 });
  const rh = measured(frames, "rh", { "%RH": 1 });
  const press = measured(frames, "press", { Pa: 1 });
  const dew = measured(frames, "dew", { Cel: 1 });
  const wspd = measured(frames, "wspd", { "m/s": 1 });
  const gust = measured(frames, "gust", { "m/s": 1 });
  const wdir = measured(frames, "wdir", { rad: 180 / Math.PI });
  const rain = measured(frames, "rain", { m: 1000 });
  // Dry intervals are left out of the truth dots (NaN), so rain stands out rather than a row of zeros.
  const trueRain = rain.map((p) => {
    const v = atm.rainBetween(p.h * 3.6e9 - spanUs, p.h * 3.6e9);
    return { h: p.h, v: v > 0 ? v : NaN };
  });

  const charts: string[] = [];
  const add = (series: Series[], title: string, unit: string) => charts.push(chart(series, { title, unit }));
  add(
    [
      { name: "true air", points: truthLine((s) => s.temperature), color: "#9ab", width: 1 },
      { name: "true dew point", points: truthLine((s) => s.dewPoint), color: "#9c9", width: 1, dashed: true },
      { name: "reported mean", points: pts(temp), color: "#c33" },
      { name: "reported dew point", points: pts(dew), color: "#383" },
    ],
    "Temperature",
    "°C",
  );
  add([{ name: "true", points: truthLine((s) => s.humidity), color: "#9ab", width: 1 }, { name: "reported mean", points: pts(rh), color: "#36c" }], "Relative humidity", "%RH");
  add([{ name: "true", points: truthLine((s) => s.pressure / 100), color: "#9ab", width: 1 }, { name: "reported mean", points: pts(press, 0.01), color: "#639" }], "Station pressure", "hPa");
  add(
    [
      { name: "true mean wind", points: truthLine((s) => s.windMeanSpeed), color: "#9ab", width: 1 },
      { name: "reported 10-min mean", points: pts(wspd), color: "#c60" },
      { name: "reported 3-s gust", points: pts(gust), color: "#e99", width: 1.2 },
    ],
    "Wind speed",
    "m/s",
  );
  add([{ name: "true", points: truthLine((s) => s.windDirection), color: "#9ab", kind: "dots" }, { name: "reported vector mean", points: pts(wdir), color: "#066", kind: "dots" }], "Wind direction (from)", "degrees");
  add([{ name: "reported per interval", points: pts(rain), color: "#36c", kind: "bars" }, { name: "true per interval", points: pts(trueRain), color: "#c33", kind: "dots" }], "Rain", "mm per report interval");

  const fid = [
    ["temperature", "°C", fidelity(temp, meanOver((s) => s.temperature), spanUs)],
    ["humidity", "%RH", fidelity(rh, meanOver((s) => s.humidity), spanUs)],
    ["pressure", "Pa", fidelity(press, meanOver((s) => s.pressure), spanUs)],
  ] as const;
  const totalRain = rain.reduce((a, p) => a + p.v, 0);
  const totalTrue = atm.rainBetween(0, endUs);

  const fidelityRows: Fidelity[] = fid.map(([quantity, unit, f]) => ({ quantity, unit, n: f.n, mean: f.mean, worst: f.worst }));
  const s = summary;
  const row = (k: string, v: string) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`${s.device} on ${s.board}, seed ${s.seed}`)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:940px}table{border-collapse:collapse;margin:8px 0 20px}th,td{text-align:left;padding:2px 12px 2px 0;font-weight:400}th{color:#666}h1{font-size:20px}h2{font-size:15px;margin-top:28px}svg{display:block;margin:6px 0 18px}</style></head>
<body>
<h1>${esc(s.device)} on ${esc(s.board)} — ${s.virtualHours} h, seed ${s.seed}${s.nodes > 1 ? `, ${s.nodes} nodes (charts: ${esc(node.id)})` : ""}</h1>
<table>
${row("wall time", `${s.wallSeconds.toFixed(2)} s (${Math.round(s.speedup).toLocaleString("en-US")}× real time, ${s.events.toLocaleString("en-US")} events)`)}
${row("frames", `${s.framesSent} sent, ${s.framesAcked} acknowledged, ${s.framesDup} retransmitted`)}
${row("bytes on air", `${s.bytesOnAir.toLocaleString("en-US")} (TCP payload both ways), ${s.payloadBytes.toLocaleString("en-US")} B of SenML`)}
${row("samples", Object.entries(s.deviceStats).filter(([k]) => /Samples$|Tips$|Errors$/.test(k)).map(([k, v]) => `${k} ${v}`).join(", "))}
${row("crashes", String(s.crashes.length))}
${row("broker", s.broker)}
${s.warnings.map((w) => row("warning", w)).join("\n")}
</table>
<h2>Reported against the simulated world</h2>
<p>Thin lines are the atmosphere the part models measured (ground truth); thick lines and dots are what the node sent,
decoded from its SenML-CBOR frames by an independent CBOR library.</p>
<table><tr><th>quantity</th><th>reports</th><th>mean |reported − true interval mean|</th><th>worst</th></tr>
${fid.map(([q, u, f]) => `<tr><td>${q}</td><td>${f.n}</td><td>${f.mean.toFixed(3)} ${u}</td><td>${f.worst.toFixed(3)} ${u}</td></tr>`).join("\n")}
<tr><td>rain, total</td><td>${rain.length}</td><td colspan="2">${totalRain.toFixed(2)} mm reported, ${totalTrue.toFixed(2)} mm fell (the bucket holds the rest below one 0.2794 mm tip)</td></tr>
</table>
${charts.join("\n")}
</body></html>
`;
  return { html, fidelity: fidelityRows, rainReportedMm: totalRain, rainFellMm: totalTrue };
}
