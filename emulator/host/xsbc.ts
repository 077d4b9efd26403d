/**
 * xsbc, the host-side XS bytecode compiler (emulator/xsbc/xsbc.c), built with the host C compiler from the same XS
 * sources and platform header as the image, and run on a bundle to produce the program blob the image loads from
 * flash. (tools/xs builds XS for the host too, for `--engine xs`; both compile the same sources with different
 * platform headers, and could share one object cache later.)
 */
import { existsSync, mkdirSync, renameSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { compileAll, headersHash, sha256 } from "./compile.js";
import { BUILD_DIR, FIRMWARE_DIR, XS_SOURCES, XSBC_SOURCE, xsDir } from "./paths.js";
import { hostCc } from "./toolchain.js";

export interface BytecodeFigures {
  /** Modules compiled (absent for a single script). */
  modules?: number;
  sourceBytes: number;
  bytecodeBytes: number;
  codeBytes: number;
  symbols: number;
  symbolBytes: number;
  keysAfterCreation: number;
  functions: number;
  strings: number;
}

export function xsDefines(parser: boolean, target: "arm" | "host" = "host"): string[] {
  return [
    "-DINCLUDE_XSPLATFORM",
    '-DXSPLATFORM="ganzhi_xs.h"',
    "-DmxRun=1",
    ...(parser ? ["-DmxParse=1"] : []),
    "-DmxSloppy=1",
    "-DmxBoundsCheck=1",
    // On the image, xsMemory.c times its collections (mark, sweep, compact) with gettimeofday; they are reported.
    ...(target === "arm" ? ["-DmxNever=1"] : []),
  ];
}

export function xsIncludes(): string[] {
  const xs = xsDir();
  return [`-I${path.join(xs, "includes")}`, `-I${path.join(xs, "platforms")}`, `-I${path.join(xs, "sources")}`, `-I${FIRMWARE_DIR}`];
}

export function xsHeaderDirs(): string[] {
  const xs = xsDir();
  return [path.join(xs, "includes"), path.join(xs, "platforms"), path.join(xs, "sources"), FIRMWARE_DIR];
}

let built: Promise<string> | undefined;

/** Build xsbc once per process (and once per source change on disk). Returns its path. */
export function buildXsbc(): Promise<string> {
  built ??= (async () => {
    const cc = hostCc();
    const flags = ["-O1", "-fno-common", "-w", ...xsDefines(true), ...xsIncludes()];
    const xs = xsDir();
    const salt = headersHash(xsHeaderDirs());
    const jobs = [...XS_SOURCES.map((s) => ({ source: path.join(xs, "sources", `${s}.c`) })), { source: XSBC_SOURCE }];
    const objects = await compileAll(cc, flags, jobs, path.join(BUILD_DIR, "obj", "host"), salt);
    const exe = path.join(BUILD_DIR, "bin", `xsbc-${sha256(objects.join("\n")).slice(0, 12)}`);
    if (!existsSync(exe)) {
      mkdirSync(path.dirname(exe), { recursive: true });
      const tmp = `${exe}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await execa(cc, ["-o", tmp, ...objects, "-lm", "-lpthread"]);
      renameSync(tmp, exe);
    }
    return exe;
  })();
  built.catch(() => {
    built = undefined;
  });
  return built;
}

export class BytecodeError extends Error {}

/** Compile `source` (a script) to the program blob at `out`. */
export async function compileBytecode(source: string, out: string): Promise<BytecodeFigures> {
  const xsbc = await buildXsbc();
  const r = await execa(xsbc, [source, out], { reject: false });
  if (r.exitCode !== 0) throw new BytecodeError(`xsbc could not compile ${source}:\n${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as BytecodeFigures;
}

/** Compile ES modules (`path=file` arguments, the entry first) to the program blob at `out`. */
export async function compileModules(out: string, modules: readonly string[]): Promise<BytecodeFigures> {
  const xsbc = await buildXsbc();
  const r = await execa(xsbc, ["--modules", out, ...modules], { reject: false });
  if (r.exitCode !== 0) throw new BytecodeError(`xsbc could not compile the modules:\n${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as BytecodeFigures;
}
