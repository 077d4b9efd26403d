/**
 * Runs a bundle in ganzhi's XS runner and talks to it line by line: JSON messages both ways on stdin/stdout, free
 * text (XS's own reports, `print`) on stderr. A fatal report from the runner (memory full, metering limit, stack
 * overflow, a module that fails to load) becomes an `XsFatalError`; an exit without one an `XsExitError` carrying
 * the end of stderr. GANZHI_XS_STDERR=1 echoes the runner's stderr (print, XS reports) for debugging.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { ensureXsRunner } from "./build.js";

export interface XsRunOptions {
  /** The module to run (absolute path). */
  module: string;
  /** Bare specifier → file. */
  modules?: Readonly<Record<string, string>>;
  /** Chunk + slot bytes the machine may allocate. */
  heapLimit?: number;
  /** Metering limit for loading and evaluating the module (units). */
  budget?: number;
  /** Install TextEncoder/TextDecoder (test harness only). */
  text?: boolean;
  /** The runner executable (default: built on demand). */
  runner?: string;
}

export interface XsFatalReport {
  t: "fatal";
  kind: string;
  message: string;
  phase: number;
  node: number;
  at: number;
}

/** The XS machine hit a fatal condition (memory, metering limit, stack, keys, a module that did not load). */
export class XsFatalError extends Error {
  override name = "XsFatalError";
  readonly report: XsFatalReport;
  readonly stderr: string;
  constructor(report: XsFatalReport, stderr: string) {
    super(`XS: ${report.message}`);
    this.report = report;
    this.stderr = stderr;
  }
}

/** The runner exited (or could not start) without a fatal report. */
export class XsExitError extends Error {
  override name = "XsExitError";
  readonly code: number | null;
  readonly stderr: string;
  constructor(message: string, code: number | null, stderr: string) {
    super(message);
    this.code = code;
    this.stderr = stderr;
  }
}

type Message = { t?: string; [k: string]: unknown };

interface Waiter {
  match: (m: Message) => boolean;
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
}

const STDERR_KEEP = 16_000;

export class XsProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  #stderr = "";
  #waiters: Waiter[] = [];
  #failure: Error | undefined;
  #exit: Promise<number | null>;
  /** Every message that no waiter claimed (and the claimed ones too, before they are handed over). */
  onMessage: (m: Message) => void = () => {};
  /** Lines on stdout that are not JSON. */
  onText: (line: string) => void = () => {};

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    const echo = process.env.GANZHI_XS_STDERR === "1";
    child.stderr.on("data", (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-STDERR_KEEP);
      if (echo) process.stderr.write(d);
    });
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on("line", (line) => this.#line(line));
    this.#exit = new Promise((resolve) => {
      let done = false;
      const finish = (code: number | null, error?: Error): void => {
        if (done) return;
        done = true;
        // stdout may still hold lines: let readline drain before failing the waiters.
        setImmediate(() => {
          if (!this.#failure) {
            this.#failure = error
              ? new XsExitError(`the XS runner could not start: ${error.message}`, null, this.#stderr)
              : new XsExitError(`the XS runner exited with code ${code}${this.#stderr ? `: ${lastLines(this.#stderr)}` : ""}`, code, this.#stderr);
          }
          for (const w of this.#waiters.splice(0)) w.reject(this.#failure);
          resolve(code);
        });
      };
      child.on("error", (e) => finish(null, e));
      child.on("close", (code) => finish(code));
    });
    child.stdin.on("error", () => {
      // the runner went away; the exit handler reports why
    });
  }

  static async start(options: XsRunOptions): Promise<XsProcess> {
    const runner = options.runner ?? (await ensureXsRunner());
    const args: string[] = [];
    for (const [spec, file] of Object.entries(options.modules ?? {})) args.push("-m", `${spec}=${file}`);
    if (options.heapLimit !== undefined) args.push("--heap-limit", String(options.heapLimit));
    if (options.budget !== undefined) args.push("--budget", String(options.budget));
    if (options.text) args.push("--text");
    args.push(options.module);
    // A process group of its own: Ctrl-C at the terminal reaches the shell, which stops the run and writes what it
    // has, instead of killing the runner mid-run. The runner still ends when the shell does (its stdin closes).
    return new XsProcess(spawn(runner, args, { stdio: ["pipe", "pipe", "pipe"], detached: true }));
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Resolves with the exit code once the runner has exited and its output is read. */
  get exited(): Promise<number | null> {
    return this.#exit;
  }

  #line(line: string): void {
    if (line.length === 0) return;
    let m: Message;
    try {
      m = JSON.parse(line) as Message;
    } catch {
      this.onText(line);
      return;
    }
    if (typeof m !== "object" || m === null) {
      this.onText(line);
      return;
    }
    if (m.t === "fatal") {
      this.#failure = new XsFatalError(m as unknown as XsFatalReport, this.#stderr);
      for (const w of this.#waiters.splice(0)) w.reject(this.#failure);
      return;
    }
    const i = this.#waiters.findIndex((w) => w.match(m));
    if (i >= 0) {
      const [w] = this.#waiters.splice(i, 1);
      w!.resolve(m);
      return;
    }
    this.onMessage(m);
  }

  send(message: object): void {
    if (this.#failure) return;
    this.#child.stdin.write(JSON.stringify(message) + "\n");
  }

  /** The next message for which `match` holds (fails with the runner's fatal report or exit). */
  next<T extends Message>(match: (m: Message) => boolean): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<T>((resolve, reject) => this.#waiters.push({ match, resolve: resolve as (m: Message) => void, reject }));
  }

  /** Send `message` and wait for the reply of type `t`. */
  request<T extends Message>(message: object, t: string): Promise<T> {
    const reply = this.next<T>((m) => m.t === t);
    this.send(message);
    return reply;
  }

  /** No more input: the script's receive() returns null. */
  end(): void {
    this.#child.stdin.end();
  }

  kill(): void {
    this.#child.kill("SIGKILL");
  }

  get failure(): Error | undefined {
    return this.#failure;
  }
}

function lastLines(text: string, n = 5): string {
  return text.trim().split("\n").slice(-n).join(" | ");
}

/** Run a module to completion; returns its JSON messages and text lines (throws on a fatal report). */
export async function runXsModule(options: XsRunOptions & { input?: readonly object[] }): Promise<{ messages: Message[]; text: string[]; code: number | null; stderr: string }> {
  const p = await XsProcess.start(options);
  const messages: Message[] = [];
  const text: string[] = [];
  p.onMessage = (m) => messages.push(m);
  p.onText = (l) => text.push(l);
  for (const m of options.input ?? []) p.send(m);
  p.end();
  const code = await p.exited;
  if (p.failure instanceof XsFatalError) throw p.failure;
  return { messages, text, code, stderr: p.stderr };
}
