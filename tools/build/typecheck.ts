/**
 * Type checks run by `ganzhi build` before bundling:
 * - the device program, as portable code: strict, ES2022 lib, no Node or DOM types, and its `main` must be a
 *   `DeviceMain` (`(host: Host) => NodeApp`);
 * - hal/moddable against @moddable/typings (hal/moddable/tsconfig.json), since it is linked into every bundle.
 */
import path from "node:path";
import ts from "typescript";
import { BuildError } from "./errors.js";
import { label } from "./paths.js";

/** The compiler options of tsconfig.portable.json (through tsconfig.base.json) that matter for checking. */
export const PORTABLE_OPTIONS: ts.CompilerOptions = {
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

function format(root: string, diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  });
}

/** Type-check the program rooted at `entry`; throws a BuildError listing every diagnostic. */
export function typecheckDevice(root: string, entry: string): void {
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

  const host = ts.createCompilerHost(PORTABLE_OPTIONS, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => (path.resolve(f) === checkFile ? true : fileExists.call(host, f));
  host.readFile = (f) => (path.resolve(f) === checkFile ? checkText : readFile.call(host, f));
  host.getSourceFile = (f, lang, onError, create) =>
    path.resolve(f) === checkFile
      ? ts.createSourceFile(f, checkText, lang, true, ts.ScriptKind.TS)
      : getSourceFile.call(host, f, lang, onError, create);

  const program = ts.createProgram({ rootNames: [entry, checkFile], options: PORTABLE_OPTIONS, host });
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

/**
 * Type-check hal/moddable against the Moddable typings, as `npm run typecheck` does, and with it `board`: the
 * board description the build bakes into the bundle, against hal/moddable's own `BoardDescription`.
 */
export function typecheckModdableHal(root: string, board?: unknown): void {
  const configPath = path.join(root, "hal", "moddable", "tsconfig.json");
  const diagnostics: ts.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => diagnostics.push(d),
  });
  if (parsed === undefined || diagnostics.length > 0) {
    throw new BuildError(`hal/moddable/tsconfig.json cannot be read:\n${format(root, diagnostics)}`, "hal/moddable/tsconfig.json");
  }
  const options = { ...parsed.options, noEmit: true };
  const rootNames = [...parsed.fileNames];
  const host = ts.createCompilerHost(options, true);
  if (board !== undefined) {
    const checkFile = path.join(root, "hal", "moddable", "__ganzhi_board_check__.ts");
    const checkText = `import type { BoardDescription } from "./board.js";\nexport const board: BoardDescription = ${JSON.stringify(board)};\n`;
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (f) => (path.resolve(f) === checkFile ? true : fileExists.call(host, f));
    host.readFile = (f) => (path.resolve(f) === checkFile ? checkText : readFile.call(host, f));
    host.getSourceFile = (f, lang, onError, create) =>
      path.resolve(f) === checkFile
        ? ts.createSourceFile(f, checkText, lang, true, ts.ScriptKind.TS)
        : getSourceFile.call(host, f, lang, onError, create);
    rootNames.push(checkFile);
  }
  const program = ts.createProgram({ rootNames, options, host });
  const all = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];
  if (all.length > 0) {
    throw new BuildError(`hal/moddable does not type-check against @moddable/typings:\n${format(root, all).trimEnd()}`, "hal/moddable");
  }
}
