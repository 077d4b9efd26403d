/**
 * `ganzhi build` keeps what the type checks and rollup produced (the bundle, main.js, their findings) by content:
 * a record is reused only when every file the TypeScript compiler read is byte-identical (SHA-256), no directory
 * holding one of them gained or lost a file (a new `x.tsx` or `x.d.ts` could change how an import resolves), no
 * package.json on the way up from them changed (it sets a file's module format), and the build's own code, its
 * TypeScript and rollup, and what it was asked (the entry, the board description) are the same.
 * A failed build is never recorded, so errors are always found again. Records live in
 * node_modules/.cache/ganzhi/build/ (the newest 64 are kept). GANZHI_BUILD_CACHE=0 turns all caching off;
 * GANZHI_BUILD_CACHE=incremental ignores the records, as a build after an edit would (the benchmark uses it).
 *
 * When a record cannot be used (a source changed), two finer caches make the build redo only what the change
 * affects: TypeScript's own build info (tsc/, `tsc --incremental`'s), which keeps each unchanged file's diagnostics,
 * and the JavaScript of each file (js/), keyed by its content, its module format and the build's code.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const KEEP = 64;
const KEEP_JS = 4000;
const KEEP_TSC = 128;
const FORMAT = 1;

interface FileStamp {
  file: string;
  sha256: string;
}
interface DirStamp {
  dir: string;
  /** SHA-256 of the sorted names in the folder. */
  names: string;
}
interface PackageStamp {
  dir: string;
  /** SHA-256 of its package.json, or "" when it has none. */
  sha256: string;
}
interface CacheRecord<T> {
  format: number;
  files: FileStamp[];
  dirs: DirStamp[];
  packages: PackageStamp[];
  value: T;
}

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function fileHash(file: string): string | undefined {
  try {
    return sha256(readFileSync(file));
  } catch {
    return undefined;
  }
}

function namesHash(dir: string): string | undefined {
  try {
    return sha256(readdirSync(dir).sort().join("\0"));
  } catch {
    return undefined;
  }
}

function packageHash(dir: string): string {
  const file = path.join(dir, "package.json");
  return existsSync(file) ? (fileHash(file) ?? "") : "";
}

/**
 * The build's own code (compiled in out/, or the TypeScript sources when a test runner loads those) and its
 * compiler and bundler: a record made by other code is not reused.
 */
function toolFingerprint(root: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const hash = createHash("sha256");
  const code = (n: string) => (n.endsWith(".js") || n.endsWith(".ts")) && !n.endsWith(".d.ts");
  for (const dir of [here, path.join(here, "..", "lint")]) {
    for (const name of readdirSync(dir).filter(code).sort()) hash.update(name).update(readFileSync(path.join(dir, name)));
  }
  for (const pkg of ["typescript", "rollup"]) {
    hash.update(pkg).update(fileHash(path.join(root, "node_modules", pkg, "package.json")) ?? "none");
  }
  return hash.digest("hex");
}

export class BuildCache {
  /** node_modules/.cache/ganzhi, or undefined: no cache (every lookup misses, nothing is written). */
  readonly #base: string | undefined;
  readonly #dir: string | undefined;
  readonly #root: string;
  #tool: string | undefined;

  /** `records`: false to ignore whole-build records and keep only the finer caches. */
  constructor(root: string, base: string | undefined, records = true) {
    this.#root = root;
    this.#base = base;
    this.#dir = base === undefined || !records ? undefined : path.join(base, "build");
  }

  static forCheckout(root: string, env: Readonly<Record<string, string | undefined>>): BuildCache {
    const mode = env.GANZHI_BUILD_CACHE;
    return new BuildCache(root, mode === "0" ? undefined : path.join(root, "node_modules", ".cache", "ganzhi"), mode !== "incremental");
  }

  get #fingerprint(): string {
    return (this.#tool ??= toolFingerprint(this.#root));
  }

  /** The record's file name for what the build was asked. */
  key(request: unknown): string {
    return sha256(JSON.stringify({ format: FORMAT, tool: this.#fingerprint, request }));
  }

  /** Where TypeScript keeps its build info for a program (`name` says which); undefined without a cache. */
  buildInfo(name: string): string | undefined {
    if (this.#base === undefined) return undefined;
    return path.join(this.#base, "tsc", `${sha256(JSON.stringify([this.#fingerprint, this.#root, name])).slice(0, 24)}.tsbuildinfo`);
  }

  hasJs(kind: string, file: string, format: unknown, text: string): boolean {
    return this.#base !== undefined && existsSync(this.#jsFile(kind, file, format, text));
  }

  #jsFile(kind: string, file: string, format: unknown, text: string): string {
    return path.join(this.#base!, "js", `${sha256(JSON.stringify([FORMAT, this.#fingerprint, kind, path.extname(file), format ?? null, text]))}.js`);
  }

  /** The JavaScript a program (`kind`) emitted before for a file with this text and module format. */
  getJs(kind: string, file: string, format: unknown, text: string): string | undefined {
    if (this.#base === undefined) return undefined;
    try {
      return readFileSync(this.#jsFile(kind, file, format, text), "utf8");
    } catch {
      return undefined;
    }
  }

  putJs(kind: string, file: string, format: unknown, text: string, js: string): void {
    if (this.#base === undefined) return;
    const target = this.#jsFile(kind, file, format, text);
    try {
      mkdirSync(path.dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}.tmp`;
      writeFileSync(tmp, js);
      renameSync(tmp, target);
    } catch {
      // as for records: only time is lost
    }
  }

  /** Keep the per-file JavaScript and the build-info folders to their newest files. */
  pruneFine(): void {
    if (this.#base === undefined) return;
    for (const [sub, keep] of [["js", KEEP_JS], ["tsc", KEEP_TSC]] as const) {
      const dir = path.join(this.#base, sub);
      try {
        const names = readdirSync(dir);
        if (names.length <= keep) continue;
        const files = names.map((n) => ({ n, t: statSync(path.join(dir, n)).mtimeMs })).sort((a, b) => b.t - a.t);
        for (const f of files.slice(keep)) rmSync(path.join(dir, f.n), { force: true });
      } catch {
        // nothing to prune
      }
    }
  }

  get<T>(key: string): T | undefined {
    if (this.#dir === undefined) return undefined;
    let record: CacheRecord<T>;
    try {
      record = JSON.parse(readFileSync(path.join(this.#dir, `${key}.json`), "utf8")) as CacheRecord<T>;
    } catch {
      return undefined;
    }
    if (record.format !== FORMAT) return undefined;
    for (const f of record.files) if (fileHash(f.file) !== f.sha256) return undefined;
    for (const d of record.dirs) if (namesHash(d.dir) !== d.names) return undefined;
    for (const p of record.packages) if (packageHash(p.dir) !== p.sha256) return undefined;
    return record.value;
  }

  /** Record `value` as what `inputs` (every file the build read, absolute) produce. */
  put<T>(key: string, inputs: readonly string[], value: T): void {
    if (this.#dir === undefined) return;
    const files: FileStamp[] = [];
    const dirs = new Set<string>();
    const ancestors = new Set<string>();
    for (const file of [...new Set(inputs)].sort()) {
      const h = fileHash(file);
      if (h === undefined) continue;
      files.push({ file, sha256: h });
      dirs.add(path.dirname(file));
      for (let d = path.dirname(file); !ancestors.has(d); d = path.dirname(d)) {
        ancestors.add(d);
        if (path.dirname(d) === d) break;
      }
    }
    const record: CacheRecord<T> = {
      format: FORMAT,
      files,
      dirs: [...dirs].sort().map((dir) => ({ dir, names: namesHash(dir) ?? "" })),
      packages: [...ancestors].sort().map((dir) => ({ dir, sha256: packageHash(dir) })),
      value,
    };
    try {
      mkdirSync(this.#dir, { recursive: true });
      const tmp = path.join(this.#dir, `.${key}.${process.pid}.tmp`);
      writeFileSync(tmp, JSON.stringify(record));
      renameSync(tmp, path.join(this.#dir, `${key}.json`));
      this.#prune();
    } catch {
      // A cache that cannot be written only costs the next build its time.
    }
  }

  #prune(): void {
    const dir = this.#dir!;
    const records = readdirSync(dir)
      .filter((n) => n.endsWith(".json"))
      .map((n) => ({ n, t: statSync(path.join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const r of records.slice(KEEP)) rmSync(path.join(dir, r.n), { force: true });
  }
}
