import type { Dirent } from "node:fs";

/**
 * Whether a file ending in ".ts" below `dir` (its folders walked, a missing or unreadable one as empty) was modified
 * after `since` (ms since the epoch, as `mtimeMs`). `skip` passes over an entry (a file, or a folder and all below
 * it), given its path and directory entry.
 */
export function hasNewerSource(dir: string, since: number, skip?: (path: string, entry: Dirent) => boolean): boolean;
