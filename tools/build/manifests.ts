/** The build's view of manifests/load.ts: list, load, validate and resolve a device on a board. */
import path from "node:path";
import { formatDiagnostic, listBoards, listDevices, loadBoard, loadDevice, resolveNode, type LoadOptions } from "../../manifests/load.js";
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
  const boards = listBoards(opts).map((name) => ({ name, lineage: loadBoard(name, opts).lineage }));
  const pairs: [string, string][] = [];
  for (const device of listDevices(opts)) {
    const wiring = Object.keys(loadDevice(device, opts).manifest.wiring);
    for (const b of boards) {
      if (wiring.length === 0 || b.lineage.some((n) => wiring.includes(n))) pairs.push([device, b.name]);
    }
  }
  return pairs;
}
