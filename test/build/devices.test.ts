/**
 * Every device in manifests/devices builds for every board its manifest wires (the real checkout, whatever devices
 * exist; test/helpers/manifests.ts), and the result is a project Moddable can take: an ES module Node parses, importing only Moddable
 * modules, and a manifest whose config is the node configuration.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveNode } from "../../manifests/load.js";
import { parseArgs } from "../../tools/cli/args.js";
import { isModdableSpecifier } from "../../tools/build/specifiers.js";
import { createBuildCommand } from "../../tools/commands/build.js";
import { wiredPairs } from "../helpers/manifests.js";
import { capture, REPO } from "./helpers.js";
import { importsOf } from "./run-bundle.js";

const out = mkdtempSync(path.join(tmpdir(), "ganzhi-devices-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const pairs = wiredPairs({ root: REPO });

describe("devices in this checkout", () => {
  it("has devices wired for boards to build", () => {
    expect(pairs.length).toBeGreaterThan(0);
  });

  it.each(pairs)("%s builds for %s", async (device, board) => {
    const cmd = createBuildCommand();
    const io = capture();
    const dir = path.join(out, device, board);
    const code = await cmd.run(parseArgs([device, "--board", board, "--out", dir], cmd.options), {
      root: REPO,
      cwd: REPO,
      io,
      env: process.env,
    });
    expect(io.errors.filter((e) => !e.startsWith("warning:"))).toEqual([]);
    expect(code).toBe(0);
    // Whole lines: each line and each warning ends with a newline ("…decoder)warning: …" was one run-on line).
    expect(io.stdout).toMatch(/^built [^\n]+\n {2}app\.js [^\n]+\n$/);
    expect(io.stderr).toMatch(/^(warning: [^\n]+\n)*$/);
    const copy = path.join(dir, "check.mjs");
    copyFileSync(path.join(dir, "app.js"), copy);
    const check = spawnSync(process.execPath, ["--check", copy], { encoding: "utf8" });
    expect(check.stderr).toBe("");
    const imports = importsOf(readFileSync(copy, "utf8"));
    expect(imports.filter((s) => !isModdableSpecifier(s))).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { config: unknown };
    const config = resolveNode(device, board, { root: REPO }).config;
    expect(manifest.config).toEqual(JSON.parse(JSON.stringify(config)));
    // The image carries the board's link and no other (devices/shared/links.ts is replaced for the board).
    const modules = (JSON.parse(readFileSync(path.join(dir, "ganzhi-build.json"), "utf8")) as { modules: string[] }).modules;
    const links = modules.filter((m) => /^devices\/shared\/links\/[^/]+\.ts$/.test(m)).map((m) => path.basename(m, ".ts"));
    expect(links).toEqual([config.uplink.link]);
    for (const other of ["mqtt", "lorawan", "nbiot"].filter((l) => l !== config.uplink.link)) {
      expect(modules.filter((m) => m.startsWith(`runtime/link/${other}/`))).toEqual([]);
    }
  });

  it("the LoRaWAN board overlay's image carries the LoRaWAN stack and the SX1262 driver, and no MQTT client", async () => {
    const cmd = createBuildCommand();
    const io = capture();
    const dir = path.join(out, "lora");
    const board = "nrf52840-dk-sx1262";
    const code = await cmd.run(parseArgs(["weather-station", "--board", board, "--out", dir], cmd.options), { root: REPO, cwd: REPO, io, env: process.env });
    expect(code).toBe(0);
    const modules = (JSON.parse(readFileSync(path.join(dir, "ganzhi-build.json"), "utf8")) as { modules: string[] }).modules;
    expect(modules).toContain("runtime/link/lorawan/mac.ts");
    expect(modules).toContain("parts/sx1262/driver.ts");
    expect(modules.filter((m) => m.startsWith("runtime/mqtt") || m.startsWith("runtime/link/mqtt/") || m.startsWith("parts/bc95/"))).toEqual([]);
  });
});
