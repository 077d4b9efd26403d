/** The build's view of manifests/load.ts: list, load, validate and resolve a device on a board. */
import path from "node:path";
import { formatDiagnostic, listBoards, listDevices, loadBoard, loadDevice, resolveNode, type LoadOptions } from "../../manifests/load.js";
import type { LoadedBoard, LoadedDevice } from "../../manifests/load.js";
import type { ManifestSource, ResolvedNode } from "./build.js";

export function manifestSource(root: string): ManifestSource {
  const opts = { root };
  return {
    boards: () => listBoards(opts),
    devices: () => listDevices(opts),
    resolve(device: string, board: string): ResolvedNode {
      // ManifestError propagates: its message already lists every diagnostic as file:line:col: /pointer: message.
      const loadedBoard = loadBoard(board, opts);
      const loadedDevice = loadDevice(device, opts);
      const resolution = resolveNode(loadedDevice, loadedBoard, opts);
      return {
        board: loadedBoard.manifest,
        config: resolution.config,
        warnings: resolution.warnings.map(formatDiagnostic),
        files: [...loadedBoard.files, loadedDevice.file].map((f) => path.resolve(root, f)),
      };
    },
  };
}

/**
 * The (device, board) pairs of a checkout, from what the manifests declare rather than from whether resolution
 * happens to succeed: a device is wired for a board when its `wiring` names the board or one of the board's bases
 * (as the loader resolves it), and a device without any wiring fits every board. A board or device that stops
 * resolving then fails whoever builds the pairs instead of quietly dropping out, and a manifest that does not load
 * throws here. The tests (test/helpers/manifests.ts) and the benchmark enumerate devices and boards with it.
 */
export function wiredPairs(opts: LoadOptions = {}): [device: string, board: string][] {
  const boards = listBoards(opts).map((name) => loadBoard(name, opts));
  const pairs: [string, string][] = [];
  for (const device of listDevices(opts)) {
    const d = loadDevice(device, opts);
    for (const b of boards) if (boardFits(b, d)) pairs.push([device, b.manifest.name]);
  }
  return pairs;
}

/**
 * Whether a device is meant to run on a board: the board is not made for other devices only (its `devices`), and
 * the device's wiring names the board or one of its bases, or the board wires the device, or the device needs no
 * wiring at all. `ganzhi check` and `wiredPairs` both ask this.
 */
export function boardFits(board: LoadedBoard, device: LoadedDevice): boolean {
  const only = board.manifest.devices;
  if (only !== undefined && !only.includes(device.manifest.name)) return false;
  const wiring = Object.keys(device.manifest.wiring ?? {});
  return wiring.length === 0 || board.lineage.some((n) => wiring.includes(n)) || board.manifest.wiring?.[device.manifest.name] !== undefined;
}
