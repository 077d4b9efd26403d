import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { checkDeviceCode, checkSource, deviceCodeFiles, formatViolation } from "../../tools/lint/device-code.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("device-code guard", () => {
  it("covers the device code that exists", () => {
    const files = deviceCodeFiles(root);
    expect(files).toContain("devices/weather-station/main.ts");
    expect(files).toContain("runtime/mqtt/client.ts");
    expect(files).toContain("parts/bme280/driver.ts");
    expect(files.some((f) => f.startsWith("hal/moddable/"))).toBe(false);
    expect(files.some((f) => f.endsWith("/model.ts"))).toBe(false);
  });

  it("finds no Node, npm, global or non-deterministic use in device code", () => {
    const violations = checkDeviceCode(root).map(formatViolation);
    expect(violations).toEqual([]);
  });

  it("catches each kind of violation, with file, line and column", () => {
    const src = [
      'import { readFileSync } from "node:fs";',
      'import mqtt from "mqtt";',
      'import { loadBoard } from "../../manifests/load.js";',
      'import type { NodeConfig } from "../../manifests/schema/config.js";',
      'import { s } from "../../manifests/schema/builder.js";',
      "const t = Date.now();",
      "const r = Math.random() + Math.sin(1) + Math.sqrt(2);",
      "setTimeout(() => console.log(process.env), 1);",
      "const b = Buffer.from([1]);",
      "const o = { process: 1, Date: 2 }; o.process;",
    ].join("\n");
    const v = checkSource("devices/x/main.ts", src).map(formatViolation);
    expect(v).toEqual([
      'devices/x/main.ts:1:1: imports "node:fs": device code may import only other device code by relative path (no Node built-ins, no npm packages)',
      'devices/x/main.ts:2:1: imports "mqtt": device code may import only other device code by relative path (no Node built-ins, no npm packages)',
      'devices/x/main.ts:3:1: imports "../../manifests/load.js" (manifests/load.ts), which is not device code (only types may come from manifests/schema)',
      'devices/x/main.ts:5:1: imports "../../manifests/schema/builder.js" (manifests/schema/builder.ts), which is not device code (only types may come from manifests/schema)',
      "devices/x/main.ts:6:11: uses Date: wall time must come from host.clock.unixMs() (virtual in the simulator)",
      "devices/x/main.ts:7:11: uses Math.random: use host.random() (seeded in the simulator)",
      "devices/x/main.ts:7:27: uses Math.sin: results differ between engines' libm; use runtime/detmath.ts",
      "devices/x/main.ts:8:1: uses setTimeout: not portable (use host.timer)",
      "devices/x/main.ts:8:18: uses console: not global on Moddable devices (use host.log)",
      "devices/x/main.ts:8:30: uses process: a Node global",
      "devices/x/main.ts:9:11: uses Buffer: a Node global (use Uint8Array)",
    ]);
  });

  it("catches globals reached by name, runtime compilation and collection-dependent objects", () => {
    const src = [
      'const now = (globalThis as any)["Date"].now();',
      'const f = new Function("return 1"); const e = eval("1");',
      "const r = new WeakRef({}); const g = new FinalizationRegistry(() => {});",
      "let cb: Function | undefined;",
    ].join("\n");
    expect(checkSource("runtime/x.ts", src).map(formatViolation)).toEqual([
      "runtime/x.ts:1:14: uses globalThis: reaches globals by name, around this check (the world comes from main(host))",
      "runtime/x.ts:2:15: uses Function: runtime compilation may be stripped from Moddable builds",
      "runtime/x.ts:2:47: uses eval: runtime compilation may be stripped from Moddable builds",
      "runtime/x.ts:3:15: uses WeakRef: garbage-collection timing differs between engines",
      "runtime/x.ts:3:42: uses FinalizationRegistry: garbage-collection timing differs between engines",
    ]);
  });
});
