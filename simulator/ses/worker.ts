/**
 * The worker thread of a sandboxed run (run.ts): this realm is locked down (SES `lockdown()` freezes its shared
 * intrinsics, which the rest of the process must not suffer), the device is loaded into a Compartment, and the
 * ordinary V8 session runs it. Everything the simulator needs is imported before the lockdown.
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadDevice } from "../../manifests/load.js";
import { runSim } from "../node/session.js";
import { loadDeviceInCompartment } from "./compartment.js";
import type { SandboxRequest, SandboxReply } from "./run.js";

const port = parentPort!;
const request = workerData as SandboxRequest;
const post = (m: SandboxReply): void => port.postMessage(m);

try {
  const main = await loadDeviceInCompartment(request.root, request.mainPath ?? loadDevice(request.options.device, { root: request.root }).manifest.main);
  const result = await runSim({ ...request.options, main, onLog: (entry) => post({ t: "log", entry }) });
  post({ t: "result", summary: result.summary, frames: result.frames });
} catch (e) {
  post({ t: "error", name: e instanceof Error ? e.name : "Error", message: e instanceof Error ? e.message : String(e) });
}
