/**
 * The firmware image: XS compiled for the Cortex-M4F, the project's bare-metal platform layer
 * (emulator/firmware), and a program blob in flash, linked for one memory profile.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { compileAll, headersHash, sha256 } from "./compile.js";
import { BUILD_DIR, FIRMWARE_DIR, FIRMWARE_SOURCES, XS_SOURCES, xsDir } from "./paths.js";
import { creationDefines } from "./creation.js";
import type { XsCreation } from "./creation.js";
import type { MemoryProfile } from "./profiles.js";
import { armToolchain } from "./toolchain.js";
import { xsDefines, xsHeaderDirs, xsIncludes } from "./xsbc.js";

export const CPU_FLAGS = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"];

export interface FirmwareOptions {
  profile: MemoryProfile;
  creation: XsCreation;
  /** The program blob (emulator/firmware/program.h). */
  program: Uint8Array;
  /** Compile XS's parser in (needed for a source program, the fallback). */
  parser: boolean;
  /** The preparation blob (emulator/firmware/prepared.h), last in flash; without it, a placeholder (the program is
   * loaded at boot). */
  preparation?: Uint8Array;
}

/** "GZX0": the placeholder the .preparation section holds in an image without a preparation. */
export const PREPARATION_PLACEHOLDER = new Uint8Array([0x47, 0x5a, 0x58, 0x30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

export interface SectionSizes {
  /** Code and constants: XS, newlib, the platform layer. */
  text: number;
  /** The program blob (bytecode or source). */
  program: number;
  /** Initialised data (in flash, copied to RAM at reset). */
  data: number;
  /** The preparation (built-ins and modules prepared ahead of time), or its 16-byte placeholder. */
  preparation: number;
  bss: number;
  stack: number;
}

export interface Firmware {
  elf: string;
  profile: string;
  sections: SectionSizes;
  /** Flash the image occupies: text + program + data + preparation. */
  flashBytes: number;
  /** RAM taken before the heap: C stack + data + bss. */
  ramStaticBytes: number;
  /** What is left for the heap. */
  heapBytes: number;
}

export class FirmwareError extends Error {}

async function sections(sizeTool: string, elf: string): Promise<SectionSizes> {
  const r = await execa(sizeTool, ["-A", elf]);
  const s: Record<string, number> = {};
  for (const line of r.stdout.split("\n")) {
    const m = /^(\.\S+)\s+(\d+)\s+(\d+)/.exec(line.trim());
    if (m) s[m[1]!] = Number(m[2]);
  }
  const flashCode = [".text", ".ARM.extab", ".ARM.exidx", ".preinit_array", ".init_array", ".fini_array"].reduce((a, k) => a + (s[k] ?? 0), 0);
  return { text: flashCode, program: s[".program"] ?? 0, data: s[".data"] ?? 0, preparation: s[".preparation"] ?? 0, bss: s[".bss"] ?? 0, stack: s[".stack"] ?? 0 };
}

export async function buildFirmware(o: FirmwareOptions): Promise<Firmware> {
  const tools = armToolchain();
  const xs = xsDir();
  const salt = headersHash(xsHeaderDirs());
  const common = [...CPU_FLAGS, "-Os", "-ffunction-sections", "-fdata-sections", "-fno-common", "-Wno-misleading-indentation", "-Wno-implicit-fallthrough"];
  const flags = [...common, ...xsDefines(o.parser, "arm"), ...xsIncludes()];
  const variant = o.parser ? "arm-parse" : "arm";
  const xsObjects = await compileAll(tools.gcc, [...flags, "-w"], XS_SOURCES.map((s) => ({
      source: path.join(xs, "sources", `${s}.c`),
      // The collector's phase clock (mxNever's startTime/stopTime) goes through the image, which charges the image's
      // share of each collection to it (firmware/gc_share.c).
      ...(s === "xsMemory" ? { args: ["-Dgettimeofday=gc_share_clock"] } : {}),
    })), path.join(BUILD_DIR, "obj", variant), salt);
  const defines = creationDefines(o.creation);
  const fwObjects = await compileAll(
    tools.gcc,
    [...flags, "-Wall", "-Wno-sequence-point"],
    FIRMWARE_SOURCES.map((s) => ({ source: path.join(FIRMWARE_DIR, `${s}.c`), ...(s === "main" || s === "prepare" || s === "budget" || s === "natives" ? { args: defines } : {}) })),
    path.join(BUILD_DIR, "obj", `${variant}-fw`),
    salt,
  );
  const preparation = o.preparation ?? PREPARATION_PLACEHOLDER;
  const linkScript = path.join(FIRMWARE_DIR, "link.ld");
  const key = sha256(
    o.profile.name,
    String(o.profile.stackBytes),
    xsObjects.join(),
    fwObjects.join(),
    o.program,
    "\0preparation\0",
    preparation,
    readFileSync(linkScript),
    readFileSync(path.join(FIRMWARE_DIR, "program.S")),
    readFileSync(path.join(FIRMWARE_DIR, "preparation.S")),
  ).slice(0, 16);
  const dir = path.join(BUILD_DIR, "images", key);
  const elf = path.join(dir, "firmware.elf");
  if (!existsSync(elf)) {
    mkdirSync(dir, { recursive: true });
    // Builds of the same image may run at once (tests in parallel): each works in its own directory, and the
    // first to finish puts its ELF in place.
    const work = mkdtempSync(path.join(dir, "build-"));
    try {
      const blob = path.join(work, "program.bin");
      writeFileSync(blob, o.program);
      const programObject = path.join(work, "program.o");
      await execa(tools.gcc, [...CPU_FLAGS, `-DPROGRAM_FILE="${blob}"`, "-c", path.join(FIRMWARE_DIR, "program.S"), "-o", programObject]);
      const preparationBlob = path.join(work, "preparation.bin");
      writeFileSync(preparationBlob, preparation);
      const preparationObject = path.join(work, "preparation.o");
      await execa(tools.gcc, [...CPU_FLAGS, `-DPREPARATION_FILE="${preparationBlob}"`, "-c", path.join(FIRMWARE_DIR, "preparation.S"), "-o", preparationObject]);
      const tmp = path.join(work, "firmware.elf");
      const link = await execa(
        tools.gcc,
        [
          ...CPU_FLAGS,
          "-nostartfiles",
          "--specs=nano.specs",
          "-Wl,--gc-sections",
          "-T",
          linkScript,
          `-Wl,--defsym=FLASH_LEN=${o.profile.flashBytes}`,
          `-Wl,--defsym=RAM_LEN=${o.profile.ramBytes}`,
          `-Wl,--defsym=STACK_LEN=${o.profile.stackBytes}`,
          `-Wl,-Map=${path.join(work, "firmware.map")}`,
          "-o",
          tmp,
          ...fwObjects,
          programObject,
          preparationObject,
          ...xsObjects,
          "-lm",
        ],
        { reject: false },
      );
      if (link.exitCode !== 0) {
        const overflow = /region `(FLASH|RAM)' overflowed by (\d+) bytes/.exec(link.stderr);
        if (overflow) {
          throw new FirmwareError(`the image does not fit the ${o.profile.name} profile: ${overflow[1]} overflowed by ${overflow[2]} bytes`);
        }
        throw new FirmwareError(`linking the image failed:\n${link.stderr}`);
      }
      renameSync(path.join(work, "firmware.map"), path.join(dir, "firmware.map"));
      renameSync(tmp, elf);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const s = await sections(tools.size, elf);
  const flashBytes = s.text + s.program + s.data + s.preparation;
  const ramStaticBytes = s.stack + s.data + s.bss;
  return { elf, profile: o.profile.name, sections: s, flashBytes, ramStaticBytes, heapBytes: o.profile.ramBytes - ramStaticBytes };
}
