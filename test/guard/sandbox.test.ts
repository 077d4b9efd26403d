/**
 * The device-code guard at run time: device modules in an SES Compartment (simulator/ses) see only the globals the
 * host grants. What the lint cannot see — `Math.random` through an alias, a global reached through Reflect or by
 * name — fails when it runs, with an error naming the module and function; the weather station runs there with the
 * frames of the ordinary V8 run.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { DeviceMain } from "../../hal/host.js";
import { runSim } from "../../simulator/node/session.js";
import { runSimInCompartment } from "../../simulator/ses/run.js";
import { checkSource } from "../../tools/lint/device-code.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixture = (name: string) => `test/guard/fixtures/${name}/main.ts`;

describe("device code in an SES Compartment", () => {
  it("the weather station runs there and sends the ordinary run's frames, byte for byte (24 h, seed 3)", async () => {
    const run = { device: "weather-station", board: "esp32-devkitc", hours: 24, seed: 3 };
    const [sandboxed, plain] = await Promise.all([runSimInCompartment(run), runSim(run)]);
    expect(sandboxed.summary.crashes).toEqual([]);
    expect(plain.frames.length).toBe(24 * 6 + 1);
    expect(sandboxed.frames).toEqual(plain.frames);
    expect(sandboxed.summary.deviceStats).toEqual(plain.summary.deviceStats);
  }, 300_000);

  // What the lint says of each (only the spelled-out `globalThis`; the alias passes), and the run-time failure.
  const cases: [string, string[], string, string][] = [
    [
      "date-by-name",
      ["12:20: uses globalThis"],
      "report",
      `DeviceSandboxError: ${fixture("date-by-name")} (in Stamper.stamp) uses Date.now(), which the host does not grant: wall time must come from host.clock.unixMs() (virtual in the simulator)`,
    ],
    [
      "math-alias",
      [],
      "start-up",
      `DeviceSandboxError: ${fixture("math-alias")} (in jitterMs) uses Math.random(), which the host does not grant: use host.random() (seeded in the simulator)`,
    ],
    [
      "weakref-by-reflect",
      ["9:28: uses globalThis"],
      "start-up",
      `DeviceSandboxError: ${fixture("weakref-by-reflect")} (in main) uses WeakRef, which the host does not grant: garbage-collection timing differs between engines, so behaviour would too`,
    ],
  ];

  it.each(cases)("%s: the lint finds %j; the compartment fails it in %s, naming the module", async (name, lint, phase, error) => {
    const file = fixture(name);
    const found = checkSource(file, readFileSync(path.join(root, file), "utf8")).map((v) => `${v.line}:${v.column}: ${v.message.split(":")[0]}`);
    expect(found).toEqual(lint);
    const { summary } = await runSimInCompartment({ device: "weather-station", board: "esp32-devkitc", hours: 1, seed: 1, mainPath: path.join(root, file) });
    expect(summary.crashes.length).toBeGreaterThan(0);
    expect(summary.crashes[0]!.phase).toBe(phase === "start-up" ? "start-up" : "callback");
    expect(summary.crashes[0]!.error).toBe(error);
  }, 120_000);

  it("the same firmware runs on plain V8: the failure is the compartment's", async () => {
    const mod = (await import(path.join(root, fixture("date-by-name")))) as { default: DeviceMain };
    const { summary } = await runSim({ device: "weather-station", board: "esp32-devkitc", hours: 1, seed: 1, main: mod.default });
    expect(summary.crashes).toEqual([]);
  });
});
