/**
 * Where the Moddable tools come from (tools/build/moddable-sdk.ts): $MODDABLE, else ../shared/moddable built into a
 * cache folder once (a lock across processes), else a reason.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { locateSdk } from "../../tools/build/moddable-sdk.js";
import { REPO } from "./helpers.js";

const tmp = mkdtempSync(path.join(tmpdir(), "ganzhi-sdk-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fakeSdk(dir: string, tools: string[]): string {
  const bin = path.join(dir, "build", "bin", "lin", "release");
  mkdirSync(bin, { recursive: true });
  for (const t of tools) writeFileSync(path.join(bin, t), "");
  return dir;
}

describe.runIf(process.platform === "linux")("finding the Moddable SDK", () => {
  const checkout = path.join(tmp, "work", "main");
  mkdirSync(checkout, { recursive: true });

  it("takes $MODDABLE when it holds mcconfig, xsc and xsl", () => {
    const sdk = fakeSdk(path.join(tmp, "sdk-ok"), ["mcconfig", "xsc", "xsl"]);
    const where = locateSdk(checkout, { MODDABLE: sdk });
    expect(where).toEqual({ kind: "env", sdk: { root: sdk, bin: path.join(sdk, "build", "bin", "lin", "release") } });
  });

  it("names what is missing when $MODDABLE is not an SDK with its tools built", () => {
    const sdk = fakeSdk(path.join(tmp, "sdk-half"), ["xsc"]);
    expect(() => locateSdk(checkout, { MODDABLE: sdk })).toThrow(`$MODDABLE: ${sdk} has no mcconfig, xsl in build/bin/lin/release`);
  });

  it("says why there is none, in one line", () => {
    const where = locateSdk(checkout, {});
    expect(where.kind).toBe("none");
    if (where.kind === "none") expect(where.reason).toBe(`no Moddable SDK: $MODDABLE is unset and ${path.join(tmp, "work", "shared", "moddable")} does not exist (set MODDABLE to an SDK with its host tools built, see docs/moddable.md)`);
  });

  it("builds from ../shared/moddable into a cache folder named for its content", () => {
    const shared = path.join(tmp, "work", "shared", "moddable");
    mkdirSync(shared, { recursive: true });
    writeFileSync(path.join(shared, "build-tools.sh"), "#!/bin/bash\n");
    writeFileSync(path.join(shared, "moddable-subset.tar.xz"), "one");
    const a = locateSdk(checkout, { XDG_CACHE_HOME: path.join(tmp, "cache") });
    expect(a.kind).toBe("shared");
    if (a.kind !== "shared") return;
    expect(a.source).toBe(shared);
    expect(path.dirname(a.dest)).toBe(path.join(tmp, "cache", "ganzhi"));
    writeFileSync(path.join(shared, "moddable-subset.tar.xz"), "two");
    const b = locateSdk(checkout, { XDG_CACHE_HOME: path.join(tmp, "cache") });
    expect(b.kind === "shared" && b.dest).not.toBe(a.dest);
  });
});

describe("once(): one process does the work, the others wait for it", () => {
  const moduleUrl = new URL(`file://${path.join(REPO, "out", "tools", "build", "moddable-sdk.js")}`).href;
  const child = (dir: string) =>
    new Promise<number>((resolve) => {
      const code = [
        `import { once } from ${JSON.stringify(moduleUrl)};`,
        `import { appendFileSync, existsSync, writeFileSync } from "node:fs";`,
        `const dir = ${JSON.stringify(dir)};`,
        `await once(dir + "/work.lock", () => existsSync(dir + "/done"), async () => {`,
        `  appendFileSync(dir + "/ran", process.pid + "\\n");`,
        `  await new Promise((r) => setTimeout(r, 1500));`,
        `  writeFileSync(dir + "/done", "");`,
        `});`,
        `if (!existsSync(dir + "/done")) process.exit(3);`,
      ].join("\n");
      spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: "inherit" }).on("close", (c) => resolve(c ?? 1));
    });

  it("runs the work once for three processes started together", async () => {
    const dir = path.join(tmp, "race");
    mkdirSync(dir);
    expect(await Promise.all([child(dir), child(dir), child(dir)])).toEqual([0, 0, 0]);
    expect(readFileSync(path.join(dir, "ran"), "utf8").trim().split("\n")).toHaveLength(1);
  });

  it("takes over a lock whose owner has died", async () => {
    const dir = path.join(tmp, "stale");
    mkdirSync(path.join(dir, "work.lock"), { recursive: true });
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    writeFileSync(path.join(dir, "work.lock", "pid"), dead);
    expect(await child(dir)).toBe(0);
    expect(readFileSync(path.join(dir, "ran"), "utf8").trim().split("\n")).toHaveLength(1);
  });
});
