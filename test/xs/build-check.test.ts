/**
 * `ganzhi build` checks each bundle on XS (tools/xs/check.ts): it must parse, link and evaluate its module bodies
 * on the real engine and import only modules Moddable provides on the board's platform; else the build fails and
 * names the file. (Every real device and board going through the check is test/build/devices.test.ts.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildProject, type ManifestSource } from "../../tools/build/build.js";
import { BuildError } from "../../tools/build/errors.js";
import { manifestSource } from "../../tools/build/manifests.js";
import { repoRoot } from "../../tools/xs/build.js";
import { platformFaults } from "../../tools/xs/check.js";
import { MODDABLE_MODULES } from "../../tools/xs/moddable-modules.js";

const root = repoRoot();
const out = mkdtempSync(path.join(tmpdir(), "ganzhi-xs-check-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The real manifests, with the weather station's main swapped for a fixture. */
function withMain(main: string): ManifestSource {
  const real = manifestSource(root);
  return {
    ...real,
    resolve(device, board) {
      const r = real.resolve(device, board);
      return { ...r, config: { ...r.config, main } };
    },
  };
}

describe("ganzhi build on XS", () => {
  it("a device whose code V8 parses but XS does not fails the build, naming XS's error and the file", async () => {
    const main = "test/xs/fixtures/unicode-regex/main.ts";
    const error = await buildProject({ root, device: "weather-station", board: "esp32-devkitc", manifests: withMain(main), outDir: path.join(out, "re"), checkHal: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BuildError);
    const e = error as BuildError;
    expect(e.message).toMatch(/^the bundle does not parse, link or evaluate on XS: SyntaxError: app\.js:\d+: .*\\p unicode property escape not built-in/);
    expect(e.file).toBe(main);
    expect(e.message).toContain(`in ${main}`);
  });

  it("the same firmware without the escape builds (the check passes good bundles)", async () => {
    const r = await buildProject({ root, device: "weather-station", board: "nrf52840-dk", manifests: manifestSource(root), outDir: path.join(out, "ok"), checkHal: false });
    expect(r.report.externals).toContain("sleep");
  });

  it("a module Moddable lacks on the board's platform is an error naming the importing file", () => {
    const faults = platformFaults({
      platform: "nrf52",
      importers: { "embedded:io/socket/tcp": ["hal/moddable/host.ts"], timer: ["hal/moddable/host.ts"], "node:fs": ["hal/moddable/board.ts"] },
    });
    expect(faults).toEqual([
      { message: 'hal/moddable/host.ts imports "embedded:io/socket/tcp" exists in Moddable only on esp32, not on nrf52', file: "hal/moddable/host.ts" },
      { message: 'hal/moddable/board.ts imports "node:fs" is not a module Moddable provides on nrf52', file: "hal/moddable/board.ts" },
    ]);
    expect(platformFaults({ platform: "esp32", importers: { "embedded:io/socket/tcp": ["hal/moddable/esp32.ts"], resetReason: ["hal/moddable/esp32.ts"] } })).toEqual([]);
    expect(MODDABLE_MODULES.nrf52.has("resetReason")).toBe(false);
    expect(MODDABLE_MODULES.esp32.has("sleep")).toBe(false);
  });
});
