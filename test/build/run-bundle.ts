/**
 * Run a generated Moddable project on Node: app.js and main.js with every Moddable import pointed at the
 * stand-in modules of fixtures/moddable-stubs.mjs, and `mc/config` at the given config.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { FIXTURES } from "./helpers.js";

export const STUBS_URL = pathToFileURL(path.join(FIXTURES, "moddable-stubs.mjs")).href;

export interface StubModuleInfo {
  default: string;
  named?: string[];
}

/** Import specifiers of a module, as TypeScript's scanner (not rollup) sees them. */
export function importsOf(code: string): string[] {
  return ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
}

function rewrite(code: string, map: Record<string, string>): string {
  let out = code;
  for (const [spec, target] of Object.entries(map)) {
    for (const q of ["'", '"']) out = out.split(`from ${q}${spec}${q}`).join(`from ${JSON.stringify(target)}`);
  }
  return out;
}

/**
 * Copy `outDir`'s app.js and main.js into `runDir` with shims; returns the file URLs of the two modules. Every
 * dynamic import gets a fresh query so separate runs evaluate separately.
 */
export function prepareRun(
  outDir: string,
  runDir: string,
  config: unknown,
  stubModules: Record<string, StubModuleInfo>,
): { app: string; main: string } {
  mkdirSync(runDir, { recursive: true });
  const app = readFileSync(path.join(outDir, "app.js"), "utf8");
  const main = readFileSync(path.join(outDir, "main.js"), "utf8");
  const map: Record<string, string> = {};
  let n = 0;
  for (const spec of new Set(importsOf(app))) {
    const info = stubModules[spec];
    if (info === undefined) throw new Error(`no stand-in for ${spec}`);
    const file = `shim-${n++}.mjs`;
    const named = info.named ? `export { ${info.named.join(", ")} } from ${JSON.stringify(STUBS_URL)};\n` : "";
    writeFileSync(
      path.join(runDir, file),
      `import { ${info.default} as d } from ${JSON.stringify(STUBS_URL)};\nexport default d;\n${named}`,
    );
    map[spec] = `./${file}`;
  }
  writeFileSync(path.join(runDir, "config.mjs"), `export default Object.freeze(${JSON.stringify(config)});\n`);
  writeFileSync(path.join(runDir, "app.mjs"), rewrite(app, map));
  writeFileSync(path.join(runDir, "main.mjs"), rewrite(main, { "ganzhi/app": "./app.mjs", "mc/config": "./config.mjs" }));
  return {
    app: pathToFileURL(path.join(runDir, "app.mjs")).href,
    main: pathToFileURL(path.join(runDir, "main.mjs")).href,
  };
}
