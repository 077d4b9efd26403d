/**
 * hal/moddable — the host provider that ships — on XS and on V8 against the simulated Moddable SDK modules, for
 * the paths the weather station does not take (test/xs/moddable-host-cases.ts): flash by partition name (ESP32)
 * and by offset (nRF52), retained words, deep sleep and the reset reasons after it and after a crash, timer
 * rounding and clearing, the clock.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SIMULATED_MODULES, shimSource } from "../../simulator/xs/board-entry.js";
import { repoRoot } from "../../tools/xs/build.js";
import { runTestsOnV8, runTestsOnXs, testBundle, type EngineRun } from "./unit-runner.js";

const root = repoRoot();

/** Each Moddable specifier as a module re-exporting the simulated one (the board entry's shims, over the source). */
function moddableAliases(): Record<string, string> {
  const dir = path.join(root, "out", "xs", "moddable-aliases");
  mkdirSync(dir, { recursive: true });
  const modules = path.join(root, "simulator", "xs", "inside", "moddable", "modules.ts");
  const aliases: Record<string, string> = {};
  Object.keys(SIMULATED_MODULES).forEach((specifier, i) => {
    const file = path.join(dir, `module-${i}.js`);
    writeFileSync(file, shimSource(specifier, modules));
    aliases[specifier] = file;
  });
  return aliases;
}

describe("hal/moddable on the simulated Moddable modules", () => {
  let xs: EngineRun;
  let v8: EngineRun;
  beforeAll(async () => {
    const bundle = await testBundle("test/xs/moddable-host-cases.ts", [], moddableAliases());
    [xs, v8] = await Promise.all([runTestsOnXs(bundle), runTestsOnV8(bundle)]);
  }, 300_000);

  it("every case passes on XS", () => {
    expect(xs.results.length).toBe(7);
    expect(xs.results.filter((c) => c.status !== "pass").map((c) => `${c.name}: ${c.error}`)).toEqual([]);
  });

  it("and on V8, with the same cases", () => {
    expect(v8.results.map((c) => c.name)).toEqual(xs.results.map((c) => c.name));
    expect(v8.results.filter((c) => c.status !== "pass").map((c) => `${c.name}: ${c.error}`)).toEqual([]);
  });
});
