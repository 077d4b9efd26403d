/**
 * The XS creation a board runs with, as the image gets it: what `ganzhi build` writes into the project's
 * manifest.json (`creationFor`, tools/build/project.ts, called here rather than copied), completed the way
 * Moddable's mcconfig completes it before handing it to xsl and the firmware:
 *
 * 1. manifest_base.json (which the project includes) is merged first and the project's manifest over it
 *    (tools/mcmanifest.js: includes are parsed before the including manifest, later values win), so what the
 *    project leaves out comes from the base: its `creation` and its platform's;
 * 2. tools/mcconfig.js `filterCreation` fills what is still missing with its defaults.
 *
 * The constants below are Moddable SDK 8.2.3's; test/emulated/creation.test.ts holds them against the SDK's own
 * files when `$MODDABLE` points to one.
 */
import type { Board } from "../../manifests/schema/board.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import { creationFor } from "../../tools/build/project.js";

/** XS's txCreation, field by field (xs/includes/xs.h), plus the static block Moddable allocates before the machine. */
export interface XsCreation {
  /** Chunk heap first allocated, bytes, and what XS adds when it runs out (0: fixed). */
  chunk: number;
  chunkIncrement: number;
  /** Slot heap first allocated, slots of 16 bytes, and what XS adds (0: fixed). */
  heap: number;
  heapIncrement: number;
  /** JS stack, slots. */
  stack: number;
  /** Keys available at run time (with a preload: beyond the preloaded ones), and what XS adds (0: fixed). */
  keys: number;
  keysIncrement: number;
  nameModulo: number;
  symbolModulo: number;
  parserBuffer: number;
  parserTable: number;
  /** One block for chunks, slots and the JS stack, bytes (0: separate allocations from the system heap). */
  static: number;
}

/** The `creation` of $(MODDABLE)/examples/manifest_base.json, and its per-platform sections. */
export const MODDABLE_BASE_CREATION = Object.freeze({
  keys: Object.freeze({ initial: 32, incremental: 32, name: 53, symbol: 3 }),
  parser: Object.freeze({ buffer: 1024, table: 17 }),
  main: "main",
});
export const MODDABLE_BASE_PLATFORM_CREATION: Readonly<Record<string, Readonly<Record<string, unknown>>>> = Object.freeze({
  nrf52: Object.freeze({ static: 131072, chunk: Object.freeze({ initial: 32768 }), heap: Object.freeze({ initial: 2048 }), stack: 512 }),
});

/** tools/mcconfig.js `filterCreation`: what a creation gets for what no manifest set. */
export const MCCONFIG_DEFAULTS = Object.freeze({
  chunk: Object.freeze({ initial: 32768, incremental: 1024 }),
  heap: Object.freeze({ initial: 2048, incremental: 64 }),
  stack: 384,
  keys: Object.freeze({ initial: 256, incremental: 0, name: 127, symbol: 127 }),
  parser: Object.freeze({ buffer: 32768, table: 1993 }),
  static: 0,
});

type Json = Record<string, unknown>;

/** tools/mcmanifest.js `mergeProperties`: objects merge member by member, anything else replaces. */
function merge(target: Json, source: Json | undefined): Json {
  if (!source) return target;
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (t && v && typeof t === "object" && typeof v === "object") merge(t as Json, v as Json);
    else target[k] = v && typeof v === "object" ? structuredClone(v) : v;
  }
  return target;
}

interface MergedCreation {
  static?: number;
  chunk?: { initial?: number; incremental?: number };
  heap?: { initial?: number; incremental?: number };
  stack?: number;
  keys?: { initial?: number; incremental?: number; available?: number; name?: number; symbol?: number };
  parser?: { buffer?: number; table?: number };
}

/** The creation mcconfig gives xsl and the firmware for this board's project (with the device's own need, if given). */
export function boardCreation(board: Board, config?: Pick<NodeConfig, "creation">): XsCreation {
  const merged = merge(merge(merge({}, MODDABLE_BASE_CREATION), MODDABLE_BASE_PLATFORM_CREATION[board.platform] as Json | undefined), creationFor(board, config) as unknown as Json) as MergedCreation;
  // filterCreation, in its order: falsy initial sizes take the default, missing increments take theirs.
  const d = MCCONFIG_DEFAULTS;
  const chunk = merged.chunk ?? {};
  const heap = merged.heap ?? {};
  const keys = merged.keys ?? {};
  let keysInitial: number;
  let keysIncrement: number;
  if (keys.initial) {
    keysInitial = keys.initial;
    keysIncrement = keys.incremental ?? 0;
  } else if (keys.available) {
    keysInitial = keys.available;
    keysIncrement = 0;
  } else {
    keysInitial = d.keys.initial;
    keysIncrement = d.keys.incremental;
  }
  return {
    chunk: chunk.initial || d.chunk.initial,
    chunkIncrement: chunk.incremental ?? d.chunk.incremental,
    heap: heap.initial || d.heap.initial,
    heapIncrement: heap.incremental ?? d.heap.incremental,
    stack: merged.stack ?? d.stack,
    keys: keysInitial,
    keysIncrement,
    nameModulo: keys.name || d.keys.name,
    symbolModulo: keys.symbol || d.keys.symbol,
    parserBuffer: merged.parser?.buffer || d.parser.buffer,
    parserTable: merged.parser?.table || d.parser.table,
    static: merged.static ?? d.static,
  };
}

/** The C defines the image is compiled with (emulator/firmware/main.c refuses to build without every one). */
export function creationDefines(c: XsCreation): string[] {
  return [
    `-DXS_CHUNK_INITIAL=${c.chunk}`,
    `-DXS_CHUNK_INCREMENT=${c.chunkIncrement}`,
    `-DXS_HEAP_INITIAL=${c.heap}`,
    `-DXS_HEAP_INCREMENT=${c.heapIncrement}`,
    `-DXS_STACK_SLOTS=${c.stack}`,
    `-DXS_KEYS_INITIAL=${c.keys}`,
    `-DXS_KEYS_INCREMENT=${c.keysIncrement}`,
    `-DXS_NAME_MODULO=${c.nameModulo}`,
    `-DXS_SYMBOL_MODULO=${c.symbolModulo}`,
    `-DXS_PARSER_BUFFER=${c.parserBuffer}`,
    `-DXS_PARSER_TABLE=${c.parserTable}`,
    `-DXS_STATIC_SIZE=${c.static}`,
  ];
}

/** Which creation parameter an out-of-memory abort exceeded, from the image's console (emulator/firmware/xs_glue.c). */
export interface MemoryFull {
  /** `creation.heap`, `creation.chunk`, `creation.static`, or `RAM` (the system heap, outside XS's budget). */
  parameter: string;
  /** The one line `ganzhi emulate` prints. */
  message: string;
}

export function memoryFull(consoleText: string, c: XsCreation, board: string): MemoryFull | undefined {
  const m = /^#abort xs-memory-full from=(\w+) request=(\d+)(?: chunks=(\d+)\/(\d+) slots=(\d+)\/(\d+) static=(\d+)\/(\d+))?/m.exec(consoleText);
  if (!m) return undefined;
  const [, from, request] = m;
  // What the device holds (XS's counts less the image's own and its ballast), when the harness had settled.
  const device = /device-slots=(-?\d+) device-chunks=(-?\d+)/.exec(consoleText);
  const own = device && Number(device[1]) >= 0;
  const chunks = Number(own ? device[2] : (m[3] ?? 0));
  const slots = Number(own ? device[1] : (m[5] ?? 0));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const reboot = "XS aborts with \"memory full\" and the board resets";
  if (from === "fixed") {
    // XS says which fixed heap refused before it aborts (xsMemory.c fxGrowChunks / fxNewSlot).
    const slotHeap = /^# Slot allocation: failed in fixed size heap/m.test(consoleText);
    if (slotHeap) {
      return {
        parameter: "creation.heap",
        message: `board ${board}: creation.heap (${c.heap} slots, ${kb(c.heap * 16)}, incremental 0) is too small: the device and XS's machine hold ${slots} slots after a collection and need one more; ${reboot}`,
      };
    }
    return {
      parameter: "creation.chunk",
      message: `board ${board}: creation.chunk (${c.chunk} bytes, incremental 0) is too small: the device and XS's machine hold ${chunks} bytes after a collection and need more; ${reboot}`,
    };
  }
  if (from === "creation") {
    return {
      parameter: "creation.static",
      message: `board ${board}: creation.static (${c.static} bytes) is too small for the machine XS creates in it before any JS runs: ${request} bytes (chunk ${c.chunk}, JS stack ${c.stack} and heap ${c.heap} slots of 16 bytes, a block header); ${reboot}`,
    };
  }
  if (from === "static") {
    return {
      parameter: "creation.static",
      message: `board ${board}: creation.static (${c.static} bytes) is too small: the device and XS's machine hold ${kb(chunks)} of chunks and ${slots} slots (${kb(slots * 16)}) beside the ${c.stack}-slot stack and need ${request} bytes more; ${reboot}`,
    };
  }
  return {
    parameter: "RAM",
    message: `board ${board}: the system heap (RAM outside XS's creation) ran out asking for ${request} bytes; ${reboot}`,
  };
}
