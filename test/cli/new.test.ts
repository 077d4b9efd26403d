/**
 * `ganzhi new` as a newcomer or vendor uses it, in a copy of this checkout: what each generator writes passes
 * `ganzhi check`, the tests it writes, the device-code guard and, for a device, `ganzhi sim`, before anything in it
 * is changed. Parts are made on every bus.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const copy = mkdtempSync(join(tmpdir(), "ganzhi-new-"));
const ganzhi = (args: string[]) => execa("node", [join(copy, "bin", "ganzhi.js"), ...args], { reject: false, cwd: copy, timeout: 600_000 });
const LONG = 900_000;

beforeAll(() => {
  for (const entry of ["bin", "devices", "emulator", "hal", "manifests", "parts", "runtime", "simulator", "test", "tools", "package.json", "tsconfig.json", "tsconfig.base.json", "tsconfig.portable.json", "vitest.config.ts"]) {
    cpSync(join(root, entry), join(copy, entry), { recursive: true, preserveTimestamps: true });
  }
  // The compiled tree, with its times, so the copy's first build is incremental (the XS runner is not needed).
  cpSync(join(root, "out"), join(copy, "out"), { recursive: true, preserveTimestamps: true, filter: (src) => !src.startsWith(join(root, "out", "xs")) });
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

/** The other buses' parts are written with the generator's module in the copy (one compile serves them all). */
async function newPartInCopy(name: string, bus: string): Promise<void> {
  const generate = (await import(pathToFileURL(join(copy, "out", "tools", "new", "generate.js")).href)) as { newPart(root: string, name: string, bus: string): unknown };
  generate.newPart(copy, name, bus);
}

describe("ganzhi new", () => {
  it(
    "new part --bus i2c writes the part, its model and test, registers it, and compiles",
    async () => {
      const r = await ganzhi(["new", "part", "acme-th1", "--bus", "i2c"]);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      for (const f of ["part.ts", "driver.ts", "model.ts", "registers.ts"]) expect(existsSync(join(copy, "parts", "acme-th1", f))).toBe(true);
      expect(readFileSync(join(copy, "manifests", "schema", "parts.ts"), "utf8")).toContain('import { part as partAcmeTh1 } from "../../parts/acme-th1/part.js";');
      expect(readFileSync(join(copy, "simulator", "core", "parts.ts"), "utf8")).toContain('"acme-th1": attachAcmeTh1Model,');
    },
    LONG,
  );

  it("refuses a name that exists, a bus it does not know and a name that is not one, writing nothing (exit 2)", async () => {
    const again = await ganzhi(["new", "part", "acme-th1", "--bus", "spi"]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr.trim()).toBe('ganzhi new: part "acme-th1" already exists (parts/acme-th1)');
    const bus = await ganzhi(["new", "part", "acme-x", "--bus", "can"]);
    expect(bus.exitCode).toBe(2);
    expect(bus.stderr.trim()).toBe('ganzhi new: --bus must be one of i2c, spi, uart, analog, digital, got "can"');
    const name = await ganzhi(["new", "device", "Acme_Node"]);
    expect(name.exitCode).toBe(2);
    expect(name.stderr.trim()).toBe('ganzhi new: device name "Acme_Node" must be lower-case letters and digits joined by single dashes, such as "acme-th1"');
    expect(existsSync(join(copy, "parts", "acme-x"))).toBe(false);
  });

  it(
    "new device without --part makes its own part first, wires it on every board it resolves on, and compiles",
    async () => {
      for (const bus of ["spi", "uart", "analog", "digital"]) await newPartInCopy(`acme-${bus}`, bus);
      const r = await ganzhi(["new", "device", "acme-node"]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain("parts/acme-node-sensor/driver.ts");
      expect(r.stdout).toContain("manifests/devices/acme-node.json");
      const manifest = JSON.parse(readFileSync(join(copy, "manifests", "devices", "acme-node.json"), "utf8")) as { parts: unknown; wiring: unknown; requires: unknown };
      expect(manifest.parts).toEqual({ sensor: { part: "acme-node-sensor", bus: "default", address: "0x48" } });
      expect(manifest.requires).toEqual(["acme-node-sensor"]);
      expect(manifest.wiring).toEqual({ "esp32-devkitc": {}, "nrf52840-dk": {} });
    },
    LONG,
  );

  it(
    "new device --part wires a part on a pin at a pin that resolves without a warning, as each board prints it",
    async () => {
      const r = await ganzhi(["new", "device", "acme-wind", "--part", "acme-digital"]);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const manifest = JSON.parse(readFileSync(join(copy, "manifests", "devices", "acme-wind.json"), "utf8")) as { wiring: Record<string, Record<string, unknown>> };
      // GPIO0-3 are the BOOT strap, the console TX, a strap and the console RX; GPIO4 is the first free. On the
      // nRF52840-DK P0.00/P0.01 hold the 32 kHz crystal; P0.02 is free.
      expect(manifest.wiring).toEqual({ "esp32-devkitc": { sensor: 4 }, "nrf52840-dk": { sensor: "P0.02" } });
    },
    LONG,
  );

  it("new board --extends writes an overlay and its test", async () => {
    const r = await ganzhi(["new", "board", "acme-b1", "--extends", "esp32-devkitc"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(copy, "manifests", "boards", "acme-b1.json"), "utf8"))).toMatchObject({ name: "acme-b1", extends: "esp32-devkitc" });
    const base = await ganzhi(["new", "board", "acme-b2", "--extends", "esp32-devkit"]);
    expect(base.exitCode).toBe(2);
    expect(base.stderr.trim()).toBe(
      'ganzhi new: unknown board "esp32-devkit" (did you mean "esp32-devkitc"?); boards: acme-b1, esp32-devkitc, kunming-ws-v1, nrf52840-dk (or the path of a board file, ending in .json)',
    );
  });

  it(
    "ganzhi check passes with everything written, every new device resolved where it is wired",
    async () => {
      const r = await ganzhi(["check", "-q"]);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
    },
    LONG,
  );

  it(
    "the tests it wrote pass, and so does the device-code guard over the new drivers and firmware",
    async () => {
      const tests = [
        ...["acme-th1", "acme-spi", "acme-uart", "acme-analog", "acme-digital", "acme-node-sensor"].map((p) => `test/parts/${p}.test.ts`),
        "test/sim/acme-node.test.ts",
        "test/sim/acme-wind.test.ts",
        "test/boards/acme-b1.test.ts",
        "test/guard/device-code.test.ts",
      ];
      const r = await execa("npx", ["vitest", "run", ...tests], { reject: false, cwd: copy, timeout: 600_000 });
      expect(r.stdout.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Test Files {2}10 passed \(10\)/);
      expect(r.exitCode).toBe(0);
    },
    LONG,
  );

  it(
    "ganzhi sim runs the new device at once: every report acknowledged, and the process exits",
    async () => {
      const r = await ganzhi(["sim", "acme-node", "--hours", "1", "-q", "--json"]);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const summary = JSON.parse(r.stdout) as { framesSent: number; framesAcked: number; crashes: unknown[] };
      expect(summary).toMatchObject({ framesSent: 6, framesAcked: 6, crashes: [] });
    },
    LONG,
  );
});
