/**
 * Manifest loader (Node): reads board and device manifests, resolves vendor overlays, validates them against
 * their schemas and against each other, and resolves a device on a board into the configuration the device
 * receives as `host.config`.
 *
 * Every problem is a `Diagnostic` that points at the line and column of the value at fault, in the file that
 * contributed it (an overlay's value in the overlay, an inherited one in the base board):
 *
 *     manifests/devices/weather-station.json:14:7: /parts/vane/pin: <message>
 *
 * Errors are thrown as one `ManifestError` carrying all diagnostics found at that stage; warnings travel with the
 * results (`LoadedBoard.warnings`, `LoadedDevice.warnings`, `Resolution.warnings`).
 *
 * API: `loadBoard(nameOrPath)`, `loadDevice(nameOrPath)`, `listBoards()`, `listDevices()`,
 * `resolveNode(device, board)` → `{ config, pins, warnings }`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { JsonSyntaxError, locate, member, mergePatch, parseJson, toValue, type JsonNode } from "./json-source.js";
import { BoardSchema, type Board } from "./schema/board.js";
import { didYouMean, escapePointerToken, validate, type Issue } from "./schema/builder.js";
import { formatPortPin, hex, pinKeyToNumber } from "./schema/common.js";
import type { NodeConfig, ResolvedI2CBus, ResolvedI2CPart, ResolvedPart } from "./schema/config.js";
import { DeviceSchema, type Device, type PartEntry } from "./schema/device.js";
import type { ConnectionKind, PartDefinition } from "./schema/part.js";
import { getPart, partNames } from "./schema/parts.js";

export type { Board } from "./schema/board.js";
export type { Device } from "./schema/device.js";
export type { NodeConfig, ResolvedPart } from "./schema/config.js";

// ================================================================================================ diagnostics

export type Severity = "error" | "warning";

export interface Diagnostic {
  /** Path relative to the repository root, with "/" separators. */
  readonly file: string;
  /** JSON pointer (RFC 6901) of the value at fault; "" is the whole document. */
  readonly pointer: string;
  /** 1-based; 0 when the problem is the file itself (not found). */
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly severity: Severity;
}

/** `file:line:col: /pointer: message` (warnings: `…: /pointer: warning: message`). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const pointer = d.pointer === "" ? "(root)" : d.pointer;
  return `${where}: ${pointer}: ${d.severity === "warning" ? "warning: " : ""}${d.message}`;
}

export class ManifestError extends Error {
  /** Errors first, then any warnings found on the way, each in the order found. */
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const sorted = [...diagnostics.filter((d) => d.severity === "error"), ...diagnostics.filter((d) => d.severity !== "error")];
    super(sorted.map(formatDiagnostic).join("\n"));
    this.name = "ManifestError";
    this.diagnostics = Object.freeze(sorted);
  }
  get errors(): readonly Diagnostic[] {
    return this.diagnostics.filter((d) => d.severity === "error");
  }
}

class Sink {
  readonly list: Diagnostic[] = [];
  constructor(readonly tree: JsonNode) {}
  add(pointer: string, message: string, severity: Severity = "error", tree: JsonNode = this.tree): void {
    const at = locate(tree, pointer);
    this.list.push({ file: at.loc.file, pointer, line: at.loc.line, column: at.loc.column, message, severity });
  }
  error(pointer: string, message: string, tree?: JsonNode): void {
    this.add(pointer, message, "error", tree);
  }
  warn(pointer: string, message: string, tree?: JsonNode): void {
    this.add(pointer, message, "warning", tree);
  }
  /** Schema issues; a key an overlay deleted with `null` is reported at that `null`. */
  issues(issues: readonly Issue[]): void {
    for (const issue of issues) {
      if (issue.missingKey !== undefined) {
        const at = locate(this.tree, ptr(issue.pointer, issue.missingKey));
        if (at.deletedAt) {
          this.list.push({
            file: at.deletedAt.file,
            pointer: ptr(issue.pointer, issue.missingKey),
            line: at.deletedAt.line,
            column: at.deletedAt.column,
            message: `${issue.message} (deleted by null)`,
            severity: "error",
          });
          continue;
        }
      }
      this.error(issue.pointer, issue.message);
    }
  }
  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === "error");
  }
  get warnings(): Diagnostic[] {
    return this.list.filter((d) => d.severity === "warning");
  }
  throwIfErrors(extra: readonly Diagnostic[] = []): void {
    if (this.hasErrors) throw new ManifestError([...this.list, ...extra]);
  }
}

function ptr(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => `/${escapePointerToken(String(t))}`).join("");
}

// ================================================================================================ files

export interface LoadOptions {
  /** Repository root (the folder holding `manifests/`); default: found from this module's location. */
  readonly root?: string;
}

let cachedRoot: string | undefined;
/** The repository root: the nearest folder above this module that holds `manifests/boards`. */
export function manifestRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "manifests", "boards"))) return (cachedRoot = dir);
    const up = dirname(dir);
    if (up === dir) return (cachedRoot = process.cwd());
    dir = up;
  }
}

function rootOf(opts: LoadOptions): string {
  return opts.root !== undefined ? resolve(opts.root) : manifestRoot();
}

function display(root: string, abs: string): string {
  const rel = relative(root, abs);
  return rel.startsWith("..") ? abs.split(sep).join("/") : rel.split(sep).join("/");
}

function listJson(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Board names in `manifests/boards`. */
export function listBoards(opts: LoadOptions = {}): string[] {
  return listJson(join(rootOf(opts), "manifests", "boards"));
}

/** Device names in `manifests/devices`. */
export function listDevices(opts: LoadOptions = {}): string[] {
  return listJson(join(rootOf(opts), "manifests", "devices"));
}

function isPath(nameOrPath: string): boolean {
  return nameOrPath.includes("/") || nameOrPath.includes("\\") || nameOrPath.endsWith(".json");
}

/** " (did you mean "x"?)" when a name is close, else "; <what>: a, b, c". */
function orList(word: string, known: readonly string[], what: string): string {
  return didYouMean(word, known) || `; ${what}: ${known.join(", ") || "none"}`;
}

function fileProblem(file: string, message: string): ManifestError {
  return new ManifestError([{ file, pointer: "", line: 0, column: 0, message, severity: "error" }]);
}

function findManifest(kind: "boards" | "devices", nameOrPath: string, root: string): string {
  if (isPath(nameOrPath)) {
    const abs = resolve(nameOrPath);
    if (!existsSync(abs)) throw fileProblem(display(root, abs), "no such file");
    return abs;
  }
  const abs = join(root, "manifests", kind, `${nameOrPath}.json`);
  if (!existsSync(abs)) {
    const known = listJson(join(root, "manifests", kind));
    const what = kind === "boards" ? "board" : "device";
    throw fileProblem(
      display(root, abs),
      `unknown ${what} ${JSON.stringify(nameOrPath)}${orList(nameOrPath, known, kind)}`,
    );
  }
  return abs;
}

function readTree(abs: string, file: string): JsonNode {
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (e) {
    throw fileProblem(file, `cannot read: ${(e as Error).message}`);
  }
  try {
    return parseJson(text, file);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      throw new ManifestError([
        { file: e.loc.file, pointer: e.pointer, line: e.loc.line, column: e.loc.column, message: e.detail, severity: "error" },
      ]);
    }
    throw e;
  }
}

function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

// ================================================================================================ pins

/** "GPIO27" on boards numbered by GPIO, "P1.04 (pin 36)" on boards with ports. */
function pinLabel(board: Board, pin: number): string {
  return board.gpio.ports ? `${formatPortPin(pin)} (pin ${pin})` : `GPIO${pin}`;
}

/** "0-19, 21-23, 25-27" or "P0.00-P0.31, P1.00-P1.15". */
function pinRanges(board: Board, pins: readonly number[]): string {
  const sorted = [...new Set(pins)].sort((a, b) => a - b);
  const name = (p: number) => (board.gpio.ports ? formatPortPin(p) : String(p));
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1 && (!board.gpio.ports || sorted[j + 1]! >> 5 === sorted[i]! >> 5)) j++;
    out.push(j === i ? name(sorted[i]!) : `${name(sorted[i]!)}-${name(sorted[j]!)}`);
    i = j + 1;
  }
  return out.join(", ");
}

/** The pointer of a pin-keyed record entry as the file spells its key ("P0.09" rather than "9"). */
function pinRecordPointer(tree: JsonNode, base: string, pin: number): string {
  const at = locate(tree, base);
  if (at.node?.type === "object") {
    for (const m of at.node.members) if (pinKeyToNumber(m.key) === pin) return ptr(base, m.key);
  }
  return ptr(base, pin);
}

/** Why `pin` cannot be used at all on `board`, or undefined. */
function pinUnusable(board: Board, pin: number): string | undefined {
  if (!board.gpio.pins.includes(pin)) {
    return `${pinLabel(board, pin)} does not exist on ${board.name} (pins: ${pinRanges(board, board.gpio.pins)})`;
  }
  const reason = board.gpio.reserved[String(pin)];
  if (reason !== undefined) return `${pinLabel(board, pin)} is reserved on ${board.name}: ${reason}`;
  return undefined;
}

// ================================================================================================ boards

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
  for (const dir of [fromDir, join(root, "manifests", "boards")]) {
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
      const known = [...new Set([...listJson(dirname(abs)), ...listJson(join(root, "manifests", "boards"))])].sort();
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

  const ctx: BoardContext = { board, tree, sink, chain };
  for (const check of boardChecks) check(ctx);
  sink.throwIfErrors();

  return deepFreeze({
    name: board.name,
    file: chain[0]!.file,
    lineage: chain.map((l) => l.name),
    files: chain.map((l) => l.file),
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
}

/** The name is the file name; an overlay must name itself rather than inherit its base's name. */
function checkBoardName({ board, tree, sink, chain }: BoardContext): void {
  const own = chain[0]!;
  const at = locate(tree, "/name");
  if (at.loc.file !== own.file) {
    sink.list.push({
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

/** Ports, when given, bound the pin numbers; every list names only pins the board has. */
function checkGpioLists({ board, tree, sink }: BoardContext): void {
  const { gpio } = board;
  if (gpio.ports) {
    gpio.pins.forEach((p, i) => {
      const port = p >> 5;
      if (port >= gpio.ports!.length || (p & 31) >= gpio.ports![port]!) {
        sink.error(ptr("/gpio/pins", i), `pin ${p} (${formatPortPin(p)}) is outside the ports ${JSON.stringify(gpio.ports)}`);
      }
    });
  }
  const has = new Set(gpio.pins);
  const missing = (pin: number, pointer: string) => {
    if (!has.has(pin)) sink.error(pointer, `${pinLabel(board, pin)} is not in /gpio/pins`);
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

const BUS_LINES = {
  i2c: { all: ["data", "clock"], drives: ["data", "clock"], title: "I2C" },
  spi: { all: ["clock", "out", "in", "select"], drives: ["clock", "out", "select"], title: "SPI" },
  serial: { all: ["receive", "transmit"], drives: ["transmit"], title: "serial" },
} as const;
type BusKind = keyof typeof BUS_LINES;

function busPins(board: Board, kind: BusKind, name: string): [line: string, pin: number][] {
  const bus = board.buses[kind]?.[name] as Record<string, unknown> | undefined;
  if (!bus) return [];
  const out: [string, number][] = [];
  for (const line of BUS_LINES[kind].all) if (typeof bus[line] === "number") out.push([line, bus[line] as number]);
  return out;
}

/** Bus pins exist, are not reserved, do not repeat within a bus, and drive only pins that can. */
function checkBusPins({ board, sink }: BoardContext): void {
  for (const kind of Object.keys(BUS_LINES) as BusKind[]) {
    for (const name of Object.keys(board.buses[kind] ?? {})) {
      const seen = new Map<number, string>();
      for (const [line, pin] of busPins(board, kind, name)) {
        const pointer = ptr("/buses", kind, name, line);
        const problem = pinUnusable(board, pin);
        if (problem) sink.error(pointer, problem);
        else if ((BUS_LINES[kind].drives as readonly string[]).includes(line) && board.gpio.inputOnly.includes(pin)) {
          sink.error(pointer, `${pinLabel(board, pin)} is input-only on ${board.name}; ${BUS_LINES[kind].title} ${line} must drive the line`);
        }
        const other = seen.get(pin);
        if (other !== undefined) sink.error(pointer, `${pinLabel(board, pin)} is already this bus's ${other}`);
        seen.set(pin, line);
      }
    }
  }
}

function checkBoardPins({ board, sink }: BoardContext): void {
  for (const [name, pin] of Object.entries(board.pins)) {
    const problem = pinUnusable(board, pin);
    if (problem) sink.error(ptr("/pins", name), problem);
  }
}

/** Partitions are block-aligned, inside the flash, disjoint; there is a `storage` partition. */
function checkFlash({ board, tree, sink, chain }: BoardContext): void {
  const { size, blockLength, writeAlign, partitions } = board.flash;
  if (blockLength % writeAlign !== 0) sink.error("/flash/writeAlign", `writeAlign ${writeAlign} does not divide blockLength ${blockLength}`);
  if (size % blockLength !== 0) sink.error("/flash/size", `flash size ${hex(size)} is not a multiple of the ${blockLength}-byte block`);
  const block = `the ${blockLength}-byte (${hex(blockLength)}) block`;
  const list = Object.entries(partitions).map(([name, p]) => ({ name, offset: p.offset, end: p.offset + p.size, size: p.size }));
  for (const p of list) {
    const base = ptr("/flash/partitions", p.name);
    if (p.offset % blockLength !== 0) sink.error(`${base}/offset`, `partition "${p.name}" starts at ${hex(p.offset)}, not a multiple of ${block}`);
    if (p.size % blockLength !== 0) sink.error(`${base}/size`, `partition "${p.name}" is ${hex(p.size)} bytes, not a multiple of ${block}`);
    if (p.end > size) {
      sink.error(
        p.offset >= size ? `${base}/offset` : `${base}/size`,
        `partition "${p.name}" [${hex(p.offset)}, ${hex(p.end)}) ends beyond the ${hex(size)}-byte flash`,
      );
    }
  }
  const own = chain[0]!.file;
  const sorted = [...list].sort((a, b) => a.offset - b.offset || a.end - b.end);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      if (b.offset >= a.end) continue;
      // Blame the value this file set: a's end ran into b, or b's start ran back into a.
      const aSize = ptr("/flash/partitions", a.name, "size");
      const bOffset = ptr("/flash/partitions", b.name, "offset");
      const pointer = locate(tree, bOffset).loc.file === own && locate(tree, aSize).loc.file !== own ? bOffset : aSize;
      const [me, other] = pointer === aSize ? [a, b] : [b, a];
      sink.error(pointer, `partition "${me.name}" [${hex(me.offset)}, ${hex(me.end)}) overlaps partition "${other.name}" [${hex(other.offset)}, ${hex(other.end)})`);
    }
  }
  if (partitions["storage"] === undefined) {
    sink.error("/flash/partitions", `no "storage" partition (the store-and-forward log needs one)${didYouMean("storage", Object.keys(partitions))}`);
  }
}

/** XS creation must fit in RAM. */
function checkCreation({ board, sink }: BoardContext): void {
  const c = board.memory.creation;
  const bytes = c.static > 0 ? c.static : c.chunk + 16 * (c.heap + c.stack);
  if (bytes > board.memory.ramBytes) {
    sink.error("/memory/creation", `XS creation needs ${bytes} bytes but ${board.name} has ${board.memory.ramBytes} bytes of RAM`);
  }
}

const boardChecks: readonly ((ctx: BoardContext) => void)[] = [
  checkBoardName,
  checkTarget,
  checkGpioLists,
  checkBusPins,
  checkBoardPins,
  checkFlash,
  checkCreation,
];

// ================================================================================================ devices

export interface LoadedDevice {
  readonly name: string;
  readonly file: string;
  /** The validated, normalised, frozen manifest. */
  readonly manifest: Device;
  readonly warnings: readonly Diagnostic[];
  readonly tree: JsonNode;
}

interface DeviceContext {
  readonly device: Device;
  readonly tree: JsonNode;
  readonly sink: Sink;
  readonly fileName: string;
  readonly root: string;
}

/** Load a device by name (`manifests/devices/<name>.json`) or by path. */
export function loadDevice(nameOrPath: string, opts: LoadOptions = {}): LoadedDevice {
  const root = rootOf(opts);
  const abs = findManifest("devices", nameOrPath, root);
  const file = display(root, abs);
  const tree = readTree(abs, file);
  const sink = new Sink(tree);
  const { value, issues } = validate(DeviceSchema, toValue(tree));
  sink.issues(issues);
  sink.throwIfErrors();
  const device = deepFreeze(value!);
  const ctx: DeviceContext = { device, tree, sink, fileName: basename(abs, ".json"), root };
  for (const check of deviceChecks) check(ctx);
  sink.throwIfErrors();
  return deepFreeze({ name: device.name, file, manifest: device, warnings: sink.warnings, tree });
}

function checkDeviceName({ device, sink, fileName }: DeviceContext): void {
  if (device.name !== fileName) sink.error("/name", `name ${JSON.stringify(device.name)} does not match the file name ${JSON.stringify(`${fileName}.json`)}`);
}

function connectionKinds(def: PartDefinition): ConnectionKind[] {
  const c = def.connection;
  return c.kind === "pulse-count" && c.fallback ? [c.kind, c.fallback] : [c.kind];
}

function describeConnection(def: PartDefinition): string {
  const kinds = connectionKinds(def);
  return def.connection.kind === "i2c" ? "I2C" : `${kinds.join(" or ")} on a pin`;
}

/** Known part; connection fields fit the part's kind; options fit the part's schema. */
function checkParts({ device, sink }: DeviceContext): void {
  for (const [role, entry] of Object.entries(device.parts)) {
    const base = ptr("/parts", role);
    const def = getPart(entry.part);
    if (!def) {
      sink.error(`${base}/part`, `unknown part ${JSON.stringify(entry.part)}${didYouMean(entry.part, partNames)}; known parts: ${partNames.join(", ")}`);
      continue;
    }
    if (def.connection.kind === "spi" || def.connection.kind === "uart") {
      // Named part pins (an SX1262's NSS, BUSY, DIO1, RESET; a modem's RESET) come with the manifest schema's pin
      // extension (issue 9).
      const bus = def.connection.kind === "spi" ? "SPI" : "UART";
      sink.error(base, `part ${def.name} connects by ${bus} with its own pins (${def.connection.pins.join(", ")}), which device manifests cannot wire yet`);
      continue;
    }
    const kinds = connectionKinds(def);
    if (entry.io !== undefined && !kinds.includes(entry.io)) {
      sink.error(`${base}/io`, `part ${def.name} connects by ${kinds.join(" or ")}, not ${entry.io}`);
    }
    if (def.connection.kind === "i2c") {
      if (entry.pin !== undefined) sink.error(`${base}/pin`, `part ${def.name} connects by I2C: give "bus" and "address", not "pin"`);
    } else {
      for (const key of ["bus", "address"] as const) {
        if (entry[key] !== undefined) sink.error(`${base}/${key}`, `part ${def.name} connects by ${describeConnection(def)}: "${key}" does not apply`);
      }
      if (entry.pin === undefined) sink.error(base, `missing required key "pin": part ${def.name} connects by ${describeConnection(def)}`);
    }
    sink.issues(validate(def.options, entry.options ?? {}, `${base}/options`).issues);
  }
}

function checkSamplingRoles({ device, sink }: DeviceContext): void {
  const roles = Object.keys(device.parts);
  for (const [group, g] of Object.entries(device.sampling)) {
    g.roles.forEach((role, i) => {
      if (!roles.includes(role)) {
        sink.error(ptr("/sampling", group, "roles", i), `unknown role ${JSON.stringify(role)}${didYouMean(role, roles)}; roles: ${roles.join(", ")}`);
      }
    });
  }
}

function checkReportingBounds({ device, sink }: DeviceContext): void {
  const { intervalS, minIntervalS, maxIntervalS } = device.reporting;
  if (minIntervalS > maxIntervalS) {
    sink.error("/reporting/minIntervalS", `minIntervalS ${minIntervalS} is greater than maxIntervalS ${maxIntervalS}`);
  } else if (intervalS < minIntervalS || intervalS > maxIntervalS) {
    sink.error("/reporting/intervalS", `interval ${intervalS} s is outside [minIntervalS ${minIntervalS}, maxIntervalS ${maxIntervalS}]`);
  }
}

/** A group sampled less often than reports go out leaves reports without a fresh sample. */
function checkSamplingVsReporting({ device, sink }: DeviceContext): void {
  const { intervalS, minIntervalS } = device.reporting;
  for (const [group, g] of Object.entries(device.sampling)) {
    const pointer = ptr("/sampling", group, "intervalMs");
    if (g.intervalMs > intervalS * 1000) {
      sink.error(pointer, `sampling every ${g.intervalMs} ms is slower than reporting every ${intervalS} s: some reports would carry no new ${group} sample`);
    } else if (g.intervalMs > minIntervalS * 1000) {
      sink.warn(pointer, `sampling every ${g.intervalMs} ms is slower than the fastest reporting a downlink may set (${minIntervalS} s)`);
    }
  }
}

function checkTopic({ device, sink }: DeviceContext): void {
  const topic = device.uplink.topic;
  if (/[+#]/.test(topic)) {
    sink.error("/uplink/topic", `topic ${JSON.stringify(topic)} contains "+" or "#": those are subscription wildcards, not allowed in a publish topic`);
  }
  for (const m of topic.matchAll(/\{([^}]*)\}/g)) {
    if (m[1] !== "id") sink.error("/uplink/topic", `unknown placeholder ${JSON.stringify(m[0])} in topic (only {id} is replaced)`);
  }
  if (!topic.includes("{id}")) sink.warn("/uplink/topic", `topic ${JSON.stringify(topic)} has no {id}: every node would publish on the same topic`);
}

function checkBroker({ device, sink }: DeviceContext): void {
  const address = device.uplink.broker.address;
  const ipv4 = /^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$/;
  if (!ipv4.test(address)) {
    sink.warn("/uplink/broker/address", `broker address ${JSON.stringify(address)} is not a numeric IPv4 address: Moddable's TCP socket takes one, so the node must resolve the name (DNS) first`);
  }
}

/** Wiring or energy budgets for boards that do not exist, and pin names no part uses, are likely typos. */
function checkWiringNames({ device, sink, root }: DeviceContext): void {
  const boards = listJson(join(root, "manifests", "boards"));
  const used = new Set(Object.values(device.parts).flatMap((p) => [p.pin, p.powerPin]).filter((p): p is string => typeof p === "string"));
  for (const boardName of Object.keys(device.budgets?.averageMicroamps ?? {})) {
    if (!boards.includes(boardName)) {
      sink.warn(ptr("/budgets/averageMicroamps", boardName), `no board named ${JSON.stringify(boardName)}${orList(boardName, boards, "boards")}`);
    }
  }
  for (const [boardName, wiring] of Object.entries(device.wiring)) {
    if (!boards.includes(boardName)) {
      sink.warn(ptr("/wiring", boardName), `no board named ${JSON.stringify(boardName)}${orList(boardName, boards, "boards")}`);
    }
    for (const pinName of Object.keys(wiring)) {
      if (!used.has(pinName)) {
        sink.warn(ptr("/wiring", boardName, pinName), `pin name ${JSON.stringify(pinName)} is not used by any part${didYouMean(pinName, used)}`);
      }
    }
  }
}

const deviceChecks: readonly ((ctx: DeviceContext) => void)[] = [
  checkDeviceName,
  checkParts,
  checkSamplingRoles,
  checkReportingBounds,
  checkSamplingVsReporting,
  checkTopic,
  checkBroker,
  checkWiringNames,
];

// ================================================================================================ resolution

export interface Resolution {
  /** What the device receives as `host.config`: frozen and JSON-serialisable. */
  readonly config: NodeConfig;
  /** Named pins → pin numbers: the board's own (led, button, …) and the device's wiring on this board (wind, …). */
  readonly pins: Readonly<Record<string, number>>;
  /** Warnings from the board, the device and the resolution. */
  readonly warnings: readonly Diagnostic[];
}

interface PinClaim {
  readonly owner: string;
  /** Set when the owner is one of the board's own named pins. */
  readonly boardPin?: string;
}

interface ResolveContext {
  readonly board: Board;
  readonly device: Device;
  readonly loadedBoard: LoadedBoard;
  readonly loadedDevice: LoadedDevice;
  readonly sink: Sink;
  readonly claims: Map<number, PinClaim>;
  /** The active network interface, or null. */
  readonly iface: "wifi" | "ethernet" | "cellular" | null;
}

/** Where a part's pin number came from. */
interface PinSource {
  readonly pin: number;
  /** Name in host.pin, when the manifest used a name. */
  readonly name?: string;
  /** Pointer (in the device tree) of the number. */
  readonly pointer: string;
  /** The manifest wrote it as a port pin name ("P1.04"). */
  readonly portName: boolean;
  /** The name is one of the board's own pins. */
  readonly boardPin?: string;
}

/**
 * Resolve a device on a board: check them against each other and build the configuration the device receives
 * as `host.config`. Throws `ManifestError` listing every error.
 */
export function resolveNode(device: LoadedDevice | string, board: LoadedBoard | string, opts: LoadOptions = {}): Resolution {
  const loadedDevice = typeof device === "string" ? loadDevice(device, opts) : device;
  const loadedBoard = typeof board === "string" ? loadBoard(board, opts) : board;
  const B = loadedBoard.manifest;
  const D = loadedDevice.manifest;
  const sink = new Sink(loadedDevice.tree);
  const iface = D.uplink.link === "mqtt" ? (B.network[0] ?? null) : null;
  const ctx: ResolveContext = { board: B, device: D, loadedBoard, loadedDevice, sink, claims: new Map(), iface };

  for (const [name, pin] of Object.entries(B.pins)) ctx.claims.set(pin, { owner: `the board's pin "${name}"`, boardPin: name });

  const wiringKey = loadedBoard.lineage.find((n) => D.wiring[n] !== undefined);
  const needsWiring = Object.values(D.parts).some((p) => typeof p.pin === "string" || typeof p.powerPin === "string");
  if (wiringKey === undefined && needsWiring) {
    const via = loadedBoard.lineage.length > 1 ? ` (nor for its base${loadedBoard.lineage.length > 2 ? "s" : ""} ${loadedBoard.lineage.slice(1).map((n) => JSON.stringify(n)).join(", ")})` : "";
    sink.error("/wiring", `no wiring for board ${JSON.stringify(B.name)}${via}; wiring has: ${Object.keys(D.wiring).join(", ") || "nothing"}`);
  }

  const parts: Record<string, ResolvedPart> = {};
  const buses: Record<string, ResolvedI2CBus> = {};
  const pins: Record<string, number> = { ...B.pins };
  const i2cAddresses = new Map<string, string>();
  const pulseCounters: string[] = [];

  // Buses first, so a part pin that collides with a bus pin is the one reported.
  const i2cUses = new Map<string, string>(); // bus → first role
  for (const [role, entry] of Object.entries(D.parts)) {
    const def = getPart(entry.part);
    if (def?.connection.kind === "i2c") {
      const busName = entry.bus ?? "default";
      if (B.buses.i2c?.[busName] && !i2cUses.has(busName)) i2cUses.set(busName, role);
    }
  }
  for (const busName of i2cUses.keys()) claimBus(ctx, "i2c", busName);

  for (const [role, entry] of Object.entries(D.parts)) {
    const def = getPart(entry.part)!;
    const options = { ...def.defaults, ...(validate(def.options, entry.options ?? {}).value as object) } as Record<string, string | number | boolean>;
    if (def.connection.kind === "i2c") {
      if (entry.powerPin !== undefined) {
        sink.error(ptr("/parts", role, "powerPin"), `powerPin is for analog parts (a switched divider supply); part "${role}" is i2c`);
        continue;
      }
      const resolved = resolveI2CPart(ctx, role, entry, def, i2cAddresses);
      if (resolved) {
        buses[resolved.bus] = stripUndefined({ data: resolved.data, clock: resolved.clock, hz: resolved.hz, port: resolved.port });
        parts[role] = stripUndefined({ ...resolved, options });
      }
      continue;
    }
    const source = pinSource(ctx, role, entry, wiringKey);
    if (!source) continue;
    const kind = chooseKind(ctx, role, entry, def, pulseCounters);
    if (!kind) continue;
    if (!checkPartPin(ctx, role, source, def, kind)) continue;
    if (source.name !== undefined) pins[source.name] = source.pin;
    if (entry.powerPin !== undefined && kind !== "analog") {
      sink.error(ptr("/parts", role, "powerPin"), `powerPin is for analog parts (a switched divider supply); part "${role}" is ${kind}`);
      continue;
    }
    const power = entry.powerPin !== undefined ? pinSource(ctx, role, entry, wiringKey, "powerPin") : undefined;
    if (power && !checkPowerPin(ctx, role, power)) continue;
    if (power?.name !== undefined) pins[power.name] = power.pin;
    if (kind === "analog") {
      parts[role] = stripUndefined({
        part: def.name,
        io: "analog",
        pin: source.pin,
        pinName: source.name,
        powerPin: power?.pin,
        powerPinName: power?.name,
        channel: B.analog.channels[String(source.pin)]!,
        resolutionBits: B.analog.resolutionBits,
        fullScaleVolts: B.analog.fullScaleVolts,
        options,
      });
    } else {
      const c = def.connection as { pull: "up" | "down" | "none"; edge: "rising" | "falling" | "both" };
      parts[role] = stripUndefined({ part: def.name, io: kind as "pulse-count" | "digital-edge", pin: source.pin, pinName: source.name, edge: c.edge, pull: c.pull, options });
    }
  }

  if (iface === null) {
    sink.warn(
      "/uplink/link",
      `${B.name} has no built-in network interface (its /network is empty) and no part here is a modem: the ${D.uplink.link} uplink can only run in the simulator`,
    );
  }

  const warnings = [...loadedBoard.warnings, ...loadedDevice.warnings, ...sink.warnings];
  sink.throwIfErrors([...loadedBoard.warnings, ...loadedDevice.warnings]);

  const storage = B.flash.partitions["storage"]!;
  const config: NodeConfig = stripUndefined({
    device: D.name,
    board: B.name,
    platform: B.platform,
    target: B.target,
    main: D.main,
    parts,
    buses: { i2c: buses },
    pins,
    sampling: Object.fromEntries(Object.entries(D.sampling).map(([k, g]) => [k, { intervalMs: g.intervalMs, roles: [...g.roles] }])),
    reporting: { intervalS: D.reporting.intervalS, minIntervalS: D.reporting.minIntervalS, maxIntervalS: D.reporting.maxIntervalS },
    uplink: {
      link: D.uplink.link,
      interface: iface,
      broker: { address: D.uplink.broker.address, port: D.uplink.broker.port },
      topic: D.uplink.topic,
      qos: D.uplink.qos,
      keepAliveS: D.uplink.keepAliveS,
    },
    storage: { partition: "storage", size: storage.size, blockLength: B.flash.blockLength, writeAlign: B.flash.writeAlign },
    budgets: D.budgets ? { ...D.budgets } : undefined,
  }) as NodeConfig;
  deepFreeze(config);
  return deepFreeze({ config, pins: config.pins, warnings });
}

/** JSON has no `undefined`: drop keys whose value is undefined (shallow). */
function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o)) if ((o as Record<string, unknown>)[k] === undefined) delete (o as Record<string, unknown>)[k];
  return o;
}

/** Claim a bus's pins for the device; warn about strapping pins among them. */
function claimBus(ctx: ResolveContext, kind: BusKind, busName: string): void {
  const { board, loadedBoard, sink, claims } = ctx;
  for (const [line, pin] of busPins(board, kind, busName)) {
    const pointer = ptr("/buses", kind, busName, line);
    const held = claims.get(pin);
    if (held) sink.error(pointer, `${pinLabel(board, pin)} of ${BUS_LINES[kind].title} bus "${busName}" (${line}) is already used by ${held.owner}`, loadedBoard.tree);
    else claims.set(pin, { owner: `${BUS_LINES[kind].title} bus "${busName}" (${line})` });
    const strap = board.gpio.strapping[String(pin)];
    if (strap !== undefined) {
      sink.warn(pointer, `${pinLabel(board, pin)} (${BUS_LINES[kind].title} bus "${busName}" ${line}) is a strapping pin on ${board.name}: ${strap}`, loadedBoard.tree);
    }
  }
}

function resolveI2CPart(
  ctx: ResolveContext,
  role: string,
  entry: PartEntry,
  def: PartDefinition,
  taken: Map<string, string>,
): Omit<ResolvedI2CPart, "options"> | undefined {
  const { board, sink } = ctx;
  const base = ptr("/parts", role);
  const conn = def.connection as { kind: "i2c"; addresses: readonly number[]; maxHz: number };
  const busName = entry.bus ?? "default";
  const busPointer = entry.bus !== undefined ? `${base}/bus` : base;
  const known = Object.keys(board.buses.i2c ?? {});
  const bus = board.buses.i2c?.[busName];
  if (!bus) {
    sink.error(
      busPointer,
      known.length
        ? `unknown I2C bus ${JSON.stringify(busName)} on ${board.name}${didYouMean(busName, known)}; I2C buses: ${known.map((k) => JSON.stringify(k)).join(", ")}`
        : `${board.name} has no I2C bus`,
    );
    return undefined;
  }
  let ok = true;
  const address = entry.address ?? conn.addresses[0]!;
  const addressPointer = entry.address !== undefined ? `${base}/address` : base;
  if (!conn.addresses.includes(address)) {
    sink.error(addressPointer, `address ${hex(address)} is not an address of ${def.name} (it answers on ${conn.addresses.map(hex).join(" or ")})`);
    ok = false;
  } else {
    const key = `${busName}\u0000${address}`;
    const other = taken.get(key);
    if (other !== undefined) {
      sink.error(addressPointer, `address ${hex(address)} on I2C bus "${busName}" is already taken by part "${other}"`);
      ok = false;
    } else taken.set(key, role);
  }
  if (bus.hz > conn.maxHz) {
    sink.error(busPointer, `I2C bus "${busName}" runs at ${bus.hz} Hz but ${def.name} supports at most ${conn.maxHz} Hz`);
    ok = false;
  }
  if (!ok) return undefined;
  return { part: def.name, io: "i2c", bus: busName, address, data: bus.data, clock: bus.clock, hz: bus.hz, ...(bus.port !== undefined ? { port: bus.port } : {}) };
}

/** The pin a pin-connected part uses on this board, and where the number came from. */
function pinSource(ctx: ResolveContext, role: string, entry: PartEntry, wiringKey: string | undefined, field: "pin" | "powerPin" = "pin"): PinSource | undefined {
  const { board, device, loadedDevice, sink } = ctx;
  const pinPointer = ptr("/parts", role, field);
  const ref = entry[field]!;
  if (typeof ref === "number") {
    const raw = locate(loadedDevice.tree, pinPointer).node;
    return { pin: ref, pointer: pinPointer, portName: raw?.type === "string" };
  }
  if (wiringKey !== undefined) {
    const wiring = device.wiring[wiringKey]!;
    const pin = wiring[ref];
    if (pin !== undefined) {
      const pointer = ptr("/wiring", wiringKey, ref);
      return { pin, name: ref, pointer, portName: locate(loadedDevice.tree, pointer).node?.type === "string" };
    }
  }
  const own = board.pins[ref];
  if (own !== undefined) return { pin: own, name: ref, pointer: pinPointer, portName: false, boardPin: ref };
  if (wiringKey !== undefined) {
    const names = Object.keys(device.wiring[wiringKey]!);
    sink.error(pinPointer, `no wiring for pin ${JSON.stringify(ref)} on ${board.name}${didYouMean(ref, names)} (add it to /wiring/${escapePointerToken(wiringKey)})`);
  }
  return undefined;
}

/** The connection kind this part gets on this board; counts pulse-count units. */
function chooseKind(ctx: ResolveContext, role: string, entry: PartEntry, def: PartDefinition, counters: string[]): ConnectionKind | undefined {
  const { board, sink } = ctx;
  const conn = def.connection;
  const kind: ConnectionKind = entry.io ?? conn.kind;
  if (kind !== "pulse-count") return kind;
  const units = board.pulseCount.units;
  if (counters.length < units) {
    counters.push(role);
    return kind;
  }
  const have = units === 0 ? "has no pulse-count units" : `has ${units} pulse-count unit${units === 1 ? "" : "s"}, taken by ${counters.map((r) => JSON.stringify(r)).join(", ")}`;
  if (entry.io === undefined && conn.kind === "pulse-count" && conn.fallback) {
    sink.warn(ptr("/parts", role), `${board.name} ${have}: part "${role}" is counted with edge interrupts on a Digital input instead (${board.pulseCount.source})`);
    return conn.fallback;
  }
  sink.error(entry.io !== undefined ? ptr("/parts", role, "io") : ptr("/parts", role, "part"), `more pulse-count roles than units: part "${role}" needs a pulse-count unit but ${board.name} ${have}`);
  return undefined;
}

/** A pin as written can be used at all: named as the board names pins, not reserved or missing. */
function pinUsable(ctx: ResolveContext, src: PinSource): boolean {
  const { board, sink } = ctx;
  if (src.portName && !board.gpio.ports) {
    sink.error(src.pointer, `${board.name} numbers pins as GPIOs, not by port: write ${src.pin} if GPIO${src.pin} is meant`);
    return false;
  }
  const problem = pinUnusable(board, src.pin);
  if (problem) {
    sink.error(src.pointer, problem);
    return false;
  }
  return true;
}

/** Take a pin for `owner` (warning on strapping pins); an error naming who has it when it is taken. */
function claimPin(ctx: ResolveContext, src: PinSource, owner: string, use: string): boolean {
  const { board, sink, claims } = ctx;
  const label = pinLabel(board, src.pin);
  const strap = board.gpio.strapping[String(src.pin)];
  if (strap !== undefined) sink.warn(src.pointer, `${label} is a strapping pin on ${board.name}: ${strap}`);
  const held = claims.get(src.pin);
  if (held && !(src.boardPin !== undefined && held.boardPin === src.boardPin)) {
    sink.error(src.pointer, `${label} ${use} is already used by ${held.owner}`);
    return false;
  }
  if (!held) claims.set(src.pin, { owner });
  return true;
}

/** Checks for the output that powers a part: usable, can drive, free. */
function checkPowerPin(ctx: ResolveContext, role: string, src: PinSource): boolean {
  if (!pinUsable(ctx, src)) return false;
  if (ctx.board.gpio.inputOnly.includes(src.pin)) {
    ctx.sink.error(src.pointer, `${pinLabel(ctx.board, src.pin)} is input-only on ${ctx.board.name}: it cannot power part "${role}"`);
    return false;
  }
  return claimPin(ctx, src, `part "${role}" (its power pin)`, `to power part "${role}"`);
}

/** Pin checks for a part: exists, not reserved, written as the board names pins, analog-capable, free. */
function checkPartPin(ctx: ResolveContext, role: string, src: PinSource, def: PartDefinition, kind: ConnectionKind): boolean {
  const { board, sink, iface } = ctx;
  const { pin, pointer } = src;
  const label = pinLabel(board, pin);
  if (!pinUsable(ctx, src)) return false;
  let ok = true;
  if (kind === "analog") {
    const channel = board.analog.channels[String(pin)];
    if (channel === undefined) {
      const analog = Object.keys(board.analog.channels).map(Number);
      sink.error(pointer, `${label} cannot be an analog input on ${board.name} (analog pins: ${pinRanges(board, analog)})`);
      ok = false;
    } else {
      for (const r of board.analog.unavailableWith ?? []) {
        if (r.interface === iface && r.pins.includes(pin)) {
          const free = Object.keys(board.analog.channels)
            .map(Number)
            .filter((p) => !(board.analog.unavailableWith ?? []).some((x) => x.interface === iface && x.pins.includes(p)));
          sink.error(
            pointer,
            `${label} (${channel}) cannot be read while ${iface} is on: ${r.reason}; the ${ctx.device.uplink.link} uplink uses ${iface} on ${board.name} (usable analog pins: ${pinRanges(board, free)})`,
          );
          ok = false;
        }
      }
    }
  } else {
    const c = def.connection as { pull?: string };
    if (c.pull !== undefined && c.pull !== "none" && (board.gpio.noInternalPull ?? []).includes(pin)) {
      sink.warn(pointer, `${label} has no internal pull-${c.pull} on ${board.name}: ${def.name} on "${role}" needs an external pull-${c.pull} resistor`);
    }
  }
  return claimPin(ctx, src, `part "${role}"`, `for part "${role}"`) && ok;
}
