/**
 * The image's program is reproducible: the same sources give the same modules in the same order, and so the same
 * bytecode blob, however rollup's asynchronous file reads happen to finish. (The module order decides xsbc's key
 * IDs, and with them the instructions the image runs: before the order was fixed, two builds of the weather station
 * made at once came out in one of two orders, and their emulated figures differed by ~200 instructions.)
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadBoard, loadDevice, resolveNode } from "../../manifests/load.js";
import { bundleImage } from "../../emulator/host/bundle.js";
import type { ImageBundle } from "../../emulator/host/bundle.js";
import { ROOT } from "../../emulator/host/paths.js";
import { modulesProgram } from "../../emulator/host/program.js";

const main = resolveNode(loadDevice("weather-station"), loadBoard("esp32-devkitc")).config.main;
const digest = (b: ImageBundle): string => createHash("sha256").update(b.modules.map((m) => `${m.path}\0${m.code}\0`).join("")).digest("hex");

describe("the image's program", () => {
  it("lists the entry first, then every other module by path", async () => {
    const b = await bundleImage(ROOT, main);
    const paths = b.modules.map((m) => m.path);
    expect(paths[0]).toBe("entry.js");
    expect(paths.slice(1)).toEqual([...paths.slice(1)].sort());
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toContain("devices/weather-station/station.js");
    expect(paths).toContain("emulator/image/main.js");
  });

  it("is the same for builds made at once, module for module and byte for byte once compiled", async () => {
    // Several bundles at once race their file reads against each other: the case that used to reorder the modules.
    const bundles = await Promise.all(Array.from({ length: 6 }, () => bundleImage(ROOT, main)));
    const first = digest(bundles[0]!);
    for (const b of bundles) expect(digest(b)).toBe(first);
    const [p, q] = await Promise.all(bundles.slice(0, 2).map((b) => modulesProgram(b.modules, "bytecode")));
    expect(Buffer.from(q!.blob).equals(Buffer.from(p!.blob))).toBe(true);
  }, 60_000);
});
