/**
 * The image's AES-128 (emulator/firmware/aes128.c behind `native.aesExpand`/`aesEncrypt`, the C `host.cipher` runs
 * on the emulated Cortex-M4) against FIPS-197's worked examples (Appendix B, Appendix C.1), compiled for the board's
 * CPU by arm-none-eabi-gcc as the image is. The host XS runner's build of the same C is checked by
 * test/runtime/aes128.test.ts on XS; LoRaWAN frames through it by test/emulated/lorawan.test.ts.
 */
import { describe, expect, test } from "vitest";
import type { XsCreation } from "../../emulator/host/creation.js";
import { buildFirmware } from "../../emulator/host/firmware.js";
import { makeProgram } from "../../emulator/host/program.js";
import { PROFILES } from "../../emulator/host/profiles.js";
import { runQemu } from "../../emulator/host/qemu.js";

const CREATION: XsCreation = { chunk: 32768, chunkIncrement: 8192, heap: 2048, heapIncrement: 512, stack: 512, keys: 256, keysIncrement: 32, nameModulo: 53, symbolModulo: 3, parserBuffer: 1024, parserTable: 17, static: 0 };

const SCRIPT = `
"use strict";
const hex = (b, at) => { let s = ""; for (let i = at; i < at + 16; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16); return s; };
const bytes = (h) => { const a = new Uint8Array(h.length / 2); for (let i = 0; i < a.length; i++) a[i] = parseInt(h.substr(2 * i, 2), 16); return a; };
function encrypt(k, p) {
  const schedule = new ArrayBuffer(native.aesScheduleBytes);
  native.aesExpand(bytes("ff" + k).buffer, 1, schedule);
  const buf = new Uint8Array(32);
  buf.set(bytes(p), 5);
  native.aesEncrypt(schedule, buf.buffer, 5, buf.buffer, 5);
  return hex(buf, 5) + " " + buf[4] + " " + buf[21];
}
print(encrypt("2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734"));
print(encrypt("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff"));
let thrown = "";
try { native.aesEncrypt(new ArrayBuffer(native.aesScheduleBytes), new ArrayBuffer(16), 1, new ArrayBuffer(16), 0); } catch (e) { thrown = e.message; }
print(thrown);
// What a block costs on the Cortex-M4 as the provider: 1,000 blocks between two reads of the mode's ticks.
const schedule = new ArrayBuffer(native.aesScheduleBytes);
native.aesExpand(new ArrayBuffer(16), 0, schedule);
const block = new ArrayBuffer(16);
const before = native.mode(2);
const t0 = native.modeTicks()[2];
for (let i = 0; i < 1000; i++) native.aesEncrypt(schedule, block, 0, block, 0);
const t1 = native.modeTicks()[2];
native.mode(before);
print(String(t1 - t0));
native.exit(0);
`;

describe("AES-128 on the emulated Cortex-M4 (FIPS-197)", () => {
  test("Appendix B and C.1 at odd offsets, bounds named, and its cost per block", async () => {
    const program = await makeProgram(SCRIPT, "bytecode");
    const fw = await buildFirmware({ profile: PROFILES["mps2-4m"], creation: CREATION, program: program.blob, parser: false });
    const r = await runQemu(fw.elf, { timeoutMs: 60_000 });
    const printed = r.console.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(r.exitCode).toBe(0);
    expect(printed.slice(0, 3)).toEqual(["3925841d02dc09fbdc118597196a0b32 0 0", "69c4e0d86a7b0430d8cdb78070b4c55a 0 0", "aes: input block at 1 outside 16 bytes"]);
    // 25 MHz ticks at 16 ns an instruction: 2.5 instructions a tick. A block with XS's host call and the loop around
    // it measured 2,716 instructions (42 µs at 64 MHz and 1 cycle an instruction), where AES in XS byte code took
    // about 220,000.
    const instructionsPerBlock = (Number(printed[3]) * 2.5) / 1000;
    expect(instructionsPerBlock).toBeGreaterThan(100);
    expect(instructionsPerBlock).toBeLessThan(5000);
    console.log(`AES-128 on the emulated Cortex-M4: ${Math.round(instructionsPerBlock)} instructions a block, host call and loop included`);
  }, 300_000);
});
