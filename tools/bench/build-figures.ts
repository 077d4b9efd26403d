/**
 * `npm run bench`, the everyday commands: how long `ganzhi build` takes as a whole process, for the first device on its
 * first board (cold: GANZHI_BUILD_CACHE=0; warm: sources unchanged since the last build, so the type checks and the
 * bundle come from the build cache; with --check when a Moddable SDK is at hand), and, per device and board, the
 * project's own footprint beside what Moddable's xsl reports for it. The "incremental" row ignores the whole-build
 * record (GANZHI_BUILD_CACHE=incremental) but keeps TypeScript's build info and each file's JavaScript: the floor of
 * a build after an edit, which adds the re-check and re-emit of the files the edit affects. Then a simulated day
 * (`ganzhi sim <device> --hours 24`) as a whole process.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { int } from "../../simulator/node/figures.js";
import { buildProject } from "../build/build.js";
import { manifestSource, wiredPairs } from "../build/manifests.js";
import { SLOT_BYTES_32, type XslFigures } from "../build/moddable.js";
import { ensureSdk, type ModdableSdk } from "../build/moddable-sdk.js";

type Table = (title: string, header: string[], rows: string[][]) => void;

/** One device on one board: what `ganzhi build` writes and what Moddable's xsl makes of it. Every figure is bytes or counts,
 * so test/build/moddable.test.ts compares each row with docs/figures.md. */
export interface Footprint {
  device: string;
  board: string;
  appBytes: number;
  modules: number;
  creation: { heap: number; chunk: number };
  xsl: XslFigures;
}

export const footprintTitle = (sdkRoot: string) =>
  `Footprint per board: the project's own (app.js, the board's XS creation budget) beside what Moddable's xsl (${sdkRoot}) preloads into flash (${SLOT_BYTES_32}-byte slots on the 32-bit MCU)`;
export const FOOTPRINT_TITLE_START = "Footprint per board:";
export const FOOTPRINT_HEADER = ["device", "board", "app.js B", "modules", "creation heap slots / chunk B", "xsl instances", "keys", "preloaded heap slots (B)", "stack slots", "byte code B", "ganzhi/app.xsb B"];

export function footprintCells(f: Footprint): string[] {
  return [
    f.device,
    f.board,
    int(f.appBytes),
    String(f.modules),
    `${int(f.creation.heap)} / ${int(f.creation.chunk)}`,
    int(f.xsl.instances),
    int(f.xsl.keys),
    `${int(f.xsl.heapSlots)} (${int(f.xsl.heapSlots * SLOT_BYTES_32)})`,
    int(f.xsl.stackSlots),
    int(f.xsl.byteCode),
    int(f.xsl.appByteCode),
  ];
}

/** Median wall seconds of `runs` runs of `ganzhi <args>`, each a new Node process. */
function timeCommand(root: string, args: string[], env: NodeJS.ProcessEnv, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [path.join(root, "bin", "ganzhi.js"), ...args], { cwd: root, env, encoding: "utf8" });
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`ganzhi ${args.join(" ")} failed:\n${r.stderr}`);
    times.push(s);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function benchBuild(root: string, print: Table): Promise<Record<string, unknown>> {
  const sdk = await ensureSdk(root, process.env);
  const haveSdk = typeof sdk !== "string";
  const out = mkdtempSync(path.join(tmpdir(), "ganzhi-bench-build-"));
  try {
    const pairs = wiredPairs({ root });
    const [device, board] = pairs[0]!;
    const runs = Number(process.env.GANZHI_BENCH_BUILD_RUNS ?? 3);
    const args = [device, "--board", board, "--out", path.join(out, "timed")];
    const env = { ...process.env, ...(haveSdk ? { MODDABLE: sdk.root } : {}) };
    const cold = timeCommand(root, ["build", ...args], { ...env, GANZHI_BUILD_CACHE: "0" }, runs);
    timeCommand(root, ["build", ...args], env, 1); // leaves the caches the other runs use
    const incremental = timeCommand(root, ["build", ...args], { ...env, GANZHI_BUILD_CACHE: "incremental" }, runs);
    const warm = timeCommand(root, ["build", ...args], env, runs);
    const rows = [
      ["cold (no cache at all)", cold.toFixed(2)],
      ["incremental (no whole-build record; TypeScript's build info and per-file JavaScript kept)", incremental.toFixed(2)],
      ["sources unchanged (whole-build record)", warm.toFixed(2)],
    ];
    const timing: Record<string, number> = { coldS: cold, incrementalS: incremental, warmS: warm };
    if (haveSdk) {
      timing.warmCheckS = timeCommand(root, ["build", ...args, "--check"], env, runs);
      rows.push(["warm, with --check (mcconfig, xsc, xsl)", timing.warmCheckS.toFixed(2)]);
    }
    print(`ganzhi build ${device} --board ${board}: wall seconds, whole process, median of ${runs} runs, node ${process.version}`, ["build", "wall s"], rows);

    // The other everyday command: a simulated day as a whole process (start-up, the embedded broker, the run, the
    // summary), for the device the fleet figures use.
    const simDevice = process.env.GANZHI_BENCH_FLEET_DEVICE ?? (pairs.some(([d]) => d === "weather-station") ? "weather-station" : device);
    timing.simDayS = timeCommand(root, ["sim", simDevice, "--hours", "24", "-q"], env, runs);
    console.log("");
    print(`ganzhi sim ${simDevice} --hours 24 -q: wall seconds, whole process, median of ${runs} runs`, ["simulated day", "wall s"], [["whole process (node start-up, embedded broker, run, summary)", timing.simDayS.toFixed(2)]]);

    console.log("");
    if (!haveSdk) {
      console.log(`Moddable xsl figures: skipped (${sdk})`);
      return { timing };
    }
    const footprint: Footprint[] = [];
    for (const [d, b] of pairs) {
      const r = await buildProject({ root, device: d, board: b, manifests: manifestSource(root), outDir: path.join(out, d, b), moddable: sdk as ModdableSdk });
      if (r.moddableFaults.length > 0) throw new Error(`${d} on ${b}: Moddable's tools reject the project:\n${r.moddableFaults.join("\n")}`);
      // The creation the project was written with: the board's, with the device's own needs where it asks more.
      const written = (JSON.parse(readFileSync(path.join(out, d, b, "manifest.json"), "utf8")) as { creation: { chunk: { initial: number }; heap: { initial: number } } }).creation;
      const c = { heap: written.heap.initial, chunk: written.chunk.initial };
      footprint.push({ device: d, board: b, appBytes: r.report.bundle.bytes, modules: r.report.modules.length, creation: c, xsl: r.report.moddable!.figures! });
    }
    print(footprintTitle(sdk.root), FOOTPRINT_HEADER, footprint.map(footprintCells));
    return { timing, footprint };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
