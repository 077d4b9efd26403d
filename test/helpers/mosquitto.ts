/**
 * Run a private Mosquitto broker (Debian's `mosquitto` package) for a test: its own port on 127.0.0.1, anonymous
 * access, optional persistence in a temporary directory, restartable on the same port.
 *
 * `mosquittoBinary()` finds the binary. A test that needs it asks `skipMosquitto()` first: every test file reads
 * GANZHI_SKIP_MOSQUITTO through it, so the variable means the same everywhere (1: skip; unset, empty or 0: run,
 * and fail with the install hint when the binary is missing; any other value is an error, not a guess).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export const MOSQUITTO_MISSING =
  "mosquitto broker binary not found (looked at $GANZHI_MOSQUITTO, /usr/sbin/mosquitto and PATH): install it with `apt-get install mosquitto`, or set GANZHI_SKIP_MOSQUITTO=1 to skip the Mosquitto tests";

/**
 * Whether to skip the tests that need a Mosquitto binary, from GANZHI_SKIP_MOSQUITTO (see above). Tests not skipped
 * fail with MOSQUITTO_MISSING when the binary is missing (`Mosquitto.start` throws it).
 */
export function skipMosquitto(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.GANZHI_SKIP_MOSQUITTO ?? "";
  if (v === "1") return true;
  if (v === "" || v === "0") return false;
  throw new Error(`GANZHI_SKIP_MOSQUITTO must be 1 (skip the Mosquitto tests) or 0 (run them), got "${v}"`);
}

/** The mosquitto binary: $GANZHI_MOSQUITTO if set (and only that), else /usr/sbin/mosquitto, else on PATH. */
export function mosquittoBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const forced = env.GANZHI_MOSQUITTO;
  if (forced) return existsSync(forced) ? forced : undefined;
  const candidates = ["/usr/sbin/mosquitto", ...(env.PATH ?? "").split(delimiter).map((d) => join(d, "mosquitto"))];
  return candidates.find((p) => p.length > 0 && existsSync(p));
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export interface MosquittoOptions {
  port?: number;
  /** Keep sessions and queued messages across restarts (default true). */
  persistence?: boolean;
}

export class Mosquitto {
  readonly port: number;
  readonly dir: string;
  readonly #binary: string;
  #child: ChildProcess | undefined;
  output = "";

  private constructor(binary: string, port: number, persistence: boolean) {
    this.#binary = binary;
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), "ganzhi-mosquitto-"));
    const conf = [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      `persistence ${persistence ? "true" : "false"}`,
      `persistence_location ${this.dir}/`,
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "",
    ].join("\n");
    writeFileSync(join(this.dir, "mosquitto.conf"), conf);
  }

  static async start(options: MosquittoOptions = {}): Promise<Mosquitto> {
    const binary = mosquittoBinary();
    if (!binary) throw new Error(MOSQUITTO_MISSING);
    const m = new Mosquitto(binary, options.port ?? (await freePort()), options.persistence ?? true);
    await m.#spawn();
    return m;
  }

  async #spawn(): Promise<void> {
    const child = spawn(this.#binary, ["-c", join(this.dir, "mosquitto.conf")], { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    child.stdout?.on("data", (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (this.output += d.toString()));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}:\n${this.output}`);
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`mosquitto did not listen on ${this.port} within 5 s:\n${this.output}`);
  }

  /** SIGTERM (Mosquitto saves its persistence file) and wait for the exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
