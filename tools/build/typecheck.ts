/**
 * Type checks run by `ganzhi build` before bundling:
 * - the device program, as portable code: strict, ES2022 lib, no Node or DOM types, and its `main` must be a
 *   `DeviceMain` (`(host: Host) => NodeApp`);
 * - hal/moddable against @moddable/typings (hal/moddable/tsconfig.json), since it is linked into every bundle.
 * The checked programs also give the JavaScript the bundle is made of (`emitJs`): TypeScript parses each file once.
 */
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

/** The program rooted at `entry`, with the check that its default export is a `DeviceMain`. */
export function deviceProgram(root: string, entry: string): TS.Program {
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
  const host = withVirtualFile(ts.createCompilerHost(options, true), checkFile, checkText);
  return ts.createProgram({ rootNames: [entry, checkFile], options, host });
}

/** Type-check a `deviceProgram`; throws a BuildError listing every diagnostic. */
export function checkDeviceProgram(root: string, entry: string, program: TS.Program): void {
  const checkFile = path.join(path.dirname(entry), CHECK_FILE);
  const diagnostics = ts.getPreEmitDiagnostics(program);
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
  host.getSourceFile = (f, lang, onError, create) =>
    path.resolve(f) === file ? ts.createSourceFile(f, text, lang, true, ts.ScriptKind.TS) : getSourceFile.call(host, f, lang, onError, create);
  return host;
}

/** JavaScript emitted for each TypeScript source of `program` that is on disk (absolute path → code). */
export function emitJs(program: TS.Program): Map<string, string> {
  const out = new Map<string, string>();
  const result = program.emit(undefined, (_name, text, _bom, _onError, sources) => {
    const source = sources?.[0];
    if (source !== undefined && !source.isDeclarationFile) out.set(path.resolve(source.fileName), text);
  });
  if (result.emitSkipped) throw new BuildError("TypeScript emitted no JavaScript for the device program");
  return out;
}

/**
 * Type-check hal/moddable against the Moddable typings, as `npm run typecheck` does, and with it `board`: the
 * board description the build bakes into the bundle, against hal/moddable's own `BoardDescription`. Returns the
 * checked program.
 */
export function typecheckModdableHal(root: string, board?: unknown): TS.Program {
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
  let host = ts.createCompilerHost(options, true);
  if (board !== undefined) {
    const checkFile = path.join(root, "hal", "moddable", "__ganzhi_board_check__.ts");
    const checkText = `import type { BoardDescription } from "./board.js";\nexport const board: BoardDescription = ${JSON.stringify(board)};\n`;
    host = withVirtualFile(host, checkFile, checkText);
    rootNames.push(checkFile);
  }
  const program = ts.createProgram({ rootNames, options, host });
  const all = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];
  if (all.length > 0) {
    throw new BuildError(`hal/moddable does not type-check against @moddable/typings:\n${format(root, all).trimEnd()}`, "hal/moddable");
  }
  return program;
}
