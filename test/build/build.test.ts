/**
 * `ganzhi build`: the generated Moddable project for the tiny-node fixture on both reference boards.
 *
 * Expectations come from outside the build: the manifest layer (loadBoard / resolveNode, called here directly),
 * Node's own parser (`node --check`, and the bundle evaluated as ES modules), TypeScript's import scanner, and
 * the Moddable manifest conventions of the reference (documentation/tools/manifest.md). Building is slow-ish
 * (type checks + rollup), so each board is built once and shared.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBoard, resolveNode } from "../../manifests/load.js";
import { parseArgs } from "../../tools/cli/args.js";
import { createBuildCommand } from "../../tools/commands/build.js";
import { capture, makeScratch, type CapturedOutput, type Scratch } from "./helpers.js";
import { importsOf, prepareRun, STUBS_URL, type StubModuleInfo } from "./run-bundle.js";

const BOARDS = ["esp32-devkitc", "nrf52840-dk"] as const;
type BoardName = (typeof BOARDS)[number];

/** What each platform's host provider must import, and nothing else (hal/moddable's Moddable dependencies). */
const COMMON_IMPORTS = [
  "embedded:io/analog",
  "embedded:io/digital",
  "embedded:io/i2c",
  "embedded:io/pulsecount",
  "embedded:io/serial",
  "embedded:io/spi",
  "flash",
  "ganzhi/clockedserial",
  "time",
  "timer",
  // hal/moddable/cipher.ts: host.cipher's AES-128 is the SDK's BlockCipher.
  "crypt",
];
const EXPECTED_IMPORTS: Record<"esp32" | "nrf52", string[]> = {
  esp32: [...COMMON_IMPORTS, "embedded:io/socket/tcp", "resetReason"].sort(),
  nrf52: [...COMMON_IMPORTS, "sleep"].sort(),
};

interface Stubs {
  state: {
    traces: string[];
    timers: { interval: number; repeat: number; active: boolean; fired: number }[];
    i2c: { options: Record<string, unknown>; closed: boolean }[];
    ticks: number;
    espResetReason: number;
    resetreas: number;
    retained: Int32Array;
    deep: number[];
    partitions: Record<string, { size: number }>;
    flashes: { name: unknown; offset?: number; byteLength: number; bytes: Uint8Array }[];
  };
  reset(): void;
  fire(t: unknown): void;
  modules: Record<string, StubModuleInfo>;
  ResetReason: Record<string, number>;
}

interface Built {
  code: number;
  io: CapturedOutput;
  outDir: string;
}

let scratch: Scratch;
const built = {} as Record<BoardName, Built>;

async function build(board: string, out: string): Promise<Built> {
  const cmd = createBuildCommand();
  const io = capture();
  const code = await cmd.run(parseArgs(["tiny-node", "--board", board, "--out", out], cmd.options), {
    root: scratch.root,
    cwd: scratch.root,
    io,
    env: process.env,
  });
  return { code, io, outDir: path.join(scratch.root, out) };
}

beforeAll(async () => {
  scratch = makeScratch();
  for (const board of BOARDS) built[board] = await build(board, `out/${board}`);
});

afterAll(() => scratch?.dispose());

function json(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

describe.each(BOARDS)("ganzhi build tiny-node --board %s", (board) => {
  const b = () => built[board];
  const manifest = () => json(path.join(b().outDir, "manifest.json"));
  const loaded = () => loadBoard(board, { root: scratch.root }).manifest;

  it("succeeds and writes the Moddable project", () => {
    expect(b().io.errors.filter((e) => !e.startsWith("warning:"))).toEqual([]);
    expect(b().code).toBe(0);
    expect(b().io.lines[0]).toBe(`built tiny-node for ${board} (${loaded().target}) in out/${board}`);
    const files = ["app.js", "main.js", "manifest.json", "ganzhi-build.json", "native/clockedserial.js", "native/clockedserial.c"];
    if (loaded().platform === "esp32") files.push("partitions.csv");
    for (const f of files) expect(existsSync(path.join(b().outDir, f)), f).toBe(true);
  });

  it("manifest.json includes the Moddable base, ECMA-419 IO and flash manifests, and the platform's power module", () => {
    const m = manifest();
    expect(m.include).toEqual(
      expect.arrayContaining(["$(MODDABLE)/examples/manifest_base.json", "$(MODDABLE)/modules/io/manifest.json"]),
    );
    expect(m.include).toContain("$(MODDABLE)/modules/files/flash/manifest.json");
    const platforms = m.platforms as Record<string, { include?: string[]; error?: string }>;
    const platform = loaded().platform;
    const other = platform === "esp32" ? "nrf52" : "esp32";
    expect(platforms[platform]!.include).toEqual(
      platform === "nrf52"
        ? ["$(BUILD)/devices/nrf52/modules/sleep/manifest.json"]
        : ["$(BUILD)/devices/esp32/modules/resetReason/manifest.json"],
    );
    expect(platforms[other]!.error).toMatch(/built for board/);
    expect(platforms["..."]!.error).toMatch(/esp32 and nrf52 only/);
    // The host provider's native module: the JS under its name, mcconfig compiles the C beside it.
    expect(m.modules).toEqual({ "*": ["./main"], "ganzhi/app": "./app", "ganzhi/clockedserial": "./native/clockedserial" });
    expect(m.preload).toEqual(["ganzhi/clockedserial", "ganzhi/app"]);
    if (platform === "esp32") expect(m.build).toEqual({ PARTITIONS_FILE: "./partitions.csv" });
    else expect(m.build).toBeUndefined();
  });

  it("manifest.json config is exactly the resolved node configuration", () => {
    const { config } = resolveNode("tiny-node", board, { root: scratch.root });
    expect(manifest().config).toEqual(JSON.parse(JSON.stringify(config)));
  });

  it("manifest.json creation carries the board's XS budgets", () => {
    const c = loaded().memory.creation;
    const creation = manifest().creation as Record<string, any>;
    expect(creation.static).toBe(c.static);
    expect(creation.chunk.initial).toBe(c.chunk);
    expect(creation.heap.initial).toBe(c.heap);
    expect(creation.stack).toBe(c.stack);
    if (c.keys !== undefined) expect(creation.keys).toEqual({ initial: c.keys });
    // Moddable: with static 0 the pools must not grow (incremental 0) or the budget is not one.
    if (c.static === 0) {
      expect(creation.chunk.incremental).toBe(0);
      expect(creation.heap.incremental).toBe(0);
    }
    expect(creation.main).toBe("main");
    const i2c = loaded().buses.i2c!.default!;
    expect((manifest().defines as any).i2c).toMatchObject({ sda_pin: i2c.data, scl_pin: i2c.clock });
  });

  it("app.js is an ES module Node parses, importing only Moddable modules", () => {
    const copy = path.join(scratch.root, `check-${board}.mjs`);
    copyFileSync(path.join(b().outDir, "app.js"), copy);
    const check = spawnSync(process.execPath, ["--check", copy], { encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
    const code = readFileSync(copy, "utf8");
    expect([...new Set(importsOf(code))].sort()).toEqual(EXPECTED_IMPORTS[loaded().platform]);
    expect(code).not.toMatch(/\bimport\s*\(/);
    expect(code).not.toMatch(/\brequire\s*\(/);
  });

  it("main.js imports mc/config and the bundle, and exports main", () => {
    const main = readFileSync(path.join(b().outDir, "main.js"), "utf8");
    expect(importsOf(main).sort()).toEqual(["ganzhi/app", "mc/config"]);
    expect(main).toMatch(/export default function main\(\)/);
  });

  it("ganzhi-build.json reports the bundle, modules, warnings and a source hash", () => {
    const report = json(path.join(b().outDir, "ganzhi-build.json")) as any;
    expect(report.device).toBe("tiny-node");
    expect(report.board).toBe(board);
    expect(report.bundle.bytes).toBe(statSync(path.join(b().outDir, "app.js")).size);
    expect(report.bundle.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.sources.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.modules.some((m: string) => m.endsWith("tiny-node/counter.ts"))).toBe(true);
    expect(report.modules.some((m: string) => m.endsWith(`hal/moddable/${loaded().platform}.ts`))).toBe(true);
    expect(report.externals).toEqual(EXPECTED_IMPORTS[loaded().platform]);
    expect(Array.isArray(report.warnings)).toBe(true);
    expect(report.preload.enabled).toBe(true);
  });

  it("runs on Node against stand-in Moddable modules: host from the board, device main called", async () => {
    const stubs = (await import(STUBS_URL)) as Stubs;
    stubs.reset();
    const config = { ...(manifest().config as object), id: "tn-0001" };
    const run = prepareRun(b().outDir, path.join(scratch.root, `run-${board}`), config, stubs.modules);
    const platform = loaded().platform;
    stubs.state.partitions = { storage: { size: loaded().flash.partitions.storage!.size } };
    if (platform === "esp32") stubs.state.espResetReason = 8;
    const main = (await import(run.main)) as { default: () => void };
    main.default();

    // main.js logged the boot; the device's main ran with the host: I2C default bus from the board manifest.
    const boot = stubs.state.traces.find((t) => t.startsWith("[info] tn-0001 ("));
    expect(boot).toMatch(new RegExp(`^\\[info\\] tn-0001 \\(tiny-node on ${board}, ${platform}\\) reset: `));
    expect(stubs.state.traces.some((t) => t.startsWith(`[info] tn-0001 boot 1 on ${board}`))).toBe(true);
    const i2c = loaded().buses.i2c!.default!;
    expect(stubs.state.i2c).toHaveLength(1);
    expect(stubs.state.i2c[0]!.options).toMatchObject({ data: i2c.data, clock: i2c.clock, hz: i2c.hz, address: 0x44 });
    expect(stubs.state.i2c[0]!.closed).toBe(true);
    expect(boot).toMatch(platform === "esp32" ? /reset: deep-sleep\n$/ : /reset: power-on\n$/);

    // The device's repeating timer at its sampling group's interval (60 s in host.config), cleared after three ticks.
    const t = stubs.state.timers.at(-1)!;
    expect([t.interval, t.repeat]).toEqual([60_000, 60_000]);
    for (let i = 0; i < 3; i++) stubs.fire(t);
    expect(t.active).toBe(false);
  });

  it("host: timers, flash partition, retained memory and power behave as hal/host.ts says", async () => {
    const stubs = (await import(STUBS_URL)) as Stubs;
    stubs.reset();
    const run = prepareRun(b().outDir, path.join(scratch.root, `run2-${board}`), manifest().config, stubs.modules);
    const app = (await import(run.app)) as any;
    const platform = loaded().platform;
    const storage = loaded().flash.partitions.storage!;
    stubs.state.partitions = { storage: { size: storage.size } };
    const host = app.createHost(app.platform, app.board, manifest().config);

    expect(host.board).toBe(board);
    expect(host.id).toBe("tiny-node");
    expect(host.config).toEqual(manifest().config);
    expect(host.pin).toMatchObject(resolveNode("tiny-node", board, { root: scratch.root }).pins);

    // A fired one-shot is forgotten, so clearing it later does not reach Moddable's Timer.clear (which throws).
    let fired = 0;
    const once = host.timer.set(() => fired++, 2.2);
    const t = stubs.state.timers.at(-1)!;
    expect(t.interval).toBe(3);
    stubs.fire(t);
    expect(fired).toBe(1);
    expect(() => host.timer.clear(once)).not.toThrow();

    // Flash: the board's storage partition, opened the platform's way; NOR semantics through the adapter.
    const part = host.flash.open("storage");
    const opened = stubs.state.flashes.at(-1)!;
    if (platform === "esp32") expect(opened.name).toBe("storage");
    else expect([opened.name, opened.byteLength]).toEqual([storage.offset, storage.size]);
    expect(part.size).toBe(storage.size);
    expect(part.blocks).toBe(storage.size / part.blockLength);
    const data = new Uint8Array([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
    part.write(8, data.subarray(4)); // a view with an offset: the adapter must hand over exactly these bytes
    expect([...part.read(8, 4)]).toEqual([0x9a, 0xbc, 0xde, 0xf0]);
    expect(() => part.write(9, data.subarray(0, 4))).toThrow(/aligned/);
    part.eraseBlock(0);
    expect([...part.read(8, 4)]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(() => host.flash.open("factory")).toThrow(/not in board/);

    // Retained memory and deep sleep.
    host.retained.set(2, 0xdeadbeef);
    expect(host.retained.get(2)).toBe(0xdeadbeef);
    if (platform === "nrf52") {
      expect(host.retained.length).toBe(31);
      expect(() => host.retained.get(31)).toThrow(RangeError);
      host.power.deepSleep(1500.5);
      expect(stubs.state.deep).toEqual([1501]);
      // Next boot: the chip reports a soft reset; the marker says it was the timed wake.
      stubs.state.resetreas = stubs.ResetReason.SREQ!;
      const again = app.createHost(app.platform, app.board, manifest().config);
      expect(again.power.resetReason).toBe("deep-sleep");
      expect(again.retained.get(2)).toBe(0xdeadbeef);
      stubs.state.resetreas = stubs.ResetReason.SREQ!;
      expect(app.createHost(app.platform, app.board, manifest().config).power.resetReason).toBe("software");
    } else {
      expect(host.retained.length).toBe(32);
      expect(() => host.power.deepSleep(1000)).toThrow(/not available on ESP32/);
      expect(stubs.state.traces.some((t) => t.includes("no deep sleep"))).toBe(true);
      // RAM fallback: a new host (a new boot) starts from zero.
      expect(app.createHost(app.platform, app.board, manifest().config).retained.get(2)).toBe(0);
    }
  });
});

describe("ESP32 partition table", () => {
  it("partitions.csv holds the board manifest's partitions (bootloader and table implicit)", () => {
    const board = loadBoard("esp32-devkitc", { root: scratch.root }).manifest;
    const csv = readFileSync(path.join(built["esp32-devkitc"].outDir, "partitions.csv"), "utf8");
    const rows = csv
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#"))
      .map((l) => l.split(",").map((c) => c.trim()));
    const expected = Object.entries(board.flash.partitions)
      .filter(([name]) => name !== "bootloader" && name !== "partition-table")
      .sort((a, b) => a[1].offset - b[1].offset)
      .map(([name, p]) => [name, p.offset, p.size]);
    expect(rows.map((r) => [r[0], parseInt(r[3]!, 16), parseInt(r[4]!, 16)])).toEqual(expected);
    const byName = Object.fromEntries(rows.map((r) => [r[0], `${r[1]}, ${r[2]}`]));
    expect(byName.factory).toBe("app, factory");
    expect(byName.nvs).toBe("data, nvs");
    expect(byName.storage).toBe("data, undefined");
  });
});
