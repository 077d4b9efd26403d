/**
 * Reading docs/figures.md back: the benchmark prints each table as a title line, a header and rows whose columns
 * are separated by at least two spaces (tools/bench/bench.ts printTable), inside one fenced block. The tests use this
 * to compare the committed figures with what the deterministic parts of the benchmark print now.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { manifestRoot } from "../../manifests/load.js";

export const FIGURES_FILE = path.join("docs", "figures.md");

export interface FiguresTable {
  title: string;
  header: string[];
  /** Each row keyed by its header cell. */
  rows: Record<string, string>[];
}

export function readFigures(root = manifestRoot()): string {
  return readFileSync(path.join(root, FIGURES_FILE), "utf8");
}

const cellsOf = (line: string) => line.trim().split(/ {2,}/);

/** The table whose title line starts with `titleStart`; an error naming the file and the title when it is not there. */
export function figuresTable(text: string, titleStart: string): FiguresTable {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith(titleStart));
  if (at < 0 || at + 1 >= lines.length) throw new Error(`${FIGURES_FILE}: no table titled "${titleStart}…" (run \`npm run figures\`)`);
  const header = cellsOf(lines[at + 1]!);
  const rows: Record<string, string>[] = [];
  for (const line of lines.slice(at + 2)) {
    // A table ends at a blank line, a note indented under it, or the end of the block.
    if (line.trim() === "" || line.startsWith(" ") || line.startsWith("```")) break;
    const cells = cellsOf(line);
    if (cells.length !== header.length) throw new Error(`${FIGURES_FILE}: a row of "${titleStart}…" has ${cells.length} cells, its header ${header.length}: ${line}`);
    rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i]!])));
  }
  return { title: lines[at]!, header, rows };
}

/** The benchmark settings docs/figures.md was written with (GANZHI_BENCH_* in its header line). */
export function figuresSettings(text: string): Record<string, string> {
  const line = text.split("\n").find((l) => l.startsWith("Printed by")) ?? "";
  return Object.fromEntries([...line.matchAll(/(GANZHI_BENCH_[A-Z_]+)=([^\s.,]+(?:[.,][^\s.,]+)*)/g)].map((m) => [m[1]!, m[2]!]));
}

/** The lines of docs/figures.md that start with `prefix` (after indentation), as printed. */
export function figuresLines(text: string, prefix: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith(prefix));
}
