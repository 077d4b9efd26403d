/**
 * What an emulated instruction costs on a Cortex-M4, as a range: QEMU counts instructions (16 ns each under
 * `-icount shift=4`), a board counts cycles, and the cycles an instruction takes depend on what it is.
 *
 * The range comes from the device's own instruction stream: a short emulated run of the same image is traced by
 * QEMU (`-d in_asm,exec,nochain`: every translated block's instructions once, every block executed), the
 * instructions run as the device or its provider are kept (the image marks every switch with a call to
 * `mode_now_*`, emulator/firmware/natives.c), and each is priced with the cycle counts of the ARM Cortex-M4
 * Technical Reference Manual (r0p1, section 3.3.1, table 3-1 "Cortex-M4 instruction set summary", and table 7-1 for
 * the FPU):
 *
 * - data processing, multiply (MUL, UMULL, SMLAL…), SIMD, extend and bit-field: 1 cycle; MLA/MLS 1–2;
 * - SDIV/UDIV 2–12 (early termination: the best case 2, the worst 12);
 * - a single load or store, 2 cycles; 1 when it follows a load it can pipeline with (the TRM: "neighboring load and
 *   store single instructions can pipeline their address and data phases", but nothing pipelines after a store);
 *   LDRD/STRD 3; LDM/STM/PUSH/POP 1 + N (N registers);
 * - a branch 1 + P when taken, P the pipeline refill, 1 to 3 cycles by the target's alignment and width (best 1,
 *   worst 3); a conditional branch not taken 1; TBB/TBH 2 + P; a load or POP into PC adds P;
 * - IT 0–1 (folded onto the 16-bit instruction before it, or not); barriers 1–4; VDIV/VSQRT 14; VMLA/VFMA 3; other
 *   FPU data processing 1; VLDR/VSTR 2; VLDM/VSTM/VPUSH/VPOP 1 + N;
 * - flash: the nRF52840 runs from flash through its instruction cache. The worst case adds 3 %: Nordic gives the
 *   nRF52840 212 CoreMark at 64 MHz running from flash (product brief), 3.31 CoreMark/MHz, against the 3.4 an
 *   Arm Cortex-M4 reaches with zero wait states; a cache miss costs more than that average (not modelled).
 *
 * best = every load that can pipeline does and every refill is 1 cycle; worst = no pipelining, 3-cycle refills,
 * divisions at 12 and the flash cost. Cycles per instruction over the traced stream give `cpiBest` and `cpiWorst`.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { execa } from "execa";
import { qemuArgs } from "./qemu.js";
import { qemuSystemArm } from "./toolchain.js";

/** Names the pricing below: traces kept beside an image are priced again when it changes. */
export const PRICING = "trm-r0p1-2";

/** The worst case's allowance for fetching from the nRF52840's flash (see above). */
export const FLASH_ALLOWANCE = 0.03;

export interface CycleRange {
  best: number;
  worst: number;
}

export interface InstructionMix {
  /** Device and provider instructions traced. */
  instructions: number;
  /** Instructions by class (see `classOf`). */
  classes: Record<string, number>;
  /** Branches that were taken and not taken (conditional branches, CBZ/CBNZ). */
  taken: number;
  notTaken: number;
  /** Single loads and stores that could pipeline with the one before. */
  pipelined: number;
  /** Cycles of the traced instructions, best and worst (worst with the flash allowance). */
  cycles: CycleRange;
  /** Cycles per instruction. */
  cpi: CycleRange;
}

const CONDITIONS = ["eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"];

/** Base mnemonics the pricing knows, longest first (so "bls" is b + ls, "bl" a call, "mls" a multiply). */
const BASES = [
  "ldmdb", "ldmia", "stmdb", "stmia", "vldmia", "vldmdb", "vstmia", "vstmdb", "vpush", "vpop",
  "ldrsb", "ldrsh", "ldrex", "strex", "ldrb", "ldrh", "ldrd", "strb", "strh", "strd", "ldr", "str", "ldm", "stm", "push", "pop",
  "cbnz", "cbz", "tbb", "tbh", "blx", "bx", "bl", "b",
  "sdiv", "udiv", "umull", "smull", "umlal", "smlal", "mla", "mls", "mul",
  "vldr", "vstr", "vdiv", "vsqrt", "vmla", "vmls", "vfma", "vfms", "vnmla", "vnmls", "vmov", "vmrs", "vmsr",
  "isb", "dsb", "dmb", "mrs", "msr", "cpsid", "cpsie",
].sort((a, b) => b.length - a.length);

/** The mnemonic without width qualifier, flag-setting `s` and condition: `orrsne.w` → `orr`, `bls` → `b`. */
export function baseOf(mnemonic: string): { base: string; conditional: boolean } {
  const m = mnemonic.toLowerCase().replace(/\.(w|n)$/, "").replace(/\.(f32|f64|32|16|8|u32|s32)$/, "");
  if (/^it[te]{0,3}$/.test(m)) return { base: "it", conditional: false };
  for (const b of BASES) {
    if (m === b) return { base: b, conditional: false };
    if (!m.startsWith(b)) continue;
    const rest = m.slice(b.length);
    // Branches set no flags: "bls" is b + ls, not bl + s.
    const branch = b === "b" || b === "bl" || b === "bx" || b === "blx";
    if (rest === "s" && !branch) return { base: b, conditional: false };
    if (CONDITIONS.includes(rest) || (!branch && rest.startsWith("s") && CONDITIONS.includes(rest.slice(1)))) return { base: b, conditional: true };
  }
  return { base: m.startsWith("v") ? "vfp" : "alu", conditional: false };
}

export type InstructionClass = "alu" | "multiply" | "divide" | "load" | "store" | "double" | "multiple" | "branch" | "table" | "it" | "barrier" | "system" | "fp" | "fpLong" | "fpMac" | "fpLoad" | "fpMultiple";

interface Decoded {
  cls: InstructionClass;
  /** A branch (or a write of PC): its cost depends on whether it was taken. */
  branch: boolean;
  conditional: boolean;
  /** Registers moved by LDM/STM/PUSH/POP and their FPU forms. */
  registers: number;
  writesPc: boolean;
}

function registerCount(operands: string): number {
  const m = /\{([^}]*)\}/.exec(operands);
  if (!m) return 1;
  let n = 0;
  for (const part of m[1]!.split(",")) {
    const r = /([a-z]+)(\d+)\s*-\s*[a-z]+(\d+)/.exec(part.trim());
    n += r ? Number(r[3]) - Number(r[2]) + 1 : 1;
  }
  // A D register is two S registers' worth of transfer.
  return /\{\s*d/.test(operands) ? 2 * n : n;
}

export function decode(mnemonic: string, operands: string): Decoded {
  const { base, conditional } = baseOf(mnemonic);
  const ops = operands.toLowerCase();
  const writesPc = /(^|[\s{,])pc\b/.test(ops.split("[")[0]!.split(",")[0]! + (base === "pop" || base.startsWith("ldm") ? ops : ""));
  const d = (cls: InstructionClass, extra: Partial<Decoded> = {}): Decoded => ({ cls, branch: false, conditional, registers: 1, writesPc: false, ...extra });
  switch (base) {
    case "b":
    case "bl":
    case "bx":
    case "blx":
    case "cbz":
    case "cbnz":
      return d("branch", { branch: true, conditional: conditional || base === "cbz" || base === "cbnz" });
    case "tbb":
    case "tbh":
      return d("table", { branch: true });
    case "ldr":
    case "ldrb":
    case "ldrh":
    case "ldrsb":
    case "ldrsh":
    case "ldrex":
      return writesPc ? d("load", { branch: true, writesPc: true }) : d("load");
    case "str":
    case "strb":
    case "strh":
    case "strex":
      return d("store");
    case "ldrd":
    case "strd":
      return d("double");
    case "ldm":
    case "ldmia":
    case "ldmdb":
    case "pop":
      return d("multiple", { registers: registerCount(ops), branch: writesPc, writesPc });
    case "stm":
    case "stmia":
    case "stmdb":
    case "push":
      return d("multiple", { registers: registerCount(ops) });
    case "mul":
    case "umull":
    case "smull":
    case "umlal":
    case "smlal":
    case "mla":
    case "mls":
      return d("multiply");
    case "sdiv":
    case "udiv":
      return d("divide");
    case "it":
      return d("it");
    case "isb":
    case "dsb":
    case "dmb":
      return d("barrier");
    case "mrs":
    case "msr":
    case "cpsid":
    case "cpsie":
      return d("system");
    case "vdiv":
    case "vsqrt":
      return d("fpLong");
    case "vmla":
    case "vmls":
    case "vfma":
    case "vfms":
    case "vnmla":
    case "vnmls":
      return d("fpMac");
    case "vldr":
    case "vstr":
      return d("fpLoad");
    case "vldmia":
    case "vldmdb":
    case "vstmia":
    case "vstmdb":
    case "vpush":
    case "vpop":
      return d("fpMultiple", { registers: registerCount(ops) });
    case "vmov":
    case "vmrs":
    case "vmsr":
    case "vfp":
      return d("fp");
    default:
      // Data processing; one that writes PC (mov pc, add pc) is a branch.
      return writesPc ? d("alu", { branch: true, writesPc: true }) : d("alu");
  }
}

/** Pipeline refill after a taken branch (TRM: P, 1 to 3 cycles). */
const REFILL: CycleRange = { best: 1, worst: 3 };

/** Classes whose cost does not depend on what runs around them (TRM table 3-1 and table 7-1). */
const FIXED: Readonly<Partial<Record<InstructionClass, CycleRange>>> = Object.freeze({
  alu: { best: 1, worst: 1 },
  double: { best: 3, worst: 3 },
  multiply: { best: 1, worst: 2 },
  divide: { best: 2, worst: 12 },
  it: { best: 0, worst: 1 },
  barrier: { best: 1, worst: 4 },
  system: { best: 1, worst: 2 },
  fp: { best: 1, worst: 2 },
  fpLong: { best: 14, worst: 14 },
  fpMac: { best: 3, worst: 3 },
  fpLoad: { best: 2, worst: 2 },
});

/**
 * Cycles of one instruction. `taken`: for a branch, whether it was; `afterLoad`: the instruction before it was a
 * single load it can pipeline with.
 */
export function cyclesOf(x: Decoded, taken: boolean, afterLoad: boolean): CycleRange {
  const refill = (base: number): CycleRange => ({ best: base + REFILL.best, worst: base + REFILL.worst });
  if (x.writesPc && x.cls !== "multiple") return refill(x.cls === "load" ? 2 : 1);
  switch (x.cls) {
    case "branch":
      return taken ? refill(1) : { best: 1, worst: 1 };
    case "table":
      return refill(2);
    case "load":
    case "store":
      return { best: afterLoad ? 1 : 2, worst: 2 };
    case "multiple":
      return x.writesPc ? refill(1 + x.registers) : { best: 1 + x.registers, worst: 1 + x.registers };
    case "fpMultiple":
      return { best: 1 + x.registers, worst: 1 + x.registers };
    default:
      return FIXED[x.cls] ?? { best: 1, worst: 1 };
  }
}

interface Translated {
  pc: number;
  /** Decoded instructions and their sizes. */
  insns: { d: Decoded; size: number }[];
  /** Fall-through address after the block. */
  end: number;
}

const IN_INSN = /^0x([0-9a-f]+):\s+([0-9a-f]{4})( [0-9a-f]{4})?\s+(\S+)\s*(.*)$/;
const TRACE = /^Trace \d+: (0x[0-9a-f]+) \[[0-9a-f]+\/([0-9a-f]+)\/[0-9a-f]+\/[0-9a-f]+\] ?(\S*)/;

/** The mode-switch markers (emulator/firmware/natives.c): which mode the blocks after them run in. */
const MODE_MARKERS: Readonly<Record<string, boolean>> = { mode_now_harness: false, mode_now_device: true, mode_now_provider: true };

/** Price QEMU's `-d in_asm,exec,nochain` log, line by line: the device's and provider's instructions only. */
export class MixCounter {
  readonly #byHost = new Map<string, Translated>();
  readonly #byPc = new Map<number, Translated>();
  #pending: Translated | undefined;
  #inDevice = false;
  #lastWasConditional: { d: Decoded; fallthrough: number } | undefined;
  readonly classes: Record<string, number> = {};
  instructions = 0;
  taken = 0;
  notTaken = 0;
  pipelined = 0;
  best = 0;
  worst = 0;

  line(line: string): void {
    if (line.startsWith("IN:")) {
      this.#pending = { pc: -1, insns: [], end: 0 };
      return;
    }
    const insn = this.#pending ? IN_INSN.exec(line) : null;
    if (insn && this.#pending) {
      const pc = parseInt(insn[1]!, 16);
      const size = insn[3] ? 4 : 2;
      if (this.#pending.pc < 0) this.#pending.pc = pc;
      this.#pending.insns.push({ d: decode(insn[4]!, insn[5] ?? ""), size });
      this.#pending.end = pc + size;
      return;
    }
    const t = TRACE.exec(line);
    if (!t) return;
    const pc = parseInt(t[2]!, 16);
    let block = this.#byHost.get(t[1]!);
    if (!block && this.#pending && this.#pending.pc === pc) {
      block = this.#pending;
      this.#byHost.set(t[1]!, block);
      this.#byPc.set(pc, block);
    }
    this.#pending = undefined;
    block ??= this.#byPc.get(pc);
    this.#settleBranch(pc);
    const marker = MODE_MARKERS[t[3] ?? ""];
    if (marker !== undefined) this.#inDevice = marker;
    if (!block) return;
    this.#price(block);
  }

  /** The block before ended in a branch: taken if this block is not its fall-through. */
  #settleBranch(nextPc: number): void {
    const last = this.#lastWasConditional;
    if (!last) return;
    this.#lastWasConditional = undefined;
    const taken = nextPc !== last.fallthrough;
    if (taken) this.taken++;
    else this.notTaken++;
    const c = cyclesOf(last.d, taken, false);
    this.best += c.best;
    this.worst += c.worst;
  }

  #price(block: Translated): void {
    if (!this.#inDevice) return;
    // A branch ends a block: the pipeline of loads does not carry across it.
    let afterLoad = false;
    for (let i = 0; i < block.insns.length; i++) {
      const { d } = block.insns[i]!;
      this.instructions++;
      this.classes[d.cls] = (this.classes[d.cls] ?? 0) + 1;
      if (d.branch && d.conditional && i === block.insns.length - 1) {
        // Priced once the next block shows whether it was taken.
        this.#lastWasConditional = { d, fallthrough: block.end };
        continue;
      }
      if (d.branch) this.taken++;
      if ((d.cls === "load" || d.cls === "store") && afterLoad) this.pipelined++;
      const c = cyclesOf(d, d.branch, afterLoad);
      this.best += c.best;
      this.worst += c.worst;
      // Only a single load leaves the pipeline open to the next load or store.
      afterLoad = d.cls === "load" && !d.writesPc;
    }
  }

  mix(): InstructionMix {
    const n = this.instructions;
    const worst = this.worst * (1 + FLASH_ALLOWANCE);
    return {
      instructions: n,
      classes: { ...this.classes },
      taken: this.taken,
      notTaken: this.notTaken,
      pipelined: this.pipelined,
      cycles: { best: this.best, worst },
      cpi: { best: n > 0 ? this.best / n : 1, worst: n > 0 ? worst / n : 1 },
    };
  }
}

/** Trace a run of `elf` replaying `replay` and price its device and provider instructions. */
export async function traceMix(elf: string, replay: string, timeoutMs: number): Promise<InstructionMix> {
  const counter = new MixCounter();
  const dir = path.dirname(elf);
  const log = path.join(dir, `trace-${process.pid}-${Date.now()}.fifo`);
  // QEMU writes its log to a file: a FIFO read as it is written keeps gigabytes of trace off the disk.
  await execa("mkfifo", [log]);
  try {
    const qemu = execa(qemuSystemArm(), [...qemuArgs(elf, { replay }), "-d", "in_asm,exec,nochain", "-D", log], {
      reject: false,
      stdin: "ignore",
      stdout: "ignore",
      stderr: "ignore",
      timeout: timeoutMs,
      killSignal: "SIGKILL",
    });
    const lines = createInterface({ input: createReadStream(log), crlfDelay: Infinity });
    for await (const line of lines) counter.line(line);
    const r = await qemu;
    if (r.timedOut) throw new Error(`tracing the instruction mix: QEMU did not finish within ${Math.round(timeoutMs / 1000)} s`);
  } finally {
    rmSync(log, { force: true });
  }
  return counter.mix();
}

/** How the reference range is measured: this device, this long from its boot, this seed, on each of these boards. */
export const REFERENCE_TRACE = Object.freeze({ device: "weather-station", seconds: 3, seed: 1, boards: Object.freeze(["esp32-devkitc", "nrf52840-dk"]) });

/** The mix of an image running a recording, traced once and kept beside its ELF (the ELF's folder is named by its
 * content, so a changed firmware is traced again). */
export async function imageMix(elf: string, key: string, makeReplay: () => Promise<string>, timeoutMs = 600_000): Promise<InstructionMix> {
  const file = path.join(path.dirname(elf), `mix-${key}-${PRICING}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as InstructionMix;
  const replay = await makeReplay();
  const mix = await traceMix(elf, replay, timeoutMs);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(mix, null, 1));
  renameSync(tmp, file);
  return mix;
}

/** The range a set of traced mixes gives, rounded outwards to hundredths (what board-timing.ts holds). */
export function roundedRange(mixes: readonly InstructionMix[]): CycleRange {
  return {
    best: Math.floor(100 * Math.min(...mixes.map((m) => m.cpi.best))) / 100,
    worst: Math.ceil(100 * Math.max(...mixes.map((m) => m.cpi.worst))) / 100,
  };
}
