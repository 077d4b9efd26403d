/**
 * `ganzhi check` as a hardware vendor uses it: an overlay file of their own, checked against the catalogue's
 * devices, errors pointing into their file.
 */
import { listDevices } from "../../manifests/load.js";
import { afterAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ganzhi = (args: string[], cwd = root) => execa("node", [join(root, "bin", "ganzhi.js"), ...args], { reject: false, cwd });
const dir = mkdtempSync(join(tmpdir(), "ganzhi-vendor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ganzhi check", () => {
  it("passes the catalogue: every board and device valid, every wired combination resolved", async () => {
    const r = await ganzhi(["check"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/\d+\/\d+ board\(s\), \d+\/\d+ device\(s\) valid; \d+ device-on-board resolution\(s\) ok; 0 error\(s\)/);
  });

  it("a vendor overlay moving the I2C bus onto a flash pin fails, pointing at the vendor's own line", async () => {
    const file = join(dir, "vendor-x.json");
    writeFileSync(
      file,
      ['{', '  "name": "vendor-x",', '  "extends": "esp32-devkitc",', '  "description": "Vendor X weather board",', '  "buses": { "i2c": { "default": { "data": 6 } } }', '}', ''].join("\n"),
    );
    const r = await ganzhi(["check", "weather-station", "--board", "vendor-x.json"], dir);
    expect(r.exitCode).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatch(/vendor-x\.json:5:\d+: \/buses\/i2c\/default\/data: /);
    expect(lines[0]).toContain("6");
  });

  it("a good overlay passes and its device resolves", async () => {
    const file = join(dir, "vendor-y.json");
    writeFileSync(file, JSON.stringify({ name: "vendor-y", extends: "esp32-devkitc", description: "Vendor Y: I2C at 400 kHz", buses: { i2c: { default: { hz: 400000 } } } }, null, 2));
    const r = await ganzhi(["check", "--board", "vendor-y.json"], dir);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    // Every device resolves on the overlay.
    expect(r.stdout).toContain(`${listDevices().length} device-on-board resolution(s) ok`);
  });
});

describe("vendor files work with every command", () => {
  const movesVane = () => {
    const file = join(dir, "vendor-vane.json");
    writeFileSync(
      file,
      JSON.stringify(
        {
          name: "vendor-vane",
          extends: "esp32-devkitc",
          description: "Vendor board: the vane on GPIO35, its divider fed from GPIO4",
          wiring: { "weather-station": { vane: 35, vanePower: 4 } },
        },
        null,
        2,
      ),
    );
    return file;
  };

  it("check resolves a board file that moves a part's pins, and says nothing about it", async () => {
    movesVane();
    const r = await ganzhi(["check", "weather-station", "--board", "vendor-vane.json", "-q"], dir);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });

  it("sim runs on a board file, with the part where the board file put it", async () => {
    const board = movesVane();
    const out = join(dir, "vane.jsonl");
    const r = await ganzhi(["sim", "weather-station", "--board", "vendor-vane.json", "--hours", "1", "-q", "--json", "--out", out], dir);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const summary = JSON.parse(r.stdout) as { board: string; framesSent: number; framesAcked: number };
    expect(summary.board).toBe(board);
    expect(summary.framesSent).toBe(6);
    expect(summary.framesAcked).toBe(6);
  });

  it.each(["sim", "build", "emulate", "profile"])("%s takes --board as a file, and names a missing one in one line (exit 2)", async (cmd) => {
    const r = await ganzhi([cmd, "weather-station", "--board", "no-such-board.json"], dir);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(`ganzhi ${cmd}: no board file "no-such-board.json" (looked for ${join(dir, "no-such-board.json")})`);
  });

  it.each(["sim", "build", "emulate", "profile", "check"])("%s takes the device as a file", async (cmd) => {
    const r = await ganzhi([cmd, "./no-such-device.json", "--board", "esp32-devkitc"], dir);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(`ganzhi ${cmd}: no device file "./no-such-device.json" (looked for ${join(dir, "no-such-device.json")})`);
  });

  it("an unknown name is one message everywhere, naming the catalogue and the path form", async () => {
    for (const cmd of ["sim", "build", "check"]) {
      const r = await ganzhi([cmd, "weather-station", "--board", "esp32-devkit"]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim()).toBe(
        `ganzhi ${cmd}: unknown board "esp32-devkit" (did you mean "esp32-devkitc"?); boards: esp32-devkitc, kunming-ws-v1, nrf52840-dk (or the path of a board file, ending in .json)`,
      );
    }
  });

  it("sim of a device whose firmware cannot be loaded fails at once and exits: the embedded broker never keeps it alive", async () => {
    const file = join(dir, "lost-main.json");
    const device = JSON.parse(readFileSync(join(root, "manifests", "devices", "weather-station.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...device, name: "lost-main", main: "devices/lost-main/main.ts" }, null, 2));
    const r = await execa("node", [join(root, "bin", "ganzhi.js"), "sim", "lost-main.json", "--hours", "1", "-q"], { reject: false, cwd: dir, timeout: 60_000 });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe("ganzhi sim: device main module devices/lost-main/main.ts does not exist");
  });
});

describe("check reports each problem once, in the file that caused it", () => {
  it("a device error shared by every board it resolves on is printed once", async () => {
    const file = join(dir, "twice.json");
    const device = JSON.parse(readFileSync(join(root, "manifests", "devices", "weather-station.json"), "utf8")) as { parts: Record<string, Record<string, unknown>> };
    device.parts["barometer"]!["address"] = "0x44"; // the SHT3x's: a clash on every board
    writeFileSync(file, JSON.stringify({ ...device, name: "twice" }, null, 2));
    const r = await ganzhi(["check", "twice.json"], dir);
    expect(r.exitCode).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toEqual([`${join(dir, "twice.json")}:15:7: /parts/barometer/address: address 0x44 is not an address of bme280 (it answers on 0x76 or 0x77)`]);
    expect(r.stdout).toMatch(/; 0 device-on-board resolution\(s\) ok; 1 error\(s\)/);
  });

  it("a device without a part its firmware requires fails check, before it would fail at run time", async () => {
    const file = join(dir, "no-vane.json");
    const device = JSON.parse(readFileSync(join(root, "manifests", "devices", "weather-station.json"), "utf8")) as {
      parts: Record<string, unknown>;
      sampling: Record<string, { roles: string[] }>;
      wiring: Record<string, Record<string, unknown>>;
    };
    delete device.parts["vane"];
    device.sampling["wind"]!.roles = ["anemometer"];
    for (const w of Object.values(device.wiring)) {
      delete w["vane"];
      delete w["vanePower"];
    }
    writeFileSync(file, `${JSON.stringify({ ...device, name: "no-vane" }, null, 2)}\n`);
    const r = await ganzhi(["check", "no-vane.json"], dir);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no-vane\.json:\d+:\d+: \/requires\/4: the firmware requires a wind-vane part \(Resistor-ladder wind vane \(analog\)\) and refuses to start without one, but \/parts has none/);
  });
});
