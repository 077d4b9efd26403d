/**
 * The simulator's NOR flash (simulator/core/flash.ts), which the emulated MCU's image uses too: erased bytes read
 * 0xFF, programming only clears bits, erase restores whole blocks and is counted, a power cut leaves a write
 * partial or an erase half done, and memory is taken only for blocks that were written.
 */
import { describe, expect, it } from "vitest";
import { PowerCut, SimFlash } from "../../simulator/core/flash.js";

const layout = { size: 4 * 1024 * 1024, blockLength: 4096, writeAlign: 4, partitions: { storage: { offset: 0x380000, size: 0x10000 } } };

describe("SimFlash", () => {
  it("reads erased flash as 0xFF and programs by AND, counting attempts to set bits back to 1", () => {
    const flash = new SimFlash(layout);
    const p = flash.open("storage");
    expect([...p.read(0, 4)]).toEqual([0xff, 0xff, 0xff, 0xff]);
    p.write(4096 - 4, Uint8Array.of(0xf0, 0x0f, 0xaa, 0x55)); // the last word of block 0
    p.write(4096 - 4, Uint8Array.of(0xff, 0xff, 0x0f, 0x55));
    expect([...p.read(4096 - 4, 6)]).toEqual([0xf0, 0x0f, 0x0a, 0x55, 0xff, 0xff]);
    expect(flash.overprograms).toBe(3);
    expect(flash.byte(0x380000 + 4096 - 2)).toBe(0x0a);
    expect(() => p.write(2, Uint8Array.of(0, 0, 0, 0))).toThrow(/not 4-byte aligned/);
    expect(() => p.read(0x10000 - 2, 4)).toThrow(/outside the partition/);
  });

  it("erases whole blocks and counts them; a power cut leaves a write partial and an erase half done", () => {
    const flash = new SimFlash(layout);
    const p = flash.open("storage");
    p.write(0, new Uint8Array(8));
    p.write(4096, new Uint8Array(4));
    p.eraseBlock(0);
    expect([...p.read(0, 8)]).toEqual(new Array(8).fill(0xff));
    expect([...p.read(4096, 4)]).toEqual([0, 0, 0, 0]);
    expect(flash.eraseCounts.get(0x380000 / 4096)).toBe(1);
    flash.beforeOperation = (op) => (op.kind === "write" ? 2 : 0);
    expect(() => p.write(16, new Uint8Array(4))).toThrow(PowerCut);
    expect([...p.read(16, 4)]).toEqual([0, 0, 0xff, 0xff]);
    // An erase cut before it completes leaves the first half of the block erased and the rest as it was.
    flash.beforeOperation = undefined;
    p.write(4096 + 2048, new Uint8Array(4));
    flash.beforeOperation = () => 0;
    expect(() => p.eraseBlock(1)).toThrow(PowerCut);
    expect([...p.read(4096, 4)]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect([...p.read(4096 + 2048, 4)]).toEqual([0, 0, 0, 0]);
    expect(flash.eraseCounts.get(0x380000 / 4096 + 1)).toBeUndefined();
  });
});
