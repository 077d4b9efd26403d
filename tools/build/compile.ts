/**
 * The costly half of `ganzhi build`, loaded only when the build cache (tools/build/cache.ts) has no record: the
 * import scan, both type checks, the JavaScript they emit, rollup, and the module-level state findings. TypeScript
 * parses every file once; the scan and the state check read the compiler's syntax trees.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type TS from "typescript";
import ts from "./typescript.js";
import { mutableModuleState } from "../lint/frozen.js";
import { bundle, transpile, transpileFiles, type BundledModuleFinding, type BundleResult } from "./bundle.js";
import type { BuildCache } from "./cache.js";
import { scanImports } from "./imports.js";
import { label, real } from "./paths.js";
import type { BoardDescription } from "./project.js";
import { checkDeviceProgram, checkoutJavaScript, declaredSource, deviceProgram, typecheckModdableHal } from "./typecheck.js";

export interface CompileInput {
  root: string;
  /** The device's main module (absolute, real path). */
  entry: string;
  extraDirs: readonly string[];
  board: BoardDescription;
  /** Also type-check hal/moddable against @moddable/typings. */
  checkHal: boolean;
  /** TypeScript's build info and each file's JavaScript are kept here (tools/build/cache.ts). */
  cache: BuildCache;
  /** The board's link (`uplink.link`): the only one the image carries. */
  link?: string;
}

export interface Compiled {
  bundle: BundleResult;
  /** main.js: hal/moddable/main.ts as JavaScript. */
  main: string;
  /** Module-level state preloading would leave mutable, per bundled module. */
  mutableState: BundledModuleFinding[];
  /** Every file the compiler read (absolute): what a cache record depends on. */
  inputs: string[];
}

export async function compileDevice(input: CompileInput): Promise<Compiled> {
  const { root, entry, extraDirs, board, cache } = input;
  const checkedDevice = deviceProgram(root, entry, cache.buildInfo(`device ${entry}`));
  const device = checkedDevice.program;
  // Files the device program has only as declarations (the checkout's own modules, tools/build/typecheck.ts) are
  // parsed once here, for the import scan, their JavaScript and the module-state check.
  const parsed = new Map<string, TS.SourceFile>();
  const parse = (file: string): TS.SourceFile => {
    let sf = parsed.get(file);
    // Read for its imports, its module-level state and (without out/) its JavaScript: its doc comments matter to none.
    if (sf === undefined) parsed.set(file, (sf = ts.createSourceFile(file, readFileSync(file, "utf8"), { languageVersion: ts.ScriptTarget.ES2022, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true, ts.ScriptKind.TS)));
    return sf;
  };
  const scan = scanImports(root, entry, extraDirs, (f) => device.getSourceFile(f) ?? parse(f));
  checkDeviceProgram(root, entry, checkedDevice);
  const checkedHal = input.checkHal ? typecheckModdableHal(root, board, cache.buildInfo("hal/moddable")) : undefined;
  const hal = checkedHal?.program;

  // JavaScript for every file: what TypeScript emitted now (every file, or those an edit affected), else what was
  // kept for the same text, else transpiled now (and kept).
  const js = new Map<string, string>();
  for (const [kind, checked] of [["device", checkedDevice], ["hal", checkedHal]] as const) {
    if (checked === undefined) continue;
    const emitted = checked.emit();
    for (const sf of checked.program.getSourceFiles()) {
      if (sf.isDeclarationFile) continue;
      const file = path.resolve(sf.fileName);
      let code = emitted.get(file) ?? cache.getJs(kind, file, sf.impliedNodeFormat, sf.text);
      if (!emitted.has(file) && code === undefined) code = transpile(file, sf.text);
      if (emitted.has(file) || !cache.hasJs(kind, file, sf.impliedNodeFormat, sf.text)) cache.putJs(kind, file, sf.impliedNodeFormat, sf.text, code!);
      js.set(real(file), code!);
    }
  }
  // The checkout's own modules: the JavaScript `tsc -b` emitted, when out/ is fresh; else kept, else transpiled now.
  const emittedByTsc = checkoutJavaScript(root, extraDirs);
  const untranspiled: TS.SourceFile[] = [];
  for (const file of scan.files) {
    if (js.has(file)) continue;
    const built = emittedByTsc?.(file);
    if (built !== undefined) {
      js.set(file, built);
      continue;
    }
    const sf = parse(file);
    const code = cache.getJs("device", file, ts.ModuleKind.ESNext, sf.text);
    if (code === undefined) untranspiled.push(sf);
    else js.set(file, code);
  }
  for (const [file, code] of transpileFiles(untranspiled)) {
    cache.putJs("device", file, ts.ModuleKind.ESNext, parsed.get(file)!.text, code);
    js.set(file, code);
  }
  cache.pruneFine();
  const bundled = await bundle({ root, entry, files: scan.files, board, extraDirs, js, ...(input.link ? { link: input.link } : {}) });

  const mainSource = real(path.join(root, "hal", "moddable", "main.ts"));
  const mainJs = js.get(mainSource) ?? transpile(mainSource, readFileSync(mainSource, "utf8"));

  const sourceOf = (file: string): TS.SourceFile =>
    device.getSourceFile(file) ?? hal?.getSourceFile(file) ?? parsed.get(file) ?? ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const mutableState: BundledModuleFinding[] = [];
  for (const file of bundled.files) {
    const sf = sourceOf(file);
    for (const f of mutableModuleState(sf)) {
      const line = sf.text.slice(f.node.getStart(sf)).split("\n")[0]!.trim();
      const statement = sf.getLineAndCharacterOfPosition(f.node.getStart(sf)).line + 1;
      mutableState.push({ module: `${label(root, file)}:${statement}`, message: f.message, snippet: line.length > 60 ? line.slice(0, 57) + "..." : line });
    }
  }

  const inputs = new Set<string>([path.join(root, "hal", "moddable", "tsconfig.json"), mainSource]);
  for (const program of [device, hal]) {
    for (const sf of program?.getSourceFiles() ?? []) {
      const file = path.resolve(sf.fileName);
      inputs.add(file);
      const source = declaredSource(root, file);
      if (source !== undefined) inputs.add(source);
    }
  }
  for (const f of bundled.files) inputs.add(f);
  return { bundle: bundled, main: `// Generated by ganzhi build from hal/moddable/main.ts.\n${mainJs}`, mutableState, inputs: [...inputs] };
}
