/**
 * A scratch ganzhi checkout for build tests: the real hal/, runtime/, parts/, manifests/boards, manifests/schema and node_modules
 * (symlinked), plus fixture devices (test/build/fixtures) and devices written by a test. Builds resolve manifests
 * against it exactly as against the real checkout.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Output } from "../../tools/cli/command.js";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const FIXTURES = path.join(REPO, "test", "build", "fixtures");

export interface Scratch {
  root: string;
  /** Add a device: its manifest (name, main = devices/<name>/main.ts) and its source files. */
  addDevice(name: string, files: Record<string, string>, manifest?: Record<string, unknown>): void;
  dispose(): void;
}

/** A device manifest like tiny-node's, for devices written by tests. */
export function deviceManifest(name: string): Record<string, unknown> {
  return {
    name,
    description: `Build-test device ${name}.`,
    main: `devices/${name}/main.ts`,
    parts: { air: { part: "sht3x" } },
    wiring: {},
    sampling: { air: { intervalMs: 60000, roles: ["air"] } },
    reporting: { intervalS: 300, minIntervalS: 60, maxIntervalS: 3600 },
    uplink: { link: "mqtt", broker: { address: "192.0.2.10", port: 1883 }, topic: "test/{id}", qos: 0, keepAliveS: 60 },
  };
}

/**
 * `declarations`: link the checkout's out/ too, so builds check the device against the declarations `tsc -b` wrote
 * for hal, runtime and parts (tools/build/typecheck.ts); without it they check those modules from source.
 */
export function makeScratch(options: { declarations?: boolean } = {}): Scratch {
  const root = mkdtempSync(path.join(tmpdir(), "ganzhi-scratch-"));
  for (const dir of ["hal", "runtime", "parts", "node_modules", ...(options.declarations ? ["out"] : [])]) {
    symlinkSync(path.join(REPO, dir), path.join(root, dir), "dir");
  }
  cpSync(path.join(REPO, "package.json"), path.join(root, "package.json"));
  mkdirSync(path.join(root, "manifests", "devices"), { recursive: true });
  symlinkSync(path.join(REPO, "manifests", "boards"), path.join(root, "manifests", "boards"), "dir");
  // The schema's types: hal/host.ts types `host.config` as the resolved NodeConfig.
  symlinkSync(path.join(REPO, "manifests", "schema"), path.join(root, "manifests", "schema"), "dir");
  mkdirSync(path.join(root, "devices"));
  for (const f of readdirSync(path.join(FIXTURES, "manifests", "devices"))) {
    cpSync(path.join(FIXTURES, "manifests", "devices", f), path.join(root, "manifests", "devices", f));
  }
  for (const d of readdirSync(path.join(FIXTURES, "devices"))) {
    symlinkSync(path.join(FIXTURES, "devices", d), path.join(root, "devices", d), "dir");
  }
  return {
    root,
    addDevice(name, files, manifest = deviceManifest(name)) {
      const dir = path.join(root, "devices", name);
      mkdirSync(dir, { recursive: true });
      for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
      writeFileSync(path.join(root, "manifests", "devices", `${name}.json`), JSON.stringify(manifest, null, 2));
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface CapturedOutput extends Output {
  /** Everything written to stdout / stderr, as written. */
  readonly stdout: string;
  readonly stderr: string;
  /** The same, one entry per line (a command writes whole lines, each ending in a newline). */
  readonly lines: string[];
  readonly errors: string[];
}

function linesOf(text: string): string[] {
  if (text === "") return [];
  return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
}

export function capture(): CapturedOutput {
  let stdout = "";
  let stderr = "";
  return {
    tty: false,
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get lines() {
      return linesOf(stdout);
    },
    get errors() {
      return linesOf(stderr);
    },
  };
}

