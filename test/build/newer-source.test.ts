/**
 * The one walk that tells whether out/ is older than a source (tools/build/newer-source.js): bin/ganzhi.js compiles
 * first when it says so, and `ganzhi build` then checks the checkout's modules from source instead of out/'s
 * declarations (test/build/typecheck.test.ts `checkoutDeclarations`). Imported as both of them import it.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasNewerSource } from "#newer-source";

describe("hasNewerSource", () => {
  let root: string;
  const at = (f: string, seconds: number) => {
    const file = path.join(root, f);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "export {};\n");
    utimesSync(file, seconds, seconds);
  };
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "ganzhi-newer-source-"));
    at("src/a.ts", 1000);
    at("src/deep/er/b.ts", 1000);
    at("src/c.js", 3000); // not TypeScript: never counts
    at("src/node_modules/dep/index.ts", 3000);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const ms = (seconds: number) => seconds * 1000;
  const bin = (_p: string, e: { isDirectory(): boolean; name: string }) => e.isDirectory() && e.name === "node_modules";

  it("finds a .ts file modified after the time, however deep, and passes over what `skip` names", () => {
    const src = path.join(root, "src");
    expect(hasNewerSource(src, ms(2000))).toBe(true); // the dependency's .ts
    expect(hasNewerSource(src, ms(2000), bin)).toBe(false);
    expect(hasNewerSource(src, ms(999), bin)).toBe(true);
    at("src/deep/er/d.d.ts", 2500);
    expect(hasNewerSource(src, ms(2000), bin)).toBe(true);
    expect(hasNewerSource(src, ms(2000), (p, e) => bin(p, e) || p.endsWith(".d.ts"))).toBe(false);
    expect(hasNewerSource(src, ms(2000), (p, e) => bin(p, e) || p === path.join(src, "deep"))).toBe(false);
  });

  it("takes a missing folder as holding nothing", () => {
    expect(hasNewerSource(path.join(root, "absent"), 0)).toBe(false);
  });
});
