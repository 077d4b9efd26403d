/** The build's view of manifests/load.ts: list, load, validate and resolve a device on a board. */
import path from "node:path";
import { formatDiagnostic, listBoards, listDevices, loadBoard, loadDevice, resolveNode } from "../../manifests/load.js";
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
