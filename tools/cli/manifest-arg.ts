/**
 * A device or board as a command line names it: a catalogue name (`esp32-devkitc`, from manifests/boards) or the
 * path of a manifest file (`./my-board.json`, a vendor's board or overlay kept anywhere). Every command resolves
 * its `<device>` and `--board` here, so a file that `check` accepts works with `sim`, `build`, `emulate` and
 * `profile` too, and an unknown name reads the same everywhere.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { isManifestPath, listBoards, listDevices } from "../../manifests/load.js";
import { closest, UsageError } from "./args.js";

export type ManifestArgKind = "device" | "board";

/** The one message for a name that is neither in the catalogue nor a path. */
export function unknownManifestName(kind: ManifestArgKind, name: string, known: readonly string[]): UsageError {
  const near = closest(name, known);
  return new UsageError(
    `unknown ${kind} "${name}"${near ? ` (did you mean "${near}"?)` : ""}; ${kind}s: ${known.join(", ") || "none"} (or the path of a ${kind} file, ending in .json)`,
  );
}

/**
 * What `loadBoard`/`loadDevice` take for a command-line argument: the catalogue name as given, or the absolute
 * path of the file (relative paths are from `cwd`). `known` defaults to the catalogue under `root`.
 */
export function manifestArg(
  kind: ManifestArgKind,
  arg: string | undefined,
  where: { cwd: string; root: string; known?: readonly string[] },
): string {
  const known = where.known ?? (kind === "board" ? listBoards({ root: where.root }) : listDevices({ root: where.root }));
  if (arg === undefined || arg === "") throw new UsageError(`missing <${kind}>; ${kind}s: ${known.join(", ") || "none"} (or the path of a ${kind} file)`);
  if (isManifestPath(arg)) {
    const abs = resolve(where.cwd, arg);
    if (!existsSync(abs)) throw new UsageError(`no ${kind} file ${JSON.stringify(arg)} (looked for ${abs})`);
    if (!statSync(abs).isFile()) throw new UsageError(`${kind} ${JSON.stringify(arg)} is not a file (${abs})`);
    return abs;
  }
  if (!known.includes(arg)) throw unknownManifestName(kind, arg, known);
  return arg;
}
