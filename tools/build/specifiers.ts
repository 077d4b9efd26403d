/**
 * Which import specifiers may appear in a ganzhi bundle, and who may import them.
 *
 * The bundle keeps exactly one kind of external import: modules the Moddable SDK links into the firmware
 * (`embedded:*`, `timer`, `time`, `flash`, `mc/config`, …). Only hal/moddable may import them; device code reaches
 * them through the host. Everything else must be device code inside the checkout and is bundled.
 */
import { builtinModules } from "node:module";
import { NATIVE_SPECIFIERS } from "./native.js";

/** Moddable module specifiers by prefix. */
const MODDABLE_PREFIXES = ["embedded:", "pins/", "mc/"] as const;

/** Moddable module specifiers by name (base, files and device modules of the SDK that hal/moddable may use). */
const MODDABLE_NAMES: ReadonlySet<string> = new Set([
  "timer",
  "time",
  "flash",
  "preference",
  "instrumentation",
  "debug",
  "sleep",
  "resetReason",
  "system",
  "Resource",
  "file",
  "microseconds",
  "crypt",
]);

export function isModdableSpecifier(specifier: string): boolean {
  return MODDABLE_NAMES.has(specifier) || NATIVE_SPECIFIERS.has(specifier) || MODDABLE_PREFIXES.some((p) => specifier.startsWith(p));
}

const NODE_BUILTINS: ReadonlySet<string> = new Set(builtinModules);

export function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith("node:")) return true;
  return NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split("/")[0]!);
}

export function isRelativeOrAbsolute(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/");
}

/** The npm package a bare specifier names ("@scope/pkg/sub" → "@scope/pkg"). */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** Why `specifier`, imported by device code in `importer`, cannot be bundled; undefined when it is fine. */
export function forbiddenImport(specifier: string, importer: string): string | undefined {
  if (isRelativeOrAbsolute(specifier)) return undefined;
  if (isNodeBuiltin(specifier)) {
    return `${importer} imports "${specifier}", a Node built-in: device code runs on XS (no Node APIs); reach the world through the host passed to main(host)`;
  }
  if (isModdableSpecifier(specifier)) {
    return `${importer} imports "${specifier}", a Moddable SDK module: only hal/moddable may; device code reaches the board through the host passed to main(host), so it also runs in the simulator`;
  }
  return `${importer} imports "${specifier}", an npm package (${packageName(specifier)}): device code has no npm runtime dependencies; put what it needs in runtime/ or parts/`;
}
