/**
 * Preparation (the project's preload, emulator/host/prepare.ts, emulator/firmware/prepare.c): a program's modules
 * prepared ahead of time into flash run as they do when loaded at boot, mutable module-level state keeps working
 * through XS's aliasing (the first write copies an object or a `let` binding to RAM), what is frozen is used in place,
 * and flash is read-only, so that anything written in place instead of through an alias would be a fault, not a
 * silent success.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildFirmware } from "../../emulator/host/firmware.js";
import type { Firmware } from "../../emulator/host/firmware.js";
import { differenceOutsidePreparation, elfSections, prepare, PREPARED_MAGIC } from "../../emulator/host/prepare.js";
import type { Preparation } from "../../emulator/host/prepare.js";
import { modulesProgram } from "../../emulator/host/program.js";
import { PROFILES } from "../../emulator/host/profiles.js";
import { boardCreation } from "../../emulator/host/creation.js";
import { loadBoard } from "../../manifests/load.js";
import { runQemu } from "../../emulator/host/qemu.js";
import type { QemuResult } from "../../emulator/host/qemu.js";

// The nRF52840-DK's creation, as its build gives it (128 KB static block).
const CREATION = boardCreation(loadBoard("nrf52840-dk").manifest);

const LIB = `
export let counter = 0;
export const state = { hits: 0, list: [1, 2, 3], nested: { deep: "a" } };
export const frozen = Object.freeze({ a: 1, inner: Object.freeze([1, 2]) });
export const table = new Map([["x", 1]]);
export const bytes = new Uint8Array([1, 2, 3]);
const PAIR = /^(\\d+)\\.(\\d+)$/;
const big = 2n ** 70n;
export class Counter {
  static created = 0;
  #n = 0;
  constructor() { Counter.created++; }
  next() { return ++this.#n; }
}
export function bump() { counter++; state.hits += 10; state.list.push(counter * 100); state.nested.deep += "b"; return counter; }
export function pair(s) { const m = PAIR.exec(s); return m ? Number(m[1]) + Number(m[2]) : -1; }
export function huge() { return (big + 1n).toString(16); }
`;

const ENTRY = `
import { counter, state, frozen, table, bytes, Counter, bump, pair, huge } from "./lib.js";
export default function main() {
  bump();
  native.gc();
  bump();
  native.gc();
  print("let", counter, "object", state.hits, state.list.join(","), state.nested.deep);
  const c = new Counter();
  c.next();
  print("class", Counter.created, c.next(), new Counter().next(), Counter.created);
  print("frozen", Object.isFrozen(frozen), frozen.a, frozen.inner.join(","));
  let t = "ok";
  try { frozen.a = 2; } catch (e) { t = e.name; }
  print("frozen write", t, frozen.a);
  print("regexp", pair("12.30"), pair("x"), "bigint", huge());
  print("map", table.get("x"), table.size);
  let m = "ok";
  try { table.set("y", 2); } catch (e) { m = e.name; }
  print("map write", m, table.size);
  let b = "ok";
  try { bytes[1] = 9; } catch (e) { b = e.name; }
  print("bytes", bytes.join(","), "write", b);
  print("keys", Object.keys(state).join(","), JSON.stringify({ ...state, list: [...state.list], nested: { ...state.nested } }));
  let j;
  try { j = JSON.stringify(state); } catch (e) { j = e.name + ": " + e.message; }
  print("json", j);
}
`;

/** What any engine prints for the parts preloading must not change (checked against the unprepared image too). */
const COMMON = [
  "let 2 object 20 1,2,3,100,200 abb",
  "class 1 2 1 2",
  "frozen true 1 1,2",
  "frozen write TypeError 1",
  "regexp 42 -1 bigint 400000000000000001",
  "map 1 1",
  'keys hits,list,nested {"hits":20,"list":[1,2,3,100,200],"nested":{"deep":"abb"}}',
];

const printed = (r: QemuResult) => r.console.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

let plain: Firmware;
let prepared: Firmware;
let preparation: Preparation;
let again: Preparation;
let plainRun: QemuResult;
let preparedRun: QemuResult;

beforeAll(async () => {
  const program = await modulesProgram(
    [
      { path: "entry.js", code: ENTRY },
      { path: "lib.js", code: LIB },
    ],
    "bytecode",
  );
  plain = await buildFirmware({ profile: PROFILES.nrf52840, creation: CREATION, program: program.blob, parser: false });
  [preparation, again] = await Promise.all([prepare(plain, { cache: false }), prepare(plain, { cache: false })]);
  prepared = await buildFirmware({ profile: PROFILES.nrf52840, creation: CREATION, program: program.blob, parser: false, preparation: preparation.blob });
  [plainRun, preparedRun] = await Promise.all([runQemu(plain.elf, { timeoutMs: 30_000 }), runQemu(prepared.elf, { timeoutMs: 30_000 })]);
}, 120_000);

describe("preparation (preload into flash)", () => {
  it("is made by the image itself, deterministically, and linked as the last section without moving anything else", () => {
    expect(Buffer.from(again.blob).equals(Buffer.from(preparation.blob))).toBe(true);
    const view = new DataView(preparation.blob.buffer, preparation.blob.byteOffset);
    expect(view.getUint32(0, true)).toBe(PREPARED_MAGIC);
    expect(preparation.figures.modules).toBe(2);
    expect(preparation.figures.slots).toBeGreaterThan(3000); // XS's built-ins are in it
    expect(differenceOutsidePreparation(readFileSync(plain.elf), readFileSync(prepared.elf))).toBeUndefined();
    const sections = elfSections(readFileSync(prepared.elf)).filter((s) => s.flags & 2);
    expect(sections.at(-1)?.name).not.toBe(".text");
    const preparationSection = sections.find((s) => s.name === ".preparation")!;
    // Last in flash: every other flash section ends before it (RAM sections live at 0x20000000).
    for (const s of sections) if (s.addr < 0x20000000 && s.name !== ".preparation") expect(s.addr + s.size).toBeLessThanOrEqual(preparationSection.addr);
    expect(preparationSection.size).toBe(preparation.blob.length);
    // The blob points at itself where the section is (its header records the base it was written for).
    expect(view.getUint32(8, true)).toBe(preparationSection.addr);
  });

  it("runs the program as the image that loads it at boot does, with far less RAM", () => {
    expect(preparedRun.exitCode).toBe(0);
    expect(plainRun.exitCode).toBe(0);
    expect(printed(preparedRun).filter((l) => COMMON.includes(l))).toEqual(COMMON);
    expect(printed(plainRun).filter((l) => COMMON.includes(l))).toEqual(COMMON);
    const boot = (r: QemuResult) => {
      const m = /^#boot machine ticks=\d+ heap=(\d+) .* slots=(\d+) chunks=(\d+)/m.exec(r.console)!;
      return { heap: Number(m[1]), slots: Number(m[2]), chunks: Number(m[3]) };
    };
    expect(preparedRun.console).toMatch(/^#boot machine .* prepared=\d{5,} aliases=\d+/m);
    expect(plainRun.console).toMatch(/^#boot machine .* prepared=0 aliases=0/m);
    // Built at boot, XS's built-ins fill about 3,800 slots (60 KB) and chunks in RAM; prepared, next to nothing is.
    expect(boot(plainRun).slots).toBeGreaterThan(3000);
    expect(boot(preparedRun).slots).toBeLessThan(100);
    expect(boot(preparedRun).chunks).toBeLessThan(boot(plainRun).chunks);
    // The nRF52840-DK's static block: XS's first heap blocks are the same size either way (the board's creation), so
    // the saving is what the built-ins took beyond them.
    const staticPeak = (r: QemuResult) => Number(/^#end .* static=(\d+)\//m.exec(r.console)![1]);
    expect(staticPeak(plainRun) - staticPeak(preparedRun)).toBeGreaterThan(20_000);
  });

  it("keeps module-level state mutable through aliasing: only what was written is copied to RAM", () => {
    const m = /aliased=(\d+)\/(\d+)/.exec(preparedRun.console)!;
    const [aliased, aliases] = [Number(m[1]), Number(m[2])];
    expect(aliased).toBeGreaterThan(3); // `counter`, `state`, `state.list`, `state.nested`, `Counter` (its static field)
    expect(aliased).toBeLessThan(aliases / 20);
  });

  it("makes what XS cannot alias read-only, as Moddable's preload does: a Map and an ArrayBuffer made by a module body", () => {
    expect(printed(preparedRun)).toContain("map write TypeError 1");
    expect(printed(preparedRun)).toContain("bytes 1,2,3 write TypeError");
    // Loaded at boot, they are ordinary.
    expect(printed(plainRun)).toContain("map write ok 2");
    expect(printed(plainRun)).toContain("bytes 1,9,3 write ok");
  });

  it("has XS's preload limits: JSON.stringify of a preloaded object throws (Moddable documents it: copy it first)", () => {
    expect(printed(preparedRun)).toContain("json TypeError: read only value");
    expect(printed(plainRun)).toContain('json {"hits":20,"list":[1,2,3,100,200],"nested":{"deep":"abb"}}');
  });

  it("flash is read-only: a write into it is a fault the image reports, not a silent success", async () => {
    const r = await runQemu(plain.elf, { timeoutMs: 30_000, append: "write-flash" });
    expect(r.exitCode).toBe(70);
    // MemManage, data access violation, with the faulting address.
    expect(r.console).toMatch(/^#fault HardFault .*cfsr=00000082 .*mmfar=00000100/m);
  });
});
