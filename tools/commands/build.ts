/** `ganzhi build <device> --board <board> [--out dir] [--check] [--flash]` */
import path from "node:path";
import type { ParsedArgs } from "../cli/args.js";
import { UsageError } from "../cli/args.js";
import type { Command, CommandContext } from "../cli/command.js";
import { buildProject, type ManifestSource } from "../build/build.js";
import { BuildError } from "../build/errors.js";
import { findOnPath, manualFlashHint, mcconfigArgs, runMcconfig, type BuildKind } from "../build/flash.js";
import { manifestSource } from "../build/manifests.js";
import { manifestArg } from "../cli/manifest-arg.js";
import { formatFigures } from "../build/moddable.js";
import { sdkFromEnv, type ModdableSdk } from "../build/moddable-sdk.js";

export interface BuildCommandDeps {
  /** The manifest layer; defaults to manifests/load.ts over `ctx.root`. */
  manifests?: (root: string) => ManifestSource;
}

function relativeToCwd(ctx: CommandContext, p: string): string {
  const rel = path.relative(ctx.cwd, p);
  return rel === "" ? "." : rel.startsWith("..") ? p : rel;
}

export function createBuildCommand(deps: BuildCommandDeps = {}): Command {
  return {
    name: "build",
    summary: "Type-check and bundle a device for a board into a Moddable project (and flash it)",
    usage: "<device> --board <board> [--out <dir>] [--check] [--flash [--debug | --instrumented] [--id <node id>]]",
    description: [
      "Loads and validates the device and board manifests, type-checks the device program (strict, ES2022, no Node",
      "types), bundles it with hal/moddable into one XS-ready ES module and writes a Moddable project for mcconfig:",
      "app.js, main.js, manifest.json (and partitions.csv for ESP32) plus ganzhi-build.json, in dist/<device>/<board>.",
      "Type checks and bundle are reused while no source they read has changed (GANZHI_BUILD_CACHE=0: always redo).",
      "",
      "--check then runs the Moddable SDK at $MODDABLE on that project: mcconfig, xsc on every module and xsl, which",
      "links and preloads them as for the board (no ESP-IDF or nRF5 SDK needed). Any error, or any xsl warning about",
      "the project's own modules, fails the build; xsl's instance, key and preloaded-heap figures are printed.",
      "",
      "--flash then runs `mcconfig -m -p <target>` (a release build unless --debug or --instrumented) in that",
      "directory; it needs the Moddable SDK's mcconfig on PATH.",
    ].join("\n"),
    options: [
      { name: "board", kind: "string", value: "board", help: "Board manifest name (e.g. esp32-devkitc) or a board file's path", short: "b" },
      { name: "out", kind: "string", value: "dir", help: "Output directory (default dist/<device>/<board>)", short: "o" },
      { name: "check", kind: "boolean", help: "Run Moddable's mcconfig, xsc and xsl (the SDK at $MODDABLE) on the project" },
      { name: "flash", kind: "boolean", help: "Build the firmware and program the board with mcconfig" },
      { name: "debug", kind: "boolean", help: "With --flash: debug build (mcconfig -d, xsbug)" },
      { name: "instrumented", kind: "boolean", help: "With --flash: instrumented release build (mcconfig -i)" },
      { name: "id", kind: "string", value: "id", help: "With --flash: node id, passed to mcconfig as id=<id> (host.id)" },
    ],
    async run(args: ParsedArgs, ctx: CommandContext): Promise<number> {
      const [deviceArg, ...extra] = args.positionals;
      if (deviceArg === undefined) throw new UsageError("build needs a device name: ganzhi build <device> --board <board>");
      if (extra.length > 0) throw new UsageError(`build takes one device, got also: ${extra.join(" ")}`);
      if (typeof args.options.board !== "string" || args.options.board === "") throw new UsageError("build needs --board <board>");
      const manifests = (deps.manifests ?? manifestSource)(ctx.root);
      const device = manifestArg("device", deviceArg, { ...ctx, known: manifests.devices() });
      const board = manifestArg("board", args.options.board, { ...ctx, known: manifests.boards() });
      const flash = args.options.flash === true;
      if (args.options.debug === true && args.options.instrumented === true) {
        throw new UsageError("--debug and --instrumented exclude each other");
      }
      if (!flash && (args.options.debug === true || args.options.instrumented === true || args.options.id !== undefined)) {
        throw new UsageError("--debug, --instrumented and --id go with --flash");
      }
      const kind: BuildKind = args.options.debug === true ? "debug" : args.options.instrumented === true ? "instrumented" : "release";
      const id = typeof args.options.id === "string" ? args.options.id : undefined;
      const out = typeof args.options.out === "string" ? path.resolve(ctx.cwd, args.options.out) : undefined;

      let moddable: ModdableSdk | undefined;
      if (args.options.check === true) {
        try {
          moddable = sdkFromEnv(ctx.env);
        } catch (e) {
          throw new UsageError(`--check: ${(e as Error).message}`);
        }
        if (moddable === undefined) {
          throw new UsageError("--check runs the Moddable SDK's mcconfig, xsc and xsl: set MODDABLE to an SDK with its host tools built (docs/moddable.md)");
        }
      }

      let result;
      try {
        result = await buildProject({
          root: ctx.root,
          device,
          board,
          manifests,
          env: ctx.env,
          ...(out !== undefined ? { outDir: out } : {}),
          ...(moddable !== undefined ? { moddable } : {}),
        });
      } catch (e) {
        if (e instanceof UsageError) throw e;
        if (e instanceof BuildError || isManifestError(e)) {
          ctx.io.err(`ganzhi build: ${(e as Error).message}\n`);
          return 1;
        }
        throw e;
      }
      const { report, outDir } = result;
      const shown = relativeToCwd(ctx, outDir);
      ctx.io.out(`built ${report.device} for ${report.board} (${report.target}) in ${shown}${result.cached ? " (sources unchanged: type checks and bundle reused)" : ""}\n`);
      ctx.io.out(
        `  ${report.bundle.file} ${report.bundle.bytes} bytes, ${report.modules.length} modules, ` +
          `preload ${report.preload.enabled ? "yes" : "no"}; imports ${report.externals.join(", ")}\n`,
      );
      const xsl = report.moddable;
      if (xsl?.figures !== undefined) {
        ctx.io.out(`  xsl (${xsl.sdk}): ${formatFigures(xsl.figures)}\n`);
        const theirs = xsl.warnings.filter((w) => !w.own);
        if (theirs.length > 0) ctx.io.out(`  Moddable's own modules drew ${theirs.length} warning(s), not about this project: ${theirs.map((w) => w.text).join("; ")}\n`);
      }
      for (const w of report.warnings) ctx.io.err(`warning: ${w}\n`);
      if (result.moddableFaults.length > 0) {
        ctx.io.err(`ganzhi build: Moddable's tools (mcconfig, xsc, xsl) reject the project in ${shown}:\n${result.moddableFaults.map((f) => `  ${f}\n`).join("")}`);
        return 1;
      }
      if (!flash) return 0;

      const argv = mcconfigArgs(report.target, kind, id);
      const mcconfig = findOnPath("mcconfig", ctx.env);
      if (mcconfig === undefined) {
        ctx.io.err(`ganzhi build: ${manualFlashHint(shown, argv)}\n`);
        return 1;
      }
      ctx.io.out(`flashing: mcconfig ${argv.join(" ")} (in ${shown})\n`);
      const code = await runMcconfig(mcconfig, argv, outDir, ctx.env, ctx.io);
      if (code !== 0) ctx.io.err(`ganzhi build: mcconfig exited with code ${code}\n`);
      return code === 0 ? 0 : 1;
    },
  };
}

/** ManifestError from manifests/load.ts, recognised without importing the class twice. */
function isManifestError(e: unknown): boolean {
  return e instanceof Error && e.name === "ManifestError";
}

export const buildCommand: Command = createBuildCommand();
export default buildCommand;
