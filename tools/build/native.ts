/**
 * The host provider's own native modules, which `ganzhi build` copies into the Moddable project next to the bundle:
 * each is a JS module (a class whose methods are C host functions) and its C, in hal/moddable/native/. mcconfig
 * compiles the C into the firmware and xsl links and preloads the JS under the module's name, which hal/moddable
 * imports (`ganzhi/clockedserial`: hal's ClockedSerial, a two-wire part's pulse train in C).
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export interface NativeModule {
  /** The specifier hal/moddable imports. */
  readonly module: string;
  /** The files' base name in hal/moddable/native and in the project's native/ folder (.js and .c). */
  readonly base: string;
}

export const NATIVE_DIR = "native";

export const NATIVE_MODULES: readonly NativeModule[] = Object.freeze([Object.freeze({ module: "ganzhi/clockedserial", base: "clockedserial" })]);

/** The native modules' specifiers (hal/moddable may import them, as it imports the SDK's). */
export const NATIVE_SPECIFIERS: ReadonlySet<string> = new Set(NATIVE_MODULES.map((m) => m.module));

/** Project-relative path → text of every native module's files. */
export function nativeFiles(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of NATIVE_MODULES) {
    for (const ext of [".js", ".c"]) {
      out[`${NATIVE_DIR}/${m.base}${ext}`] = readFileSync(path.join(root, "hal", "moddable", NATIVE_DIR, m.base + ext), "utf8");
    }
  }
  return out;
}

/** The manifest's `modules` entries: the name maps to the path without extension, which mcconfig takes as both the
 * module (.js) and its C (.c). */
export function nativeManifestModules(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of NATIVE_MODULES) out[m.module] = `./${NATIVE_DIR}/${m.base}`;
  return out;
}
