/**
 * Bundles TypeScript (device code, the portable simulator core, test files) into one ES module for the XS runner,
 * with rollup 4 and TypeScript's own `transpileModule` (types are checked by `tsc -b`; here they are only
 * stripped, like tools/build does with `noCheck`). Relative imports name the `.js` of a `.ts` file, as NodeNext
 * wants. Bare specifiers must be listed in `aliases` (e.g. "vitest" → the XS test harness) or `packages`
 * (pure-JavaScript npm packages a test may bring along, such as cborg); anything else is an error naming the
 * importing file.
 *
 * Bundles are cached in out/xs/bundles/: a bundle is rebuilt only when its entry code or one of its input files
 * changed (content hashes), so repeated runs and parallel test files do not pay for rollup again.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { rollup, type Plugin, type RollupLog } from "rollup";
import ts from "typescript";
import { repoRoot } from "./build.js";

export class XsBundleError extends Error {
  override name = "XsBundleError";
}

export interface XsBundleInput {
  /** Cache name (a file name stem), e.g. "sim-<device>". */
  name: string;
  /** The entry module's code (TypeScript or JavaScript); its relative imports resolve from `entryDir`. */
  entryCode: string;
  /** Directory the entry's relative imports are relative to (default: the checkout). */
  entryDir?: string;
  /** Bare specifier → absolute file. */
  aliases?: Readonly<Record<string, string>>;
  /** npm packages (bare names) the bundle may include. */
  packages?: readonly string[];
  root?: string;
}

export interface XsBundle {
  /** Absolute path of the bundled module. */
  file: string;
  code: string;
  /** Input files, relative to the checkout. */
  modules: string[];
  cached: boolean;
}

const ENTRY = "\0ganzhi:xs-entry";

function sha(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

function transpile(file: string, code: string): string {
  return ts.transpileModule(code, {
    fileName: file,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      verbatimModuleSyntax: false,
      isolatedModules: true,
      useDefineForClassFields: true,
      removeComments: true,
      sourceMap: false,
    },
  }).outputText;
}

/** An ES module entry of an installed package: `exports` (import/default condition), else `module`, else `main`. */
function resolvePackage(root: string, pkg: string, specifier: string): string | undefined {
  const dir = path.join(root, "node_modules", pkg);
  let manifest: { exports?: unknown; module?: string; main?: string };
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as typeof manifest;
  } catch {
    return undefined;
  }
  const sub = specifier === pkg ? "." : "./" + specifier.slice(pkg.length + 1);
  const pick = (t: unknown): string | undefined => {
    if (typeof t === "string") return t;
    if (t && typeof t === "object") {
      const o = t as Record<string, unknown>;
      return pick(o.import) ?? pick(o.module) ?? pick(o.default);
    }
    return undefined;
  };
  let target: string | undefined;
  const exp = manifest.exports;
  if (typeof exp === "string") target = sub === "." ? exp : undefined;
  else if (exp && typeof exp === "object") {
    const map = exp as Record<string, unknown>;
    target = Object.keys(map).some((k) => k.startsWith(".")) ? pick(map[sub]) : sub === "." ? pick(map) : undefined;
  } else target = sub === "." ? (manifest.module ?? manifest.main ?? "index.js") : sub;
  if (target === undefined) return undefined;
  const file = path.join(dir, target);
  return existsSync(file) ? file : undefined;
}

interface CacheRecord {
  entry: string;
  /** Every file the bundle was made from, with its hash. */
  files: Record<string, string>;
  /** The modules in the bundle (files less those that rendered no code), as a fresh build returns them. */
  modules: string[];
}

export async function bundleForXs(input: XsBundleInput): Promise<XsBundle> {
  const root = input.root ?? repoRoot();
  const dir = path.join(root, "out", "xs", "bundles");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${input.name}.js`);
  const recordFile = path.join(dir, `${input.name}.json`);
  const entryDir = input.entryDir ?? root;
  const entryKey = sha(JSON.stringify([input.entryCode, entryDir, input.aliases ?? {}, input.packages ?? [], ts.version]));

  if (existsSync(file) && existsSync(recordFile)) {
    try {
      const record = JSON.parse(readFileSync(recordFile, "utf8")) as CacheRecord;
      const fresh =
        record.entry === entryKey &&
        Array.isArray(record.modules) &&
        Object.entries(record.files).every(([f, h]) => existsSync(f) && sha(readFileSync(f)) === h);
      if (fresh) {
        return { file, code: readFileSync(file, "utf8"), modules: record.modules.map((f) => path.relative(root, f)), cached: true };
      }
    } catch {
      // a broken record: rebuild
    }
  }

  const label = (id: string) => (id === ENTRY ? "the generated entry" : path.relative(root, id));
  const packages = new Set(input.packages ?? []);
  const aliases = input.aliases ?? {};
  // Every file read, for the cache: a module that only re-exports renders no code and is missing from the chunk's
  // modules, yet an edit to it changes the bundle.
  const loaded = new Set<string>();
  let failure: XsBundleError | undefined;
  const fail = (message: string): never => {
    failure = new XsBundleError(message);
    throw failure;
  };

  const plugin: Plugin = {
    name: "ganzhi-xs",
    resolveId(source, importer) {
      if (source === ENTRY) return ENTRY;
      if (importer === undefined) return null;
      const alias = aliases[source];
      if (alias !== undefined) return alias;
      const from = importer === ENTRY ? path.join(entryDir, "entry.ts") : importer;
      if (source.startsWith("./") || source.startsWith("../") || source.startsWith("/")) {
        const target = path.resolve(path.dirname(from), source);
        const candidates = target.endsWith(".js") ? [target.slice(0, -3) + ".ts", target] : [target, target + ".ts", target + ".js"];
        for (const c of candidates) if (existsSync(c)) return c;
        return fail(`${label(from)} imports "${source}", which does not exist`);
      }
      const pkg = source.startsWith("@") ? source.split("/").slice(0, 2).join("/") : source.split("/")[0]!;
      if (packages.has(pkg)) {
        const file = resolvePackage(root, pkg, source);
        return file ?? fail(`${label(from)} imports "${source}", which cannot be resolved in node_modules`);
      }
      return fail(`${label(from)} imports "${source}": not available inside XS (no Node modules, no npm packages but ${[...packages].join(", ") || "none"})`);
    },
    load(id) {
      if (id === ENTRY) return transpile(path.join(entryDir, "entry.ts"), input.entryCode);
      loaded.add(id);
      const code = readFileSync(id, "utf8");
      return id.endsWith(".ts") ? transpile(id, code) : code;
    },
  };

  const warnings: string[] = [];
  let code: string;
  let modules: string[];
  try {
    const build = await rollup({
      input: ENTRY,
      plugins: [plugin],
      treeshake: { moduleSideEffects: true },
      onLog(level, log: RollupLog) {
        if (level === "warn" && log.code !== "CIRCULAR_DEPENDENCY") warnings.push(log.message);
      },
    });
    const { output } = await build.generate({ format: "es", inlineDynamicImports: true, generatedCode: { constBindings: true } });
    await build.close();
    const chunk = output.find((o) => o.type === "chunk");
    if (!chunk || chunk.type !== "chunk") throw new XsBundleError("rollup produced no bundle");
    if (chunk.imports.length > 0) throw new XsBundleError(`the XS bundle still imports ${chunk.imports.join(", ")}`);
    code = chunk.code;
    modules = Object.keys(chunk.modules).filter((id) => id !== ENTRY);
  } catch (e) {
    if (failure) throw failure;
    if (e instanceof XsBundleError) throw e;
    throw new XsBundleError(`bundling ${input.name} for XS failed: ${(e as Error).message}`);
  }

  const files: Record<string, string> = {};
  for (const m of new Set([...modules, ...loaded])) files[m] = sha(readFileSync(m));
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  const tmpRecord = `${recordFile}.${process.pid}.tmp`;
  writeFileSync(tmpRecord, JSON.stringify({ entry: entryKey, files, modules } satisfies CacheRecord));
  renameSync(tmpRecord, recordFile);
  return { file, code, modules: modules.map((m) => path.relative(root, m)), cached: false };
}
