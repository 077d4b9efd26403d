import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the CPUs, which on the 2-core CI machine is one: the suite then ran
    // file after file with a core idle whenever a file waited on one child process (an XS runner, a single QEMU).
    // Two workers there keep both cores busy; the tests measure virtual time, instruction counts and bytes, never
    // wall-clock time, so sharing the cores changes no result.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
