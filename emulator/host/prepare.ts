/**
 * Preparation, the project's own equivalent of Moddable's xsl preload (emulator/firmware/prepare.c, prepared.h).
 *
 * Moddable prepares a machine on the build host, built-ins and preloaded modules, and links it into the firmware
 * as constant data that fxPrepareMachine clones, copying to RAM only what is written. xsl is not on npm, and a
 * 64-bit host lays slots out differently from the Cortex-M4, so the firmware prepares itself:
 *
 *   1. the image is built as usual, with a 16-byte placeholder where the preparation goes, last in flash;
 *   2. QEMU runs that very ELF with `-append "prepare <file>"`: it takes all 4 MB of the machine's RAM, loads every
 *      module and writes the prepared machine to <file> over semihosting, every pointer already the address it will
 *      have in flash (the placeholder's address, since nothing before it moves);
 *   3. the image is linked again with the blob in place of the placeholder, and every other section is checked to
 *      be byte for byte the first link's: the host functions, XS's constant tables and the program's bytecode and
 *      strings that the preparation points at are where the preparation pass saw them.
 * The blob is cached by the hash of the first ELF, so it is made once per image.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sha256 } from "./compile.js";
import type { Firmware } from "./firmware.js";
import { BUILD_DIR } from "./paths.js";
import { runQemu } from "./qemu.js";

export const PREPARED_MAGIC = 0x31585a47; // "GZX1"

/** What the preparation pass reports (its `#prepared` line). */
export interface PreparationFigures {
  /** Live slots laid out in flash (16 bytes each). */
  slots: number;
  instances: number;
  /** Alias IDs given out (+1: ID 0 means none): the RAM alias table is this many pointers. */
  aliases: number;
  /** Instances used in place, never copied (frozen: XS built-ins that are, and what module bodies froze). */
  frozen: number;
  /** Maps, sets, weak collections and array buffers a module body left behind: made read-only (xsl does too). */
  petrified: number;
  keys: number;
  modules: number;
  /** Slots of the machine's stack at rest (intrinsics, prototypes, the global object). */
  stack: number;
  /** Bytes of strings, bytecode, array items and tables copied after the slots. */
  data: number;
  bytes: number;
  /** QEMU wall time of the pass, ms (0 when it came from the cache). */
  wallMs: number;
}

export interface Preparation {
  blob: Uint8Array;
  figures: PreparationFigures;
}

export class PreparationError extends Error {
  readonly console: string;
  constructor(message: string, consoleText: string) {
    super(message);
    this.name = "PreparationError";
    this.console = consoleText;
  }
}

function parseFigures(consoleText: string): Omit<PreparationFigures, "wallMs"> | undefined {
  const line = /^#prepared (.*)$/m.exec(consoleText)?.[1];
  if (!line) return undefined;
  const f: Record<string, number> = {};
  for (const kv of line.split(" ")) {
    const [k, v] = kv.split("=");
    if (k && v !== undefined) f[k] = Number(v);
  }
  return {
    slots: f.slots ?? 0,
    instances: f.instances ?? 0,
    aliases: f.aliases ?? 0,
    frozen: f.frozen ?? 0,
    petrified: f.petrified ?? 0,
    keys: f.keys ?? 0,
    modules: f.modules ?? 0,
    stack: f.stack ?? 0,
    data: f.data ?? 0,
    bytes: f.bytes ?? 0,
  };
}

export interface PrepareOptions {
  timeoutMs?: number;
  /** Use (and fill) the cache of preparations by ELF hash (default true). */
  cache?: boolean;
}

/** Run the preparation pass on `firmware` (an image with the placeholder) and return the blob for it. */
export async function prepare(firmware: Firmware, o: PrepareOptions = {}): Promise<Preparation> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const cache = o.cache ?? true;
  const elf = readFileSync(firmware.elf);
  const key = sha256(elf).slice(0, 24);
  const dir = path.join(BUILD_DIR, "preparations");
  const bin = path.join(dir, `${key}.bin`);
  const json = path.join(dir, `${key}.json`);
  if (cache && existsSync(bin) && existsSync(json)) {
    return { blob: new Uint8Array(readFileSync(bin)), figures: { ...(JSON.parse(readFileSync(json, "utf8")) as PreparationFigures), wallMs: 0 } };
  }
  mkdirSync(dir, { recursive: true });
  // Several builds of the same image may prepare at once (tests in parallel): each writes its own files, the
  // last rename wins, and all of them are the same bytes (the pass is deterministic).
  const work = mkdtempSync(path.join(dir, "work-"));
  try {
    const out = path.join(work, "preparation.bin");
    const q = await runQemu(firmware.elf, { append: `prepare ${out}`, timeoutMs });
    const figures = parseFigures(q.console);
    if (q.timedOut) throw new PreparationError(`the preparation pass did not finish within ${Math.round(q.wallMs / 1000)} s`, q.console);
    if (q.exitCode !== 0 || !figures || !existsSync(out)) {
      const why = q.console
        .split("\n")
        .filter((l) => /^#(prepare error|abort|error|fault|oom)/.test(l))
        .slice(0, 8)
        .join("\n  ");
      throw new PreparationError(`the preparation pass failed (exit code ${q.exitCode})${why ? `:\n  ${why}` : ""}`, q.console);
    }
    const blob = new Uint8Array(readFileSync(out));
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    if (blob.length < 64 || view.getUint32(0, true) !== PREPARED_MAGIC || view.getUint32(4, true) !== blob.length) {
      throw new PreparationError(`the preparation pass wrote ${blob.length} bytes that are not a preparation`, q.console);
    }
    if (cache) {
      writeFileSync(path.join(work, "p.json"), JSON.stringify(figures));
      renameSync(out, bin);
      renameSync(path.join(work, "p.json"), json);
    }
    return { blob, figures: { ...figures, wallMs: q.wallMs } };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  size: number;
  bytes: Uint8Array | undefined;
}

const SHF_ALLOC = 2;
const SHT_NOBITS = 8;

/** The sections of a little-endian ELF32 file. */
export function elfSections(file: Uint8Array): ElfSection[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (v.getUint32(0, false) !== 0x7f454c46 || file[4] !== 1 || file[5] !== 1) throw new Error("not a little-endian ELF32 file");
  const shoff = v.getUint32(0x20, true);
  const shentsize = v.getUint16(0x2e, true);
  const shnum = v.getUint16(0x30, true);
  const shstrndx = v.getUint16(0x32, true);
  const header = (i: number) => {
    const o = shoff + i * shentsize;
    return {
      name: v.getUint32(o, true),
      type: v.getUint32(o + 4, true),
      flags: v.getUint32(o + 8, true),
      addr: v.getUint32(o + 12, true),
      offset: v.getUint32(o + 16, true),
      size: v.getUint32(o + 20, true),
    };
  };
  const strings = header(shstrndx);
  const name = (at: number) => {
    let end = strings.offset + at;
    while (file[end] !== 0) end++;
    return Buffer.from(file.subarray(strings.offset + at, end)).toString("latin1");
  };
  return Array.from({ length: shnum }, (_, i) => {
    const h = header(i);
    return {
      name: name(h.name),
      type: h.type,
      flags: h.flags,
      addr: h.addr,
      size: h.size,
      bytes: h.type === SHT_NOBITS ? undefined : file.subarray(h.offset, h.offset + h.size),
    };
  });
}

/**
 * Is `prepared` the image `unprepared` with only its .preparation section filled? Every other section that is
 * loaded into the MCU's memory must have the same address, size and bytes, and .preparation the same address.
 * Returns the first difference, or undefined.
 */
export function differenceOutsidePreparation(unprepared: Uint8Array, prepared: Uint8Array): string | undefined {
  const a = elfSections(unprepared).filter((s) => s.flags & SHF_ALLOC);
  const b = elfSections(prepared).filter((s) => s.flags & SHF_ALLOC);
  const names = (l: ElfSection[]) => l.map((s) => s.name).join(",");
  if (names(a) !== names(b)) return `sections ${names(a)} against ${names(b)}`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.addr !== y.addr) return `${x.name} at 0x${x.addr.toString(16)} against 0x${y.addr.toString(16)}`;
    if (x.name === ".preparation") continue;
    if (x.size !== y.size) return `${x.name} of ${x.size} bytes against ${y.size}`;
    if (x.bytes && y.bytes && !Buffer.from(x.bytes).equals(Buffer.from(y.bytes))) return `${x.name} differs`;
  }
  return undefined;
}
