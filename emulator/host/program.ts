/**
 * Program blobs for the image's flash (layout in emulator/firmware/program.h): XS bytecode compiled on the host
 * by xsbc, or, as the fallback, the source itself for the image's parser to parse on the device (which costs
 * about 29 bytes of RAM per source byte, so only small programs or the 4 MB profile can afford it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compileBytecode } from "./xsbc.js";
import type { BytecodeFigures } from "./xsbc.js";

export const PROGRAM_MAGIC = 0x31505a47; // "GZP1"
export const PROGRAM_BYTECODE = 1;
export const PROGRAM_SOURCE = 2;

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

export async function makeProgram(code: string, kind: ProgramKind): Promise<Program> {
  return kind === "bytecode" ? bytecodeProgram(code) : sourceProgram(code);
}
