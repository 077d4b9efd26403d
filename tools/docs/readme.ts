/**
 * `npm run docs`: the README's generated blocks, from commands, never typed by hand.
 *
 *   <!-- generated:sim -->    what `npm start` prints (ganzhi sim weather-station --hours 24 --seed 1)
 *   <!-- generated:nodes -->  the node kinds: every device manifest, its parts, its link on each board it wires
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

export const SIM_COMMAND = "ganzhi sim weather-station --hours 24 --seed 1";

/** What `npm start` prints: the summary of a day of the weather station on the default board. */
export async function simBlock(): Promise<string> {
  const { summary } = await runSim({ device: "weather-station", board: "esp32-devkitc", hours: 24, seed: 1 });
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
  if (process.argv.includes("--check")) {
    const stale: string[] = [];
    if (stable(blockOf(text, "sim")) !== stable(sim)) stale.push("sim");
    if (blockOf(text, "nodes") !== nodes) stale.push("nodes");
    if (stale.length > 0) {
      console.error(`README.md: generated block${stale.length > 1 ? "s" : ""} ${stale.join(", ")} out of date: run npm run docs`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(file, replaceBlock(replaceBlock(text, "sim", sim), "nodes", nodes));
  console.log("README.md: generated blocks sim, nodes written");
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await main();
