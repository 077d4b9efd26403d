/**
 * How a new part is registered: it is not, by hand. Its folder (part.ts and attach.ts) is the registration; this
 * regenerates the two index modules tools/parts/registry.ts derives from the part folders.
 */
import { PartFolderError, writeIndexes } from "../parts/registry.js";

/** Regenerate the part indexes under `root`; returns the files that changed, relative to it. */
export function registerPart(root: string, name: string): string[] {
  try {
    return writeIndexes(root);
  } catch (e) {
    if (e instanceof PartFolderError) throw new Error(`cannot register part ${name}: ${e.message}`);
    throw e;
  }
}
