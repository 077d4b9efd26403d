/** Where the emulator's sources are and where it builds (out/emulator, beside tsc's output, ignored by git). */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "ganzhi") return dir;
      } catch {
        // keep looking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error("emulator: cannot find the ganzhi checkout (package.json named ganzhi)");
    dir = up;
  }
}

export const ROOT = findRoot();
export const EMULATOR_DIR = path.join(ROOT, "emulator");
export const FIRMWARE_DIR = path.join(EMULATOR_DIR, "firmware");
export const XSBC_SOURCE = path.join(EMULATOR_DIR, "xsbc", "xsbc.c");
export const IMAGE_DIR = path.join(EMULATOR_DIR, "image");
export const BUILD_DIR = path.join(ROOT, "out", "emulator");

/** The XS engine sources shipped in @agoric/xsnap (moddable/xs). */
export function xsDir(): string {
  const require = createRequire(path.join(ROOT, "package.json"));
  const pkg = require.resolve("@agoric/xsnap/package.json");
  const dir = path.join(path.dirname(pkg), "moddable", "xs");
  if (!existsSync(path.join(dir, "sources", "xsAll.c"))) {
    throw new Error(`emulator: XS sources not found in ${dir}; run npm ci (the pinned @agoric/xsnap ships them)`);
  }
  return dir;
}

/** The XS sources the image and xsbc compile: xsnap's list without xsnap's own, lockdown, marshalling, profiling, snapshots. */
export const XS_SOURCES = [
  "xsAll", "xsAPI", "xsArguments", "xsArray", "xsAtomics", "xsBigInt", "xsBoolean", "xsCode", "xsCommon", "xsDataView",
  "xsDate", "xsDebug", "xsDefaults", "xsError", "xsFunction", "xsGenerator", "xsGlobal", "xsJSON", "xsLexical",
  "xsMapSet", "xsMath", "xsMemory", "xsModule", "xsNumber", "xsObject", "xsPlatforms", "xsPromise", "xsProperty",
  "xsProxy", "xsRegExp", "xsRun", "xsScope", "xsScript", "xsSourceMap", "xsString", "xsSymbol", "xsSyntaxical",
  "xsTree", "xsType", "xsdtoa", "xsre", "xsmc",
] as const;

/** The image's own C sources (emulator/firmware). */
export const FIRMWARE_SOURCES = ["startup", "semihost", "syscalls", "clock", "xs_glue", "main", "program", "natives", "loop", "replay", "modules", "prepare"] as const;
