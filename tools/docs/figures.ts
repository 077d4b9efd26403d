/**
 * `npm run figures`: runs the benchmark (tools/bench/bench.ts, what `npm run bench` prints) and writes its output
 * to docs/figures.md, with the machine and the date, so the figures the docs point to were printed by a command.
 * The benchmark's own lines say what each figure leaves out.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { manifestRoot } from "../../manifests/load.js";

const root = manifestRoot();
const bench = path.join(root, "out", "tools", "bench", "bench.js");
const started = new Date();
const r = spawnSync(process.execPath, [bench], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: process.env, maxBuffer: 64 * 1024 * 1024 });
if (r.status !== 0) {
  console.error(`npm run figures: the benchmark exited ${r.status ?? r.signal}; docs/figures.md left as it was`);
  process.exit(1);
}
const settings = Object.entries(process.env)
  .filter(([k]) => k.startsWith("GANZHI_BENCH_"))
  .map(([k, v]) => `${k}=${v}`);
const text = [
  "# Figures",
  "",
  `Printed by \`npm run bench\` (written here by \`npm run figures\`) on ${started.toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}${settings.length ? `, with ${settings.join(" ")}` : ""}.`,
  "Wall-time figures depend on this machine and its load; the others (bytes, instructions, virtual time, energy",
  "estimates) do not. Each table says what it leaves out. The suite fails when the simulation table's reports and bytes,",
  "the month-long accuracy lines or the footprint per board differ from what the commands print now (test/docs/figures.test.ts",
  "and the tests that print the same figures); the XS, emulated and battery tables take too long to re-run there.",
  "",
  "```",
  r.stdout.trimEnd(),
  "```",
  "",
].join("\n");
writeFileSync(path.join(root, "docs", "figures.md"), text);
console.log("docs/figures.md written");
