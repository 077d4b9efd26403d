/**
 * Bundle hal/moddable and the device program into one XS-ready ES module with rollup 4, TypeScript stripped file by
 * file by `ts.transpileModule` (as tools/xs/bundle.ts does).
 *
 * The bundle's entry is generated: it re-exports `createHost` (hal/moddable/host.ts), the platform module chosen
 * for the board (hal/moddable/esp32.ts or nrf52.ts), the device's `main` as `deviceMain`, and `board`, the board
 * description baked in as deep-frozen data. Moddable modules stay external imports; any other import that is not
 * device code is an error naming the importing file. Types were checked before (tools/build/typecheck.ts), and the
 * checked programs' JavaScript is handed in (`js`); a file without it is transpiled here.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { rollup, type Plugin, type RollupLog } from "rollup";
import type TS from "typescript";
import ts from "./typescript.js";
import { BuildError } from "./errors.js";
import { DEVICE_CODE_DIRS, isInside, label, real, resolveTsImport } from "./paths.js";
import { analyzePreload, type PreloadFinding } from "./preload.js";
import { forbiddenImport, isModdableSpecifier, isRelativeOrAbsolute } from "./specifiers.js";

import type { BoardDescription } from "./project.js";

const ENTRY = "\0ganzhi:app";

/** TypeScript → ES2022, types stripped (checked before, in tools/build/typecheck.ts); one file at a time. */
const TRANSPILE: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  useDefineForClassFields: true,
  removeComments: true,
  sourceMap: false,
};

export function transpile(file: string, code: string): string {
  return ts.transpileModule(code, { fileName: file, compilerOptions: TRANSPILE }).outputText;
}

/**
 * `transpile` for many files at once, from syntax trees already parsed (ES2022, as the import scan parses them): one
 * program without a checker's worth of work per file (ts.transpileModule makes a program, a lib and a checker for
 * each). Same output as `transpile`, file by file (test/build/typecheck.test.ts compares them).
 * Returns: absolute path → JavaScript.
 */
export function transpileFiles(sources: readonly TS.SourceFile[]): Map<string, string> {
  const byName = new Map(sources.map((sf) => [sf.fileName, sf]));
  const options: TS.CompilerOptions = {
    ...TRANSPILE,
    noLib: true,
    noResolve: true,
    noCheck: true,
    declaration: false,
    declarationMap: false,
    suppressOutputPathCheck: true,
    allowNonTsExtensions: true,
    types: [],
  };
  const out = new Map<string, string>();
  const host: TS.CompilerHost = {
    getSourceFile: (f) => byName.get(f),
    writeFile: (_name, text, _bom, _onError, files) => {
      const sf = files?.[0];
      if (sf !== undefined) out.set(path.resolve(sf.fileName), text);
    },
    getDefaultLibFileName: () => "lib.d.ts",
    useCaseSensitiveFileNames: () => true,
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => "",
    getNewLine: () => "\n",
    fileExists: (f) => byName.has(f),
    readFile: () => "",
    directoryExists: () => true,
    getDirectories: () => [],
  };
  const program = ts.createProgram([...byName.keys()], options, host);
  const result = program.emit();
  if (result.emitSkipped) throw new BuildError("TypeScript emitted no JavaScript for the device program");
  return out;
}

export interface BundleInput {
  root: string;
  /** devices/<device>/main.ts (absolute). */
  entry: string;
  /** Every device-code .ts file the program loads (from the import scan), absolute. */
  files: readonly string[];
  board: BoardDescription;
  /** Extra directories holding device code (a device folder outside devices/). */
  extraDirs?: readonly string[];
  /** JavaScript the type checker already emitted, by absolute source path; other files are transpiled here. */
  js?: ReadonlyMap<string, string>;
  /** The link the board uses (`uplink.link`): devices/shared/links.ts is bundled with that one alone. */
  link?: string;
}

/** The module that lists every link a firmware can carry (devices/shared/links.ts), relative to the checkout. */
export const LINKS_MODULE = "devices/shared/links.ts";

/** devices/shared/links.ts for a board: only its own link's factory (devices/shared/links/<link>.ts). The bundlers
 * (this one and the emulator's image) load it in place of the file, under the file's own id. */
export function linksFor(root: string, link: string): string {
  const factory = path.join(root, "devices", "shared", "links", `${link}.ts`);
  if (!existsSync(factory)) throw new BuildError(`the board's link "${link}" has no factory: ${label(root, factory)} does not exist`, LINKS_MODULE);
  return [`import { createLink } from ${JSON.stringify(factory)};`, `export const LINKS = Object.freeze({ ${JSON.stringify(link)}: createLink });`, ``].join("\n");
}

export interface BundledModuleFinding extends PreloadFinding {
  /** The module, relative to the checkout. */
  module: string;
}

export interface BundleResult {
  code: string;
  /** External imports left in the bundle: Moddable module specifiers only. */
  externals: string[];
  /** Source modules in the bundle, relative to the checkout, in bundle order. */
  modules: string[];
  /** Top-level code that makes preloading unsafe; empty when the bundle may be preloaded. */
  preloadBlockers: BundledModuleFinding[];
  /** The same modules' files (absolute), in bundle order. */
  files: string[];
  /** Rollup's own warnings, one line each. */
  warnings: string[];
  /** Moddable specifier → the bundled modules that import it (checkout-relative), for errors that name the file. */
  importers: Record<string, string[]>;
  /** Moddable specifier → the names the bundle imports from it ("default", "*", named exports). */
  bindings: Record<string, string[]>;
  /** Which bundled module each range of the bundle's lines came from (1-based, inclusive), to name a file. */
  lines: { module: string; first: number; last: number }[];
}

/** JSON → JavaScript that builds the same value, every object and array frozen. */
export function frozenLiteral(value: unknown): string {
  if (Array.isArray(value)) return `Object.freeze([${value.map(frozenLiteral).join(", ")}])`;
  if (typeof value === "object" && value !== null) {
    const body = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${frozenLiteral(v)}`)
      .join(", ");
    return `Object.freeze({${body}})`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) throw new BuildError(`cannot bake ${value} into the bundle`);
  return JSON.stringify(value);
}

function entryCode(root: string, entry: string, board: BoardDescription): string {
  const moddable = real(path.join(root, "hal", "moddable"));
  const imp = (p: string) => JSON.stringify(p);
  return [
    `export { createHost } from ${imp(path.join(moddable, "host.ts"))};`,
    `export { default as platform } from ${imp(path.join(moddable, `${board.platform}.ts`))};`,
    `export { default as deviceMain } from ${imp(entry)};`,
    `export const board = ${frozenLiteral(board)};`,
    ``,
  ].join("\n");
}

/** How many line feeds `text` has from `from` up to (not including) `to`. */
function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

export async function bundle(input: BundleInput): Promise<BundleResult> {
  const { root, entry, board } = input;
  const moddableHal = real(path.join(root, "hal", "moddable"));
  const linksFile = input.link === undefined ? undefined : real(path.join(root, LINKS_MODULE));
  const allowed = [...DEVICE_CODE_DIRS.map((d) => real(path.join(root, d))), ...(input.extraDirs ?? []).map(real)];
  const modules: string[] = [];
  const preloadBlockers: BundledModuleFinding[] = [];
  const warnings: string[] = [];
  const importers = new Map<string, Set<string>>();
  let failure: BuildError | undefined;
  const fail = (message: string, file?: string): never => {
    failure = new BuildError(message, file);
    throw failure;
  };

  const stripTypes: Plugin = {
    name: "ganzhi-strip-types",
    transform(code, id) {
      if (id === ENTRY || id === linksFile || !id.endsWith(".ts")) return null;
      return { code: input.js?.get(id) ?? transpile(id, code), map: null };
    },
  };

  const guard: Plugin = {
    name: "ganzhi-guard",
    resolveId(source, importer) {
      if (source === ENTRY) return ENTRY;
      if (importer === undefined) return null;
      const trusted = importer === ENTRY || isInside(real(importer), moddableHal);
      const who = importer === ENTRY ? "the generated entry" : label(root, importer);
      if (isModdableSpecifier(source) && trusted) {
        let set = importers.get(source);
        if (!set) importers.set(source, (set = new Set()));
        set.add(who);
        return { id: source, external: true };
      }
      if (!isRelativeOrAbsolute(source)) fail(forbiddenImport(source, who)!, who);
      const resolved = resolveTsImport(importer, source);
      if (resolved === undefined) return fail(`${who} imports "${source}", which does not exist`, who);
      const file = real(resolved);
      if (!file.endsWith(".ts")) fail(`${who} imports "${source}" (${label(root, file)}): device code imports only TypeScript modules`, who);
      if (!allowed.some((dir) => isInside(file, dir))) {
        fail(`${who} imports "${source}" (${label(root, file)}), which is not device code`, who);
      }
      if (!trusted && isInside(file, moddableHal)) {
        fail(`${who} imports "${source}": hal/moddable is linked in by the build; device code gets the host as main(host)`, who);
      }
      return { id: file };
    },
    load(id) {
      if (id === linksFile) return linksFor(root, input.link!);
      return id === ENTRY ? entryCode(root, entry, board) : null;
    },
    moduleParsed(info) {
      if (info.id === ENTRY || info.code === null) return;
      const name = label(root, info.id);
      const report = analyzePreload(info.ast, info.code);
      for (const f of report.unsafe) preloadBlockers.push({ module: name, ...f });
    },
  };

  try {
    const build = await rollup({
      input: ENTRY,
      plugins: [guard, stripTypes],
      treeshake: { moduleSideEffects: true },
      onLog(level, log: RollupLog) {
        if (level === "warn") warnings.push(`rollup: ${log.message}`);
      },
    });
    const { output } = await build.generate({
      format: "es",
      exports: "named",
      inlineDynamicImports: true,
      generatedCode: { constBindings: true, objectShorthand: true },
    });
    await build.close();
    const chunk = output.find((o) => o.type === "chunk");
    if (chunk === undefined || chunk.type !== "chunk") throw new BuildError("rollup produced no bundle");
    const files = Object.keys(chunk.modules).filter((id) => id !== ENTRY);
    for (const id of files) modules.push(label(root, id));
    const externals = [...chunk.imports].sort();
    const stray = externals.filter((s) => !isModdableSpecifier(s));
    if (stray.length > 0) throw new BuildError(`the bundle imports non-Moddable modules: ${stray.join(", ")}`);
    const byImporter: Record<string, string[]> = {};
    for (const spec of externals) byImporter[spec] = [...(importers.get(spec) ?? [])].sort();
    const bindings: Record<string, string[]> = {};
    for (const [spec, names] of Object.entries(chunk.importedBindings)) bindings[spec] = [...names];
    const lines: BundleResult["lines"] = [];
    // Lines are counted once, from where the last module ended (counting from the top for each took 25 ms).
    let at = 0;
    let line = 1; // the line `at` is on
    for (const [id, m] of Object.entries(chunk.modules)) {
      if (id === ENTRY || !m.code) continue;
      const start = chunk.code.indexOf(m.code, at);
      if (start < 0) continue;
      const first = line + newlines(chunk.code, at, start);
      const last = first + newlines(m.code, 0, m.code.length);
      lines.push({ module: label(root, id), first, last });
      at = start + m.code.length;
      line = last;
    }
    return { code: chunk.code, externals, modules, files, preloadBlockers, warnings, importers: byImporter, bindings, lines };
  } catch (e) {
    if (failure !== undefined) throw failure;
    if (e instanceof BuildError) throw e;
    const err = e as { message?: string; id?: string };
    throw new BuildError(`bundling failed: ${err.message ?? String(e)}`, err.id !== undefined ? label(root, err.id) : undefined);
  }
}
