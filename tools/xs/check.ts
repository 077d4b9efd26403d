/**
 * `ganzhi build`'s check of a bundle on the real engine: the generated project's main.js and app.js must parse,
 * link and evaluate their module bodies on XS (what Moddable's xsc/xsl and preloading do at build time), and import
 * only modules Moddable provides on the board's platform (moddable-modules.ts), else the build fails naming the
 * importing file.
 *
 * The Moddable modules are stand-ins generated from what the bundle imports (every imported name exists; calling
 * one throws "not at build time"), so a module body that reaches the hardware fails here as it would in a preload.
 * `mc/config` is the node configuration the manifest carries.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PlatformName } from "../build/project.js";
import { platformModuleFault } from "./moddable-modules.js";
import { XsExitError, XsFatalError, XsProcess } from "./process.js";

export interface XsCheckInput {
  /** app.js: the bundle (module `ganzhi/app`). */
  app: string;
  /** main.js: Moddable's main, importing `ganzhi/app` and `mc/config`. */
  main: string;
  platform: PlatformName;
  /** Moddable specifier → the bundled modules (checkout-relative) that import it. */
  importers: Readonly<Record<string, readonly string[]>>;
  /** Imported names per Moddable specifier ("default", "*" or a named export). */
  bindings: Readonly<Record<string, readonly string[]>>;
  /** The node configuration (`mc/config`'s default export). */
  config: unknown;
  /** Which source module each range of app.js's lines came from. */
  lines?: readonly { module: string; first: number; last: number }[];
}

export interface XsCheckFault {
  message: string;
  /** The file to blame (checkout-relative), when one is known. */
  file?: string;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function stubModule(specifier: string, names: readonly string[]): string {
  const lines = [
    `const fail = (what) => { throw new Error(${JSON.stringify(specifier)} + ": " + what + " called at build time (stand-in module)"); };`,
    `function stub() { fail("a function"); }`,
    `export default stub;`,
  ];
  for (const n of new Set(names)) {
    if (n === "default" || n === "*" || !IDENT.test(n)) continue;
    lines.push(`export const ${n} = stub;`);
  }
  return lines.join("\n") + "\n";
}

/** Platform faults (no XS needed). */
export function platformFaults(input: Pick<XsCheckInput, "platform" | "importers">): XsCheckFault[] {
  const out: XsCheckFault[] = [];
  for (const [spec, files] of Object.entries(input.importers)) {
    const why = platformModuleFault(spec, input.platform);
    if (why === undefined) continue;
    for (const file of files.length > 0 ? files : ["the bundle"]) out.push({ message: `${file} imports ${why}`, file });
  }
  return out;
}

/** Parse, link and evaluate main.js + app.js on XS; returns the faults (empty when the bundle is good). */
export async function checkBundleOnXs(input: XsCheckInput, options: { runner?: string } = {}): Promise<XsCheckFault[]> {
  const faults = platformFaults(input);
  if (faults.length > 0) return faults;
  const dir = mkdtempSync(path.join(tmpdir(), "ganzhi-xs-check-"));
  try {
    const modules: Record<string, string> = {};
    let n = 0;
    for (const spec of Object.keys(input.bindings)) {
      const file = path.join(dir, `moddable-${n++}.js`);
      writeFileSync(file, stubModule(spec, input.bindings[spec]!));
      modules[spec] = file;
    }
    const app = path.join(dir, "app.js");
    const main = path.join(dir, "main.js");
    const config = path.join(dir, "config.js");
    writeFileSync(app, input.app);
    writeFileSync(main, input.main);
    writeFileSync(config, `export default Object.freeze(${JSON.stringify(input.config ?? {})});\n`);
    modules["ganzhi/app"] = app;
    modules["mc/config"] = config;
    const entry = path.join(dir, "check.js");
    writeFileSync(
      entry,
      [
        `import * as main from "./main.js";`,
        `import * as app from "./app.js";`,
        `$xs.send(JSON.stringify({ t: "linked", main: Object.keys(main), app: Object.keys(app) }));`,
        ``,
      ].join("\n"),
    );
    const p = await XsProcess.start({ module: entry, modules, budget: 500_000_000, heapLimit: 128 * 1024 * 1024, ...(options.runner ? { runner: options.runner } : {}) });
    try {
      const linked = await p.next<{ t: string; main: string[]; app: string[] }>((m) => m.t === "linked");
      p.end();
      await p.exited;
      const missing = ["createHost", "deviceMain", "platform", "board"].filter((k) => !linked.app.includes(k));
      if (missing.length > 0) return [{ message: `app.js does not export ${missing.join(", ")} on XS` }];
      if (!linked.main.includes("default")) return [{ message: "main.js has no default export on XS" }];
      return [];
    } catch (e) {
      if (e instanceof XsFatalError) {
        // "SyntaxError: /tmp/…/app.js:123: message": name the bundled module that line came from.
        let text = e.report.message.split("\n")[0]!.split(dir + path.sep).join("");
        let file: string | undefined;
        const m = /\b(app|main)\.js:(\d+)/.exec(text);
        if (m) {
          const line = Number(m[2]);
          const owner = m[1] === "app" ? input.lines?.find((r) => line >= r.first && line <= r.last) : undefined;
          file = owner?.module ?? `${m[1]}.js`;
          if (owner) text += ` (in ${owner.module}, line ${line - owner.first + 1} of its bundled code)`;
        }
        return [{ message: `the bundle does not ${e.report.kind === "load" ? "parse, link or evaluate" : "load"} on XS: ${text}`, ...(file ? { file } : {}) }];
      }
      if (e instanceof XsExitError) return [{ message: `XS check failed: ${e.message}` }];
      throw e;
    } finally {
      p.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
