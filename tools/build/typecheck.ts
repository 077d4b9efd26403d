/**
 * Type checks run by `ganzhi build` before bundling:
 * - the device program, as portable code: strict, ES2022 lib, no Node or DOM types, and its `main` must be a
 *   `DeviceMain` (`(host: Host) => NodeApp`);
 * - hal/moddable against @moddable/typings (hal/moddable/tsconfig.json), since it is linked into every bundle.
 * The checked programs also give the JavaScript the bundle is made of (`emitJs`): TypeScript parses each file once.
 */
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type TS from "typescript";
import ts from "./typescript.js";
import { BuildError } from "./errors.js";
import { label } from "./paths.js";

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

function createChecked(rootNames: readonly string[], options: TS.CompilerOptions, virtual: { file: string; text: string } | undefined, buildInfo: string | undefined): Checked {
  const withVirtual = (host: TS.CompilerHost) => (virtual === undefined ? host : withVirtualFile(host, virtual.file, virtual.text));
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

  return createChecked([entry, checkFile], { ...PORTABLE_OPTIONS, ...EMIT }, { file: checkFile, text: checkText }, buildInfo);
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
  const checked = createChecked(rootNames, options, virtual, buildInfo);
  const all = [...parsed.errors, ...checked.diagnostics()];
  if (all.length > 0) {
    throw new BuildError(`hal/moddable does not type-check against @moddable/typings:\n${format(root, all).trimEnd()}`, "hal/moddable");
  }
  return checked;
}
