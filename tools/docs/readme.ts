/**
 * `npm run docs`: the README's generated blocks, from commands, never typed by hand.
 *
 *   <!-- generated:sim -->    what `npm start` prints (the `ganzhi sim` run package.json's start script names)
 *   <!-- generated:nodes -->  the node kinds: every device manifest, its parts, its link on each board it wires
 *   <!-- generated:emulated -->  each node's figures on the emulated nRF52840 (docs/figures.md): instructions per
 *                             cycle of its fastest sampling, CPU busy, jitter, XS heap, mean current
 *   <!-- generated:radio -->  the radio links' figures, taken from docs/figures.md (what `npm run figures` wrote from
 *                             the benchmark): RX-window error, airtime and current per device and radio board, years
 *                             on the battery, and what single radio events cost
 *
 * `npm run docs -- --check` exits 1 when a block differs from what the commands print now (the wall time, speed-up
 * the events real I/O added and the embedded broker's port aside: they change from run to run); test/docs/readme.test.ts runs the check.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { listBoards, listDevices, loadBoard, loadDevice, manifestRoot, resolveNode } from "../../manifests/load.js";
import { wiredPairs } from "../build/manifests.js";
import { formatSummary } from "../commands/sim.js";
import { runSim } from "../../simulator/node/session.js";
import { figuresLines, figuresTable, readFigures } from "./figures-file.js";

/** The run `npm start` makes, read from package.json's start script (the device is the project's to choose, not this tool's). */
function startRun(): { device: string; hours: number; seed: number } {
  const scripts = (JSON.parse(readFileSync(path.join(manifestRoot(), "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
  const m = /ganzhi\.js sim (\S+) --hours (\d+(?:\.\d+)?) --seed (\d+)/.exec(scripts["start"] ?? "");
  if (!m) throw new Error(`package.json: scripts.start must run "node bin/ganzhi.js sim <device> --hours <h> --seed <n>", got ${JSON.stringify(scripts["start"])}`);
  return { device: m[1]!, hours: Number(m[2]), seed: Number(m[3]) };
}

const START = startRun();
export const SIM_COMMAND = `ganzhi sim ${START.device} --hours ${START.hours} --seed ${START.seed}`;

/** What `npm start` prints: the summary of its run on the default board. */
export async function simBlock(): Promise<string> {
  const { summary } = await runSim({ device: START.device, board: "esp32-devkitc", hours: START.hours, seed: START.seed });
  return ["```", formatSummary(summary), "```"].join("\n");
}

const LINK_NAMES: Readonly<Record<string, string>> = Object.freeze({ mqtt: "MQTT", lorawan: "LoRaWAN CN470", nbiot: "NB-IoT (CoAP)" });

function firstSentence(text: string): string {
  const m = /^(.*?[.:;])(\s|$)/.exec(text);
  return (m ? m[1]! : text).replace(/[:;]$/, "");
}

/** One row per device manifest: what it is, its parts, and the link it uses on each board it is wired for. */
export function nodesBlock(root = manifestRoot()): string {
  const boards = listBoards({ root });
  const pairs = wiredPairs({ root });
  const examples = path.join(root, "examples", "boards");
  const rows = ["| node | parts | boards and links |", "| --- | --- | --- |"];
  for (const name of listDevices({ root })) {
    const device = loadDevice(name, { root });
    const parts = [...new Set(Object.values(device.manifest.parts).map((p) => p.part))].join(", ");
    const on: string[] = [];
    const boardNames = pairs.filter(([d]) => d === name).map(([, b]) => b);
    const exampleFiles = existsSync(examples) ? readdirSync(examples).filter((f) => f.endsWith(".json")).sort().map((f) => path.join(examples, f)) : [];
    for (const board of [...boardNames.filter((b) => boards.includes(b)), ...exampleFiles]) {
      try {
        const config = resolveNode(device, loadBoard(board, { root }), { root }).config;
        const label = board.endsWith(".json") ? `${path.relative(root, board)}` : board;
        on.push(`${label}: ${LINK_NAMES[config.uplink.link] ?? config.uplink.link}`);
      } catch {
        // Not wired there: the board is listed only where the device resolves.
      }
    }
    rows.push(`| **${name}**: ${firstSentence(device.manifest.description)} | ${parts} | ${on.join("; ")} |`);
  }
  return rows.join("\n");
}

/** These columns of figures.md rows as a Markdown table. */
function markdownTable(cols: readonly string[], rows: readonly Record<string, string>[]): string[] {
  return [`| ${cols.join(" | ")} |`, `| ${cols.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${cols.map((c) => r[c] ?? "?").join(" | ")} |`)];
}

/** Each node on the nRF52840-DK's profile, with MQTT and with its LoRa shield: docs/figures.md's emulated rows. */
export function emulatedBlock(root = manifestRoot()): string {
  const emulated = figuresTable(readFigures(root), "Emulated Cortex-M4");
  const cols = ["device", "board", "link", "fastest sampling", "instructions per cycle", "CPU busy", "jitter max", "XS heap held", "mean current"];
  return [
    `On the emulated nRF52840 (${/: ([\d.]+ h) per device and board/.exec(emulated.title)?.[1] ?? "?"} per run, seed 1; instructions per cycle of the fastest sampling group, the device's and its provider's; jitter of its slots on the board's clock; XS memory after collections; mean current from the board's currents and, with the shield, the radio's part model, sensors' own supply not counted but the strain bridge's; "-": no sampling group that comes round twice in the run, the buoy's and the meter's are 15 minutes):`,
    "",
    ...markdownTable(cols, emulated.rows.filter((r) => r.board === "nrf52840-dk" || r.board === "nrf52840-dk-sx1262")),
  ].join("\n");
}

/** The radio rows of docs/figures.md's tables, as Markdown: the benchmark printed them, this only selects. */
export function radioBlock(root = manifestRoot()): string {
  const text = readFigures(root);
  const emulated = figuresTable(text, "Emulated Cortex-M4");
  const cols = ["device", "board", "link", "RX window error p50 / p99 / max", "airtime per uplink", "mean current"];
  const out = [
    `On the emulated MCU with its radio (${/: ([\d.]+ h) per device and board/.exec(emulated.title)?.[1] ?? "?"} per run, seed 1; the radio's current from its part model, TCXO, RF switch and regulator not counted):`,
    "",
    ...markdownTable(cols, emulated.rows.filter((r) => r.link !== "mqtt")),
  ];
  try {
    const battery = figuresTable(text, "Years on the battery");
    const bcols = ["device", "radio board (link)", "battery", "total", "years", "dominated by"];
    out.push("", "Years on the battery (radio and the strain bridge over simulated days, MCU from the emulated radio board; other sensors, regulator, passivation and temperature not counted):", "", ...markdownTable(bcols, battery.rows));
  } catch {
    // A benchmark run without the battery section: the emulated rows alone.
  }
  try {
    const costs = figuresTable(text, "What single events cost");
    const ccols = ["event", "DR (SF)", "time on air ms", "listening ms", "charge µAh"];
    out.push("", "What single LoRaWAN events cost (SX1262 datasheet currents; wake-up, TCXO, RF switch and MCU not counted):", "", ...markdownTable(ccols, costs.rows));
    const nbiot = figuresLines(text, "NB-IoT (BC95 model): a day without coverage")[0];
    if (nbiot) out.push("", nbiot);
  } catch {
    // An older benchmark run without the event costs.
  }
  return out.join("\n");
}

/** Replace the text between `<!-- generated:name -->` and `<!-- /generated:name -->`. */
export function replaceBlock(text: string, name: string, body: string): string {
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`README.md has no ${open} … ${close} block`);
  return `${text.slice(0, a + open.length)}\n${body}\n${text.slice(b)}`;
}

export function blockOf(text: string, name: string): string {
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`README.md has no ${open} … ${close} block`);
  return text.slice(a + open.length, b).trim();
}

/** What differs between runs of the same seed: wall time, speed-up, the events the broker's real I/O added, its port. */
export function stable(summary: string): string {
  return summary.replace(/in [\d.]+ s wall {2}\([\d,]+× real time, [\d,]+ events\)/, "in … s wall  (…× real time, … events)").replace(/mqtt:\/\/127\.0\.0\.1:\d+/g, "mqtt://127.0.0.1:…");
}

async function main(): Promise<void> {
  const root = manifestRoot();
  const file = path.join(root, "README.md");
  const text = readFileSync(file, "utf8");
  const sim = await simBlock();
  const nodes = nodesBlock(root);
  const radio = radioBlock(root);
  const emulated = emulatedBlock(root);
  if (process.argv.includes("--check")) {
    const stale: string[] = [];
    if (stable(blockOf(text, "sim")) !== stable(sim)) stale.push("sim");
    if (blockOf(text, "nodes") !== nodes) stale.push("nodes");
    if (blockOf(text, "radio") !== radio) stale.push("radio");
    if (blockOf(text, "emulated") !== emulated) stale.push("emulated");
    if (stale.length > 0) {
      console.error(`README.md: generated block${stale.length > 1 ? "s" : ""} ${stale.join(", ")} out of date: run npm run docs`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(file, replaceBlock(replaceBlock(replaceBlock(replaceBlock(text, "sim", sim), "nodes", nodes), "emulated", emulated), "radio", radio));
  console.log("README.md: generated blocks sim, nodes, emulated, radio written");
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await main();
