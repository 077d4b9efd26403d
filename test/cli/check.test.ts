/**
 * `ganzhi check` as a hardware vendor uses it: an overlay file of their own, checked against the catalogue's
 * devices, errors pointing into their file.
 */
import { afterAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
    expect(r.stdout).toMatch(/3\/3 board\(s\), 1\/1 device\(s\) valid; 3 device-on-board resolution\(s\) ok; 0 error\(s\)/);
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
    expect(r.stdout).toContain("1 device-on-board resolution(s) ok");
  });
});
