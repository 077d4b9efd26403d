/**
 * The (device, board) pairs of a checkout that tests run, taken from what the manifests declare rather than from
 * whether resolution happens to succeed: a device is wired for a board when its `wiring` names the board or one of
 * the board's bases (as the loader resolves it), and a device without any wiring fits every board. A board or device
 * that stops resolving then fails its tests instead of quietly dropping out of them, and a manifest that does not
 * load throws here, failing the file.
 */
import { listBoards, listDevices, loadBoard, loadDevice, type LoadOptions } from "../../manifests/load.js";

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
