/**
 * Manifest loader (Node): reads board and device manifests, resolves vendor overlays, validates them against
 * their schemas and against each other, and resolves a device on a board into the configuration the device
 * receives as `host.config`.
 *
 * Every problem is a `Diagnostic` that points at the line and column of the value at fault, in the file that
 * contributed it (an overlay's value in the overlay, an inherited one in the base board):
 *
 *     manifests/devices/weather-station.json:14:7: /parts/vane/pin: <message>
 *
 * Errors are thrown as one `ManifestError` carrying all diagnostics found at that stage; warnings travel with the
 * results (`LoadedBoard.warnings`, `LoadedDevice.warnings`, `Resolution.warnings`).
 *
 * API: `loadBoard(nameOrPath)`, `loadDevice(nameOrPath)`, `listBoards()`, `listDevices()`,
 * `resolveNode(device, board)` → `{ config, pins, warnings }`.
 */
export type { Board } from "./schema/board.js";
export type { Device } from "./schema/device.js";
export type { NodeConfig, ResolvedPart } from "./schema/config.js";
export { formatDiagnostic, ManifestError, type Diagnostic, type Severity } from "./diagnostics.js";
export { isManifestPath, listBoards, listDevices, manifestRoot, type LoadOptions } from "./files.js";
export { loadBoard, type LoadedBoard } from "./load-board.js";
export { loadDevice, parseDevice, type LoadedDevice } from "./load-device.js";
export { resolveNode, type Resolution } from "./resolve.js";
