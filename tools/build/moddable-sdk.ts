/**
 * Where the Moddable SDK's host tools (mcconfig, xsc, xsl) are: `$MODDABLE`, else built once from the SDK source
 * that CI and this workplace keep beside the checkout (`../shared/moddable/`, its `build-tools.sh`) into a cache
 * folder, else nowhere (and why). `npm run setup`, `.ci/run` and the tests all go through here, so they agree on
 * the folder; a lock keeps parallel test files from building it twice.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

type Env = Readonly<Record<string, string | undefined>>;

export interface ModdableSdk {
  /** $MODDABLE. */
  root: string;
  /** The host tools' folder ($MODDABLE/build/bin/<os>/release). */
  bin: string;
}

export const HOST_TOOLS = ["mcconfig", "xsc", "xsl"] as const;

function hostOs(): string {
  return process.platform === "darwin" ? "mac" : process.platform === "win32" ? "win" : "lin";
}

/** The SDK at `root`, or why it is not one. */
export function sdkAt(root: string): ModdableSdk | string {
  const bin = path.join(root, "build", "bin", hostOs(), "release");
  const missing = HOST_TOOLS.filter((t) => !existsSync(path.join(bin, t)));
  if (missing.length > 0) return `${root} has no ${missing.join(", ")} in build/bin/${hostOs()}/release (build the SDK's host tools first)`;
  return { root, bin };
}

/** `$MODDABLE` as an SDK; undefined when unset or empty; an error naming what is missing when it is not an SDK. */
export function sdkFromEnv(env: Env): ModdableSdk | undefined {
  const root = env.MODDABLE;
  if (root === undefined || root === "") return undefined;
  const sdk = sdkAt(path.resolve(root));
  if (typeof sdk === "string") throw new Error(`$MODDABLE: ${sdk}`);
  return sdk;
}

/** ../shared/moddable beside the checkout, when it holds the SDK source and its build script. */
export function sharedSource(root: string): string | undefined {
  const dir = path.resolve(root, "..", "shared", "moddable");
  return existsSync(path.join(dir, "build-tools.sh")) ? dir : undefined;
}

/** The cache folder the shared source builds into: one per tarball content, under $XDG_CACHE_HOME (or ~/.cache). */
export function sdkCacheDir(source: string, env: Env): string {
  const hash = createHash("sha256");
  for (const f of readdirSync(source).sort()) {
    if (f.endsWith(".tar.xz") || f === "build-tools.sh") hash.update(f).update(readFileSync(path.join(source, f)));
  }
  const cache = env.XDG_CACHE_HOME || path.join(env.HOME || homedir(), ".cache");
  return path.join(cache, "ganzhi", `moddable-${hash.digest("hex").slice(0, 12)}`);
}

export type SdkLocation =
  | { kind: "env"; sdk: ModdableSdk }
  | { kind: "shared"; source: string; dest: string }
  | { kind: "none"; reason: string };

/** Where the SDK is or will be, without building anything. */
export function locateSdk(root: string, env: Env): SdkLocation {
  const fromEnv = sdkFromEnv(env);
  if (fromEnv !== undefined) return { kind: "env", sdk: fromEnv };
  const source = sharedSource(root);
  if (source !== undefined) return { kind: "shared", source, dest: sdkCacheDir(source, env) };
  return {
    kind: "none",
    reason: `no Moddable SDK: $MODDABLE is unset and ${path.resolve(root, "..", "shared", "moddable")} does not exist (set MODDABLE to an SDK with its host tools built, see docs/moddable.md)`,
  };
}

const READY = ".ganzhi-ready";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Take `lock` (a directory: mkdir is atomic); a lock whose owner has died is taken over. */
async function acquire(lock: string, timeoutMs: number, isDone: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, "pid"), String(process.pid));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    if (isDone()) return false;
    let owner = NaN;
    try {
      owner = Number(readFileSync(path.join(lock, "pid"), "utf8"));
    } catch {
      // the owner is between mkdir and writing its pid, or has just released the lock
    }
    const age = (() => {
      try {
        return Date.now() - statSync(lock).mtimeMs;
      } catch {
        return 0;
      }
    })();
    if ((Number.isInteger(owner) && !alive(owner)) || (!Number.isInteger(owner) && age > 10_000)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (held by process ${owner})`);
    await sleep(500);
  }
}

/**
 * Run `work` unless `ready()`, in one process at a time (`lock`, a directory): a process that finds the lock taken
 * waits until the work is done or the lock is free again; a lock whose owner has died is taken over.
 */
export async function once(lock: string, ready: () => boolean, work: () => Promise<void>, timeoutMs = 20 * 60_000): Promise<void> {
  if (ready()) return;
  mkdirSync(path.dirname(lock), { recursive: true });
  if (!(await acquire(lock, timeoutMs, ready))) return;
  try {
    if (!ready()) await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Build the host tools from `source` into `dest` once (build-tools.sh; about 90 s on 2 cores), waiting for another
 * process that is already building them. `log` gets the build's output lines.
 */
export async function buildSharedSdk(source: string, dest: string, log: (line: string) => void = () => {}): Promise<ModdableSdk> {
  const ready = () => existsSync(path.join(dest, READY)) && typeof sdkAt(dest) !== "string";
  await once(`${dest}.lock`, ready, async () => {
    const output: string[] = [];
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn("bash", [path.join(source, "build-tools.sh"), dest], { stdio: ["ignore", "pipe", "pipe"] });
      const take = (d: Buffer) => {
        for (const line of d.toString().split("\n")) {
          if (line === "") continue;
          output.push(line);
          log(line);
        }
      };
      child.stdout.on("data", take);
      child.stderr.on("data", take);
      child.on("error", reject);
      child.on("close", (c) => resolve(c ?? 1));
    });
    if (code !== 0 || typeof sdkAt(dest) === "string") {
      throw new Error(
        `building the Moddable host tools (bash ${path.join(source, "build-tools.sh")} ${dest}) failed with code ${code}` +
          ` (it needs gcc, make and libglib2.0-dev: npm run setup installs them):\n${output.slice(-15).join("\n")}`,
      );
    }
    writeFileSync(path.join(dest, READY), `${new Date().toISOString()}\n`);
  });
  const sdk = sdkAt(dest);
  if (typeof sdk === "string") throw new Error(sdk);
  return sdk;
}

/** The SDK from `$MODDABLE`, else built from ../shared/moddable; a string saying why there is none. */
export async function ensureSdk(root: string, env: Env, log?: (line: string) => void): Promise<ModdableSdk | string> {
  const where = locateSdk(root, env);
  if (where.kind === "env") return where.sdk;
  if (where.kind === "none") return where.reason;
  return buildSharedSdk(where.source, where.dest, log);
}
