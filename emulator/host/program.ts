/**
 * Program blobs for the image's flash (layout in emulator/firmware/program.h): XS bytecode compiled on the host
 * by xsbc, or, as the fallback, the source itself for the image's parser to parse on the device (which costs
 * about 29 bytes of RAM per source byte, so only small programs or the 4 MB profile can afford it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compileBytecode, compileModules } from "./xsbc.js";
import type { BytecodeFigures } from "./xsbc.js";

export const PROGRAM_MAGIC = 0x31505a47; // "GZP1"
export const PROGRAM_BYTECODE = 1;
export const PROGRAM_SOURCE = 2;
export const PROGRAM_MODULES = 3;
export const PROGRAM_MODULE_SOURCES = 4;

/** Compiled on the host (the default), or source the image parses (the fallback). */
export type ProgramKind = "bytecode" | "source";

export interface Program {
  kind: ProgramKind;
  blob: Uint8Array;
  sourceBytes: number;
  bytecode?: BytecodeFigures;
}

export function sourceProgram(code: string): Program {
  const source = Buffer.from(code, "utf8");
  const header = 16 + 8;
  const total = (header + source.length + 1 + 3) & ~3;
  const blob = Buffer.alloc(total);
  blob.writeUInt32LE(PROGRAM_MAGIC, 0);
  blob.writeUInt32LE(PROGRAM_SOURCE, 4);
  blob.writeUInt32LE(total, 8);
  blob.writeUInt32LE(0, 12);
  blob.writeUInt32LE(header, 16);
  blob.writeUInt32LE(source.length, 20);
  source.copy(blob, header);
  return { kind: "source", blob: new Uint8Array(blob), sourceBytes: source.length };
}

export async function bytecodeProgram(code: string): Promise<Program> {
  const dir = mkdtempSync(path.join(tmpdir(), "ganzhi-xsbc-"));
  try {
    const js = path.join(dir, "program.js");
    const bin = path.join(dir, "program.bin");
    writeFileSync(js, code);
    const figures = await compileBytecode(js, bin);
    return { kind: "bytecode", blob: new Uint8Array(readFileSync(bin)), sourceBytes: figures.sourceBytes, bytecode: figures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One script (tests of the platform layer). */
export async function makeProgram(code: string, kind: ProgramKind): Promise<Program> {
  return kind === "bytecode" ? bytecodeProgram(code) : sourceProgram(code);
}

export interface ProgramModuleSource {
  path: string;
  code: string;
}

/** ES modules as source, each parsed on the device when first imported. */
export function moduleSourcesProgram(modules: readonly ProgramModuleSource[]): Program {
  const header = 16 + 8;
  const table = header;
  const paths = modules.map((m) => Buffer.from(m.path + "\0", "utf8"));
  const sources = modules.map((m) => Buffer.from(m.code + "\0", "utf8"));
  let at = table + 16 * modules.length;
  const pathAt = paths.map((p) => ((at += p.length), at - p.length));
  at = (at + 3) & ~3;
  const sourceAt = sources.map((s) => {
    const here = at;
    at = (at + s.length + 3) & ~3;
    return here;
  });
  const blob = Buffer.alloc(at);
  blob.writeUInt32LE(PROGRAM_MAGIC, 0);
  blob.writeUInt32LE(PROGRAM_MODULE_SOURCES, 4);
  blob.writeUInt32LE(at, 8);
  blob.writeUInt32LE(modules.length, 16);
  blob.writeUInt32LE(table, 20);
  modules.forEach((_, i) => {
    blob.writeUInt32LE(pathAt[i]!, table + 16 * i);
    blob.writeUInt32LE(sourceAt[i]!, table + 16 * i + 4);
    blob.writeUInt32LE(sources[i]!.length - 1, table + 16 * i + 8);
    paths[i]!.copy(blob, pathAt[i]!);
    sources[i]!.copy(blob, sourceAt[i]!);
  });
  return { kind: "source", blob: new Uint8Array(blob), sourceBytes: sources.reduce((a, s) => a + s.length - 1, 0) };
}

/** ES modules compiled by xsbc; the first is the entry. */
export async function modulesBytecodeProgram(modules: readonly ProgramModuleSource[]): Promise<Program> {
  const dir = mkdtempSync(path.join(tmpdir(), "ganzhi-xsbc-"));
  try {
    const bin = path.join(dir, "program.bin");
    const args = modules.map((m, i) => {
      const file = path.join(dir, `m${i}.js`);
      writeFileSync(file, m.code);
      return `${m.path}=${file}`;
    });
    const figures = await compileModules(bin, args);
    return { kind: "bytecode", blob: new Uint8Array(readFileSync(bin)), sourceBytes: figures.sourceBytes, bytecode: figures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function modulesProgram(modules: readonly ProgramModuleSource[], kind: ProgramKind): Promise<Program> {
  return kind === "bytecode" ? modulesBytecodeProgram(modules) : moduleSourcesProgram(modules);
}
