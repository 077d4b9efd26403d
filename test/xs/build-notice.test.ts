/**
 * `sim --engine xs` and `profile` say on stderr when they must build the XS runner first (a long wait on a fresh
 * checkout), even under -q, and say nothing when it is up to date. Run against a copy of the runner's build folder,
 * so the checkout's own runner is never touched.
 */
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareXsRunner } from "../../tools/commands/xs-runner.js";
import { ensureXsRunner, xsLayout, type XsLayout } from "../../tools/xs/build.js";

const dir = mkdtempSync(path.join(tmpdir(), "ganzhi-xs-notice-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let layout: XsLayout;

beforeAll(async () => {
  await ensureXsRunner();
  const real = xsLayout();
  const outDir = path.join(dir, "xs");
  // The objects with their times (make-style freshness), the flags stamp, and no runner.
  cpSync(real.objDir, path.join(outDir, "obj"), { recursive: true, preserveTimestamps: true });
  copyFileSync(path.join(real.outDir, "flags.txt"), path.join(outDir, "flags.txt"));
  layout = { ...real, outDir, objDir: path.join(outDir, "obj"), runner: path.join(outDir, "ganzhi-xs") };
}, 300_000);

function capture() {
  const err: string[] = [];
  const out: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), tty: false }, err, out };
}

describe("the XS runner notice", () => {
  it("says so when it must link, then nothing once it is up to date; never on stdout", async () => {
    const a = capture();
    await prepareXsRunner(a.io, layout);
    expect(a.err).toEqual(["ganzhi: linking the XS engine first…\n"]);
    expect(a.out).toEqual([]);
    expect(existsSync(layout.runner)).toBe(true);
    const b = capture();
    await prepareXsRunner(b.io, layout);
    expect(b.err).toEqual([]);
  }, 120_000);

  it("says how many C files it compiles when objects are missing", async () => {
    const smallest = readdirSync(layout.objDir)
      .filter((f) => f.endsWith(".o"))
      .sort((x, y) => statSync(path.join(layout.objDir, x)).size - statSync(path.join(layout.objDir, y)).size)[0]!;
    rmSync(path.join(layout.objDir, smallest));
    const c = capture();
    await prepareXsRunner(c.io, layout);
    expect(c.err).toEqual(["ganzhi: building the XS engine first: 1 C file to compile, once (until the XS sources or the compiler change)…\n"]);
  }, 120_000);
});
