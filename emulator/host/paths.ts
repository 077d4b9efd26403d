/** Where the emulator's sources are and where it builds (out/emulator, beside tsc's output, ignored by git). */
import path from "node:path";
import { existsSync } from "node:fs";
import { repoRoot, xsLayout } from "../../tools/xs/build.js";

export const ROOT = repoRoot();
export const EMULATOR_DIR = path.join(ROOT, "emulator");
export const FIRMWARE_DIR = path.join(EMULATOR_DIR, "firmware");
export const XSBC_SOURCE = path.join(EMULATOR_DIR, "xsbc", "xsbc.c");
export const IMAGE_DIR = path.join(EMULATOR_DIR, "image");
export const BUILD_DIR = path.join(ROOT, "out", "emulator");

/** The XS engine sources shipped in @agoric/xsnap (moddable/xs), where the host runner's build finds them too. */
export function xsDir(): string {
  const dir = path.join(xsLayout(ROOT).moddable, "xs");
  if (!existsSync(path.join(dir, "sources", "xsAll.c"))) {
    throw new Error(`emulator: XS sources not found in ${dir}; run npm ci (the pinned @agoric/xsnap ships them)`);
  }
  return dir;
}

/** The XS sources the image and xsbc compile: the host runner's list (xsnap's, without xsnap's own platform,
 * lockdown, marshalling, profiling and snapshots). */
export { XS_SOURCES } from "../../tools/xs/build.js";

/** The image's own C sources (emulator/firmware). */
export const FIRMWARE_SOURCES = ["startup", "semihost", "syscalls", "clock", "xs_glue", "main", "program", "natives", "loop", "replay", "modules", "prepare", "budget", "clocked_serial", "aes128", "cipher_natives", "census", "chunks", "gc_share"] as const;
