/** Paths inside a ganzhi checkout, and how the build names them in messages. */
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";

/** Directories whose .ts files are device code and may go into a bundle. */
export const DEVICE_CODE_DIRS = ["hal", "runtime", "parts", "devices"] as const;

export function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

export function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** `file` relative to the checkout, with forward slashes, for messages; absolute when outside it. */
export function label(root: string, file: string): string {
  const r = real(root);
  const f = real(file);
  return isInside(f, r) ? path.relative(r, f).split(path.sep).join("/") : f;
}

/** A relative import (`./x.js`, `../y`) → the TypeScript file it means, or undefined when there is none. */
export function resolveTsImport(importer: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(importer), specifier);
  const candidates = base.endsWith(".js")
    ? [base.slice(0, -3) + ".ts", base]
    : base.endsWith(".ts")
      ? [base]
      : [base + ".ts", path.join(base, "index.ts"), base];
  return candidates.find((c) => existsSync(c) && !c.endsWith("/"));
}
