/**
 * Tooling does not know which device it runs: no device's name appears in tools/ (a device's summary lines, stats
 * keys and topics come from the device, its manifest and its app's `summary()`). The names are read from the
 * checkout, so a device added later is covered too. tools/bench/ is the exception: a benchmark of a device's own
 * algorithm (the parking sensor's month of occupancy, a node's years on its battery) measures that device by name;
 * no command's behaviour depends on it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { listDevices } from "../../manifests/load.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Every device: its manifest name and its folder under devices/ (shared code is not a device). */
function deviceNames(): string[] {
  const folders = readdirSync(join(root, "devices")).filter((n) => n !== "shared" && statSync(join(root, "devices", n)).isDirectory());
  return [...new Set([...listDevices({ root }), ...folders])].sort();
}

describe("tooling", () => {
  it("names no device: tools/ is the same whatever devices the checkout has", () => {
    const names = deviceNames();
    expect(names).toContain("weather-station");
    const found: string[] = [];
    const bench = join(root, "tools", "bench");
    for (const file of files(join(root, "tools")).filter((f) => !f.startsWith(bench))) {
      const lines = readFileSync(file, "utf8").split("\n");
      lines.forEach((line, i) => {
        for (const name of names) if (line.includes(name)) found.push(`${relative(root, file)}:${i + 1}: names device "${name}"`);
      });
    }
    expect(found).toEqual([]);
  });
});
