/**
 * The power-fail-safe record log (runtime/flash-records.ts) on the simulator's NOR flash: records come back byte for
 * byte across mounts and rotations, and with power cut at every write (after 0, 1, half and all but one of its bytes)
 * and every erase of a long run, a remount finds every acknowledged record (but the oldest a full log gives up), the
 * record in flight whole or not at all, nothing else, and the log carries on — also after a second cut during the
 * recovery. Portable: runs on V8 and XS.
 */
import { describe, expect, it } from "vitest";
import { PowerCut, SimFlash, type FlashOperation } from "../../simulator/core/flash.js";
import { FlashRecordLog } from "../../runtime/flash-records.js";

const BLOCK = 256;
const layout = (writeAlign = 4) => ({ size: 8 * BLOCK, blockLength: BLOCK, writeAlign, partitions: { log: { offset: 2 * BLOCK, size: 4 * BLOCK } } });

/** The payload of record i: its length and bytes both follow from i, so a record read back names itself. */
function payload(i: number, max: number): Uint8Array {
  const n = 2 + (i % (max - 1));
  const b = new Uint8Array(n);
  b[0] = i & 0xff;
  b[1] = i >>> 8;
  for (let k = 2; k < n; k++) b[k] = (i * 31 + k * 7) & 0xff;
  return b;
}

interface Seen {
  kind: number;
  seq: number;
  index: number;
}

/** Every record in the log; fails on a record whose bytes are not exactly what was appended for its index. */
function readAll(log: FlashRecordLog): Seen[] {
  const out: Seen[] = [];
  log.forEach((kind, seq, data, offset, length) => {
    const index = data[offset]! | (data[offset + 1]! << 8);
    const want = payload(index, log.maxPayload);
    expect(Array.from(data.subarray(offset, offset + length)), `record ${index} read back`).toEqual(Array.from(want));
    expect(kind).toBe(index % 3);
    out.push({ kind, seq, index });
  });
  return out;
}

/** Append records from..to−1 (kind index % 3); returns the indexes acknowledged before a power cut, if any. */
function run(log: FlashRecordLog, from: number, to: number, acked: number[]): boolean {
  for (let i = from; i < to; i++) {
    try {
      log.append(i % 3, payload(i, log.maxPayload));
    } catch (e) {
      if (e instanceof PowerCut) return false;
      throw e;
    }
    acked.push(i);
  }
  return true;
}

/** Cut power at operation number `at` (1-based) of the flash, tearing a write after `bytes(length)` bytes. */
function cutAt(flash: SimFlash, at: number, bytes: (length: number) => number): void {
  let n = 0;
  flash.beforeOperation = (op: FlashOperation) => {
    n++;
    if (n !== at) return undefined;
    return op.kind === "write" ? bytes(op.length) : 0;
  };
}

/** What a remount must show after acknowledged records `acked` and the one in flight (`inFlight`, or −1). */
function checkAfterCut(log: FlashRecordLog, acked: readonly number[], inFlight: number, lost: number): number[] {
  const seen = readAll(log);
  const idx = seen.map((s) => s.index);
  // Sequence numbers only grow, and the records are the appended ones in order: a contiguous run of indexes.
  for (let k = 1; k < seen.length; k++) {
    expect(seen[k]!.seq).toBeGreaterThan(seen[k - 1]!.seq);
    expect(idx[k]).toBe(idx[k - 1]! + 1);
  }
  const last = acked.length ? acked[acked.length - 1]! : -1;
  const top = idx.length ? idx[idx.length - 1]! : -1;
  // The newest record is the last acknowledged one, or the one in flight, whole.
  expect(top === last || (inFlight >= 0 && top === inFlight), `newest ${top}, acknowledged up to ${last}, in flight ${inFlight}`).toBe(true);
  // Nothing acknowledged is missing but what the full log gave up (its capacity, less slots torn by cuts).
  const keep = Math.min(acked.length, log.capacity - lost);
  for (const i of acked.slice(acked.length - keep)) expect(idx, `acknowledged record ${i}`).toContain(i);
  return idx;
}

describe("FlashRecordLog", () => {
  it("keeps records across mounts and rotations, oldest first, and gives up only the oldest block when full", () => {
    const flash = new SimFlash(layout());
    let log = new FlashRecordLog(flash.open("log"));
    expect(log.maxPayload).toBe(16);
    expect(log.capacity).toBe(3 * 7);
    const acked: number[] = [];
    for (let boot = 0; boot < 10; boot++) {
      log = new FlashRecordLog(flash.open("log"));
      run(log, acked.length, acked.length + 9, acked);
      const idx = readAll(new FlashRecordLog(flash.open("log"))).map((s) => s.index);
      expect(idx.length).toBeGreaterThanOrEqual(Math.min(acked.length, log.capacity));
      expect(idx).toEqual(acked.slice(acked.length - idx.length));
    }
    expect(log.nextSequence).toBe(90);
    expect(flash.overprograms).toBe(0);
    const out = new Uint8Array(log.maxPayload);
    const seq = new Float64Array(1);
    expect(log.latest(1, out, seq)).toBe(payload(88, log.maxPayload).length);
    expect(seq[0]).toBe(88);
    expect(log.latest(7, out)).toBe(-1);
  });

  it("reads a record whose bits decayed after it was committed as absent (its CRC-32), and the others as they were", () => {
    const flash = new SimFlash(layout());
    const log = new FlashRecordLog(flash.open("log"));
    run(log, 0, 5, []);
    // Record 2 sits in slot 3 of block 0; clear a bit in its payload (bytes 8…) behind the log's back.
    const p = flash.open("log");
    p.write(3 * 32 + 8, Uint8Array.of(0xff, 0xff, 0x00, 0xff));
    expect(readAll(new FlashRecordLog(flash.open("log"))).map((s) => s.index)).toEqual([0, 1, 3, 4]);
  });

  it("rejects what does not fit, naming the log", () => {
    const flash = new SimFlash(layout());
    const log = new FlashRecordLog(flash.open("log"), { name: "meter snapshots" });
    expect(() => log.append(1, new Uint8Array(17))).toThrow("meter snapshots: a record of 17 bytes does not fit a 32-byte slot (at most 16)");
    expect(() => log.append(255, new Uint8Array(1))).toThrow("meter snapshots: record kind 255 is not in 0…254");
    expect(() => new FlashRecordLog(flash.open("log"), { blocks: 5 })).toThrow("record log: blocks 0…4 (at least 2) do not fit in a partition of 4 blocks");
    expect(() => new FlashRecordLog(flash.open("log"), { slotBytes: 30 })).toThrow(/slotBytes 30 must be a multiple of the write alignment \(4\)/);
  });

  const TOTAL = 70;
  const cuts: [string, (n: number) => number][] = [
    ["nothing", () => 0],
    ["one byte", () => 1],
    ["half", (n) => n >> 1],
    ["all but one byte", (n) => n - 1],
  ];

  it.each([4, 16])("after a power cut at any write or erase, nothing acknowledged is lost and nothing half-written is read (write alignment %i)", (align) => {
    // The uninterrupted run, to know how many operations there are.
    const reference = new SimFlash(layout(align));
    run(new FlashRecordLog(reference.open("log")), 0, TOTAL, []);
    const ops = reference.writes + reference.erases;
    expect(reference.erases).toBeGreaterThan(5);
    let cutsMade = 0;
    for (let k = 1; k <= ops; k++) {
      for (const [, bytes] of cuts) {
        const flash = new SimFlash(layout(align));
        cutAt(flash, k, bytes);
        const acked: number[] = [];
        const done = run(new FlashRecordLog(flash.open("log")), 0, TOTAL, acked);
        if (done) continue; // the cut fell on an operation this run never reached
        cutsMade++;
        flash.beforeOperation = undefined;
        // Records go in index order: 0…n−1 were acknowledged, n was in flight.
        const log = new FlashRecordLog(flash.open("log"));
        const idx = checkAfterCut(log, acked, acked.length, 1);
        // The device goes on: the record in flight again if it did not land, then the rest.
        if (idx.includes(acked.length)) acked.push(acked.length);
        expect(run(log, acked.length, TOTAL, acked)).toBe(true);
        checkAfterCut(new FlashRecordLog(flash.open("log")), acked, -1, 1);
        expect(flash.overprograms).toBe(0);
      }
    }
    expect(cutsMade).toBeGreaterThan(4 * 150);
  });

  it("survives a second cut during the recovery from the first", () => {
    let checked = 0;
    for (const k of [3, 40, 61, 62, 97, 118]) {
      for (let j = 1; j <= 40; j++) {
        const flash = new SimFlash(layout());
        cutAt(flash, k, (n) => n >> 1);
        // Records are appended in index order, so the acknowledged ones are 0…n−1 and the one in flight is n.
        const acked: number[] = [];
        if (run(new FlashRecordLog(flash.open("log")), 0, TOTAL, acked)) continue;
        // Reboot; power fails again at the j-th operation after it.
        cutAt(flash, j, (n) => n - 1);
        let log = new FlashRecordLog(flash.open("log"));
        if (readAll(log).some((s) => s.index === acked.length)) acked.push(acked.length);
        const done = run(log, acked.length, TOTAL, acked);
        flash.beforeOperation = undefined;
        log = new FlashRecordLog(flash.open("log"));
        const idx = checkAfterCut(log, acked, done ? -1 : acked.length, 2);
        if (idx[idx.length - 1] === acked.length) acked.push(acked.length);
        expect(run(log, acked.length, TOTAL, acked)).toBe(true);
        checkAfterCut(new FlashRecordLog(flash.open("log")), acked, -1, 2);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
