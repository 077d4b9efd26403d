/**
 * Builds ganzhi's host XS runner (`out/xs/ganzhi-xs`) from the XS engine sources shipped in the pinned npm package
 * `@agoric/xsnap` and the runner's own C files in tools/xs/. No binaries are downloaded or taken from the package:
 * everything is compiled here, with the host C compiler (`$CC`, default `cc`).
 *
 * Incremental: an object is recompiled when it is missing, older than its source or any header, or the flags
 * changed; the runner is relinked when any object is newer. Compiles run in parallel (one job per CPU). A lock
 * directory keeps concurrent callers (parallel test files) from building at the same time.
 *
 *   npm run build:xs            (or: node out/tools/xs/build.js [--force] [--quiet])
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export class XsBuildError extends Error {
  override name = "XsBuildError";
}

/** The checkout (the directory of ganzhi's package.json), from this module's place in source or in out/. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "ganzhi") return dir;
      } catch {
        // not ours; keep going up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new XsBuildError("cannot find ganzhi's package.json above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export interface XsLayout {
  root: string;
  /** @agoric/xsnap's Moddable tree (xs/sources, xs/includes, xs/platforms, modules/data/text). */
  moddable: string;
  /** tools/xs: runner.c, platform.c, platform.h, runner.h. */
  own: string;
  outDir: string;
  objDir: string;
  runner: string;
}

export function xsLayout(root = repoRoot()): XsLayout {
  const outDir = path.join(root, "out", "xs");
  return {
    root,
    moddable: path.join(root, "node_modules", "@agoric", "xsnap", "moddable"),
    own: path.join(root, "tools", "xs"),
    outDir,
    objDir: path.join(outDir, "obj"),
    runner: path.join(outDir, "ganzhi-xs"),
  };
}

/**
 * The XS engine files: those xsnap's own makefile compiles, minus xsnap's platform and the parts a Moddable device
 * build has no use for (lockdown/harden, marshalling between workers, the profiler, snapshots).
 */
export const XS_SOURCES = [
  "xsAll", "xsAPI", "xsArguments", "xsArray", "xsAtomics", "xsBigInt", "xsBoolean", "xsCode", "xsCommon",
  "xsDataView", "xsDate", "xsDebug", "xsDefaults", "xsError", "xsFunction", "xsGenerator", "xsGlobal", "xsJSON",
  "xsLexical", "xsMapSet", "xsMath", "xsMemory", "xsModule", "xsNumber", "xsObject", "xsPlatforms", "xsPromise",
  "xsProperty", "xsProxy", "xsRegExp", "xsRun", "xsScope", "xsScript", "xsSourceMap", "xsString", "xsSymbol",
  "xsSyntaxical", "xsTree", "xsType", "xsdtoa", "xsre", "xsmc",
] as const;

/** XS configuration: a Moddable device build's language (no mxCESU8, no mxMinusZero, no lockdown) plus the parser and metering. */
export const XS_DEFINES = [
  "-DINCLUDE_XSPLATFORM",
  '-DXSPLATFORM="platform.h"',
  "-DmxRun=1",
  "-DmxParse=1",
  "-DmxSloppy=1",
  "-DmxMetering=1",
  "-DmxBoundsCheck=1",
] as const;

const C_FLAGS = ["-O2", "-fno-common", "-Wno-misleading-indentation", "-Wno-implicit-fallthrough", "-Wno-unused-result"];

interface Unit {
  source: string;
  object: string;
}

function units(l: XsLayout): Unit[] {
  const xs = path.join(l.moddable, "xs", "sources");
  const text = path.join(l.moddable, "modules", "data", "text");
  const list = [
    ...XS_SOURCES.map((n) => path.join(xs, `${n}.c`)),
    path.join(text, "decoder", "textdecoder.c"),
    path.join(text, "encoder", "textencoder.c"),
    path.join(l.own, "platform.c"),
    path.join(l.own, "runner.c"),
    // The host provider's native AES-128, shared with the emulated image (emulator/firmware/cipher_natives.c).
    ...CIPHER_SOURCES.map((n) => path.join(cipherDir(l), `${n}.c`)),
  ];
  return list.map((source) => ({ source, object: path.join(l.objDir, path.basename(source, ".c") + ".o") }));
}

/** The C the runner shares with the emulated image: the native AES-128 behind `host.cipher`. */
const CIPHER_SOURCES = ["aes128", "cipher_natives"] as const;

function cipherDir(l: XsLayout): string {
  return path.join(l.root, "emulator", "firmware");
}

function headers(l: XsLayout): string[] {
  const dirs = [path.join(l.moddable, "xs", "includes"), path.join(l.moddable, "xs", "sources"), path.join(l.moddable, "xs", "platforms"), l.own];
  const cipherHeaders = CIPHER_SOURCES.map((n) => path.join(cipherDir(l), `${n}.h`));
  return [...dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".h")).map((f) => path.join(d, f))), ...cipherHeaders];
}

function includeFlags(l: XsLayout): string[] {
  return [l.own, path.join(l.moddable, "xs", "includes"), path.join(l.moddable, "xs", "platforms"), path.join(l.moddable, "xs", "sources"), cipherDir(l)].map((d) => `-I${d}`);
}

const mtime = (f: string): number => {
  try {
    return statSync(f).mtimeMs;
  } catch {
    return -1;
  }
};

function compilerName(): string {
  return process.env.CC && process.env.CC.trim() !== "" ? process.env.CC.trim() : "cc";
}

/** Throws a one-line XsBuildError naming the Debian package when there is no C compiler. */
export function checkCompiler(cc = compilerName()): string {
  const r = spawnSync(cc, ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new XsBuildError(
      `building the XS runner needs a C compiler, and "${cc}" ${r.error ? "was not found" : "does not run"}: install Debian's gcc package (sudo apt-get install gcc, or build-essential), or set CC`,
    );
  }
  return r.stdout.split("\n")[0] ?? cc;
}

function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", (e) => resolve({ code: -1, output: output + String(e) }));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, ".lock");
  mkdirSync(dir, { recursive: true });
  const start = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than 10 minutes belongs to a build that died.
      if (Date.now() - mtime(lock) > 600_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() - start > 900_000) throw new XsBuildError(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface BuildXsOptions {
  force?: boolean;
  log?: (line: string) => void;
  layout?: XsLayout;
  /** Called once, before anything is compiled or linked, with the number of C files to compile (0: link only). */
  onWork?: (compile: number) => void;
}

export interface BuildXsResult {
  runner: string;
  compiled: number;
  linked: boolean;
  seconds: number;
}

/** Build (or bring up to date) the host runner; returns its path. */
export async function buildXsRunner(options: BuildXsOptions = {}): Promise<BuildXsResult> {
  const l = options.layout ?? xsLayout();
  const log = options.log ?? (() => {});
  const started = performance.now();
  if (!existsSync(path.join(l.moddable, "xs", "sources", "xsAll.c"))) {
    throw new XsBuildError(`the XS sources are missing (${path.relative(l.root, l.moddable)}): run npm ci (they come with the pinned @agoric/xsnap package)`);
  }
  const cc = compilerName();
  return withLock(l.outDir, async () => {
    mkdirSync(l.objDir, { recursive: true });
    const flags = [...C_FLAGS, ...XS_DEFINES, ...includeFlags(l)];
    const stampFile = path.join(l.outDir, "flags.txt");
    const stamp = [cc, ...flags].join("\n");
    const flagsChanged = !existsSync(stampFile) || readFileSync(stampFile, "utf8") !== stamp;
    if (flagsChanged) {
      // Objects made with other flags must all go; the stamp then describes every object that exists.
      rmSync(l.objDir, { recursive: true, force: true });
      mkdirSync(l.objDir, { recursive: true });
      writeFileSync(stampFile, stamp);
    }
    const newestHeader = Math.max(...headers(l).map(mtime));
    const todo = units(l).filter(
      (u) => options.force || flagsChanged || mtime(u.object) < 0 || mtime(u.object) < mtime(u.source) || mtime(u.object) < newestHeader,
    );
    const objects = units(l).map((u) => u.object);
    const relink = options.force || todo.length > 0 || mtime(l.runner) < Math.max(...objects.map(mtime));
    if (relink) options.onWork?.(todo.length);
    if (todo.length > 0) {
      checkCompiler(cc);
      log(`ganzhi: compiling XS (${todo.length} file${todo.length > 1 ? "s" : ""}) with ${cc}…`);
      const queue = [...todo];
      const failures: string[] = [];
      const worker = async (): Promise<void> => {
        for (let u = queue.shift(); u; u = queue.shift()) {
          const tmp = u.object + ".tmp";
          const r = await run(cc, [...flags, "-c", u.source, "-o", tmp]);
          if (r.code !== 0) failures.push(`${path.basename(u.source)}:\n${r.output.trim()}`);
          else renameSync(tmp, u.object);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
      if (failures.length > 0) throw new XsBuildError(`compiling XS failed:\n${failures.join("\n")}`);
    }
    let linked = false;
    if (relink) {
      checkCompiler(cc);
      const tmp = l.runner + ".tmp";
      const r = await run(cc, [...objects, "-lm", "-lpthread", "-o", tmp]);
      if (r.code !== 0) throw new XsBuildError(`linking the XS runner failed:\n${r.output.trim()}`);
      renameSync(tmp, l.runner);
      linked = true;
    }
    return { runner: l.runner, compiled: todo.length, linked, seconds: (performance.now() - started) / 1000 };
  });
}

let pending: Promise<string> | undefined;

/** The runner's path, building it first if needed (once per process). */
export function ensureXsRunner(options: BuildXsOptions = {}): Promise<string> {
  pending ??= buildXsRunner(options).then((r) => r.runner);
  return pending;
}

async function cli(argv: readonly string[]): Promise<number> {
  const quiet = argv.includes("--quiet") || argv.includes("-q");
  try {
    const r = await buildXsRunner({ force: argv.includes("--force"), log: quiet ? undefined : (s) => console.log(s) });
    const rel = path.relative(process.cwd(), r.runner) || r.runner;
    if (!quiet || r.compiled > 0 || r.linked) {
      console.log(r.compiled > 0 || r.linked ? `ganzhi: XS runner built: ${rel} (${r.compiled} compiled, ${r.seconds.toFixed(1)} s)` : `ganzhi: XS runner up to date: ${rel}`);
    }
    return 0;
  } catch (e) {
    console.error(`ganzhi build:xs: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await cli(process.argv.slice(2));
}
