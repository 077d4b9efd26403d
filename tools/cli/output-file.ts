/**
 * A file a command writes at the end of its run (`sim --out`, `--report`, `--record`), opened when the run starts so
 * a path that cannot be written fails at once, not after hours of simulation.
 */
import { closeSync, openSync, unlinkSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "./args.js";

export class OutputFile {
  readonly path: string;
  #fd: number | undefined;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  /** Create (or truncate) the file `value` of `--option`, relative to `cwd`; a usage error naming both if it cannot be. */
  static open(option: string, value: string, cwd: string): OutputFile {
    const path = resolve(cwd, value);
    try {
      return new OutputFile(path, openSync(path, "w"));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new UsageError(`--${option} ${value}: cannot write ${path} (${err.code ?? err.message})`);
    }
  }

  /** The open descriptor, for a writer that takes one. */
  get fd(): number {
    if (this.#fd === undefined) throw new Error(`${this.path} is already closed`);
    return this.#fd;
  }

  /** Write the whole content and close. */
  write(text: string): void {
    writeFileSync(this.fd, text);
    this.close();
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** Close and remove the file: the run produced nothing for it. */
  discard(): void {
    if (this.#fd === undefined) return;
    this.close();
    try {
      unlinkSync(this.path);
    } catch {
      // already gone: nothing to clean
    }
  }
}
