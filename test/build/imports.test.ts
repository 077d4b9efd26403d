/**
 * Device code may import only device code: a Node built-in or an npm package anywhere in the program fails the
 * build with one message naming the importing file. Checked both before compiling (tools/build/imports.ts) and
 * inside rollup (tools/build/bundle.ts), which is tested on its own because the first check normally stops first.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../tools/cli/args.js";
import { bundle } from "../../tools/build/bundle.js";
import { BuildError } from "../../tools/build/errors.js";
import { createBuildCommand } from "../../tools/commands/build.js";
import { listBoards, listDevices } from "../../manifests/load.js";
import { capture, makeScratch, type Scratch } from "./helpers.js";

let scratch: Scratch;

const MAIN = `import type { Host, NodeApp } from "../../hal/host.js";
import { helper } from "./helper.js";
export default function main(host: Host): NodeApp {
  host.log("info", String(helper()));
  return { stats: () => ({}) };
}
`;

beforeAll(() => {
  scratch = makeScratch();
  scratch.addDevice("uses-fs", {
    "main.ts": MAIN,
    "helper.ts": `import { readFileSync } from "node:fs";\nexport function helper(): number {\n  return readFileSync.length;\n}\n`,
  });
  scratch.addDevice("uses-npm", {
    "main.ts": MAIN,
    "helper.ts": `import { encode } from "cborg";\nexport function helper(): number {\n  return encode(1).length;\n}\n`,
  });
  scratch.addDevice("uses-timer", {
    "main.ts": MAIN,
    "helper.ts": `// @ts-expect-error: no Moddable typings for device code\nimport Timer from "timer";\nexport function helper(): number {\n  return typeof Timer === "function" ? 1 : 0;\n}\n`,
  });
  scratch.addDevice("type-error", {
    "main.ts": MAIN,
    "helper.ts": `export function helper(): number {\n  const n: number = "one";\n  return n;\n}\n`,
  });
  scratch.addDevice("no-default", {
    "main.ts": `export function main(): void {}\n`,
  });
});

afterAll(() => scratch?.dispose());

async function run(argv: string[]) {
  const cmd = createBuildCommand();
  const io = capture();
  const code = await cmd.run(parseArgs(argv, cmd.options), { root: scratch.root, cwd: scratch.root, io, env: process.env });
  return { code, io };
}

describe("device code imports", () => {
  it("a Node built-in fails the build, naming the importing file", async () => {
    const { code, io } = await run(["uses-fs", "--board", "esp32-devkitc"]);
    expect(code).toBe(1);
    expect(io.errors).toHaveLength(1);
    expect(io.errors[0]).toMatch(/^ganzhi build: devices\/uses-fs\/helper\.ts:1 imports "node:fs", a Node built-in/);
    expect(io.lines).toEqual([]);
  });

  it("an npm package fails the build, naming the importing file and the package", async () => {
    const { code, io } = await run(["uses-npm", "--board", "nrf52840-dk"]);
    expect(code).toBe(1);
    expect(io.errors[0]).toMatch(/devices\/uses-npm\/helper\.ts:1 imports "cborg", an npm package \(cborg\)/);
  });

  it("a Moddable module in device code fails the build: only hal/moddable may import it", async () => {
    const { code, io } = await run(["uses-timer", "--board", "esp32-devkitc"]);
    expect(code).toBe(1);
    expect(io.errors[0]).toMatch(/devices\/uses-timer\/helper\.ts:2 imports "timer", a Moddable SDK module/);
  });

  it("a type error fails the build with TypeScript's diagnostic", async () => {
    const { code, io } = await run(["type-error", "--board", "esp32-devkitc"]);
    expect(code).toBe(1);
    expect(io.errors[0]).toMatch(/^ganzhi build: type errors in the device program \(1\):$/);
    expect(io.errors[1]).toMatch(/devices\/type-error\/helper\.ts\(2,9\): error TS2322/);
    expect(io.stderr.endsWith("\n")).toBe(true);
  });

  it("main must be export default function main(host): NodeApp", async () => {
    const { code, io } = await run(["no-default", "--board", "esp32-devkitc"]);
    expect(code).toBe(1);
    expect(io.errors[1]).toMatch(/devices\/no-default\/main\.ts: must `export default function main\(host: Host\): NodeApp`/);
  });

  it("the bundler refuses a Node built-in on its own too", async () => {
    const entry = path.join(scratch.root, "devices", "uses-fs", "main.ts");
    const err = await bundle({
      root: scratch.root,
      entry,
      files: [entry],
      extraDirs: [path.dirname(entry)],
      board: {
        board: "esp32-devkitc",
        device: "uses-fs",
        platform: "esp32",
        target: "esp32",
        pins: {},
        i2c: {},
        spi: {},
        serial: {},
        flash: {},
        configKeys: [],
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toMatch(/devices\/uses-fs\/helper\.ts imports "node:fs", a Node built-in/);
  });
});

describe("unknown names", () => {
  it("an unknown device is a usage error naming the known devices", async () => {
    const err = await run(["no-such-device", "--board", "esp32-devkitc"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const known = listDevices({ root: scratch.root });
    expect((err as Error).message).toBe(`unknown device "no-such-device"; devices: ${known.join(", ")} (or the path of a device file, ending in .json)`);
    expect((err as Error).message).not.toContain("\n");
  });

  it("an unknown board is a usage error naming the known boards (and the near one)", async () => {
    const err = await run(["tiny-node", "--board", "esp32-devkit"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const known = listBoards({ root: scratch.root });
    expect((err as Error).message).toBe(`unknown board "esp32-devkit" (did you mean "esp32-devkitc"?); boards: ${known.join(", ")} (or the path of a board file, ending in .json)`);
  });

  it("a missing --board is a usage error", async () => {
    await expect(run(["tiny-node"])).rejects.toThrow(UsageError);
  });
});
