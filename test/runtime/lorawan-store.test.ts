/**
 * What a LoRaWAN device keeps across resets (runtime/link/lorawan/store.ts): the DevNonce is never handed out twice
 * (TS001-1.0.4 §6.2.5), in retained words or in NOR flash with power cut at every write and erase (the simulator's
 * flash model), and a saved session comes back whole or not at all. Portable: runs on V8 and XS.
 */
import { describe, expect, it } from "vitest";
import { PowerCut, RetainedWords as Words, SimFlash } from "../../simulator/core/flash.js";
import { FlashDevNonceCounter, RetainedLorawanStore } from "../../runtime/link/lorawan/store.js";

const layout = (writeAlign = 4) => ({ size: 1024, blockLength: 256, writeAlign, partitions: { lorawan: { offset: 256, size: 768 } } });

describe("DevNonce in retained words", () => {
  it("counts 0, 1, 2 … across store instances and refuses after 65535", () => {
    const w = new Words();
    expect([0, 1, 2].map(() => new RetainedLorawanStore(w, 3, 20).takeDevNonce())).toEqual([0, 1, 2]);
    w.set(3, (0xd0 << 24) | 0xffff);
    const s = new RetainedLorawanStore(w, 3, 20);
    expect(s.takeDevNonce()).toBe(0xffff);
    expect(() => s.takeDevNonce()).toThrow("all 65536 DevNonce values are used");
  });

  it("rejects a word range outside retained memory, naming it", () => {
    expect(() => new RetainedLorawanStore(new Words(), 20, 20)).toThrow("LoRaWAN store: retained words 20…39 do not fit in 0…31");
  });
});

describe("session in retained words", () => {
  it("comes back byte for byte; a damaged or missing one reads as none", () => {
    const w = new Words();
    const s = new RetainedLorawanStore(w, 0, 20);
    expect(s.loadSession()).toBeUndefined();
    const bytes = new Uint8Array(72).map((_, i) => (i * 37 + 11) & 0xff);
    s.saveSession(bytes);
    expect(Array.from(new RetainedLorawanStore(w, 0, 20).loadSession()!)).toEqual(Array.from(bytes));
    w.set(7, w.get(7) ^ 0x100);
    expect(s.loadSession()).toBeUndefined();
    s.saveSession(bytes);
    s.clearSession();
    expect(s.loadSession()).toBeUndefined();
    expect(() => new RetainedLorawanStore(w, 0, 10).saveSession(bytes)).toThrow("a session of 72 bytes needs 20 retained words, have 10");
  });
});

describe("DevNonce in NOR flash", () => {
  it("survives restarts and rotates between its two blocks (32 records of 8 bytes per 256-byte block)", () => {
    const flash = new SimFlash(layout());
    const got: number[] = [];
    for (let boot = 0; boot < 20; boot++) {
      const c = new FlashDevNonceCounter(flash.open("lorawan"), 1);
      for (let i = 0; i < 7; i++) got.push(c.takeDevNonce());
    }
    expect(got).toEqual(Array.from({ length: 140 }, (_, i) => i));
    expect(flash.overprograms).toBe(0);
    expect(flash.erases).toBeGreaterThanOrEqual(4);
  });

  it.each([4, 16])("never hands a nonce out twice when power is cut at any write or erase (write alignment %i)", (align) => {
    // Cut power at operation k (a write torn after a few bytes, or an erase half done), reboot, carry on; for every k.
    for (let k = 1; k <= 90; k++) {
      const flash = new SimFlash(layout(align));
      let ops = 0;
      flash.beforeOperation = (op) => (++ops === k ? (op.kind === "write" ? k % 7 : 0) : undefined);
      const handed: number[] = [];
      let c = new FlashDevNonceCounter(flash.open("lorawan"), 0);
      let cuts = 0;
      while (handed.length < 80) {
        try {
          handed.push(c.takeDevNonce());
        } catch (e) {
          if (!(e instanceof PowerCut)) throw e;
          cuts++;
          c = new FlashDevNonceCounter(flash.open("lorawan"), 0);
        }
      }
      for (let i = 1; i < handed.length; i++) expect(handed[i]!, `cut at op ${k}`).toBeGreaterThan(handed[i - 1]!);
      // A cut costs at most one nonce (the one whose record was being written).
      expect(handed.at(-1)! - handed[0]! + 1, `cut at op ${k}`).toBeLessThanOrEqual(handed.length + cuts);
      expect(flash.overprograms, `cut at op ${k}`).toBe(0);
    }
  });

  it("needs two blocks that fit in the partition", () => {
    expect(() => new FlashDevNonceCounter(new SimFlash(layout()).open("lorawan"), 2)).toThrow("blocks 2 and 3 do not fit in a partition of 3 blocks");
  });
});
