import { describe, expect, it } from "vitest";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
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
      "devices/x/main.ts:10:11: o is a module-level object that is not frozen: preloading keeps it in flash and copies it to RAM on the first write, shared by every instance (xsl: not frozen); wrap it in Object.freeze()",
    ]);
  });

  it("fails on module-level state that preloading would leave mutable (what xsl reports as not frozen)", () => {
    // The fixture, placed in a device-code folder of a scratch checkout, as a contributor would add it.
    const scratch = mkdtempSync(join(tmpdir(), "ganzhi-guard-"));
    try {
      mkdirSync(join(scratch, "runtime"));
      cpSync(join(root, "test", "guard", "fixtures", "unfrozen-state.ts"), join(scratch, "runtime", "tables.ts"));
      const v = checkDeviceCode(scratch).map(formatViolation);
      expect(v.map((line) => line.replace(/: (preloading|Object\.freeze does not).*/, ""))).toEqual([
        "runtime/tables.ts:3:12: module-level let bootCount",
        "runtime/tables.ts:4:40: OHMS is a module-level array that is not frozen",
        "runtime/tables.ts:5:23: LABELS is a module-level object that is not frozen",
        "runtime/tables.ts:6:45: NESTED.pair is a module-level array that is not frozen",
        "runtime/tables.ts:7:22: CACHE is a module-level Map, mutable state",
        "runtime/tables.ts:9:26: Table.ROWS is a module-level array that is not frozen",
      ]);
      expect(v.filter((line) => !/\(xsl: (not frozen|no const)\)/.test(line))).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("names a Map or a class instance frozen in vain, a mutable default export and a class expression's statics", () => {
    const src = [
      "export const M = Object.freeze(new Map([[1, 2]]));",
      "export default { retries: 3 };",
      "export const C = class { static table = { a: 1 }; };",
      "export var legacy = 1;",
    ].join("\n");
    expect(checkSource("runtime/x.ts", src).map((x) => `${x.line}:${x.column} ${x.message.split(":")[0]}`)).toEqual([
      "1:32 M freezes a Map, which Object.freeze does not make immutable",
      "2:16 the default export is a module-level object that is not frozen",
      "3:41 (anonymous class).table is a module-level object that is not frozen",
      "4:12 module-level var legacy",
    ]);
  });

  it("catches globals reached by name, runtime compilation and collection-dependent objects", () => {
    const src = [
      'const now = (globalThis as any)["Date"].now();',
      'const f = new Function("return 1"); const e = eval("1");',
      "const r = new WeakRef({}); const g = new FinalizationRegistry(() => {});",
      "let cb: Function | undefined;",
    ].join("\n");
    // The module-level state these lines also create is the subject of the fixture test above.
    const found = checkSource("runtime/x.ts", src).map(formatViolation);
    expect(found.filter((v) => /\(xsl: (not frozen|no const)\)/.test(v)).map((v) => v.split(" is ")[0]!.split(": module-level")[0])).toEqual([
      "runtime/x.ts:2:11: f",
      "runtime/x.ts:3:11: r",
      "runtime/x.ts:3:38: g",
      "runtime/x.ts:4:5",
    ]);
    expect(found.filter((v) => !/\(xsl: /.test(v))).toEqual([
      "runtime/x.ts:1:14: uses globalThis: reaches globals by name, around this check (the world comes from main(host))",
      "runtime/x.ts:2:15: uses Function: runtime compilation may be stripped from Moddable builds",
      "runtime/x.ts:2:47: uses eval: runtime compilation may be stripped from Moddable builds",
      "runtime/x.ts:3:15: uses WeakRef: garbage-collection timing differs between engines",
      "runtime/x.ts:3:42: uses FinalizationRegistry: garbage-collection timing differs between engines",
    ]);
  });
});
