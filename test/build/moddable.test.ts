/**
 * Moddable's own tools on what `ganzhi build` writes: for every device and board the manifests pair, `ganzhi build
 * --check` runs the SDK's mcconfig on the project, then xsc on every module and xsl, which links and preloads them as
 * for the board. Any error fails, and so does any xsl warning about the project's own modules.
 *
 * The SDK is `$MODDABLE`, else the one built once from ../shared/moddable into a cache folder (as `.ci/run` and
 * `npm run setup` do), else these tests are skipped with the reason on one line.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArgs } from "../../tools/cli/args.js";
import { createBuildCommand } from "../../tools/commands/build.js";
import type { BuildReport } from "../../tools/build/build.js";
import { checkFaults, PROJECT_MODULES, readPreparation, readToolOutput } from "../../tools/build/moddable.js";
import { ensureSdk, locateSdk, type ModdableSdk } from "../../tools/build/moddable-sdk.js";
import { wiredPairs } from "../helpers/manifests.js";
import { FOOTPRINT_HEADER, FOOTPRINT_TITLE_START, footprintCells } from "../../tools/bench/build-figures.js";
import { FIGURES_FILE, figuresTable, readFigures } from "../../tools/docs/figures-file.js";
import { capture, makeScratch, REPO, type Scratch } from "./helpers.js";

const documented = figuresTable(readFigures(REPO), FOOTPRINT_TITLE_START);
const out = mkdtempSync(path.join(tmpdir(), "ganzhi-moddable-"));
/** A cold build (type checks, rollup, the XS runner's first build) then mcconfig and make, on a loaded 2-core machine. */
const BUILD_TIMEOUT = 5 * 60_000;
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function build(root: string, device: string, board: string, dir: string, sdk: ModdableSdk) {
  const cmd = createBuildCommand();
  const io = capture();
  const code = await cmd.run(parseArgs([device, "--board", board, "--out", dir, "--check"], cmd.options), {
    root,
    cwd: root,
    io,
    env: { ...process.env, MODDABLE: sdk.root },
  });
  return { code, io };
}

describe("reading what mcconfig, xsc and xsl print", () => {
  // Lines as Moddable 8.2.3 printed them for the weather station before its tables were frozen.
  const stderr = [
    "/opt/moddable/modules/io/socket/lwip/listener.js:26: warning: cannot optimize native!",
    "### 1365 instances, 1788 keys, 75 colors, 0 holes",
    "### warning: resetReason: default() reasons: not frozen",
    "### warning: ganzhi/app: deviceMain() WeatherStation() WindVane() ARGENT_80422_OHMS: not frozen",
    "/work/p/app.js:12: warning: something about the bundle",
    "",
  ].join("\n");

  it("tells the project's warnings from Moddable's, and reads xsl's counts", () => {
    const r = readToolOutput(stderr, "/work/p");
    expect(r.counts).toEqual([1365, 1788, 75, 0]);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => [w.module, w.own])).toEqual([
      ["/opt/moddable/modules/io/socket/lwip/listener.js", false],
      ["resetReason", false],
      ["ganzhi/app", true],
      ["/work/p/app.js", true],
    ]);
    expect(checkFaults({ target: "esp32", errors: [], warnings: r.warnings })).toEqual([
      "### warning: ganzhi/app: deviceMain() WeatherStation() WindVane() ARGENT_80422_OHMS: not frozen",
      "/work/p/app.js:12: warning: something about the bundle",
    ]);
  });

  it("counts errors from xsl and xsc", () => {
    const r = readToolOutput("### error: ganzhi/app: deviceMain() gen: generator\n/work/p/app.js:3: error: missing ;\n", "/work/p");
    expect(r.errors).toHaveLength(2);
  });

  it("reads the preloaded heap, stack, scripts and byte code from mc.xs.c", () => {
    const c = [
      "#define mxHeapCount 9151",
      "#define mxStackCount 163",
      "#define mxScriptsCount 35",
      'static const txU1 gxCode1[429] = {',
      '/* 1 */\t{ NULL, {.kind = XS_CODE_X_KIND}, .value = { .code = { (txByte*)"\\x0f\\x00\\x9e", NULL } } },',
    ].join("\n");
    expect(readPreparation(c)).toEqual({ heapSlots: 9151, stackSlots: 163, scripts: 35, byteCode: 432 });
  });
});

describe("ganzhi build --check without an SDK", () => {
  it("is a usage error saying what to set", async () => {
    const cmd = createBuildCommand();
    const run = cmd.run(parseArgs(["weather-station", "--board", "esp32-devkitc", "--check"], cmd.options), { root: REPO, cwd: REPO, io: capture(), env: {} });
    await expect(run).rejects.toThrow("--check runs the Moddable SDK's mcconfig, xsc and xsl: set MODDABLE to an SDK with its host tools built (docs/moddable.md)");
  });

  it("names what is missing when $MODDABLE is not an SDK", async () => {
    const cmd = createBuildCommand();
    const env = { MODDABLE: out };
    const run = cmd.run(parseArgs(["weather-station", "--board", "esp32-devkitc", "--check"], cmd.options), { root: REPO, cwd: REPO, io: capture(), env });
    await expect(run).rejects.toThrow(`--check: $MODDABLE: ${out} has no mcconfig, xsc, xsl in build/bin/`);
  });
});

const where = locateSdk(REPO, process.env);

if (where.kind === "none") {
  describe("Moddable's mcconfig, xsc and xsl", () => {
    it("run on every device and board", (ctx) => ctx.skip(where.reason));
  });
} else {
  describe("Moddable's mcconfig, xsc and xsl on every device and board", () => {
    let sdk: ModdableSdk;
    beforeAll(async () => {
      const found = await ensureSdk(REPO, process.env);
      if (typeof found === "string") throw new Error(found);
      sdk = found;
    }, 20 * 60_000);

    it.each(wiredPairs({ root: REPO }))("%s on %s: no error, and no xsl warning about the project's modules", async (device, board) => {
      const dir = path.join(out, device, board);
      const { code, io } = await build(REPO, device, board, dir, sdk);
      expect(io.errors.filter((e) => !e.startsWith("warning:"))).toEqual([]);
      expect(code).toBe(0);
      const report = JSON.parse(readFileSync(path.join(dir, "ganzhi-build.json"), "utf8")) as BuildReport;
      const m = report.moddable!;
      expect(m.errors).toEqual([]);
      // Tolerated: warnings about Moddable's own modules only (its resetReason module draws
      // "### warning: resetReason: default() reasons: not frozen" on ESP32 by itself). None may name ours.
      for (const w of m.warnings) {
        expect(w.own, w.text).toBe(false);
        expect(PROJECT_MODULES).not.toContain(w.module);
        expect(w.text.includes(dir), w.text).toBe(false);
      }
      const f = m.figures!;
      expect(f.instances).toBeGreaterThan(0);
      expect(f.keys).toBeGreaterThan(0);
      expect(f.heapSlots).toBeGreaterThan(f.instances);
      expect(f.appByteCode).toBeGreaterThan(0);
      expect(io.lines[2]).toMatch(/^ {2}xsl \(.+\): [\d,]+ instances, [\d,]+ keys; preloaded heap [\d,]+ slots/);

      // docs/figures.md's footprint row for this pair is what this build and xsl print now (bytes and counts only).
      const creation = (JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { creation: { chunk: { initial: number }; heap: { initial: number } } }).creation;
      const cells = footprintCells({ device, board, appBytes: report.bundle.bytes, modules: report.modules.length, creation: { heap: creation.heap.initial, chunk: creation.chunk.initial }, xsl: f });
      const row = documented.rows.find((r) => r.device === device && r.board === board);
      expect(row, `${FIGURES_FILE} has no footprint row for ${device} on ${board}: run \`npm run figures\``).toBeDefined();
      expect(FOOTPRINT_HEADER.map((h) => row![h]), `${FIGURES_FILE}'s footprint of ${device} on ${board} is stale: run \`npm run figures\``).toEqual(cells);
    }, BUILD_TIMEOUT);

    it(`${FIGURES_FILE} lists the footprint of exactly the pairs the manifests wire`, () => {
      expect(documented.header).toEqual(FOOTPRINT_HEADER);
      expect(documented.rows.map((r) => `${r.device} on ${r.board}`).sort()).toEqual(wiredPairs({ root: REPO }).map(([d, b]) => `${d} on ${b}`).sort());
    });

    describe("a project xsl warns about fails the build", () => {
      let scratch: Scratch;
      beforeAll(() => {
        scratch = makeScratch();
        scratch.addDevice("mutable-table", {
          "main.ts": [
            'import type { Host, NodeApp } from "../../hal/host.js";',
            "// A table left mutable: preloaded, it stays reachable from main's closure.",
            "const OHMS: number[] = [33000, 6570, 8200];",
            "export default function main(host: Host): NodeApp {",
            '  host.log("info", `vane table of ${OHMS.length}`);',
            "  return { stats: () => ({ rows: OHMS.length }) };",
            "}",
            "",
          ].join("\n"),
        });
      });
      afterAll(() => scratch?.dispose());

      it("names xsl's warning, after the build's own warning about the same table", async () => {
        const { code, io } = await build(scratch.root, "mutable-table", "esp32-devkitc", path.join(scratch.root, "out"), sdk);
        expect(code).toBe(1);
        expect(io.errors).toContainEqual(expect.stringMatching(/^warning: devices\/mutable-table\/main\.ts:3: OHMS is a module-level array that is not frozen/));
        expect(io.stderr).toMatch(/ganzhi build: Moddable's tools \(mcconfig, xsc, xsl\) reject the project in out:\n {2}### warning: ganzhi\/app: .*OHMS: not frozen\n/);
      }, BUILD_TIMEOUT);
    });
  });
}
