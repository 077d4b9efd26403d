/**
 * A run as a page: what the node reported against what the simulated world really was, one chart per SenML record
 * the node sent, plus the run's figures. Which world quantity a record measures is the device's to say (`report`
 * in its manifest); records it does not name are charted alone. Written by `ganzhi sim --report run.html`; one
 * self-contained HTML file.
 */
import { loadDevice } from "../../manifests/load.js";
import type { QuantityName } from "../../manifests/schema/worlds.js";
import { airQuantities, type Quantity } from "../../simulator/core/quantities.js";
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

/** Each record name the frames carry (after the base name), in the order first sent, with its unit and values. */
function records(frames: readonly Frame[]): Map<string, { unit: string; points: Point[] }> {
  const out = new Map<string, { unit: string; points: Point[] }>();
  for (const f of frames) {
    for (const r of f.records ?? []) {
      if (typeof r.value !== "number") continue;
      const name = r.name.slice(r.name.lastIndexOf(":") + 1);
      const unit = r.unit ?? "";
      let series = out.get(name);
      if (!series) out.set(name, (series = { unit, points: [] }));
      if (series.unit !== unit) throw new Error(`sim report: record "${name}" came in unit "${unit}" after "${series.unit}"`);
      series.points.push({ h: f.t / 3.6e6, v: r.value });
    }
  }
  return out;
}

const pts = (p: readonly Point[]): [number, number][] => p.map((x) => [x.h, x.v]);

/** Mean and worst absolute difference between reported interval means and the true interval means. */
function fidelity(reported: readonly Point[], q: Quantity, spanUs: number) {
  let sum = 0;
  let worst = 0;
  for (const p of reported) {
    const d = Math.abs(p.v - q.between(p.h * 3.6e9 - spanUs, p.h * 3.6e9));
    sum += d;
    if (d > worst) worst = d;
  }
  return { n: reported.length, mean: reported.length ? sum / reported.length : NaN, worst };
}

export interface Fidelity {
  /** The SenML record name. */
  record: string;
  quantity: QuantityName;
  unit: string;
  n: number;
  /** Mean |reported − true interval mean|. */
  mean: number;
  worst: number;
}

/** A quantity that accumulates (rain): the sum of the reports against what accumulated over the run. */
export interface Total {
  record: string;
  quantity: QuantityName;
  unit: string;
  n: number;
  reported: number;
  truth: number;
}

export function simReportHtml(result: SimResult): string {
  return simReport(result).html;
}

export function simReport(result: SimResult): { html: string; fidelity: Fidelity[]; totals: Total[]; charts: string[] } {
  const { summary, world } = result;
  const node = world.nodes[0]!;
  const frames = result.frames.filter((f) => f.node === node.id && f.records && !f.dup);
  const measures = loadDevice(world.config.device).manifest.report ?? {};
  const quantities = airQuantities(world.atmosphere);
  const endUs = summary.virtualHours * 3.6e9;
  const truthStep = Math.max(MIN, Math.round(endUs / 1500 / MIN) * MIN);
  const spanUs = (world.config.reporting.intervalS ?? 600) * 1e6;

  const charts: string[] = [];
  const fidelityRows: Fidelity[] = [];
  const totals: Total[] = [];
  const names: string[] = [];
  for (const [record, { unit, points }] of records(frames)) {
    names.push(record);
    const series: Series[] = [];
    const name = measures[record] as QuantityName | undefined;
    const q = name === undefined ? undefined : quantities[name];
    if (q && q.unit !== unit) throw new Error(`sim report: record "${record}" is in ${unit}, but ${name} (its manifest's report) is in ${q.unit}`);
    if (q?.kind === "total") {
      // Intervals where nothing accumulated are left out of the truth dots, so what did stands out.
      const truth = points.map((p): [number, number] => {
        const v = q.between(p.h * 3.6e9 - spanUs, p.h * 3.6e9);
        return [p.h, v > 0 ? v : NaN];
      });
      series.push({ name: "reported per interval", points: pts(points), color: "#36c", kind: "bars" }, { name: "true per interval", points: truth, color: "#c33", kind: "dots" });
      totals.push({ record, quantity: name!, unit, n: points.length, reported: points.reduce((a, p) => a + p.v, 0), truth: q.between(0, endUs) });
    } else {
      const dots = q?.kind === "angle";
      if (q) {
        const line: [number, number][] = [];
        for (let t = 0; t <= endUs; t += truthStep) line.push([t / 3.6e9, q.at(t)]);
        series.push({ name: `true ${q.title}`, points: line, color: "#9ab", ...(dots ? { kind: "dots" as const } : { width: 1 }) });
      }
      series.push({ name: "reported", points: pts(points), color: "#c33", ...(dots ? { kind: "dots" as const } : {}) });
      if (q?.kind === "mean") fidelityRows.push({ record, quantity: name!, unit, ...fidelity(points, q, spanUs) });
    }
    charts.push(chart(series, { title: q ? `${record}: ${q.title}` : record, unit }));
  }

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
${row("device counters", Object.entries(s.deviceStats).map(([k, v]) => `${k} ${v}`).join(", "))}
${row("crashes", String(s.crashes.length))}
${row("broker", s.broker)}
${s.warnings.map((w) => row("warning", w)).join("\n")}
</table>
<h2>Reported against the simulated world</h2>
<p>Thin lines are the world the part models measured (ground truth); thick lines and dots are what the node sent,
decoded from its SenML-CBOR frames by an independent CBOR library. Values are in SenML units (RFC 8428).</p>
<table><tr><th>quantity</th><th>reports</th><th>mean |reported − true interval mean|</th><th>worst</th></tr>
${fidelityRows.map((f) => `<tr><td>${esc(f.record)} (${f.quantity})</td><td>${f.n}</td><td>${f.mean.toFixed(3)} ${esc(f.unit)}</td><td>${f.worst.toFixed(3)} ${esc(f.unit)}</td></tr>`).join("\n")}
${totals.map((t) => `<tr><td>${esc(t.record)} (${t.quantity}), total</td><td>${t.n}</td><td colspan="2">${t.reported.toPrecision(4)} ${esc(t.unit)} reported, ${t.truth.toPrecision(4)} ${esc(t.unit)} in the world</td></tr>`).join("\n")}
</table>
${charts.join("\n")}
</body></html>
`;
  return { html, fidelity: fidelityRows, totals, charts: names };
}
