/**
 * A device's `main` as the V8 simulator runs it: always the device's TypeScript source as it is now. Under vitest
 * the source is imported as it is; from the CLI (compiled to out/) the device is bundled from its sources with the
 * XS bundler (cached by content in out/xs/bundles), so a new or edited device runs without a `tsc -b` first and
 * never from a stale compiled copy.
 */
import { existsSync } from "node:fs";
import { extname, isAbsolute, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { DeviceMain } from "../../hal/host.js";
import { repoRoot } from "../../tools/xs/build.js";
import { bundleForXs } from "../../tools/xs/bundle.js";

const fromSource = extname(fileURLToPath(import.meta.url)) === ".ts";

/** `mainPath` is relative to the repository root (a device manifest's `main`), or absolute. */
export async function loadDeviceMain(mainPath: string, root = repoRoot()): Promise<DeviceMain> {
  const source = isAbsolute(mainPath) ? mainPath : join(root, mainPath);
  if (!existsSync(source)) throw new Error(`device main module ${mainPath} does not exist (${source})`);
  let url: string;
  if (fromSource) {
    url = pathToFileURL(source).href;
  } else {
    const name = "v8-" + mainPath.replace(/\.[jt]s$/, "").replace(/[^A-Za-z0-9]+/g, "-");
    const bundle = await bundleForXs({ name, root, entryCode: `export { default } from ${JSON.stringify(source)};\n` });
    // A rebuilt bundle has the same file name: the query makes this process import the new one.
    url = `${pathToFileURL(bundle.file).href}?${bundle.modules.length}-${bundle.code.length}-${hash(bundle.code)}`;
  }
  const mod = (await import(url)) as { default?: unknown };
  if (typeof mod.default !== "function") throw new Error(`${mainPath}: no default export function main(host)`);
  return mod.default as DeviceMain;
}

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}
