/**
 * Where manifests live and how they are read: the catalogue folders (`manifests/boards`, `manifests/devices`), a
 * manifest named or given by path, and its text parsed into a located tree. Node only.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { fileProblem, ManifestError, orList } from "./diagnostics.js";
import { JsonSyntaxError, parseJson, type JsonNode } from "./json-source.js";
import type { PartDefinition } from "./schema/part.js";
import { partCatalogue, partNames } from "./schema/parts.js";

export interface LoadOptions {
  /** Repository root (the folder holding `manifests/`); default: found from this module's location. */
  readonly root?: string;
  /** The part catalogue devices are checked against; default: manifests/schema/parts.ts. */
  readonly parts?: Readonly<Record<string, PartDefinition>>;
}

/** The part catalogue to check against, and its names in order. */
export function catalogueOf(opts: LoadOptions): { get(name: string): PartDefinition | undefined; names: readonly string[] } {
  const parts = opts.parts ?? partCatalogue;
  return {
    get: (name) => (Object.prototype.hasOwnProperty.call(parts, name) ? parts[name] : undefined),
    names: opts.parts ? Object.keys(parts).sort() : partNames,
  };
}

export type ManifestKind = "boards" | "devices";

let cachedRoot: string | undefined;
/** The repository root: the nearest folder above this module that holds `manifests/boards`. */
export function manifestRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "manifests", "boards"))) return (cachedRoot = dir);
    const up = dirname(dir);
    if (up === dir) return (cachedRoot = process.cwd());
    dir = up;
  }
}

export function rootOf(opts: LoadOptions): string {
  return opts.root !== undefined ? resolve(opts.root) : manifestRoot();
}

/** How messages name a file: relative to the repository root, or absolute when outside it. */
export function display(root: string, abs: string): string {
  const rel = relative(root, abs);
  return rel.startsWith("..") ? abs.split(sep).join("/") : rel.split(sep).join("/");
}

/** Manifest names (file names without `.json`) in a folder. */
export function listJson(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function catalogueDir(root: string, kind: ManifestKind): string {
  return join(root, "manifests", kind);
}

/** Board names in `manifests/boards`. */
export function listBoards(opts: LoadOptions = {}): string[] {
  return listJson(catalogueDir(rootOf(opts), "boards"));
}

/** Device names in `manifests/devices`. */
export function listDevices(opts: LoadOptions = {}): string[] {
  return listJson(catalogueDir(rootOf(opts), "devices"));
}

/** Names a manifest may refer to: the catalogue's, and those of the files beside it (a vendor's own folder). */
export function knownNames(kind: ManifestKind, root: string, besideDir: string): string[] {
  return [...new Set([...listJson(besideDir), ...listJson(catalogueDir(root, kind))])].sort();
}

/** An argument is a path (not a catalogue name) when it has a folder separator or ends in `.json`. */
export function isManifestPath(nameOrPath: string): boolean {
  return nameOrPath.includes("/") || nameOrPath.includes("\\") || nameOrPath.endsWith(".json");
}

/** The absolute file of a manifest given by catalogue name or by path (relative paths: from the process's cwd). */
export function findManifest(kind: ManifestKind, nameOrPath: string, root: string): string {
  if (isManifestPath(nameOrPath)) {
    const abs = resolve(nameOrPath);
    if (!existsSync(abs)) throw fileProblem(display(root, abs), "no such file");
    return abs;
  }
  const abs = join(catalogueDir(root, kind), `${nameOrPath}.json`);
  if (!existsSync(abs)) {
    const known = listJson(catalogueDir(root, kind));
    const what = kind === "boards" ? "board" : "device";
    throw fileProblem(display(root, abs), `unknown ${what} ${JSON.stringify(nameOrPath)}${orList(nameOrPath, known, kind)}`);
  }
  return abs;
}

/** A manifest's text as a located tree; a syntax error is a `ManifestError` at its line and column. */
export function readTree(abs: string, file: string): JsonNode {
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (e) {
    throw fileProblem(file, `cannot read: ${(e as Error).message}`);
  }
  return parseTree(text, file);
}

/** `text` (the contents of `file`) as a located tree; a syntax error is a `ManifestError`. */
export function parseTree(text: string, file: string): JsonNode {
  try {
    return parseJson(text, file);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      throw new ManifestError([
        { file: e.loc.file, pointer: e.pointer, line: e.loc.line, column: e.loc.column, message: e.detail, severity: "error" },
      ]);
    }
    throw e;
  }
}

export function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
