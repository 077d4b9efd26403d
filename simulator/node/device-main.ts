/**
 * A device's `main` as the V8 simulator runs it: its TypeScript source under vitest, its compiled module (out/,
 * which `bin/ganzhi.js` keeps up to date with the sources) otherwise.
 */
import { existsSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { DeviceMain } from "../../hal/host.js";

const here = dirname(fileURLToPath(import.meta.url));
const ext = extname(fileURLToPath(import.meta.url)); // ".ts" under vitest, ".js" when built

/** `mainPath` is relative to the repository root (a device manifest's `main`). */
export async function loadDeviceMain(mainPath: string): Promise<DeviceMain> {
  const root = join(here, "..", "..");
  const file = join(root, mainPath.replace(/\.ts$/, ext));
  if (!existsSync(file)) {
    // From out/, the source is one level further up than the compiled module.
    const source = ext === ".ts" ? file : join(root, "..", mainPath);
    throw new Error(
      !existsSync(source)
        ? `device main module ${mainPath} does not exist`
        : `device main module ${mainPath} is not compiled (${file}): run npx tsc -b, or run ganzhi through bin/ganzhi.js, which does`,
    );
  }
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (typeof mod.default !== "function") throw new Error(`${mainPath}: no default export function main(host)`);
  return mod.default as DeviceMain;
}
