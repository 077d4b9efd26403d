// Whether a TypeScript source below a folder is newer than a build: bin/ganzhi.js asks it before it may run out/
// (so it runs before anything is compiled, hence plain JavaScript, typed by newer-source.d.ts), and `ganzhi build`
// asks it before it takes the checkout's modules from out/ (tools/build/typecheck.ts). Both reach it as
// "#newer-source" (package.json "imports"), so the compiled tools load this file, not a copy in out/.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export function hasNewerSource(dir, since, skip = () => false) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (skip(p, e)) continue;
    if (e.isDirectory() ? hasNewerSource(p, since, skip) : e.name.endsWith(".ts") && statSync(p).mtimeMs > since) return true;
  }
  return false;
}
