/**
 * `ganzhi check`: validate manifests and resolve devices on boards, printing every error and warning with
 * file:line:col and JSON pointer. For hardware vendors adapting a board (or an overlay of one) and for CI: it
 * needs no build and no toolchain. Exit 1 on any error.
 */
import { resolve } from "node:path";
import { formatDiagnostic, listBoards, listDevices, loadBoard, loadDevice, ManifestError, resolveNode } from "../../manifests/load.js";
import type { Diagnostic, LoadedBoard, LoadedDevice } from "../../manifests/load.js";
import { UsageError } from "../cli/args.js";
import type { Command } from "../cli/command.js";
import { checkName } from "./sim.js";

interface Outcome {
  what: string;
  errors: readonly Diagnostic[];
  warnings: readonly Diagnostic[];
}

function attempt<T>(what: string, fn: () => T & { warnings: readonly Diagnostic[] }, outcomes: Outcome[]): T | undefined {
  try {
    const r = fn();
    outcomes.push({ what, errors: [], warnings: r.warnings });
    return r;
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    outcomes.push({ what, errors: e.errors, warnings: e.diagnostics.filter((d) => d.severity === "warning") });
    return undefined;
  }
}

/** A name from the catalogue, or a path to a manifest file (a vendor's overlay outside the tree). */
function boardArg(arg: string, cwd: string): string {
  return arg.endsWith(".json") ? resolve(cwd, arg) : checkName("board", arg, listBoards());
}

export const checkCommand: Command = {
  name: "check",
  summary: "validate manifests and resolve devices on boards; every error with file:line:col",
  usage: "[device] [--board <name | path.json>]",
  description: [
    "With no arguments, checks every board and device manifest and resolves every device on every board it has",
    "wiring for. --board takes a board name or a path to a board manifest or overlay (`extends`), so a vendor can",
    "check a file before adding it. Errors name the file, line, column and JSON pointer; exit code 1 on any error.",
  ].join("\n"),
  options: [
    { name: "board", kind: "string", value: "name|file.json", help: "only this board (a catalogue name or a manifest path)" },
    { name: "quiet", kind: "boolean", short: "q", help: "print errors only" },
  ],
  async run(args, ctx) {
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
    const devices = args.positionals[0] ? [checkName("device", args.positionals[0], listDevices())] : listDevices();
    const boards = args.options.board ? [boardArg(args.options.board as string, ctx.cwd)] : listBoards();
    const outcomes: Outcome[] = [];
    const loadedBoards = new Map<string, LoadedBoard>();
    for (const b of boards) {
      const lb = attempt(`board ${b}`, () => loadBoard(b), outcomes);
      if (lb) loadedBoards.set(b, lb);
    }
    const loadedDevices = new Map<string, LoadedDevice>();
    for (const d of devices) {
      const ld = attempt(`device ${d}`, () => loadDevice(d), outcomes);
      if (ld) loadedDevices.set(d, ld);
    }
    let resolved = 0;
    for (const [d, ld] of loadedDevices) {
      const wired = Object.keys(ld.manifest.wiring ?? {});
      for (const lb of loadedBoards.values()) {
        // A device is checked on the boards its manifest wires, and on overlays of them.
        if (!lb.lineage.some((name) => wired.includes(name)) && !args.options.board) continue;
        if (attempt(`${d} on ${lb.name}`, () => resolveNode(ld, lb), outcomes)) resolved++;
      }
    }
    const errors = outcomes.flatMap((o) => o.errors);
    const seen = new Set<string>();
    for (const o of outcomes) {
      for (const d of o.errors) ctx.io.err(formatDiagnostic(d) + "\n");
      if (args.options.quiet) continue;
      for (const w of o.warnings) {
        const line = formatDiagnostic(w);
        if (!seen.has(line)) ctx.io.out(line + "\n");
        seen.add(line);
      }
    }
    if (!args.options.quiet) {
      ctx.io.out(
        `${loadedBoards.size}/${boards.length} board(s), ${loadedDevices.size}/${devices.length} device(s) valid; ${resolved} device-on-board resolution(s) ok; ${errors.length} error(s), ${seen.size} warning(s)\n`,
      );
    }
    return errors.length > 0 ? 1 : 0;
  },
};
