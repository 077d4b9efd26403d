/**
 * Small self-contained SVG charts for run reports: time on x, one or more series as lines or bars, nice ticks,
 * a legend. No dependencies, so a report is one HTML file that opens anywhere.
 */

export interface Series {
  name: string;
  /** [x, y] points; NaN y leaves a gap. */
  points: readonly (readonly [number, number])[];
  color: string;
  kind?: "line" | "bars" | "dots";
  /** Thin line (ground truth), thick (measured). */
  width?: number;
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  unit: string;
  /** x is hours (virtual time); label ticks as such. */
  xLabel?: string;
  width?: number;
  height?: number;
  yMin?: number;
  yMax?: number;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Round, readable tick steps (1, 2, 5 × 10^k) giving about `count` ticks over [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

export function chart(series: readonly Series[], o: ChartOptions): string {
  const W = o.width ?? 900;
  const H = o.height ?? 240;
  const m = { l: 56, r: 16, t: 28, b: 34 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((y) => Number.isFinite(y));
  if (xs.length === 0 || ys.length === 0) return `<p>${esc(o.title)}: no data</p>`;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1e-9);
  let y0 = o.yMin ?? Math.min(...ys);
  let y1 = o.yMax ?? Math.max(...ys);
  if (y1 - y0 < 1e-9) {
    y0 -= 1;
    y1 += 1;
  }
  const pad = (y1 - y0) * 0.06;
  if (o.yMin === undefined) y0 -= pad;
  if (o.yMax === undefined) y1 += pad;
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="11">`);
  out.push(`<text x="${m.l}" y="16" font-size="13" font-weight="600">${esc(o.title)} <tspan font-weight="400" fill="#666">(${esc(o.unit)})</tspan></text>`);
  for (const t of niceTicks(y0, y1, 5)) {
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${m.l - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" fill="#555">${t}</text>`);
  }
  for (const t of niceTicks(x0, x1, 12)) {
    out.push(`<line x1="${px(t).toFixed(1)}" x2="${px(t).toFixed(1)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#999"/>`);
    out.push(`<text x="${px(t).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle" fill="#555">${t}</text>`);
  }
  out.push(`<text x="${W - m.r}" y="${H - 4}" text-anchor="end" fill="#777">${esc(o.xLabel ?? "virtual time, h")}</text>`);
  out.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#999"/><line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#999"/>`);
  const barW = Math.max(1, (W - m.l - m.r) / Math.max(1, ...series.map((s) => s.points.length)) * 0.8);
  for (const s of series) {
    const kind = s.kind ?? "line";
    if (kind === "bars") {
      for (const [x, y] of s.points) {
        if (!Number.isFinite(y) || y === 0) continue;
        const top = py(Math.max(y, 0));
        const base = py(Math.max(y0, 0));
        out.push(`<rect x="${(px(x) - barW / 2).toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0.5, base - top).toFixed(1)}" fill="${s.color}" opacity="0.75"/>`);
      }
      continue;
    }
    if (kind === "dots") {
      for (const [x, y] of s.points) {
        if (Number.isFinite(y)) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2" fill="${s.color}"/>`);
      }
      continue;
    }
    let d = "";
    let pen = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${px(x).toFixed(1)},${py(y).toFixed(1)}`;
      pen = true;
    }
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.6}"${s.dashed ? ' stroke-dasharray="4 3"' : ""}/>`);
  }
  let lx = m.l + 8;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="${m.t - 2}" width="10" height="3" fill="${s.color}"/><text x="${lx + 14}" y="${m.t + 2}" fill="#333">${esc(s.name)}</text>`);
    lx += 24 + s.name.length * 6.2;
  }
  out.push("</svg>");
  return out.join("");
}
