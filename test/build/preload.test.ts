/**
 * The preload check: what a module may do at its top level when Moddable runs it on the build machine
 * (documentation/xs/preload.md: no native calls; values are frozen into flash). ASTs come from rollup's parser.
 */
import { parseAst } from "rollup/parseAst";
import { describe, expect, it } from "vitest";
import { analyzePreload } from "../../tools/build/preload.js";

function check(code: string) {
  return analyzePreload(parseAst(code), code);
}

describe("preload check", () => {
  it.each([
    ["a call into a Moddable module", `import Timer from "timer";\nconst t = Timer.set(() => {}, 10);`, /calls Timer\.set \(from the Moddable module "timer"\)/],
    ["constructing a Moddable IO class", `import I2C from "embedded:io/i2c";\nexport const bus = new I2C({ data: 1, clock: 2, hz: 1, address: 8 });`, /constructs I2C \(from the Moddable module "embedded:io\/i2c"\)/],
    ["a host global", `trace("hello\\n");`, /calls the global trace/],
    ["a build-time clock", `export const BOOT = Date.now();`, /Date\.now\(\).*build machine/],
    ["a build-time random number", `const seed = Math.random();`, /Math\.random\(\).*build machine/],
    ["top-level await", `const x = await Promise.resolve(1);`, /top-level await/],
    ["a class static block", `import Timer from "timer";\nclass A { static { Timer.delay(1); } }`, /calls Timer\.delay/],
  ])("flags %s", (_what, code, message) => {
    const r = check(code);
    expect(r.unsafe.map((f) => f.message).join("\n")).toMatch(message);
  });

  it("allows declarations, frozen data, and calls to the module's own or imported device-code functions", () => {
    const code = [
      `import { crc8 } from "./crc.js";`,
      `import Digital from "embedded:io/digital";`,
      `function table(n) { const t = new Uint8Array(n); for (let i = 0; i < n; i++) t[i] = i; return t; }`,
      `export const MODES = Object.freeze({ input: Digital.Input, high: 0x2400 });`,
      `const CHECK = crc8(new Uint8Array([1, 2]));`,
      `const T = Object.freeze(table(4));`,
      `export class Driver { static NAME = "x"; #state = 0; read() { return Digital.Input + this.#state; } }`,
      `export default function main(host) { trace("ok"); return host; }`,
    ].join("\n");
    const r = check(code);
    expect(r.unsafe).toEqual([]);
  });

  it("does not block preload for mutable module-level state (tools/lint/frozen.ts reports it)", () => {
    const r = check(`let count = 0;\nexport const cache = new Map();\nexport function bump() { return ++count; }`);
    expect(r.unsafe).toEqual([]);
  });
});
