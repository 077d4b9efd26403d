/**
 * Runs a unit-test file (vitest-style) through the portable harness (harness.ts) on XS and on V8: the file is
 * bundled with `vitest` resolved to the harness, then the same bundle runs in the XS runner and in Node, and each
 * reports its case results as one JSON line.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../../tools/xs/build.js";
import { bundleForXs } from "../../tools/xs/bundle.js";
import { runXsModule } from "../../tools/xs/process.js";
import type { CaseResult } from "./harness.js";

const root = repoRoot();
const here = path.join(root, "test", "xs");

/** npm packages a test file may bring into its XS bundle (pure JavaScript, independent checkers). */
export const TEST_PACKAGES = ["cborg"];

/**
 * Bundle a test file with the harness; cases named in `skip` are reported as skipped (on both engines). `aliases`
 * maps more bare specifiers to files (the Moddable modules of hal/moddable).
 */
export async function testBundle(file: string, skip: readonly string[] = [], aliases: Readonly<Record<string, string>> = {}): Promise<string> {
  const abs = path.isAbsolute(file) ? file : path.join(root, file);
  const name = "test-" + path.relative(root, abs).replace(/\.ts$/, "").replace(/[^A-Za-z0-9]+/g, "-");
  const entryCode = [
    `import ${JSON.stringify(path.join(here, "prelude.ts"))};`,
    `import ${JSON.stringify(abs)};`,
    `import { run } from ${JSON.stringify(path.join(here, "harness.ts"))};`,
    `const xs = globalThis.$xs;`,
    `run(() => xs.now(), ${JSON.stringify(skip)}).then(`,
    `  (results) => xs.send(JSON.stringify({ t: "results", results })),`,
    `  (e) => xs.send(JSON.stringify({ t: "error", message: String(e) })),`,
    `);`,
    ``,
  ].join("\n");
  const b = await bundleForXs({ name, root, entryCode, aliases: { ...aliases, vitest: path.join(here, "harness.ts") }, packages: TEST_PACKAGES });
  return b.file;
}

export interface EngineRun {
  results: CaseResult[];
  /** Text the run printed (console, XS reports). */
  output: string;
}

function pick(messages: { t?: string; [k: string]: unknown }[], output: string): EngineRun {
  const r = messages.find((m) => m.t === "results");
  if (!r) {
    const e = messages.find((m) => m.t === "error");
    throw new Error(`no results${e ? `: ${String(e.message)}` : ""}\n${output.slice(-2000)}`);
  }
  return { results: r.results as CaseResult[], output };
}

export async function runTestsOnXs(bundle: string): Promise<EngineRun> {
  const r = await runXsModule({ module: bundle, text: true });
  return pick(r.messages, r.stderr + r.text.join("\n"));
}

/** The same bundle on Node's V8, with a `$xs` that has what the test entry uses. */
export async function runTestsOnV8(bundle: string): Promise<EngineRun> {
  const dir = path.join(root, "out", "xs");
  mkdirSync(dir, { recursive: true });
  const launcher = path.join(dir, `v8-launcher-${process.pid}.mjs`);
  writeFileSync(
    launcher,
    [
      "globalThis.$xs = { send: (line) => process.stdout.write(line + '\\n'), now: () => performance.now() };",
      "await import(process.argv[2]);",
      "",
    ].join("\n"),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, pathToFileURL(bundle).href], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", () => {
      const messages: { t?: string }[] = [];
      const text: string[] = [];
      for (const line of out.split("\n")) {
        if (!line) continue;
        try {
          messages.push(JSON.parse(line) as { t?: string });
        } catch {
          text.push(line);
        }
      }
      try {
        resolve(pick(messages, err + text.join("\n")));
      } catch (e) {
        reject(e);
      }
    });
  });
}
