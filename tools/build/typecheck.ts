/**
 * Type checks run by `ganzhi build` before bundling:
 * - the device program, as portable code: strict, ES2022 lib, no Node or DOM types, and its `main` must be a
 *   `DeviceMain` (`(host: Host) => NodeApp`);
 * - hal/moddable against @moddable/typings (hal/moddable/tsconfig.json), since it is linked into every bundle.
 * The checked programs also give the JavaScript the bundle is made of (`emitJs`): TypeScript parses each file once.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hasNewerSource } from "#newer-source";
import path from "node:path";
import type TS from "typescript";
import ts from "./typescript.js";
import { BuildError } from "./errors.js";
import { isInside, label, real } from "./paths.js";

/** The compiler options of tsconfig.portable.json (through tsconfig.base.json) that matter for checking. */
export const PORTABLE_OPTIONS: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  types: [],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  noUnusedLocals: true,
  useUnknownInCatchVariables: true,
  forceConsistentCasingInFileNames: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  skipLibCheck: true,
  noEmit: true,
};

const CHECK_FILE = "__ganzhi_main_check__.ts";

function format(root: string, diagnostics: readonly TS.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  });
}

/** Settings that change what is emitted, not what is checked: JavaScript only, as the bundle wants it. */
const EMIT: TS.CompilerOptions = { noEmit: false, removeComments: true, declaration: false, declarationMap: false, sourceMap: false, composite: false, incremental: false };

/**
 * A program to check, and its diagnostics. With `buildInfo` (a file in the build cache) it is TypeScript's own
 * incremental program: files whose content and dependencies did not change since the last check keep their
 * diagnostics, as `tsc --incremental` does, so a build after an edit re-checks only what the edit can affect.
 */
export interface Checked {
  program: TS.Program;
  /** TypeScript's pre-emit diagnostics (options, syntax, global, semantic), as ts.getPreEmitDiagnostics orders them. */
  diagnostics(): readonly TS.Diagnostic[];
  /**
   * JavaScript for the program's TypeScript files on disk (absolute path → code): every file, or with build info
   * only those changed since the last build (the others are in the build cache, tools/build/cache.ts). Writes the
   * build info.
   */
  emit(): Map<string, string>;
}

/** Collects emitted JavaScript by source file; writes a build-info file atomically. */
function emitCollector(out: Map<string, string>): TS.WriteFileCallback {
  return (file, text, _bom, _onError, sources) => {
    if (file.endsWith(".tsbuildinfo")) {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, file);
      return;
    }
    const source = sources?.[0];
    if (source !== undefined && !source.isDeclarationFile && file.endsWith(".js")) out.set(path.resolve(source.fileName), text);
  };
}

function createChecked(
  rootNames: readonly string[],
  options: TS.CompilerOptions,
  virtual: { file: string; text: string } | undefined,
  buildInfo: string | undefined,
  adapt: (host: TS.CompilerHost) => TS.CompilerHost = (host) => host,
): Checked {
  const withVirtual = (host: TS.CompilerHost) => {
    // As tsc parses: only the JSDoc that can give a type error in these files (none in TypeScript; the lib files'
    // thousands of doc comments were a tenth of a cold build's parsing).
    host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
    return adapt(sharingLib(virtual === undefined ? host : withVirtualFile(host, virtual.file, virtual.text)));
  };
  if (buildInfo === undefined) {
    const program = ts.createProgram({ rootNames, options, host: withVirtual(ts.createCompilerHost(options, true)) });
    return { program, diagnostics: () => ts.getPreEmitDiagnostics(program), emit: () => emitJs(program) };
  }
  const incremental = { ...options, incremental: true, tsBuildInfoFile: buildInfo };
  const create = () => ts.createIncrementalProgram({ rootNames, options: incremental, host: withVirtual(ts.createIncrementalCompilerHost(incremental)) });
  let builder: TS.EmitAndSemanticDiagnosticsBuilderProgram;
  try {
    builder = create();
  } catch {
    // An unreadable build-info file only costs a full check.
    rmSync(buildInfo, { force: true });
    builder = create();
  }
  return {
    program: builder.getProgram(),
    diagnostics() {
      const all = [...builder.getConfigFileParsingDiagnostics(), ...builder.getOptionsDiagnostics(), ...builder.getSyntacticDiagnostics()];
      if (all.length === 0) all.push(...builder.getGlobalDiagnostics());
      if (all.length === 0) all.push(...builder.getSemanticDiagnostics());
      return ts.sortAndDeduplicateDiagnostics(all);
    },
    emit() {
      const out = new Map<string, string>();
      const result = builder.emit(undefined, emitCollector(out));
      if (result.emitSkipped) throw new BuildError("TypeScript emitted no JavaScript for the device program");
      return out;
    },
  };
}

/** The program rooted at `entry`, with the check that its default export is a `DeviceMain`. */
export function deviceProgram(root: string, entry: string, buildInfo?: string): Checked {
  const deviceDir = path.dirname(entry);
  const checkFile = path.join(deviceDir, CHECK_FILE);
  let hostImport = path.relative(deviceDir, path.join(root, "hal", "host.js")).split(path.sep).join("/");
  if (!hostImport.startsWith(".")) hostImport = "./" + hostImport;
  const checkText = [
    `import main from "./${path.basename(entry, ".ts")}.js";`,
    `import type { DeviceMain } from "${hostImport}";`,
    `const checked: DeviceMain = main;`,
    `export default checked;`,
    ``,
  ].join("\n");

  const options = { ...PORTABLE_OPTIONS, ...EMIT };
  const declarations = checkoutDeclarations(root, [deviceDir]);
  const adapt = declarations === undefined ? undefined : (host: TS.CompilerHost) => withDeclarations(host, options, declarations);
  return createChecked([entry, checkFile], options, { file: checkFile, text: checkText }, buildInfo, adapt);
}

/** The portable project's build info (tsconfig.portable.json), written by every `tsc -b` that compiled its sources. */
const PORTABLE_BUILD_INFO = ".portable.tsbuildinfo";
/** The checkout's modules a device program may take as declarations: what a device imports besides its own files. */
const DECLARED_DIRS = ["hal", "runtime", "parts", path.join("devices", "shared"), path.join("manifests", "schema")];

/**
 * What `tsc -b` wrote in out/ for the checkout's own modules (hal, runtime, parts, devices/shared, manifests/schema),
 * while it is as new as every source it stands for: `output(source, ext)` is out/<path><ext> for a source .ts (real
 * path) when that file exists. Undefined when out/ is missing or any of those sources is newer than that build.
 * `deviceDirs` (a device's own files, checked from source) and hal/moddable are never taken from out/.
 */
function freshCheckoutOutput(root: string, deviceDirs: readonly string[]): { buildInfo: string; output(file: string, ext: string): string | undefined } | undefined {
  const out = real(path.join(root, "out"));
  const buildInfo = path.join(out, PORTABLE_BUILD_INFO);
  let built: number;
  try {
    built = statSync(buildInfo).mtimeMs;
  } catch {
    return undefined;
  }
  const own = deviceDirs.map(real);
  const moddableHal = real(path.join(root, "hal", "moddable"));
  const skip = (p: string) => isInside(p, moddableHal) || own.some((d) => isInside(p, d)) || p.endsWith(".test.ts");
  const dirs = DECLARED_DIRS.map((d) => ({ source: real(path.join(root, d)), out: path.join(out, d) }));
  if (dirs.some((d) => hasNewerSource(d.source, built, skip))) return undefined;
  return {
    buildInfo,
    output(file, ext) {
      const f = real(file);
      if (!f.endsWith(".ts") || f.endsWith(".d.ts") || skip(f)) return undefined;
      const dir = dirs.find((d) => isInside(f, d.source));
      if (dir === undefined) return undefined;
      const target = path.join(dir.out, path.relative(dir.source, f)).slice(0, -3) + ext;
      return existsSync(target) ? target : undefined;
    },
  };
}

/**
 * The checkout's own modules as the declarations `tsc -b` wrote for them (out/<path>.d.ts, from the same sources
 * with the same strict options; bin/ganzhi.js runs it whenever a source changed), or undefined when out/ is not
 * fresh (freshCheckoutOutput). A device's own files are still checked from source, strictly, against these
 * declarations; the modules themselves were checked by `tsc -b`. Re-checking them for every build took most of a
 * cold build (the runtime is ten times a device's size).
 * Returns: source .ts (real path) → its declaration file.
 */
export function checkoutDeclarations(root: string, deviceDirs: readonly string[]): ((file: string) => string | undefined) | undefined {
  const fresh = freshCheckoutOutput(root, deviceDirs);
  return fresh === undefined ? undefined : (file) => fresh.output(file, ".d.ts");
}

/**
 * The checkout's own modules as the JavaScript `tsc -b` emitted for them (out/<path>.js, less its source-map
 * comment), or undefined when out/ is not fresh or was not emitted as the bundle wants it: by this TypeScript, with
 * tsconfig.portable.json's removeComments, and nothing left to emit. That JavaScript is what `transpile`
 * (tools/build/bundle.ts) gives each file (test/build/typecheck.test.ts compares every one); transpiling the
 * runtime again took a sixth of a cold build.
 * Returns: source .ts (real path) → its JavaScript, or undefined for a file out/ does not have.
 */
export function checkoutJavaScript(root: string, deviceDirs: readonly string[]): ((file: string) => string | undefined) | undefined {
  const fresh = freshCheckoutOutput(root, deviceDirs);
  if (fresh === undefined) return undefined;
  let info: { version?: unknown; options?: Record<string, unknown>; affectedFilesPendingEmit?: unknown };
  try {
    info = JSON.parse(readFileSync(fresh.buildInfo, "utf8")) as typeof info;
  } catch {
    return undefined;
  }
  const o = info.options ?? {};
  const asBundled = info.version === ts.version && o.removeComments === true && o.target === ts.ScriptTarget.ES2022 && o.module === ts.ModuleKind.NodeNext && o.verbatimModuleSyntax === true && o.useDefineForClassFields !== false;
  if (!asBundled || info.affectedFilesPendingEmit !== undefined) return undefined;
  return (file) => {
    const js = fresh.output(file, ".js");
    if (js === undefined) return undefined;
    const text = readFileSync(js, "utf8");
    const map = text.lastIndexOf("//# sourceMappingURL=");
    return map >= 0 && text.indexOf("\n", map) < 0 ? text.slice(0, map) : text;
  };
}

/**
 * The source a declaration of `checkoutDeclarations` stands for, or undefined for any other file: a build that read
 * the declaration depends on the source too (until `tsc -b` runs again, an edit reaches the source alone).
 */
export function declaredSource(root: string, file: string): string | undefined {
  if (!file.endsWith(".d.ts")) return undefined;
  const out = real(path.join(root, "out"));
  for (const d of DECLARED_DIRS) {
    const dir = path.join(out, d);
    if (!isInside(file, dir)) continue;
    const source = path.join(real(path.join(root, d)), path.relative(dir, file)).slice(0, -5) + ".ts";
    return existsSync(source) ? source : undefined;
  }
  return undefined;
}

/** A compiler host that resolves an import of a module with a declaration (`declarationOf`) to that declaration. */
function withDeclarations(host: TS.CompilerHost, options: TS.CompilerOptions, declarationOf: (file: string) => string | undefined): TS.CompilerHost {
  const cache = ts.createModuleResolutionCache(host.getCurrentDirectory(), (f) => host.getCanonicalFileName(f), options);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, opts, containingSourceFile) =>
    literals.map((literal) => {
      const mode = ts.getModeForUsageLocation(containingSourceFile, literal, opts);
      const resolved = ts.resolveModuleName(literal.text, containingFile, opts, host, cache, redirected, mode);
      const m = resolved.resolvedModule;
      const dts = m !== undefined && m.extension === ts.Extension.Ts ? declarationOf(m.resolvedFileName) : undefined;
      if (dts === undefined) return resolved;
      return { ...resolved, resolvedModule: { ...m!, resolvedFileName: dts, extension: ts.Extension.Dts, resolvedUsingTsExtension: false } };
    });
  return host;
}

/** Type-check a `deviceProgram`; throws a BuildError listing every diagnostic. */
export function checkDeviceProgram(root: string, entry: string, checked: Checked): void {
  const checkFile = path.join(path.dirname(entry), CHECK_FILE);
  const diagnostics = checked.diagnostics();
  if (diagnostics.length === 0) return;

  const entryLabel = label(root, entry);
  const inCheck = diagnostics.filter((d) => d.file && path.resolve(d.file.fileName) === checkFile);
  const others = diagnostics.filter((d) => !inCheck.includes(d));
  const parts: string[] = [];
  if (others.length > 0) parts.push(format(root, others).trimEnd());
  for (const d of inCheck) {
    parts.push(`${entryLabel}: must \`export default function main(host: Host): NodeApp\`: ${ts.flattenDiagnosticMessageText(d.messageText, "\n  ")}`);
  }
  const firstFile = others.find((d) => d.file)?.file?.fileName;
  throw new BuildError(
    `type errors in the device program (${diagnostics.length}):\n${parts.join("\n")}`,
    firstFile !== undefined ? label(root, firstFile) : entryLabel,
  );
}

/**
 * TypeScript's lib files (lib.es2022.d.ts and those it references), parsed and bound once per process: the device
 * program and hal/moddable's both read the same ten thousand lines, which took most of the second program's time.
 * A lib file is a global script whatever the program's module settings, so one syntax tree serves both.
 */
const libFiles = new Map<string, TS.SourceFile>();

function sharingLib(host: TS.CompilerHost): TS.CompilerHost {
  const { getSourceFile } = host;
  const libDir = path.dirname(ts.getDefaultLibFilePath({}));
  host.getSourceFile = (f, lang, onError, create) => {
    if (path.dirname(f) !== libDir) return getSourceFile.call(host, f, lang, onError, create);
    const version = typeof lang === "object" ? lang.languageVersion : lang;
    const key = `${version}\0${f}`;
    let sf = libFiles.get(key);
    if (sf === undefined) {
      sf = getSourceFile.call(host, f, lang, onError, create);
      if (sf !== undefined) libFiles.set(key, sf);
    }
    return sf;
  };
  return host;
}

/** A compiler host that also has `file` (absolute), with `text`, which is not on disk. */
function withVirtualFile(host: TS.CompilerHost, file: string, text: string): TS.CompilerHost {
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => (path.resolve(f) === file ? true : fileExists.call(host, f));
  host.readFile = (f) => (path.resolve(f) === file ? text : readFile.call(host, f));
  host.getSourceFile = (f, lang, onError, create) => {
    if (path.resolve(f) !== file) return getSourceFile.call(host, f, lang, onError, create);
    const sf = ts.createSourceFile(f, text, lang, true, ts.ScriptKind.TS);
    // An incremental program tells files apart by version (its host sets it on the files it reads itself).
    (sf as { version?: string }).version = createHash("sha256").update(text).digest("hex");
    return sf;
  };
  return host;
}

/** JavaScript emitted for each TypeScript source of `program` that is on disk (absolute path → code). */
export function emitJs(program: TS.Program): Map<string, string> {
  const out = new Map<string, string>();
  const result = program.emit(undefined, emitCollector(out));
  if (result.emitSkipped) throw new BuildError("TypeScript emitted no JavaScript for the device program");
  return out;
}

/**
 * Type-check hal/moddable against the Moddable typings, as `npm run typecheck` does, and with it `board`: the
 * board description the build bakes into the bundle, against hal/moddable's own `BoardDescription`. Returns the
 * checked program.
 */
export function typecheckModdableHal(root: string, board?: unknown, buildInfo?: string): Checked {
  const configPath = path.join(root, "hal", "moddable", "tsconfig.json");
  const diagnostics: TS.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => diagnostics.push(d),
  });
  if (parsed === undefined || diagnostics.length > 0) {
    throw new BuildError(`hal/moddable/tsconfig.json cannot be read:\n${format(root, diagnostics)}`, "hal/moddable/tsconfig.json");
  }
  const options = { ...parsed.options, ...EMIT };
  const rootNames = [...parsed.fileNames];
  let virtual: { file: string; text: string } | undefined;
  if (board !== undefined) {
    const file = path.join(root, "hal", "moddable", "__ganzhi_board_check__.ts");
    virtual = { file, text: `import type { BoardDescription } from "./board.js";\nexport const board: BoardDescription = ${JSON.stringify(board)};\n` };
    rootNames.push(file);
  }
  const declarations = checkoutDeclarations(root, []);
  const adapt = declarations === undefined ? undefined : (host: TS.CompilerHost) => withDeclarations(host, options, declarations);
  const checked = createChecked(rootNames, options, virtual, buildInfo, adapt);
  const all = [...parsed.errors, ...checked.diagnostics()];
  if (all.length > 0) {
    throw new BuildError(`hal/moddable does not type-check against @moddable/typings:\n${format(root, all).trimEnd()}`, "hal/moddable");
  }
  return checked;
}
