/**
 * The XS bundle's cache (tools/xs/bundle.ts) knows every file a bundle was made from, including a module that only
 * re-exports (it renders no code, so it is not among the chunk's modules): editing it rebuilds the bundle.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundleForXs } from "../../tools/xs/bundle.js";

const root = mkdtempSync(path.join(tmpdir(), "ganzhi-bundle-cache-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the XS bundle cache", () => {
  it("rebuilds when a re-export-only module changes, and returns the same modules from the cache as fresh", async () => {
    writeFileSync(path.join(root, "a.ts"), "export const a = 1;\n");
    writeFileSync(path.join(root, "b.ts"), "export const b = 2;\n");
    writeFileSync(path.join(root, "index.ts"), 'export * from "./a.js";\n');
    const input = { name: "cache-test", root, entryCode: `export * from ${JSON.stringify(path.join(root, "index.ts"))};\n` };

    const fresh = await bundleForXs(input);
    expect(fresh.cached).toBe(false);
    expect(fresh.code).toContain("const a = 1");
    const again = await bundleForXs(input);
    expect(again.cached).toBe(true);
    expect(again.modules).toEqual(fresh.modules);

    writeFileSync(path.join(root, "index.ts"), 'export * from "./b.js";\n');
    const edited = await bundleForXs(input);
    expect(edited.cached).toBe(false);
    expect(edited.code).toContain("const b = 2");
    expect(edited.code).not.toContain("const a = 1");
  });
});
