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

/**
 * Every (device, board) the manifests pair: the boards a device's manifest wires, and their overlays. A manifest
 * that does not load throws, so a broken board fails whoever enumerates instead of emptying the list.
 */
export function wiredPairs(root: string): [string, string][] {
  const boards = listBoards({ root }).map((b) => loadBoard(b, { root }));
  const pairs: [string, string][] = [];
  for (const device of listDevices({ root })) {
    const wired = Object.keys(loadDevice(device, { root }).manifest.wiring ?? {});
    for (const b of boards) if (b.lineage.some((name) => wired.includes(name))) pairs.push([device, b.name]);
  }
  if (pairs.length === 0) throw new Error(`no device in ${root}/manifests/devices wires any board`);
  return pairs;
}
