/**
 * C compilation with a content-addressed cache: an object is rebuilt only when its source, the headers it may
 * include, the compiler or the flags change. Jobs run in parallel, one per CPU.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";

export interface CompileJob {
  source: string;
  /** Extra arguments for this file only. */
  args?: string[];
}

export function sha256(...parts: (string | Uint8Array)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/** Hash of every header in `dirs` (a change in any of them rebuilds everything compiled against them). */
export function headersHash(dirs: readonly string[]): string {
  const h = createHash("sha256");
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".h")).sort()) {
      h.update(f);
      h.update(readFileSync(path.join(dir, f)));
    }
  }
  return h.digest("hex");
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

export class CompileError extends Error {}

/** Compile each job to `outDir/<name>-<hash>.o`; returns the objects in job order. */
export async function compileAll(cc: string, flags: readonly string[], jobs: readonly CompileJob[], outDir: string, salt: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const objects = jobs.map((job) => {
    const args = [...flags, ...(job.args ?? [])];
    const key = sha256(cc, "\0", args.join("\0"), "\0", salt, "\0", readFileSync(job.source)).slice(0, 16);
    return path.join(outDir, `${path.basename(job.source).replace(/\.[cS]$/, "")}-${key}.o`);
  });
  const todo = jobs.map((job, i) => ({ job, object: objects[i]! })).filter((j) => !existsSync(j.object));
  await pool(todo, os.availableParallelism(), async ({ job, object }) => {
    // Several test processes may want the same object at once: one compiles it, the others wait for it.
    const lock = `${object}.lock`;
    if (!takeLock(lock)) {
      await waitFor(object, lock);
      if (existsSync(object)) return;
      if (!takeLock(lock)) return waitFor(object, lock);
    }
    try {
      const tmp = `${object}.${process.pid}.tmp`;
      const r = await execa(cc, [...flags, ...(job.args ?? []), "-c", job.source, "-o", tmp], { reject: false });
      if (r.exitCode !== 0) throw new CompileError(`${path.basename(cc)} failed on ${job.source}:\n${r.stderr}`);
      renameSync(tmp, object);
    } finally {
      rmdirSync(lock);
    }
  });
  return objects;
}

/** An atomic lock directory; a lock older than two minutes is a dead process's and is taken over. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    try {
      if (Date.now() - statSync(lock).mtimeMs > 120_000) {
        rmdirSync(lock);
        mkdirSync(lock);
        return true;
      }
    } catch {
      // raced with its owner: wait
    }
    return false;
  }
}

async function waitFor(object: string, lock: string): Promise<void> {
  while (!existsSync(object) && existsSync(lock)) await new Promise((r) => setTimeout(r, 100));
}
