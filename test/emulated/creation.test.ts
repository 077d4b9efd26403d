/**
 * The emulated image runs with the XS creation the board's Moddable build gets (emulator/host/creation.ts: what
 * `ganzhi build` writes, completed as mcconfig completes it), and a creation too small for the device ends the run
 * as XS's memory-full abort ends it on a board, naming the parameter.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boardCreation, MCCONFIG_DEFAULTS, MODDABLE_BASE_CREATION, MODDABLE_BASE_PLATFORM_CREATION } from "../../emulator/host/creation.js";
import { emulate, EmulationError } from "../../emulator/host/emulate.js";
import { loadBoard } from "../../manifests/load.js";
import { creationFor, moddableManifest } from "../../tools/build/project.js";
import { resolveNode, loadDevice } from "../../manifests/load.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("the board's creation, as its Moddable build gets it", () => {
  it("esp32-devkitc: fixed 32 KB chunk and 4,096-slot heaps (static 0, incremental 0), stack 512, its 256 keys plus the base's 32 more at a time", () => {
    expect(boardCreation(loadBoard("esp32-devkitc").manifest)).toEqual({
      chunk: 32768,
      chunkIncrement: 0,
      heap: 4096,
      heapIncrement: 0,
      stack: 512,
      keys: 256,
      keysIncrement: 32,
      nameModulo: 53,
      symbolModulo: 3,
      parserBuffer: 1024,
      parserTable: 17,
      static: 0,
    });
  });

  it("nrf52840-dk: one 128 KB static block, growing 1 KB of chunks and 64 slots at a time (mcconfig's defaults), the base's 32 keys", () => {
    expect(boardCreation(loadBoard("nrf52840-dk").manifest)).toMatchObject({ static: 131072, chunk: 32768, chunkIncrement: 1024, heap: 2048, heapIncrement: 64, stack: 512, keys: 32, keysIncrement: 32 });
  });

  it("starts from what `ganzhi build` writes into manifest.json, not from a copy of the board's figures", () => {
    for (const name of ["esp32-devkitc", "nrf52840-dk"]) {
      const board = loadBoard(name).manifest;
      const written = moddableManifest({ board, config: resolveNode(loadDevice("weather-station"), name).config, preload: true }).creation as ReturnType<typeof creationFor>;
      const c = boardCreation(board);
      expect(written).toEqual(creationFor(board));
      expect(c.chunk).toBe(written.chunk.initial);
      expect(c.heap).toBe(written.heap.initial);
      expect(c.stack).toBe(written.stack);
      expect(c.static).toBe(written.static);
      if (written.chunk.incremental !== undefined) expect(c.chunkIncrement).toBe(written.chunk.incremental);
      if (written.heap.incremental !== undefined) expect(c.heapIncrement).toBe(written.heap.incremental);
    }
  });

  it("takes the device's own heap need where the board gives fewer slots, in the project and the image alike", () => {
    const nrf = loadBoard("nrf52840-dk").manifest;
    const esp = loadBoard("esp32-devkitc").manifest;
    const needs = { creation: { heap: 2560 } };
    expect(creationFor(nrf, needs).heap).toEqual({ initial: 2560 });
    expect(boardCreation(nrf, needs)).toMatchObject({ heap: 2560, heapIncrement: 64, static: 131072 });
    // A board that gives more keeps its own: the ESP32's fixed 4,096 slots.
    expect(creationFor(esp, needs).heap).toEqual({ initial: 4096, incremental: 0 });
    expect(creationFor(nrf, { creation: { heap: 1024 } }).heap).toEqual({ initial: 2048 });
    // What `ganzhi build` writes for a device that states it.
    const config = { ...resolveNode(loadDevice("weather-station"), "nrf52840-dk").config, creation: { heap: 3000 } };
    expect((moddableManifest({ board: nrf, config, preload: true }).creation as ReturnType<typeof creationFor>).heap).toEqual({ initial: 3000 });
  });

  it("takes the device's own stack need where the board gives fewer slots: the strain monitor's 640 (its LoRaWAN uplink runs inside a sample's paced work)", () => {
    const nrf = loadBoard("nrf52840-dk").manifest;
    const config = resolveNode(loadDevice("structural-strain"), "nrf52840-dk-sx1262").config;
    expect(config.creation?.stack).toBe(640);
    expect(creationFor(nrf, config).stack).toBe(640);
    expect(boardCreation(nrf, config).stack).toBe(640);
    expect((moddableManifest({ board: nrf, config, preload: true }).creation as ReturnType<typeof creationFor>).stack).toBe(640);
    expect(creationFor(nrf, { creation: { stack: 256 } }).stack).toBe(512);
  });

  const moddable = process.env.MODDABLE;
  const sdk = moddable && existsSync(join(moddable, "examples", "manifest_base.json")) && existsSync(join(moddable, "tools", "mcconfig.js"));
  it.skipIf(!sdk)(`completes it with Moddable SDK's own rules (manifest_base.json, mcconfig.js filterCreation)${sdk ? "" : ": skipped, $MODDABLE does not point to a Moddable SDK"}`, () => {
    const base = JSON.parse(readFileSync(join(moddable!, "examples", "manifest_base.json"), "utf8")) as { creation: unknown; platforms: Record<string, { creation?: unknown }> };
    expect(base.creation).toEqual(MODDABLE_BASE_CREATION);
    for (const [platform, section] of Object.entries(base.platforms)) {
      if (section.creation !== undefined && (platform === "esp32" || platform === "nrf52")) expect(section.creation).toEqual(MODDABLE_BASE_PLATFORM_CREATION[platform]);
    }
    const mcconfig = readFileSync(join(moddable!, "tools", "mcconfig.js"), "utf8");
    const d = MCCONFIG_DEFAULTS;
    for (const rule of [
      `if (!creation.chunk.initial) creation.chunk.initial = ${d.chunk.initial};`,
      `creation.chunk.incremental ??= ${d.chunk.incremental};`,
      `if (!creation.heap.initial) creation.heap.initial = ${d.heap.initial};`,
      `creation.heap.incremental ??= ${d.heap.incremental};`,
      `creation.stack ??= ${d.stack};`,
      `creation.keys.initial = ${d.keys.initial};`,
      `if (!creation.keys.name) creation.keys.name = ${d.keys.name};`,
      `if (!creation.keys.symbol) creation.keys.symbol = ${d.keys.symbol};`,
      `creation.static ??= ${d.static};`,
    ]) {
      expect(mcconfig, rule).toContain(rule);
    }
  });
});

// Vendor overlays that give the weather station too little XS memory: the image must fail where the board would.
let dir: string;
let staticFull: EmulateErrorOrResult;
let heapFull: EmulateErrorOrResult;
type EmulateErrorOrResult = EmulationError | Awaited<ReturnType<typeof emulate>>;

function overlay(name: string, base: string, creation: Record<string, number>): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, extends: base, description: `Test overlay of ${base} with too little XS memory.`, memory: { creation } }));
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ganzhi-creation-"));
  const settle = (p: Promise<Awaited<ReturnType<typeof emulate>>>) => p.catch((e: unknown) => (e instanceof EmulationError ? e : Promise.reject(e)));
  [staticFull, heapFull] = await Promise.all([
    settle(emulate({ device: "weather-station", board: overlay("tiny-static", "nrf52840-dk", { static: 65536 }), hours: 0.02, seed: 1 })),
    settle(emulate({ device: "weather-station", board: overlay("tiny-heap", "esp32-devkitc", { heap: 1024 }), hours: 0.02, seed: 1 })),
  ]);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a creation too small for the device", () => {
  it("a 64 KB static block on an nRF52840-DK overlay (the machine alone takes 72 KB): XS's memory-full abort, creation.static named", () => {
    expect(staticFull).toBeInstanceOf(EmulationError);
    const e = staticFull as EmulationError;
    expect(e.exceeded).toBe("creation.static");
    expect(e.message).toMatch(/^board tiny-static: creation\.static \(65536 bytes\) is too small for the machine XS creates in it before any JS runs: 73\d\d\d bytes .* XS aborts with "memory full" and the board resets$/);
    expect(e.console).toMatch(/^#abort xs-memory-full from=creation /m);
    expect(e.console).not.toMatch(/^#fault/m);
  });

  it("1,024 slots on an esp32-devkitc overlay (fixed heaps): creation.heap named, after XS's own report", () => {
    expect(heapFull).toBeInstanceOf(EmulationError);
    const e = heapFull as EmulationError;
    expect(e.exceeded).toBe("creation.heap");
    expect(e.message).toMatch(/^board tiny-heap: creation\.heap \(1024 slots, 16\.0 KB, incremental 0\) is too small/);
    expect(e.console).toMatch(/^# Slot allocation: failed in fixed size heap$/m);
  });

  it("`ganzhi emulate` says so in one line and exits 1", async () => {
    const r = await execa("node", [join(root, "bin", "ganzhi.js"), "emulate", "weather-station", "--board", join(dir, "tiny-heap.json"), "--hours", "0.02", "-q"], { reject: false, cwd: root });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^ganzhi emulate: board tiny-heap: creation\.heap \(1024 slots/);
  }, 300_000);
});
