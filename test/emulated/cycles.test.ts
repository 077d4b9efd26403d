/**
 * Pricing emulated instructions in Cortex-M4 cycles (emulator/host/cycles.ts): the ARM Cortex-M4 TRM's counts on
 * QEMU log lines written by hand, then the reference range board-timing.ts holds against a fresh trace of the
 * weather station's image (QEMU `-d in_asm,exec,nochain`).
 */
import { describe, expect, it } from "vitest";
import { CORTEX_M4_CPI } from "../../emulator/host/board-timing.js";
import { baseOf, FLASH_ALLOWANCE, MixCounter, roundedRange } from "../../emulator/host/cycles.js";
import { referenceMix } from "../../emulator/host/cycles-report.js";

/** A translated block as QEMU logs it (`IN:` then one line per instruction). */
function block(lines: [number, string, string][]): string[] {
  return ["----------------", "IN: f", ...lines.map(([pc, size, text]) => `0x${pc.toString(16).padStart(8, "0")}:  ${size === "4" ? "f8d3 2d88" : "4a0f     "}  ${text}`), ""];
}
const exec = (host: string, pc: number, symbol = "f") => `Trace 0: ${host} [00800408/${pc.toString(16).padStart(8, "0")}/00000110/ff020200] ${symbol}`;

describe("instruction pricing (ARM Cortex-M4 TRM, table 3-1)", () => {
  it("reads QEMU's mnemonics: width, flags and condition stripped; bl is a call, bls a branch on lower-or-same", () => {
    expect(baseOf("orrsne.w")).toEqual({ base: "alu", conditional: false });
    expect(baseOf("bls")).toEqual({ base: "b", conditional: true });
    expect(baseOf("bl")).toEqual({ base: "bl", conditional: false });
    expect(baseOf("mls")).toEqual({ base: "mls", conditional: false });
    expect(baseOf("ldrbne")).toEqual({ base: "ldrb", conditional: true });
    expect(baseOf("popge")).toEqual({ base: "pop", conditional: true });
    expect(baseOf("ittet")).toEqual({ base: "it", conditional: false });
  });

  it("counts only what runs as the device or its provider, pipelines neighbouring loads, and prices branches once their outcome is known", () => {
    const m = new MixCounter();
    const feed = (lines: string[]) => lines.forEach((l) => m.line(l));
    // A harness block first: not counted.
    feed(block([[0x100, "2", "ldr      r2, [pc, #0x3c]"], [0x102, "2", "bx       lr"]]));
    feed([exec("0x7f0001", 0x100, "loop_run")]);
    // The device's mode begins (the firmware's marker), then: two loads (2 + 1 pipelined), a store after a load
    // (1 best, 2 worst), an add, and a conditional branch.
    feed(block([[0x200, "2", "nop"]]));
    feed([exec("0x7f0002", 0x200, "mode_now_device")]);
    feed(block([[0x300, "2", "ldr      r0, [r1]"], [0x302, "2", "ldr      r2, [r1, #4]"], [0x304, "2", "str      r2, [r3]"], [0x306, "2", "adds     r0, #1"], [0x308, "2", "bne      #0x300"]]));
    feed([exec("0x7f0003", 0x300)]);
    // The branch was taken: the next block is its target, not 0x30a.
    feed([exec("0x7f0003", 0x300)]);
    // Not taken: the next block starts right after it.
    feed(block([[0x30a, "2", "pop      {r4, r5, pc}"]]));
    feed([exec("0x7f0004", 0x30a)]);
    // Back to the harness (its marker), whose blocks are not counted again.
    feed(block([[0x210, "2", "nop"]]));
    feed([exec("0x7f0005", 0x210, "mode_now_harness")]);
    feed([exec("0x7f0001", 0x100, "loop_run")]);
    const mix = m.mix();
    // 5 + 5 + 1 instructions (the harness block's 2 left out, the marker's nop counted in the device's mode).
    expect(mix.instructions).toBe(12);
    expect(mix.taken).toBe(2); // bne once taken, pop {pc} always
    expect(mix.notTaken).toBe(1);
    expect(mix.pipelined).toBe(4); // the second load and the store, twice
    // Per pass: ldr 2, ldr 1|2, str 1|2, adds 1 → best 5, worst 7; bne taken 2|4, not taken 1|1; pop {r4,r5,pc}
    // 1 + 3 + P → 5|7; the marker's nop 1.
    expect(mix.cycles.best).toBe(1 + 5 + 2 + 5 + 1 + 5);
    expect(mix.cycles.worst).toBeCloseTo((1 + 7 + 4 + 7 + 1 + 7) * (1 + FLASH_ALLOWANCE), 9);
  });
});

describe("the reference range (board-timing.ts CORTEX_M4_CPI)", () => {
  it("is what `node out/emulator/host/cycles-report.js` prints: the weather station's traced instructions, priced", async () => {
    const esp = await referenceMix("esp32-devkitc");
    expect(esp.instructions).toBeGreaterThan(1_000_000);
    // The XS interpreter's stream: about a third loads, a fifth branches.
    expect((esp.classes.load ?? 0) / esp.instructions).toBeGreaterThan(0.2);
    expect((esp.classes.branch ?? 0) / esp.instructions).toBeGreaterThan(0.1);
    expect(esp.cpi.best).toBeGreaterThan(1);
    expect(esp.cpi.worst).toBeGreaterThan(esp.cpi.best);
    // The constant covers this board's trace and is no wider than rounding outwards makes it.
    const mine = roundedRange([esp]);
    expect(CORTEX_M4_CPI.best).toBeLessThanOrEqual(mine.best);
    expect(CORTEX_M4_CPI.worst).toBeGreaterThanOrEqual(mine.worst);
    expect(mine.best - CORTEX_M4_CPI.best).toBeLessThan(0.03);
    expect(CORTEX_M4_CPI.worst - mine.worst).toBeLessThan(0.03);
  }, 600_000);
});
