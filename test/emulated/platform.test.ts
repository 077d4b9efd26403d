/**
 * The bare-metal platform layer on QEMU mps2-an386: XS runs on the Cortex-M4F, prints over semihosting, returns an
 * exit code; bytecode compiled on the host runs from flash and prints what V8 prints for the same script; the
 * parser fallback too; out-of-memory ends the run as a board's XS abort does, stack overflow is a JS RangeError; idle time is skipped exactly and two
 * runs are identical; a missing tool names its Debian package.
 */
import { describe, expect, test } from "vitest";
import type { XsCreation } from "../../emulator/host/creation.js";
import { buildFirmware } from "../../emulator/host/firmware.js";
import { makeProgram } from "../../emulator/host/program.js";
import type { ProgramKind } from "../../emulator/host/program.js";
import { PROFILES } from "../../emulator/host/profiles.js";
import type { ProfileName } from "../../emulator/host/profiles.js";
import { runQemu } from "../../emulator/host/qemu.js";
import { armToolchain, MissingToolError, qemuSystemArm } from "../../emulator/host/toolchain.js";

// A creation of no board: heaps that grow (8 KB at a time) until the profile's RAM runs out.
const CREATION: XsCreation = { chunk: 32768, chunkIncrement: 8192, heap: 2048, heapIncrement: 512, stack: 512, keys: 256, keysIncrement: 32, nameModulo: 53, symbolModulo: 3, parserBuffer: 1024, parserTable: 17, static: 0 };

async function run(code: string, kind: ProgramKind = "bytecode", profile: ProfileName = "mps2-4m") {
  const program = await makeProgram(code, kind);
  const fw = await buildFirmware({ profile: PROFILES[profile], creation: CREATION, program: program.blob, parser: kind === "source" });
  const r = await runQemu(fw.elf, { timeoutMs: 30_000 });
  const printed = r.console.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  return { ...r, printed, fw, program };
}

/** What V8 prints for a script that uses `print` (the image's global) and `native.exit`. */
function v8(code: string): string[] {
  const lines: string[] = [];
  const print = (...a: unknown[]) => lines.push(a.map(String).join(" "));
  const native = { exit: () => undefined, programKind: "v8" };
  new Function("print", "native", code)(print, native);
  return lines;
}

const WORKLOAD = `
"use strict";
class Ring { #buf = new Float64Array(8); #i = 0; push(v) { this.#buf[this.#i++ & 7] = v; } get mean() { let s = 0; for (const x of this.#buf) s += x; return s / 8; } }
const r = new Ring(); for (let i = 0; i < 20; i++) r.push(i * 1.5 + 0.1);
print("mean", r.mean, Math.sqrt(2), 0.1 + 0.2, (1e21).toString(), (123.456).toFixed(2), 2 ** 53 + 2);
const dv = new DataView(new ArrayBuffer(8)); dv.setFloat32(0, 22.37); dv.setUint16(4, 0xbeef);
print("bytes", Array.from(new Uint8Array(dv.buffer)).join(","), dv.getFloat32(0));
const o = { name: "héllo wörld ☃", list: [3, 1, 2].sort(), nested: { a: null, b: [true, false] } };
print(JSON.stringify(o), o.name.length, encodeURIComponent(o.name));
print([..."abc"].map((c) => c.charCodeAt(0)).join("-"), "x".padStart(4, "ab"), /(\\d+)-(\\d+)/.exec("a 12-34 b").slice(1).join("+"));
const m = new Map([[1, "one"], [2, "two"]]); print(m.size, [...m.values()].join("/"), new Set("hello").size);
let caught = ""; try { null.x; } catch (e) { caught = e.name; } print("caught", caught);
print("int", (0x7fffffff + 1) | 0, -7 >> 1, -7 >>> 28, Math.imul(0x12345678, 0x9abcdef), Math.clz32(1));
native.exit(7);
`;

describe("XS bare-metal on mps2-an386", () => {
  test("host-compiled bytecode runs from flash and prints what V8 prints; the exit code reaches the host", async () => {
    const r = await run(WORKLOAD, "bytecode");
    expect(r.exitCode).toBe(7);
    expect(r.printed).toEqual(v8(WORKLOAD));
    expect(r.console).toContain("#boot machine");
    expect(r.program.kind).toBe("bytecode");
  });

  test("the parse-on-device fallback gives the same output", async () => {
    const r = await run(WORKLOAD, "source");
    expect(r.exitCode).toBe(7);
    expect(r.printed).toEqual(v8(WORKLOAD));
  });

  test("the image without a parser refuses eval with a JS error, not a crash", async () => {
    const r = await run(`try { eval("1+1"); } catch (e) { print(e.name, e.message); }`, "bytecode");
    expect(r.exitCode).toBe(0);
    expect(r.printed[0]).toMatch(/^Error this image has no JS parser/);
  });

  test("bytecode keeps the parser out of flash", async () => {
    const withParser = await run(`print(1)`, "source");
    const without = await run(`print(1)`, "bytecode");
    expect(withParser.fw.sections.text - without.fw.sections.text).toBeGreaterThan(50_000);
  });

  // A board's fxAbort reports "XS abort: memory full" and resets (Moddable xs/platforms/*/xsPlatform.c): so does the
  // image, saying what ran out. A program cannot catch it.
  test("out of memory ends the run as XS's memory-full abort does on a board, naming what ran out (nRF52840 profile)", async () => {
    const code = `
      const keep = []; let n = 0;
      try { for (;;) { keep.push(new Uint8Array(1000)); n++; } } catch (e) { print("caught", e.name); }
      print("not reached");`;
    const r = await run(code, "bytecode", "nrf52840");
    expect(r.exitCode).toBe(3); // EXIT_OUT_OF_MEMORY
    expect(r.printed).toEqual([]);
    // Growing heaps (this creation's increments) ran into the end of the profile's 256 KB: malloc refused.
    const m = /^#abort xs-memory-full from=malloc request=(\d+) .* heap=(\d+) peak=(\d+) /m.exec(r.console)!;
    expect(m).not.toBeNull();
    expect(Number(m[3])).toBeGreaterThan(200 * 1024);
    expect(Number(m[3])).toBeLessThan(PROFILES.nrf52840.ramBytes);
    expect(r.console).not.toMatch(/^#fault/m);
  });

  test("runaway recursion is a RangeError, and the C stack stays inside its limit", async () => {
    const r = await run(`function deep(n) { return n === 0 ? 0 : 1 + deep(n - 1); } try { deep(1e6); } catch (e) { print(e.name, e.message); }`, "bytecode", "nrf52840");
    expect(r.exitCode).toBe(0);
    expect(r.printed).toEqual(["RangeError stack overflow"]);
    const end = /#end .* stack=(\d+)\/(\d+)/.exec(r.console);
    expect(Number(end![1])).toBeLessThan(Number(end![2]));
  });

  test("idle time is skipped to the deadline exactly, and two runs are identical", async () => {
    const code = `
      let n = 0; const wakes = [];
      globalThis.__ganzhi = { dispatch(now) {
        wakes.push(now);
        if (++n > 400) { print(wakes.slice(1).map((t, i) => (t - 250000 * (i + 1)).toFixed(2)).filter((d, i, a) => a.indexOf(d) === i).join(" ")); print("last", wakes[wakes.length - 1]); return -1; }
        let x = 0; for (let i = 0; i < (n % 7) * 100; i++) x += i;
        return 250000 * n;
      } };`;
    const a = await run(code, "bytecode");
    const b = await run(code, "bytecode");
    expect(a.exitCode).toBe(0);
    // Every wake lands within a few instructions (16 ns each) after its deadline, whatever the work before it.
    for (const late of a.printed[0]!.split(" ").map(Number)) {
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(2);
    }
    expect(Number(a.printed[1]!.split(" ")[1])).toBeGreaterThan(100e6);
    expect(b.console).toBe(a.console);
    // Skipped, not waited out: nearly all of the 100 s of guest time is the clock's jumps (counted in SysTick ticks
    // by the image itself), one per wake, rather than instructions run.
    const end = /#end .* ticks=(\d+) idle=(\d+) skips=(\d+)/.exec(a.console)!;
    expect(Number(end[2]) / Number(end[1])).toBeGreaterThan(0.95);
    expect(Number(end[3])).toBeGreaterThanOrEqual(400);
  });

  test("a missing tool is one message naming the Debian package", () => {
    expect(() => armToolchain({ PATH: "/nonexistent" })).toThrow(MissingToolError);
    expect(() => armToolchain({ PATH: "/nonexistent" })).toThrow(/install the Debian package gcc-arm-none-eabi/);
    expect(() => qemuSystemArm({ PATH: "/nonexistent" })).toThrow(/qemu-system-arm not found on PATH: install the Debian package qemu-system-arm/);
  });
});
