/**
 * `--flash`: hand the generated project to the Moddable SDK's `mcconfig`, which builds the firmware and programs the
 * board (Moddable tools/mcconfig; make.esp32.mk / make.nrf52.mk):
 *
 *   mcconfig -m -p <target> [-d | -i] [id=<node id>]      (run in the project directory)
 *
 * - `-m` runs make; the make target is the default `all` (build, then program the board). `-t deploy` would only
 *   program an already built binary ("Please build before deploy"), so it is not used.
 * - Release build by default (no -d/-i): trace is silent on ESP32 and deep sleep really sleeps on nRF52. `--debug`
 *   gives `-d` (xsbug), `--instrumented` gives `-i` (trace on the serial console).
 * - ESP32 programs over USB serial (`UPLOAD_PORT` from the environment, else ESP-IDF's auto-detection). nRF52 copies
 *   a UF2 to the board's volume; the board must be in programming mode (double-tap reset) unless a debug build is on it.
 */
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import type { Output } from "../cli/command.js";

export type BuildKind = "release" | "debug" | "instrumented";

export function mcconfigArgs(target: string, kind: BuildKind, id?: string): string[] {
  const args = ["-m", "-p", target];
  if (kind === "debug") args.push("-d");
  if (kind === "instrumented") args.push("-i");
  if (id !== undefined) args.push(`id=${id}`);
  return args;
}

/** `name` as an executable file on PATH, or undefined. */
export function findOnPath(name: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const dirs = (env.PATH ?? "").split(path.delimiter).filter((d) => d !== "");
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

export function manualFlashHint(outDir: string, args: readonly string[]): string {
  outDir = shellQuote(outDir);
  return (
    `--flash needs mcconfig from the Moddable SDK on PATH (install the SDK, set MODDABLE, add $MODDABLE/build/bin/<os>/release to PATH); ` +
    `to flash by hand: cd ${outDir} && mcconfig ${args.map(shellQuote).join(" ")}`
  );
}

/** Stream a child's output to `sink` line by line. */
function lineSink(sink: (line: string) => void): { write(chunk: Buffer | string): void; end(): void } {
  let pending = "";
  return {
    write(chunk) {
      pending += chunk.toString();
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        sink(pending.slice(0, nl).replace(/\r$/, ""));
        pending = pending.slice(nl + 1);
        nl = pending.indexOf("\n");
      }
    },
    end() {
      if (pending !== "") sink(pending);
      pending = "";
    },
  };
}

/** Run mcconfig in `outDir`, streaming its output; returns its exit code. */
export async function runMcconfig(
  mcconfig: string,
  args: readonly string[],
  outDir: string,
  env: Readonly<Record<string, string | undefined>>,
  io: Output,
): Promise<number> {
  const out = lineSink((l) => io.out(l + "\n"));
  const err = lineSink((l) => io.err(l + "\n"));
  const child = execa(mcconfig, [...args], {
    cwd: outDir,
    env: { ...env },
    extendEnv: false,
    stdin: io.tty ? "inherit" : "ignore",
    reject: false,
    buffer: false,
  });
  child.stdout?.on("data", (d: Buffer) => out.write(d));
  child.stderr?.on("data", (d: Buffer) => err.write(d));
  const result = await child;
  out.end();
  err.end();
  if (result.failed && result.exitCode === undefined) {
    io.err(`mcconfig could not be started: ${result.message}\n`);
    return 1;
  }
  return result.exitCode ?? 1;
}
