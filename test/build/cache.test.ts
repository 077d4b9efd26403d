/**
 * The build cache (tools/build/cache.ts): a second build of unchanged sources reuses the type checks and the bundle
 * and writes the same project; any change to what the compiler read, a file added beside one it read, or a new
 * error is seen at once.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArgs } from "../../tools/cli/args.js";
import { createBuildCommand } from "../../tools/commands/build.js";
import { capture, makeScratch, type Scratch } from "./helpers.js";

let scratch: Scratch;
const MAIN = [
  'import type { Host, NodeApp } from "../../hal/host.js";',
  'import { double } from "./math.js";',
  "export default function main(host: Host): NodeApp {",
  '  host.log("info", `twice one is ${double(1)}`);',
  "  return { stats: () => ({ two: double(1) }) };",
  "}",
  "",
].join("\n");
const MATH = "export function double(x: number): number {\n  return 2 * x;\n}\n";

beforeAll(() => {
  scratch = makeScratch();
  scratch.addDevice("cached", { "main.ts": MAIN, "math.ts": MATH });
});
afterAll(() => scratch?.dispose());

async function build(env: NodeJS.ProcessEnv = process.env) {
  const cmd = createBuildCommand();
  const io = capture();
  const code = await cmd.run(parseArgs(["cached", "--board", "esp32-devkitc", "--out", "out"], cmd.options), {
    root: scratch.root,
    cwd: scratch.root,
    io,
    env,
  });
  const app = code === 0 ? readFileSync(path.join(scratch.root, "out", "app.js"), "utf8") : "";
  return { code, io, app, cached: io.lines[0]?.includes("(sources unchanged: type checks and bundle reused)") === true };
}

const device = (f: string) => path.join(scratch.root, "devices", "cached", f);

describe("ganzhi build's cache", () => {
  it("reuses the type checks and the bundle while no source changed, and writes the same app.js", async () => {
    const first = await build();
    expect(first.code).toBe(0);
    const second = await build();
    expect(second.code).toBe(0);
    expect(second.cached).toBe(true);
    expect(second.app).toBe(first.app);
  });

  it("builds again when a source changes, even by a comment, and the change reaches the bundle", async () => {
    writeFileSync(device("math.ts"), MATH.replace("2 * x", "x + x"));
    const changed = await build();
    expect(changed.cached).toBe(false);
    expect(changed.app).toContain("x + x");
    expect((await build()).cached).toBe(true);
    writeFileSync(device("math.ts"), "// why: a comment only\n" + MATH.replace("2 * x", "x + x"));
    expect((await build()).cached).toBe(false);
  });

  it("builds again when a file appears beside one the compiler read (it could change how an import resolves)", async () => {
    expect((await build()).cached).toBe(true);
    writeFileSync(device("notes.txt"), "not code\n");
    expect((await build()).cached).toBe(false);
  });

  it("finds a new type error at once, though an earlier version of the file was built", async () => {
    expect((await build()).cached).toBe(true);
    writeFileSync(device("math.ts"), MATH.replace("return 2 * x;", 'return "two";'));
    const broken = await build();
    expect(broken.code).toBe(1);
    expect(broken.io.stderr).toMatch(/devices\/cached\/math\.ts\(2,3\): error TS2322/);
    writeFileSync(device("math.ts"), MATH);
    expect((await build()).code).toBe(0);
  });

  it("after an edit, what TypeScript re-checks and re-emits alone gives the same project as a build without any cache", async () => {
    writeFileSync(device("math.ts"), MATH.replace("2 * x", "x * 2"));
    const incremental = await build({ ...process.env, GANZHI_BUILD_CACHE: "incremental" });
    expect(incremental.cached).toBe(false);
    expect(incremental.app).toContain("x * 2");
    const scratchBuild = await build({ ...process.env, GANZHI_BUILD_CACHE: "0" });
    expect(incremental.app).toBe(scratchBuild.app);
    writeFileSync(device("math.ts"), MATH);
  });

  it("GANZHI_BUILD_CACHE=0 builds everything every time", async () => {
    expect((await build()).cached).toBe(true);
    expect((await build({ ...process.env, GANZHI_BUILD_CACHE: "0" })).cached).toBe(false);
  });
});
