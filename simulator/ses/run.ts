/**
 * A V8 simulation whose device code runs in an SES Compartment (compartment.ts): `ganzhi sim --sandbox` and
 * test/guard/sandbox.test.ts. The run happens in a worker thread, because `lockdown()` freezes the intrinsics of the
 * realm it runs in and that realm must not be the caller's (the CLI's or vitest's). Same seed, same frames as the
 * ordinary run: the compartment changes what device code may reach, not what it computes.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Frame } from "../node/frame-log.js";
import type { NodeLogEntry } from "../core/node.js";
import type { RunOptions, SimSummary } from "../node/session.js";
import { repoRoot } from "../../tools/xs/build.js";

/** What crosses into the worker: plain data (no callbacks). */
export type SandboxRunOptions = Omit<RunOptions, "onProgress" | "onLog">;

export interface SandboxRequest {
  root: string;
  options: SandboxRunOptions;
  /** Device main instead of the manifest's (tests load broken firmware). */
  mainPath?: string;
}

export type SandboxReply =
  | { t: "log"; entry: NodeLogEntry }
  | { t: "result"; summary: SimSummary; frames: Frame[] }
  | { t: "error"; name: string; message: string };

export interface SandboxOptions extends SandboxRunOptions {
  mainPath?: string;
  onLog?: (entry: NodeLogEntry) => void;
}

export interface SandboxResult {
  summary: SimSummary;
  frames: Frame[];
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The compiled worker: beside this file when built, in out/ when this file runs from source (vitest). */
function workerFile(root: string): string {
  const sibling = path.join(here, "worker.js");
  if (existsSync(sibling)) return sibling;
  const built = path.join(root, "out", "simulator", "ses", "worker.js");
  if (!existsSync(built)) throw new Error(`${path.relative(root, built)} is missing: run npx tsc -b`);
  return built;
}

/** Run the simulation with the device in a Compartment; rejects with the worker's error (a device that fails to load). */
export function runSimInCompartment(opts: SandboxOptions): Promise<SandboxResult> {
  const { onLog, mainPath, ...options } = opts;
  const root = repoRoot();
  const request: SandboxRequest = { root, options, ...(mainPath !== undefined ? { mainPath } : {}) };
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile(root), { workerData: request });
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on("message", (m: SandboxReply) => {
      if (m.t === "log") onLog?.(m.entry);
      else if (m.t === "result") settle(() => resolve({ summary: m.summary, frames: m.frames }));
      else settle(() => reject(Object.assign(new Error(m.message), { name: m.name })));
    });
    worker.on("error", (e) => settle(() => reject(e)));
    worker.on("exit", (code) => settle(() => reject(new Error(`the sandbox worker exited (code ${code}) without a result`))));
  });
}
