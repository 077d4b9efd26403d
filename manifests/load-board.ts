/**
 * Board manifests: a board by name or path, its `extends` chain merged RFC 7396-style (an overlay's values keep
 * their own file and line), validated against the schema and against itself. A problem between two values is
 * reported at the one the most derived file set.
 */
import { existsSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import { hex } from "./schema/common.js";
import { formatPortPin } from "./schema/pin-name.js";
import { BoardSchema, type Board } from "./schema/board.js";
import { didYouMean, validate } from "./schema/builder.js";
import { locate, member, mergePatch, toValue, type JsonNode } from "./json-source.js";
import { ptr, Sink, orList, type Diagnostic } from "./diagnostics.js";
import { catalogueDir, deepFreeze, display, findManifest, knownNames, listJson, readTree, rootOf, type LoadOptions } from "./files.js";
import { BUS_LINES, busPins, newest, pinLabel, pinRecordPointer, pinUnusable, unusableSource, type BusKind } from "./board-pins.js";
import { byteSize, PLATFORM_LIMITS } from "./platforms.js";

export interface LoadedBoard {
  readonly name: string;
  /** The manifest file (most derived), relative to the repository root. */
  readonly file: string;
  /** Board names from this one down its `extends` chain, e.g. ["kunming-ws-v1", "esp32-devkitc"]. */
  readonly lineage: readonly string[];
  /** Files of the chain, most derived first. */
  readonly files: readonly string[];
  /** The merged, validated, normalised, frozen manifest. */
  readonly manifest: Board;
  readonly warnings: readonly Diagnostic[];
  /** The merged located tree: where each value came from. */
  readonly tree: JsonNode;
}

interface ChainLink {
  readonly abs: string;
  readonly file: string;
  readonly name: string;
  readonly tree: JsonNode;
}

function findBaseBoard(name: string, fromDir: string, root: string): string | undefined {
  for (const dir of [fromDir, catalogueDir(root, "boards")]) {
    const abs = join(dir, `${name}.json`);
    if (existsSync(abs)) return abs;
  }
  return undefined;
}

/** Follow `extends` from `abs`; most derived first. */
function boardChain(abs: string, root: string): ChainLink[] {
  const chain: ChainLink[] = [];
  for (;;) {
    const file = display(root, abs);
    const tree = readTree(abs, file);
    chain.push({ abs, file, name: basename(abs, ".json"), tree });
    const ext = member(tree, "extends");
    if (!ext || ext.value.type !== "string") return chain; // a non-string `extends` is the schema's to report
    const baseName = ext.value.value as string;
    const baseAbs = findBaseBoard(baseName, dirname(abs), root);
    const sink = new Sink(tree);
    if (baseAbs === undefined) {
      const known = knownNames("boards", root, dirname(abs));
      sink.error("/extends", `unknown base board ${JSON.stringify(baseName)}${orList(baseName, known, "boards")}`);
      sink.throwIfErrors();
    }
    const seen = chain.findIndex((l) => l.abs === baseAbs);
    if (seen >= 0) {
      const cycle = [...chain.slice(seen).map((l) => l.name), baseName].join(" -> ");
      sink.error("/extends", `extends cycle: ${cycle}`);
      sink.throwIfErrors();
    }
    abs = baseAbs!;
  }
}

/** Load a board by name (`manifests/boards/<name>.json`) or by path, resolving its `extends` chain. */
export function loadBoard(nameOrPath: string, opts: LoadOptions = {}): LoadedBoard {
  const root = rootOf(opts);
  const chain = boardChain(findManifest("boards", nameOrPath, root), root);
  let tree = chain[chain.length - 1]!.tree;
  for (let i = chain.length - 2; i >= 0; i--) tree = mergePatch(tree, chain[i]!.tree);

  const sink = new Sink(tree);
  const { value, issues } = validate(BoardSchema, toValue(tree));
  sink.issues(issues);
  sink.throwIfErrors();
  const board = deepFreeze(value!);

  const ctx: BoardContext = { board, tree, sink, chain, files: chain.map((l) => l.file), root };
  for (const check of boardChecks) check(ctx);
  sink.throwIfErrors();

  return deepFreeze({
    name: board.name,
    file: chain[0]!.file,
    lineage: chain.map((l) => l.name),
    files: ctx.files,
    manifest: board,
    warnings: sink.warnings,
    tree,
  });
}

interface BoardContext {
  readonly board: Board;
  readonly tree: JsonNode;
  readonly sink: Sink;
  readonly chain: readonly ChainLink[];
  /** Files of the chain, most derived first. */
  readonly files: readonly string[];
  readonly root: string;
}

/** The name is the file name; an overlay must name itself rather than inherit its base's name. */
function checkBoardName({ board, tree, sink, chain }: BoardContext): void {
  const own = chain[0]!;
  const at = locate(tree, "/name");
  if (at.loc.file !== own.file) {
    sink.push({
      file: own.file,
      pointer: "/name",
      line: own.tree.loc.line,
      column: own.tree.loc.column,
      message: `missing "name": an overlay must name itself (it would inherit ${JSON.stringify(board.name)} from ${at.loc.file})`,
      severity: "error",
    });
    return;
  }
  if (board.name !== own.name) sink.error("/name", `name ${JSON.stringify(board.name)} does not match the file name ${JSON.stringify(`${own.name}.json`)}`);
}

function checkTarget({ board, sink }: BoardContext): void {
  if (board.target !== board.platform && !board.target.startsWith(`${board.platform}/`)) {
    sink.error("/target", `target ${JSON.stringify(board.target)} is not a ${board.platform} target (expected "${board.platform}" or "${board.platform}/<subplatform>")`);
  }
}

/** Figures no chip of the platform can have: a typo or a unit slip, never a board. */
function checkPlatformLimits({ board, tree, sink, files }: BoardContext): void {
  const limit = PLATFORM_LIMITS[board.platform];
  const over = (pointer: string, what: string, value: string, max: string, source: string) =>
    sink.error(newest(tree, files, [pointer, "/platform"]), `${what} ${value} is more than any ${board.platform} chip has (${limit.chip}: ${max}; ${source})`);
  const { flash, ram, cpu } = limit.source;
  if (board.flash.size > limit.flashBytes) over("/flash/size", "flash size", `${hex(board.flash.size)} (${byteSize(board.flash.size)})`, `at most ${byteSize(limit.flashBytes)}`, flash);
  if (board.memory.ramBytes > limit.ramBytes) over("/memory/ramBytes", "RAM", `${board.memory.ramBytes} bytes (${byteSize(board.memory.ramBytes)})`, byteSize(limit.ramBytes), ram);
  if (board.cpu.mhz > limit.mhz) over("/cpu/mhz", "CPU clock", `${board.cpu.mhz} MHz`, `at most ${limit.mhz} MHz`, cpu);
  const cores = board.cpu.cores ?? 1;
  if (cores > limit.cores) over("/cpu/cores", "core count", String(cores), `${limit.cores} core${limit.cores === 1 ? "" : "s"}`, cpu);
}

/** Ports, when given, bound the pin numbers; every list names only pins the board has. */
function checkGpioLists({ board, tree, sink, files }: BoardContext): void {
  const { gpio } = board;
  if (gpio.ports) {
    gpio.pins.forEach((p, i) => {
      const port = p >> 5;
      if (port >= gpio.ports!.length || (p & 31) >= gpio.ports![port]!) {
        sink.error(newest(tree, files, [ptr("/gpio/pins", i), "/gpio/ports"]), `pin ${p} (${formatPortPin(p)}) is outside the ports ${JSON.stringify(gpio.ports)}`);
      }
    });
  }
  const has = new Set(gpio.pins);
  const missing = (pin: number, pointer: string) => {
    if (!has.has(pin)) sink.error(newest(tree, files, [pointer, "/gpio/pins"]), `${pinLabel(board, pin)} is not in /gpio/pins`);
  };
  gpio.inputOnly.forEach((p, i) => missing(p, ptr("/gpio/inputOnly", i)));
  (gpio.noInternalPull ?? []).forEach((p, i) => missing(p, ptr("/gpio/noInternalPull", i)));
  for (const k of Object.keys(gpio.reserved)) missing(Number(k), pinRecordPointer(tree, "/gpio/reserved", Number(k)));
  for (const k of Object.keys(gpio.strapping)) missing(Number(k), pinRecordPointer(tree, "/gpio/strapping", Number(k)));
  for (const k of Object.keys(board.analog.channels)) missing(Number(k), pinRecordPointer(tree, "/analog/channels", Number(k)));
  (board.analog.unavailableWith ?? []).forEach((r, i) =>
    r.pins.forEach((p, j) => {
      const pointer = ptr("/analog/unavailableWith", i, "pins", j);
      if (board.analog.channels[String(p)] === undefined) sink.error(pointer, `${pinLabel(board, p)} is not an analog channel (not in /analog/channels)`);
    }),
  );
}

/** Bus pins exist, are not reserved, do not repeat within a bus, and drive only pins that can. */
function checkBusPins({ board, tree, sink, files }: BoardContext): void {
  for (const kind of Object.keys(BUS_LINES) as BusKind[]) {
    for (const name of Object.keys(board.buses[kind] ?? {})) {
      const seen = new Map<number, string>();
      for (const [line, pin] of busPins(board, kind, name)) {
        const pointer = ptr("/buses", kind, name, line);
        const problem = pinUnusable(board, pin);
        const inputOnly = board.gpio.inputOnly.indexOf(pin);
        if (problem) {
          const fact = unusableSource(board, tree, pin);
          sink.error(fact ? newest(tree, files, [pointer, fact]) : pointer, problem);
        } else if ((BUS_LINES[kind].drives as readonly string[]).includes(line) && inputOnly >= 0) {
          sink.error(
            newest(tree, files, [pointer, ptr("/gpio/inputOnly", inputOnly)]),
            `${pinLabel(board, pin)} is input-only on ${board.name}; ${BUS_LINES[kind].title} ${line} must drive the line`,
          );
        }
        const other = seen.get(pin);
        if (other !== undefined) sink.error(pointer, `${pinLabel(board, pin)} is already this bus's ${other}`);
        seen.set(pin, line);
      }
    }
  }
}

function checkBoardPins({ board, tree, sink, files }: BoardContext): void {
  for (const [name, pin] of Object.entries(board.pins)) {
    const problem = pinUnusable(board, pin);
    if (!problem) continue;
    const fact = unusableSource(board, tree, pin);
    const pointer = ptr("/pins", name);
    sink.error(fact ? newest(tree, files, [pointer, fact]) : pointer, problem);
  }
}

/** Partitions are block-aligned, inside the flash, disjoint; there is a `storage` partition. */
function checkFlash({ board, tree, sink, files }: BoardContext): void {
  const { size, blockLength, writeAlign, partitions } = board.flash;
  if (blockLength % writeAlign !== 0) {
    sink.error(newest(tree, files, ["/flash/writeAlign", "/flash/blockLength"]), `writeAlign ${writeAlign} does not divide blockLength ${blockLength}`);
  }
  if (size % blockLength !== 0) {
    sink.error(newest(tree, files, ["/flash/size", "/flash/blockLength"]), `flash size ${hex(size)} is not a multiple of the ${blockLength}-byte block`);
  }
  const block = `the ${blockLength}-byte (${hex(blockLength)}) block`;
  const list = Object.entries(partitions).map(([name, p]) => ({ name, offset: p.offset, end: p.offset + p.size, size: p.size }));
  for (const p of list) {
    const base = ptr("/flash/partitions", p.name);
    if (p.offset % blockLength !== 0) sink.error(newest(tree, files, [`${base}/offset`, "/flash/blockLength"]), `partition "${p.name}" starts at ${hex(p.offset)}, not a multiple of ${block}`);
    if (p.size % blockLength !== 0) sink.error(newest(tree, files, [`${base}/size`, "/flash/blockLength"]), `partition "${p.name}" is ${hex(p.size)} bytes, not a multiple of ${block}`);
    if (p.end > size) {
      sink.error(
        newest(tree, files, [p.offset >= size ? `${base}/offset` : `${base}/size`, "/flash/size"]),
        `partition "${p.name}" [${hex(p.offset)}, ${hex(p.end)}) ends beyond the ${hex(size)}-byte flash`,
      );
    }
  }
  const sorted = [...list].sort((a, b) => a.offset - b.offset || a.end - b.end);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      if (b.offset >= a.end) continue;
      // Blame the value the newer file set: a's end ran into b, or b's start ran back into a.
      const aSize = ptr("/flash/partitions", a.name, "size");
      const bOffset = ptr("/flash/partitions", b.name, "offset");
      const pointer = newest(tree, files, [aSize, bOffset]);
      const [me, other] = pointer === aSize ? [a, b] : [b, a];
      sink.error(pointer, `partition "${me.name}" [${hex(me.offset)}, ${hex(me.end)}) overlaps partition "${other.name}" [${hex(other.offset)}, ${hex(other.end)})`);
    }
  }
  if (partitions["storage"] === undefined) {
    sink.error("/flash/partitions", `no "storage" partition (the store-and-forward log needs one)${didYouMean("storage", Object.keys(partitions))}`);
  }
}

/** XS creation must fit in RAM: reported at whichever figure the newer file set. */
function checkCreation({ board, tree, sink, files }: BoardContext): void {
  const c = board.memory.creation;
  const bytes = c.static > 0 ? c.static : c.chunk + 16 * (c.heap + c.stack);
  if (bytes <= board.memory.ramBytes) return;
  const figures = c.static > 0 ? ["/memory/creation/static"] : ["/memory/creation/chunk", "/memory/creation/heap", "/memory/creation/stack"];
  const pointer = newest(tree, files, ["/memory/creation", ...figures, "/memory/ramBytes"]);
  sink.error(pointer, `XS creation needs ${bytes} bytes but ${board.name} has ${board.memory.ramBytes} bytes of RAM`);
}

/** A board's own `wiring` names devices; one that does not exist would wire nothing. */
function checkWiringDevices({ board, tree, sink, root }: BoardContext): void {
  for (const device of Object.keys(board.wiring ?? {})) {
    const pointer = ptr("/wiring", device);
    const file = locate(tree, pointer).loc.file;
    const dir = dirname(isAbsolute(file) ? file : join(root, file));
    // A vendor's folder may hold their own devices; the catalogue's board folder holds only boards.
    const known = dir === catalogueDir(root, "boards") ? listJson(catalogueDir(root, "devices")) : knownNames("devices", root, dir);
    if (!known.includes(device)) sink.error(pointer, `no device named ${JSON.stringify(device)}${orList(device, listJson(catalogueDir(root, "devices")), "devices")}`);
  }
}

const boardChecks: readonly ((ctx: BoardContext) => void)[] = [
  checkBoardName,
  checkTarget,
  checkPlatformLimits,
  checkGpioLists,
  checkBusPins,
  checkBoardPins,
  checkFlash,
  checkCreation,
  checkWiringDevices,
];
