/**
 * Moddable's own JavaScript build steps on a project `ganzhi build` wrote (`ganzhi build --check`, and the tests on
 * every device and board):
 *
 *   mcconfig -p <target> -o <work>                   (in the project folder; no -m: writes the build folder only)
 *   make -f makefile <build folder>/mc.xs.c SDKCONFIG_H=     (in the build folder: xsc on every module, then xsl)
 *
 * xsl links the modules and preloads them as on a board, so what it refuses or warns about is what the board's
 * build would. Neither step needs ESP-IDF or the nRF5 SDK, but mcconfig stops when `$IDF_PATH` / `$NRF_SDK_DIR`
 * are unset and the ESP32 makefile runs `git describe` in `$IDF_PATH`: stand-ins (a git repository with a tag and
 * an empty export.sh; an empty folder) are made for the run. Everything is written under a temporary folder (`-o`),
 * nothing under `$MODDABLE`.
 *
 * Any error fails the check, and so does any warning about the project's own modules (`main`, `ganzhi/app`,
 * `mc/config`, or a file of the project). Warnings about Moddable's own modules are kept apart: its `resetReason`
 * module draws `### warning: resetReason: default() reasons: not frozen` on ESP32 by itself.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { int } from "../../simulator/node/figures.js";
import { isInside } from "./paths.js";
import { APP_MODULE } from "./project.js";
import type { ModdableSdk } from "./moddable-sdk.js";

/** The modules of a project `ganzhi build` writes: Moddable's main, the bundle, and the config mcconfig generates. */
export const PROJECT_MODULES: readonly string[] = ["main", APP_MODULE, "mc/config"];

/** A txSlot on a 32-bit MCU without mx32bitID (xs/sources/xsAll.h: next pointer, ID/flag/kind, 8-byte value). */
export const SLOT_BYTES_32 = 16;

export interface XslFigures {
  /** From xsl's own line `### N instances, N keys, N colors, N holes`. */
  instances: number;
  keys: number;
  colors: number;
  holes: number;
  /** From mc.xs.c: the preloaded heap and stack (slots), the scripts, and all byte code in flash (bytes). */
  heapSlots: number;
  stackSlots: number;
  scripts: number;
  byteCode: number;
  /** The bundle's own byte code: modules/ganzhi/app.xsb (bytes). */
  appByteCode: number;
}

export interface ModdableFinding {
  /** The module (xsl) or file (xsc, mcconfig) the line is about. */
  module: string;
  /** The line as the tool printed it. */
  text: string;
  /** About the project's own modules (fails the check) rather than Moddable's. */
  own: boolean;
}

export interface ModdableCheck {
  target: string;
  errors: string[];
  warnings: ModdableFinding[];
  /** Present when xsl ran to the end. */
  figures?: XslFigures;
}

const XSL_COUNTS = /^### (\d+) instances, (\d+) keys, (\d+) colors, (\d+) holes$/;
const XSL_FINDING = /^### (warning|error): ([^:]+): (.*)$/;
const XSC_FINDING = /^(.+?):(\d+): (warning|error): (.*)$/;

/** Sort what mcconfig, xsc and xsl printed on stderr into errors, warnings (own or Moddable's) and xsl's counts. */
export function readToolOutput(stderr: string, projectDir: string): { errors: string[]; warnings: ModdableFinding[]; counts?: number[] } {
  const errors: string[] = [];
  const warnings: ModdableFinding[] = [];
  let counts: number[] | undefined;
  const ownFile = (file: string) => isInside(path.resolve(projectDir, file), projectDir);
  for (const raw of stderr.split("\n")) {
    const line = raw.trimEnd();
    if (line === "") continue;
    const c = XSL_COUNTS.exec(line);
    if (c) {
      counts = c.slice(1).map(Number);
      continue;
    }
    const x = XSL_FINDING.exec(line);
    if (x) {
      if (x[1] === "error") errors.push(line);
      else warnings.push({ module: x[2]!, text: line, own: PROJECT_MODULES.includes(x[2]!) });
      continue;
    }
    const s = XSC_FINDING.exec(line);
    if (s) {
      if (s[3] === "error") errors.push(line);
      else warnings.push({ module: s[1]!, text: line, own: ownFile(s[1]!) });
      continue;
    }
    if (/^### /.test(line)) {
      // mcconfig's own messages (### Error: …, ### Warning: …).
      if (/^### error/i.test(line)) errors.push(line);
      else warnings.push({ module: "mcconfig", text: line, own: line.includes(projectDir) });
    }
  }
  return counts === undefined ? { errors, warnings } : { errors, warnings, counts };
}

/** The preloaded heap, stack, scripts and byte code xsl wrote into mc.xs.c. */
export function readPreparation(mcXsC: string): Pick<XslFigures, "heapSlots" | "stackSlots" | "scripts" | "byteCode"> {
  const define = (name: string): number => {
    const m = new RegExp(`^#define ${name} (\\d+)$`, "m").exec(mcXsC);
    if (!m) throw new Error(`mc.xs.c has no #define ${name}`);
    return Number(m[1]);
  };
  // Preloaded functions carry their byte code in their heap slot, one \xNN per byte (xslBase.c fxWriteCData); the
  // scripts that are not preloaded have theirs in gxCode arrays.
  let byteCode = 0;
  for (const m of mcXsC.matchAll(/\.code = \{ \(txByte\*\)"((?:\\x[0-9a-f]{2})*)"/g)) byteCode += m[1]!.length / 4;
  for (const m of mcXsC.matchAll(/^static const txU1 gxCode\d+\[(\d+)\] = \{$/gm)) byteCode += Number(m[1]);
  return { heapSlots: define("mxHeapCount"), stackSlots: define("mxStackCount"), scripts: define("mxScriptsCount"), byteCode };
}

/** A stand-in ESP-IDF folder: what mcconfig and the ESP32 makefile look at before any C is compiled. */
async function idfStandIn(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "export.sh"), "");
  const git = (...args: string[]) =>
    execa("git", ["-c", "user.name=ganzhi", "-c", "user.email=ganzhi@localhost", "-c", "commit.gpgsign=false", ...args], {
      cwd: dir,
      env: { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", PATH: process.env.PATH ?? "" },
      extendEnv: false,
    });
  try {
    await git("init", "-q");
    await git("add", "export.sh");
    await git("commit", "-q", "--no-verify", "-m", "ganzhi build --check: stand-in for ESP-IDF");
    await git("tag", "v5.4.1");
  } catch (e) {
    throw new Error(`cannot make the stand-in ESP-IDF folder mcconfig needs (git): ${(e as Error).message.split("\n")[0]}`);
  }
}

export interface ModdableCheckInput {
  /** The folder `ganzhi build` wrote (manifest.json, main.js, app.js …). */
  projectDir: string;
  /** `mcconfig -p` platform, e.g. esp32 or nrf52/dk. */
  target: string;
  sdk: ModdableSdk;
  env?: Readonly<Record<string, string | undefined>>;
}

/** Run mcconfig, xsc and xsl on the project; errors and warnings sorted, figures when xsl finished. */
export async function checkWithModdable(input: ModdableCheckInput): Promise<ModdableCheck> {
  const { sdk, target } = input;
  const projectDir = path.resolve(input.projectDir);
  const work = mkdtempSync(path.join(tmpdir(), "ganzhi-moddable-"));
  try {
    const idf = path.join(work, "esp-idf");
    const nrf = path.join(work, "nrf5-sdk");
    const out = path.join(work, "build");
    mkdirSync(nrf);
    mkdirSync(out);
    await idfStandIn(idf);
    const base = input.env ?? process.env;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
    Object.assign(env, { MODDABLE: sdk.root, PATH: `${sdk.bin}${path.delimiter}${base.PATH ?? ""}`, IDF_PATH: idf, NRF_SDK_DIR: nrf });

    const mcconfig = await execa(path.join(sdk.bin, "mcconfig"), ["-p", target, "-o", out], { cwd: projectDir, env, extendEnv: false, reject: false });
    const first = readToolOutput(mcconfig.stderr, projectDir);
    if (mcconfig.exitCode !== 0 || first.errors.length > 0) {
      const tail = [mcconfig.stdout, mcconfig.stderr].join("\n").trim().split("\n").slice(-10).join("\n");
      return { target, errors: first.errors.length > 0 ? first.errors : [`mcconfig -p ${target} exited with code ${mcconfig.exitCode}:\n${tail}`], warnings: first.warnings };
    }
    const buildDir = path.join(out, "tmp", target, "release", path.basename(projectDir));
    const xsC = path.join(buildDir, "mc.xs.c");
    const make = await execa("make", ["-f", "makefile", xsC, "SDKCONFIG_H="], { cwd: buildDir, env, extendEnv: false, reject: false });
    const second = readToolOutput(make.stderr, projectDir);
    const warnings = [...first.warnings, ...second.warnings];
    const errors = second.errors;
    if (make.exitCode !== 0) {
      if (errors.length === 0) errors.push(`make ${path.basename(xsC)} (xsc, xsl) exited with code ${make.exitCode}:\n${make.stderr.trim().split("\n").slice(-10).join("\n")}`);
      return { target, errors, warnings };
    }
    if (second.counts === undefined) return { target, errors: [...errors, "xsl printed no instance and key counts"], warnings };
    const [instances, keys, colors, holes] = second.counts as [number, number, number, number];
    const appByteCode = statSync(path.join(buildDir, "modules", `${APP_MODULE}.xsb`)).size;
    const figures: XslFigures = { instances, keys, colors, holes, ...readPreparation(readFileSync(xsC, "utf8")), appByteCode };
    return { target, errors, warnings, figures };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** What fails the check: every error, and every warning about the project's own modules. */
export function checkFaults(check: ModdableCheck): string[] {
  return [...check.errors, ...check.warnings.filter((w) => w.own).map((w) => w.text)];
}

/** One line of xsl's figures, for `ganzhi build` and the benchmark. */
export function formatFigures(f: XslFigures): string {
  return (
    `${int(f.instances)} instances, ${int(f.keys)} keys; preloaded heap ${int(f.heapSlots)} slots ` +
    `(${int(f.heapSlots * SLOT_BYTES_32)} bytes as ${SLOT_BYTES_32}-byte slots), stack ${int(f.stackSlots)} slots; ` +
    `${int(f.scripts)} modules, ${int(f.byteCode)} bytes of byte code (${APP_MODULE} ${int(f.appByteCode)})`
  );
}
