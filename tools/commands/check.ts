/**
 * `ganzhi check`: validate manifests and resolve devices on boards, printing every error and warning with
 * file:line:col and JSON pointer. For hardware vendors adapting a board (or an overlay of one) and for CI: it
 * needs no build and no toolchain. Exit 1 on any error.
 */
import { formatDiagnostic, listBoards, listDevices, loadBoard, loadDevice, ManifestError, resolveNode } from "../../manifests/load.js";
import type { Diagnostic, LoadedBoard, LoadedDevice } from "../../manifests/load.js";
import { UsageError } from "../cli/args.js";
import type { Command } from "../cli/command.js";
import { manifestArg } from "../cli/manifest-arg.js";
import { boardFits } from "../build/manifests.js";

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

export const checkCommand: Command = {
  name: "check",
  summary: "validate manifests and resolve devices on boards; every error with file:line:col",
  usage: "[device | device.json] [--board <name | board.json>]",
  description: [
    "With no arguments, checks every board and device manifest and resolves every device on every board it has",
    "wiring for (its own, or the board's `wiring.<device>`). --board takes a board name or a path to a board",
    "manifest or overlay (`extends`), and the device may be a path too, so a vendor can check files before adding",
    "them. Errors name the file, line, column and JSON pointer, each printed once however many boards share it;",
    "exit code 1 on any error. docs/vendors.md explains each kind of error.",
  ].join("\n"),
  options: [
    { name: "board", kind: "string", value: "name|file.json", help: "only this board (a catalogue name or a manifest path)" },
    { name: "quiet", kind: "boolean", short: "q", help: "print errors only" },
  ],
  async run(args, ctx) {
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
    const devices = args.positionals[0] ? [manifestArg("device", args.positionals[0], ctx)] : listDevices();
    const boards = args.options.board ? [manifestArg("board", args.options.board as string, ctx)] : listBoards();
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
      for (const lb of loadedBoards.values()) {
        // A device is checked on the boards it is meant for (boardFits), and on any board named with --board.
        if (!boardFits(lb, ld) && !args.options.board) continue;
        if (attempt(`${d} on ${lb.name}`, () => resolveNode(ld, lb), outcomes)) resolved++;
      }
    }
    // A problem in a device (or a base board) shows on every board it is resolved on: print it once.
    const errors = new Set<string>();
    const warnings = new Set<string>();
    for (const o of outcomes) {
      for (const d of o.errors) {
        const line = formatDiagnostic(d);
        if (!errors.has(line)) ctx.io.err(line + "\n");
        errors.add(line);
      }
      if (args.options.quiet) continue;
      for (const w of o.warnings) {
        const line = formatDiagnostic(w);
        if (!warnings.has(line)) ctx.io.out(line + "\n");
        warnings.add(line);
      }
    }
    if (!args.options.quiet) {
      ctx.io.out(
        `${loadedBoards.size}/${boards.length} board(s), ${loadedDevices.size}/${devices.length} device(s) valid; ${resolved} device-on-board resolution(s) ok; ${errors.size} error(s), ${warnings.size} warning(s)\n`,
      );
    }
    return errors.size > 0 ? 1 : 0;
  },
};
