/**
 * The part registries derived from the part folders (tools/parts/registry.ts): the committed indexes are current,
 * every declared part has its model and the reverse, a folder that is half a part is an error naming the file, and
 * the manifest side's import graph reaches no simulator code.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { s } from "../../manifests/schema/builder.js";
import { definePart, type PartDefinition } from "../../manifests/schema/part.js";
import { catalogueOf, partNames } from "../../manifests/schema/parts.js";
import { knownModels } from "../../simulator/core/parts.js";
import { checkSource, formatViolation } from "../../tools/lint/device-code.js";
import { partFolders, renderIndexes, staleIndexes } from "../../tools/parts/registry.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A scratch checkout's parts/ with the given files (path under parts/ → text). */
function partsTree(files: Record<string, string>): string {
  scratch = mkdtempSync(join(tmpdir(), "ganzhi-registry-"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(scratch, "parts", file)), { recursive: true });
    writeFileSync(join(scratch, "parts", file), text);
  }
  return scratch;
}

const DECLARATION = (name: string) => `export const part = definePart({ name: "${name}", title: "t", connection: { kind: "analog" }, options: s.object({}), source: "s" });\n`;
const FACTORY = "export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {\n  return undefined;\n}\n";

describe("part registries", () => {
  it("are current: the committed indexes are what the part folders give", () => {
    expect(staleIndexes(root)).toEqual([]);
  });

  it("register every part folder on both sides under its folder name, and nothing else", () => {
    expect(partNames).toEqual(partFolders(root));
    expect([...knownModels()].sort()).toEqual([...partNames]);
    // Shared code that is not a part (a CRC, a family's declaration helper) registers nothing.
    expect(partNames).not.toContain("crc");
    expect(partNames).not.toContain("ezo");
  });

  it("name a new folder's part once it has a declaration and a factory, and pass over libraries and families", () => {
    const tree = partsTree({
      "acme-x/part.ts": DECLARATION("acme-x"),
      "acme-x/attach.ts": FACTORY,
      "acme-x/driver.ts": "",
      "checksum/crc.ts": "export const X = 1;\n",
      "family/part.ts": "export function defineFamilyPart() {}\n",
      "family/driver.ts": "",
    });
    expect(partFolders(tree)).toEqual(["acme-x"]);
    const index = renderIndexes(tree);
    expect(index["manifests/schema/parts.index.ts"]).toContain('import { part as acmeX } from "../../parts/acme-x/part.js";');
    expect(index["simulator/core/models.index.ts"]).toContain('import { attachModel as acmeX } from "../../parts/acme-x/attach.js";');
  });

  it("refuse a part folder without a declaration, naming the file", () => {
    expect(() => partFolders(partsTree({ "acme-x/driver.ts": "", "acme-x/attach.ts": FACTORY }))).toThrow(/^parts\/acme-x\/part\.ts: is missing, but parts\/acme-x has a model factory \(attach\.ts\)/);
    expect(() => partFolders(partsTree({ "acme-y/driver.ts": "" }))).toThrow(/^parts\/acme-y\/part\.ts: is missing, but parts\/acme-y has a driver \(driver\.ts\)/);
    expect(() => partFolders(partsTree({ "acme-z/part.ts": "export const notAPart = 1;\n", "acme-z/attach.ts": FACTORY }))).toThrow(/^parts\/acme-z\/part\.ts: exports no `part`/);
  });

  it("refuse a declaration without a model factory, naming the file", () => {
    expect(() => partFolders(partsTree({ "acme-x/part.ts": DECLARATION("acme-x") }))).toThrow(/^parts\/acme-x\/attach\.ts: is missing/);
    expect(() => partFolders(partsTree({ "acme-x/part.ts": DECLARATION("acme-x"), "acme-x/attach.ts": "export function attach() {}\n" }))).toThrow(
      /^parts\/acme-x\/attach\.ts: exports no `attachModel`/,
    );
  });

  it("refuse a declaration named otherwise than its folder, naming the file (stated literally, or computed)", () => {
    expect(() => partFolders(partsTree({ "acme-x/part.ts": DECLARATION("acme-y"), "acme-x/attach.ts": FACTORY }))).toThrow(
      'parts/acme-x/part.ts: declares the part "acme-y", but a part\'s name is its folder\'s',
    );
    const computed = definePart({ name: "acme-y", title: "t", connection: { kind: "analog" }, options: s.object({}), source: "s" }) as PartDefinition;
    expect(() => catalogueOf([["acme-x", computed]])).toThrow('parts/acme-x/part.ts: declares the part "acme-y", but a part\'s name is its folder\'s ("acme-x")');
  });

  it("keep the manifest side's imports clear of the simulator: the catalogue reaches no model, factory or simulator module", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, "utf8").matchAll(/(?:from|import)\s+"(\.[^"]+)\.js"/g)) visit(resolve(dirname(file), `${m[1]}.ts`));
    };
    visit(join(root, "manifests", "schema", "parts.ts"));
    const reached = [...seen].map((f) => relative(root, f));
    expect(reached).toContain("parts/bme280/part.ts");
    expect(reached.filter((f) => f.startsWith("simulator/") || /\/(model|attach)\.ts$/.test(f))).toEqual([]);
  });

  it("keep device code from importing a model factory (the device-code guard)", () => {
    const v = checkSource("parts/acme-x/driver.ts", 'import { attachModel } from "./attach.js";\n').map(formatViolation);
    expect(v).toEqual([expect.stringMatching(/^parts\/acme-x\/driver\.ts:1:1: imports "\.\/attach\.js" \(parts\/acme-x\/attach\.ts\), which is not device code/)]);
  });
});

describe("part defaults, stated once in the option schemas", () => {
  it("are derived from each option's schema default, normalised as a manifest value is", () => {
    const part = definePart({
      name: "acme-x",
      title: "t",
      connection: { kind: "analog" },
      options: s.object({ gain: s.optional(s.enumOf([1, 2, 4], { default: 2 })), label: s.optional(s.string({ default: "x" })) }),
      source: "s",
    });
    expect(part.defaults).toEqual({ gain: 2, label: "x" });
  });

  it("refuse an optional option without a default, and a default its own schema rejects, naming part and option", () => {
    const options = (o: Parameters<typeof s.object>[0]) => ({ name: "acme-x", title: "t", connection: { kind: "analog" } as const, options: s.object(o), source: "s" });
    expect(() => definePart(options({ gain: s.optional(s.number({})) }))).toThrow("part acme-x: option gain is optional but has no default: state it in its schema (default: …)");
    expect(() => definePart(options({ gain: s.optional(s.number({ minimum: 1, default: 0 })) }))).toThrow(/^part acme-x: option gain's default 0 fails its own schema: /);
  });
});
