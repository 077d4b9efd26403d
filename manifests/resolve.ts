/**
 * A device on a board: the two manifests checked against each other and turned into the frozen `NodeConfig` the
 * device receives as `host.config`.
 *
 * Where a part's named pin is, in order: the board's own `wiring.<device>.<name>` (a vendor moving a part from
 * their file), the device's `wiring.<board>.<name>` for the board or its nearest base, then the board's own
 * `pins.<name>`. A problem between a board value and a device value is reported at the newer of the two: a value
 * from an overlay more derived than the board the device was wired for is the overlay's fault, so a vendor sees
 * the error in their own file.
 */
import { validate, didYouMean } from "./schema/builder.js";
import { hex } from "./schema/common.js";
import type { Board } from "./schema/board.js";
import type { Device, PartEntry } from "./schema/device.js";
import type { ConnectionKind, PartDefinition, PartPin } from "./schema/part.js";
import type { NodeConfig, ResolvedI2CBus, ResolvedI2CPart, ResolvedPart, ResolvedSerialBus, ResolvedSPIBus, ResolvedSPIPart, ResolvedUARTPart } from "./schema/config.js";
import { locate, type JsonNode } from "./json-source.js";
import { formatLoc, ptr, Sink, type Diagnostic } from "./diagnostics.js";
import { catalogueOf, deepFreeze, type LoadOptions } from "./files.js";
import { BUS_LINES, busPins, pinLabel, pinRanges, pinUnusable, unusableSource, type BusKind } from "./board-pins.js";
import { loadBoard, type LoadedBoard } from "./load-board.js";
import { loadDevice, onBus, pinNamesUsed, type LoadedDevice } from "./load-device.js";

export interface Resolution {
  /** What the device receives as `host.config`: frozen and JSON-serialisable. */
  readonly config: NodeConfig;
  /** Named pins → pin numbers: the board's own (led, button, …) and the device's wiring on this board (wind, …). */
  readonly pins: Readonly<Record<string, number>>;
  /** Warnings from the board, the device and the resolution. */
  readonly warnings: readonly Diagnostic[];
}

/** Where a value was written, and how new it is: lower is newer (0 is the most derived board file). */
interface Origin {
  readonly tree: JsonNode;
  readonly pointer: string;
  readonly newness: number;
}

interface PinClaim {
  /** Who holds the pin, as a message names it: `part "vane"`. */
  readonly owner: string;
  /** What taking it was for: `for part "vane"`. */
  readonly use: string;
  /** Set when the owner is one of the board's own named pins. */
  readonly boardPin?: string;
  /** Claims with the same key share the pin (the driver enable of one RS-485 port, for every part on it). */
  readonly share?: string;
  readonly origin: Origin;
}

/** Where a part's pin number came from. */
interface PinSource {
  readonly pin: number;
  /** Name in host.pin, when the manifest used a name. */
  readonly name?: string;
  readonly origin: Origin;
  /** The manifest wrote it as a port pin name ("P1.04"). */
  readonly portName: boolean;
  /** The name is one of the board's own pins. */
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
  readonly iface: NodeConfig["uplink"]["interface"];
  /** The board in the lineage the device's wiring is for. */
  readonly wiringKey: string | undefined;
  /** Newness of what the device manifest says about this board (between the board it was wired for and the next). */
  readonly deviceNewness: number;
  /** The board's own wiring for this device. */
  readonly boardWiring: Readonly<Record<string, number>> | undefined;
  /** Set once "no wiring for board" is reported, so each unwired name is not reported again. */
  noWiringReported: boolean;
  /** Board pin names already reported as shadowed by wiring. */
  readonly shadowed: Set<string>;
}

/** Newness of a value in the merged board tree: the index of the file that set it, most derived first. */
function boardNewness(ctx: ResolveContext, pointer: string): number {
  const i = ctx.loadedBoard.files.indexOf(locate(ctx.loadedBoard.tree, pointer).loc.file);
  return i >= 0 ? i : ctx.loadedBoard.files.length;
}

function boardOrigin(ctx: ResolveContext, pointer: string, offset = 0): Origin {
  return { tree: ctx.loadedBoard.tree, pointer, newness: boardNewness(ctx, pointer) + offset };
}

function deviceOrigin(ctx: ResolveContext, pointer: string): Origin {
  return { tree: ctx.loadedDevice.tree, pointer, newness: ctx.deviceNewness };
}

function report(ctx: ResolveContext, at: Origin, message: string, severity: "error" | "warning" = "error"): void {
  ctx.sink.add(at.pointer, message, severity, at.tree);
}

function where(o: Origin): string {
  return formatLoc(locate(o.tree, o.pointer).loc);
}

/** " (file:line:col)" naming `other` when it is in a different file than `here`. */
function elsewhere(other: Origin, here: Origin): string {
  const a = locate(other.tree, other.pointer).loc;
  return a.file === locate(here.tree, here.pointer).loc.file ? "" : ` (${formatLoc(a)})`;
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
  const catalogue = catalogueOf(opts);
  // loadDevice checked every part name against the same catalogue.
  const part = (name: string): PartDefinition => catalogue.get(name)!;
  const sink = new Sink(loadedDevice.tree);
  // The link on this board: the first of its lineage (itself, then the boards it extends) that `uplink.boards` names.
  const linkKey = loadedBoard.lineage.find((n) => D.uplink.boards?.[n] !== undefined);
  const link = linkKey !== undefined ? D.uplink.boards![linkKey]! : D.uplink.link;
  const linkAt = linkKey !== undefined ? ptr("/uplink/boards", linkKey) : "/uplink/link";
  const iface = link === "mqtt" ? (B.network[0] ?? null) : link === "lorawan" ? "lora" : "nbiot";
  const wiringKey = loadedBoard.lineage.find((n) => D.wiring[n] !== undefined);
  // Literal pins, and wiring for no board of this lineage, were written against its root board.
  const wiredFor = wiringKey !== undefined ? loadedBoard.lineage.indexOf(wiringKey) : loadedBoard.lineage.length - 1;
  const ctx: ResolveContext = {
    board: B,
    device: D,
    loadedBoard,
    loadedDevice,
    sink,
    claims: new Map(),
    iface,
    wiringKey,
    deviceNewness: wiredFor - 0.5,
    boardWiring: B.wiring?.[D.name],
    noWiringReported: false,
    shadowed: new Set(),
  };

  for (const [name, pin] of Object.entries(B.pins)) {
    if (ctx.claims.has(pin)) continue; // two names for one board pin (an alias) are the board's business
    ctx.claims.set(pin, { owner: `the board's pin "${name}"`, use: `for the board's pin "${name}"`, boardPin: name, origin: boardOrigin(ctx, ptr("/pins", name)) });
  }
  checkBoardWiringNames(ctx);

  // Which parts are fitted on this board: an optional part whose pins have no wiring here is left out.
  const absent = new Map<string, string>(); // role → the first unwired pin name
  for (const [role, entry] of Object.entries(D.parts)) {
    if (!entry.optional) continue;
    const unwired = namedRefs(entry).find((ref) => !wired(ctx, ref));
    if (unwired !== undefined) absent.set(role, unwired);
  }
  const fitted = Object.entries(D.parts).filter(([role]) => !absent.has(role));

  const unwired = fitted.some(([, entry]) => namedRefs(entry).some((ref) => !wired(ctx, ref)));
  if (wiringKey === undefined && ctx.boardWiring === undefined && unwired) {
    const lineage = loadedBoard.lineage;
    const via = lineage.length > 1 ? ` (nor for its base${lineage.length > 2 ? "s" : ""} ${lineage.slice(1).map((n) => JSON.stringify(n)).join(", ")})` : "";
    sink.error("/wiring", `no wiring for board ${JSON.stringify(B.name)}${via}; wiring has: ${Object.keys(D.wiring).join(", ") || "nothing"}`);
    ctx.noWiringReported = true;
  }

  const parts: Record<string, ResolvedPart> = {};
  const buses = { i2c: {} as Record<string, ResolvedI2CBus>, spi: {} as Record<string, ResolvedSPIBus>, serial: {} as Record<string, ResolvedSerialBus> };
  const pins: Record<string, number> = { ...B.pins };
  const taken = { i2cAddresses: new Map<string, string>(), spiSelects: new Map<string, string>(), uarts: new Map<string, { role: string; multidrop: boolean }>() };
  const pulseCounters: string[] = [];

  // Buses first, so a part pin that collides with a bus pin is the one reported (when neither is newer).
  const busUses = new Set<string>();
  for (const [, entry] of fitted) {
    const kind = part(entry.part).connection.kind;
    const busKind: BusKind | undefined = kind === "i2c" ? "i2c" : kind === "spi" ? "spi" : kind === "uart" ? "serial" : undefined;
    const busName = entry.bus ?? "default";
    if (busKind && B.buses[busKind]?.[busName] && !busUses.has(`${busKind}/${busName}`)) {
      busUses.add(`${busKind}/${busName}`);
      claimBus(ctx, busKind, busName);
    }
  }

  for (const [role, entry] of fitted) {
    const def = part(entry.part);
    const options = { ...def.defaults, ...(validate(def.options, entry.options ?? {}).value as object) } as Record<string, string | number | boolean>;
    if (onBus(def)) {
      if (entry.powerPin !== undefined) {
        sink.error(ptr("/parts", role, "powerPin"), `powerPin is for analog parts (a switched divider supply); part "${role}" is ${def.connection.kind}`);
        continue;
      }
      const named = resolveNamedPins(ctx, role, entry, def, pins);
      if (named === null) continue;
      const withPins = named ? { pins: named } : {};
      if (def.connection.kind === "i2c") {
        const resolved = resolveI2CPart(ctx, role, entry, def, taken.i2cAddresses);
        if (!resolved) continue;
        buses.i2c[resolved.bus] = stripUndefined({ data: resolved.data, clock: resolved.clock, hz: resolved.hz, port: resolved.port });
        parts[role] = stripUndefined({ ...resolved, options, ...withPins });
      } else if (def.connection.kind === "spi") {
        const resolved = resolveSPIPart(ctx, role, entry, def, named, taken.spiSelects);
        if (!resolved) continue;
        buses.spi[resolved.bus] = stripUndefined({ clock: resolved.clock, out: resolved.out, in: resolved.in, hz: resolved.hz, port: resolved.port });
        parts[role] = stripUndefined({ ...resolved, options, pins: named ?? {} });
      } else {
        const resolved = resolveUARTPart(ctx, role, entry, def, options, taken.uarts);
        if (!resolved) continue;
        buses.serial[resolved.bus] = stripUndefined({ receive: resolved.receive, transmit: resolved.transmit, baud: resolved.baud, port: resolved.port });
        parts[role] = stripUndefined({ ...resolved, options, pins: named ?? {} });
      }
      continue;
    }
    const source = pinSource(ctx, entry.pin!, ptr("/parts", role, "pin"));
    if (!source) continue;
    const kind = chooseKind(ctx, role, entry, def, pulseCounters);
    if (!kind) continue;
    if (!checkPartPin(ctx, role, source, def, kind)) continue;
    if (source.name !== undefined) pins[source.name] = source.pin;
    if (entry.powerPin !== undefined && kind !== "analog") {
      sink.error(ptr("/parts", role, "powerPin"), `powerPin is for analog parts (a switched divider supply); part "${role}" is ${kind}`);
      continue;
    }
    const power = entry.powerPin !== undefined ? pinSource(ctx, entry.powerPin, ptr("/parts", role, "powerPin")) : undefined;
    if (entry.powerPin !== undefined && !power) continue;
    if (power && !checkOutputPin(ctx, power, `power part "${role}"`, `part "${role}" (its power pin)`, `to power part "${role}"`, `the power pin of part "${role}"`)) continue;
    if (power?.name !== undefined) pins[power.name] = power.pin;
    const named = resolveNamedPins(ctx, role, entry, def, pins);
    if (named === null) continue;
    const withPins = named ? { pins: named } : {};
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
        ...withPins,
      });
    } else {
      const c = def.connection as { pull: "up" | "down" | "none"; edge: "rising" | "falling" | "both" };
      parts[role] = stripUndefined({ part: def.name, io: kind as "pulse-count" | "digital-edge", pin: source.pin, pinName: source.name, edge: c.edge, pull: c.pull, options, ...withPins });
    }
  }

  checkRequiredFitted(ctx, absent);

  if (iface === null) {
    sink.warn(
      linkAt,
      `${B.name} has no built-in network interface (its /network is empty) and no part here is a modem: the ${link} uplink can only run in the simulator`,
    );
  }
  const radioLink = checkRadioLink(ctx, link, linkAt, parts);

  const earlier = [...loadedBoard.warnings, ...loadedDevice.warnings];
  const warnings = [...earlier, ...sink.warnings];
  sink.throwIfErrors(earlier);

  const storage = B.flash.partitions["storage"]!;
  const sampling: Record<string, { intervalMs: number; roles: string[] }> = {};
  for (const [name, g] of Object.entries(D.sampling)) {
    const roles = g.roles.filter((r) => !absent.has(r));
    if (roles.length > 0) sampling[name] = { intervalMs: g.intervalMs, roles };
  }
  const config: NodeConfig = stripUndefined({
    device: D.name,
    board: B.name,
    platform: B.platform,
    target: B.target,
    main: D.main,
    parts,
    buses: stripUndefined({
      i2c: buses.i2c,
      spi: Object.keys(buses.spi).length ? buses.spi : undefined,
      serial: Object.keys(buses.serial).length ? buses.serial : undefined,
    }),
    pins,
    sampling,
    reporting: { intervalS: D.reporting.intervalS, minIntervalS: D.reporting.minIntervalS, maxIntervalS: D.reporting.maxIntervalS },
    uplink: stripUndefined({
      link,
      interface: iface,
      confirmed: link === "mqtt" ? D.uplink.qos > 0 : link === "lorawan" ? (D.uplink.lorawan?.confirmed ?? false) : true,
      broker: { address: D.uplink.broker.address, port: D.uplink.broker.port },
      topic: D.uplink.topic,
      qos: D.uplink.qos,
      keepAliveS: D.uplink.keepAliveS,
      ...radioLink,
    }),
    storage: { partition: "storage", size: storage.size, blockLength: B.flash.blockLength, writeAlign: B.flash.writeAlign },
    creation: D.creation ? { ...D.creation } : undefined,
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

/** The pin names (not literal pins) a part entry uses. */
function namedRefs(entry: PartEntry): string[] {
  return [entry.pin, entry.powerPin, ...Object.values(entry.pins ?? {})].filter((r): r is string => typeof r === "string");
}

/** Whether a pin name has a pin on this board (board wiring, device wiring, or the board's own pins). */
function wired(ctx: ResolveContext, ref: string): boolean {
  return ctx.boardWiring?.[ref] !== undefined || (ctx.wiringKey !== undefined && ctx.device.wiring[ctx.wiringKey]![ref] !== undefined) || ctx.board.pins[ref] !== undefined;
}

/** The board's wiring for this device names only pins its parts use: any other entry would move nothing. */
function checkBoardWiringNames(ctx: ResolveContext): void {
  if (!ctx.boardWiring) return;
  const used = pinNamesUsed(ctx.device);
  for (const name of Object.keys(ctx.boardWiring)) {
    if (used.includes(name)) continue;
    report(
      ctx,
      boardOrigin(ctx, ptr("/wiring", ctx.device.name, name)),
      `pin name ${JSON.stringify(name)} is not used by any part of ${ctx.device.name}${didYouMean(name, used)} (its pin names: ${used.join(", ") || "none"})`,
    );
  }
}

/** A part the firmware requires is fitted on this board. */
/**
 * A LoRaWAN or NB-IoT link needs its section in `uplink` and a fitted part of the right kind under the role it
 * names; the resolved `uplink.lorawan` / `uplink.nbiot` say which. Errors point at the board's link choice.
 */
function checkRadioLink(
  ctx: ResolveContext,
  link: "mqtt" | "lorawan" | "nbiot",
  linkAt: string,
  parts: Readonly<Record<string, ResolvedPart>>,
): { lorawan?: NonNullable<NodeConfig["uplink"]["lorawan"]>; nbiot?: NonNullable<NodeConfig["uplink"]["nbiot"]> } {
  const { device: D, board: B, sink } = ctx;
  if (link === "mqtt") return {};
  const want = link === "lorawan" ? { section: D.uplink.lorawan, role: D.uplink.lorawan?.radio, part: "sx1262", what: "LoRa transceiver" } : { section: D.uplink.nbiot, role: D.uplink.nbiot?.modem, part: "bc95", what: "NB-IoT modem" };
  if (!want.section || want.role === undefined) {
    sink.error(linkAt, `the ${link} link on ${B.name} needs an uplink.${link} section naming its ${want.what} part`);
    return {};
  }
  const roleAt = ptr("/uplink", link, link === "lorawan" ? "radio" : "modem");
  const declared = D.parts[want.role];
  if (!declared) {
    sink.error(roleAt, `no part "${want.role}" in parts (parts: ${Object.keys(D.parts).join(", ")})`);
    return {};
  }
  if (declared.part !== want.part) {
    sink.error(roleAt, `part "${want.role}" is a ${declared.part}; the ${link} link drives a ${want.part}`);
    return {};
  }
  if (!parts[want.role]) {
    sink.error(linkAt, `the ${link} link on ${B.name} needs part "${want.role}" (${want.part}), which is not wired on ${B.name}`);
    return {};
  }
  if (link === "lorawan") {
    const l = D.uplink.lorawan!;
    return { lorawan: { radio: l.radio, adr: l.adr ?? true, dataRate: l.dataRate ?? 0 } };
  }
  const n = D.uplink.nbiot!;
  return { nbiot: { modem: n.modem, server: { address: n.server.address, port: n.server.port ?? 5683 } } };
}

function checkRequiredFitted(ctx: ResolveContext, absent: ReadonlyMap<string, string>): void {
  const { device: D, board: B } = ctx;
  for (const name of D.requires ?? []) {
    const roles = Object.entries(D.parts).filter(([, p]) => p.part === name);
    if (roles.length === 0 || roles.some(([role]) => !absent.has(role))) continue;
    const [role] = roles[0]!;
    const ref = absent.get(role)!;
    const at = ctx.wiringKey !== undefined ? ptr("/wiring", ctx.wiringKey) : ptr("/parts", role, "optional");
    ctx.sink.error(
      at,
      `the firmware requires a ${name} part, but part "${role}" is optional and not wired on ${B.name} (no wiring for pin ${JSON.stringify(ref)}), so the firmware would refuse to start there`,
    );
  }
}

/** Take a set of pins for a bus the device uses; warn about strapping pins among them. */
function claimBus(ctx: ResolveContext, kind: BusKind, busName: string): void {
  const { board } = ctx;
  for (const [line, pin] of busPins(board, kind, busName)) {
    const origin = boardOrigin(ctx, ptr("/buses", kind, busName, line));
    const title = BUS_LINES[kind].title;
    claim(ctx, pin, { owner: `${title} bus "${busName}" (${line})`, use: `of ${title} bus "${busName}" (${line})`, origin });
    const strap = board.gpio.strapping[String(pin)];
    if (strap !== undefined) report(ctx, origin, `${pinLabel(board, pin)} (${title} bus "${busName}" ${line}) is a strapping pin on ${board.name}: ${strap}`, "warning");
  }
}

/** Take a pin; when someone has it, report the clash at whichever of the two values is newer. */
function claim(ctx: ResolveContext, pin: number, c: PinClaim): boolean {
  const held = ctx.claims.get(pin);
  if (!held) {
    ctx.claims.set(pin, c);
    return true;
  }
  if (c.boardPin !== undefined && held.boardPin === c.boardPin) return true;
  if (c.share !== undefined && held.share === c.share) return true;
  const label = pinLabel(ctx.board, pin);
  if (c.origin.newness <= held.origin.newness) report(ctx, c.origin, `${label} ${c.use} is already used by ${held.owner}${elsewhere(held.origin, c.origin)}`);
  else report(ctx, held.origin, `${label} ${held.use} is already used by ${c.owner}${elsewhere(c.origin, held.origin)}`);
  return false;
}

/** A bus the part names, or the error saying why there is none (at the overlay's `null` when one deleted it). */
function findBus<T>(ctx: ResolveContext, kind: BusKind, role: string, entry: PartEntry): { name: string; bus: T; pointer: string } | undefined {
  const { board, sink } = ctx;
  const base = ptr("/parts", role);
  const name = entry.bus ?? "default";
  const pointer = entry.bus !== undefined ? `${base}/bus` : base;
  const all = board.buses[kind] as Readonly<Record<string, T>> | undefined;
  const bus = all?.[name];
  if (bus) return { name, bus, pointer };
  const title = BUS_LINES[kind].title;
  const deleted = locate(ctx.loadedBoard.tree, ptr("/buses", kind, name)).deletedAt ?? locate(ctx.loadedBoard.tree, ptr("/buses", kind)).deletedAt;
  if (deleted) {
    sink.push({
      file: deleted.file,
      pointer: all ? ptr("/buses", kind, name) : ptr("/buses", kind),
      line: deleted.line,
      column: deleted.column,
      message: `${board.name} deletes ${all ? `${title} bus "${name}"` : `its ${title} buses`}, which part "${role}" of ${ctx.device.name} uses (${where(deviceOrigin(ctx, pointer))})`,
      severity: "error",
    });
    return undefined;
  }
  const known = Object.keys(all ?? {});
  const bus1 = kind === "serial" ? "UART" : `${title} bus`;
  sink.error(
    pointer,
    known.length
      ? `unknown ${bus1} ${JSON.stringify(name)} on ${board.name}${didYouMean(name, known)}; ${bus1 === "UART" ? "UARTs" : `${title} buses`}: ${known.map((k) => JSON.stringify(k)).join(", ")}`
      : `${board.name} has no ${bus1}`,
  );
  return undefined;
}

function resolveI2CPart(ctx: ResolveContext, role: string, entry: PartEntry, def: PartDefinition, taken: Map<string, string>): Omit<ResolvedI2CPart, "options"> | undefined {
  const { sink } = ctx;
  const base = ptr("/parts", role);
  const conn = def.connection as { kind: "i2c"; addresses: readonly number[]; maxHz: number };
  const found = findBus<NonNullable<Board["buses"]["i2c"]>[string]>(ctx, "i2c", role, entry);
  if (!found) return undefined;
  const { name: busName, bus, pointer: busPointer } = found;
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
    boardOrDevice(ctx, role, ptr("/buses", "i2c", busName, "hz"), busPointer, `I2C bus "${busName}" runs at ${bus.hz} Hz but ${def.name} supports at most ${conn.maxHz} Hz`);
    ok = false;
  }
  if (!ok) return undefined;
  return { part: def.name, io: "i2c", bus: busName, address, data: bus.data, clock: bus.clock, hz: bus.hz, ...(bus.port !== undefined ? { port: bus.port } : {}) };
}

/** A board fact a part cannot work with (a bus too fast, a UART with one line): at the newer of the two values. */
function boardOrDevice(ctx: ResolveContext, role: string, boardPointer: string, devicePointer: string, message: string): void {
  const b = boardOrigin(ctx, boardPointer);
  const d = deviceOrigin(ctx, devicePointer);
  if (b.newness < d.newness) report(ctx, b, `${message} (part "${role}" of ${ctx.device.name}, ${where(d)})`);
  else report(ctx, d, message);
}

function resolveSPIPart(
  ctx: ResolveContext,
  role: string,
  entry: PartEntry,
  def: PartDefinition,
  named: Readonly<Record<string, number>> | undefined,
  selects: Map<string, string>,
): Omit<ResolvedSPIPart, "options" | "pins"> | undefined {
  const conn = def.connection as { kind: "spi"; maxHz: number; mode: 0 | 1 | 2 | 3; select: string };
  const found = findBus<NonNullable<Board["buses"]["spi"]>[string]>(ctx, "spi", role, entry);
  if (!found) return undefined;
  const { name: busName, bus, pointer: busPointer } = found;
  let ok = true;
  if (bus.hz > conn.maxHz) {
    boardOrDevice(ctx, role, ptr("/buses", "spi", busName, "hz"), busPointer, `SPI bus "${busName}" runs at ${bus.hz} Hz but ${def.name} supports at most ${conn.maxHz} Hz`);
    ok = false;
  }
  const own = named?.[conn.select];
  const select = own ?? bus.select;
  if (select === undefined) {
    ctx.sink.error(busPointer, `SPI bus "${busName}" on ${ctx.board.name} has no fixed select pin: wire the chip select of part "${role}" in ${ptr("/parts", role, "pins", conn.select)}`);
    return undefined;
  }
  if (own === undefined) {
    const other = selects.get(`${busName}\u0000${select}`);
    if (other !== undefined) {
      ctx.sink.error(busPointer, `the select pin of SPI bus "${busName}" (${pinLabel(ctx.board, select)}) already selects part "${other}": wire this part's own chip select in ${ptr("/parts", role, "pins", conn.select)}`);
      ok = false;
    }
  }
  selects.set(`${busName}\u0000${select}`, role);
  if (!ok) return undefined;
  return stripUndefined({ part: def.name, io: "spi" as const, bus: busName, clock: bus.clock, out: bus.out, in: bus.in, select, hz: bus.hz, mode: conn.mode, port: bus.port });
}

/**
 * A UART part: the port exists, drives both ways, and carries no other part (RS-485 parts may share one); it runs at
 * the part's baud.
 */
function resolveUARTPart(
  ctx: ResolveContext,
  role: string,
  entry: PartEntry,
  def: PartDefinition,
  options: Readonly<Record<string, unknown>>,
  uarts: Map<string, { role: string; multidrop: boolean }>,
): Omit<ResolvedUARTPart, "options" | "pins"> | undefined {
  const conn = def.connection as { kind: "uart"; baud: number; multidrop?: boolean };
  const found = findBus<NonNullable<Board["buses"]["serial"]>[string]>(ctx, "serial", role, entry);
  if (!found) return undefined;
  const { name: busName, bus, pointer: busPointer } = found;
  let ok = true;
  const multidrop = conn.multidrop === true;
  const other = uarts.get(busName);
  if (other !== undefined && !(other.multidrop && multidrop)) {
    const why = other.multidrop || multidrop ? "only RS-485 parts share a port" : "a UART joins two devices";
    ctx.sink.error(busPointer, `UART "${busName}" is already used by part "${other.role}" (${why})`);
    ok = false;
  } else if (other === undefined) uarts.set(busName, { role, multidrop });
  const missing = (["receive", "transmit"] as const).filter((line) => bus[line] === undefined);
  if (missing.length > 0) {
    boardOrDevice(ctx, role, ptr("/buses", "serial", busName), busPointer, `UART "${busName}" on ${ctx.board.name} has no ${missing.join(" or ")} pin, and ${def.name} both listens and answers`);
    return undefined;
  }
  if (!ok) return undefined;
  const baud = typeof options["baud"] === "number" ? options["baud"] : conn.baud;
  return stripUndefined({ part: def.name, io: "uart" as const, bus: busName, receive: bus.receive!, transmit: bus.transmit!, baud, port: bus.port });
}

/**
 * The pin a name or number stands for on this board, and where that was written; undefined (with the error
 * reported) when nothing wires the name.
 */
function pinSource(ctx: ResolveContext, ref: string | number, refPointer: string): PinSource | undefined {
  const { board, device, loadedDevice } = ctx;
  if (typeof ref === "number") {
    const raw = locate(loadedDevice.tree, refPointer).node;
    return { pin: ref, origin: deviceOrigin(ctx, refPointer), portName: raw?.type === "string" };
  }
  let found: PinSource | undefined;
  const onBoard = ctx.boardWiring?.[ref];
  if (onBoard !== undefined) {
    // The board file's own wiring is newer than anything else that file says.
    const origin = boardOrigin(ctx, ptr("/wiring", device.name, ref), -0.25);
    found = { pin: onBoard, name: ref, origin, portName: locate(origin.tree, origin.pointer).node?.type === "string" };
  } else if (ctx.wiringKey !== undefined && device.wiring[ctx.wiringKey]![ref] !== undefined) {
    const origin = deviceOrigin(ctx, ptr("/wiring", ctx.wiringKey, ref));
    found = { pin: device.wiring[ctx.wiringKey]![ref]!, name: ref, origin, portName: locate(origin.tree, origin.pointer).node?.type === "string" };
  }
  const own = board.pins[ref];
  if (found) {
    if (own !== undefined && own !== found.pin) shadowedBoardPin(ctx, ref, own, found);
    return found;
  }
  if (own !== undefined) return { pin: own, name: ref, origin: deviceOrigin(ctx, refPointer), portName: false, boardPin: ref };
  if (!ctx.noWiringReported) {
    const names = ctx.wiringKey !== undefined ? Object.keys(device.wiring[ctx.wiringKey]!) : Object.keys(ctx.boardWiring ?? {});
    const where1 = ctx.wiringKey !== undefined ? `/wiring/${ctx.wiringKey}` : `/wiring/${board.name}`;
    ctx.sink.error(refPointer, `no wiring for pin ${JSON.stringify(ref)} on ${board.name}${didYouMean(ref, names)} (add it to ${where1})`);
  }
  return undefined;
}

/** A board pin and a wiring entry with one name and two pins: the wiring wins in host.pin, so one of them does nothing. */
function shadowedBoardPin(ctx: ResolveContext, name: string, own: number, found: PinSource): void {
  if (ctx.shadowed.has(name)) return;
  ctx.shadowed.add(name);
  const { board, device } = ctx;
  const mine = boardOrigin(ctx, ptr("/pins", name));
  if (mine.newness < found.origin.newness) {
    report(
      ctx,
      mine,
      `the board's pin ${JSON.stringify(name)} (${pinLabel(board, own)}) does nothing for ${device.name}: its parts' pin ${JSON.stringify(name)} is wired to ${pinLabel(board, found.pin)} at ${where(found.origin)}, which wins; to move that part on this board, give /wiring/${device.name}/${name} here instead`,
    );
  } else {
    report(
      ctx,
      found.origin,
      `pin name ${JSON.stringify(name)} is also the board's own pin ${JSON.stringify(name)} (${pinLabel(board, own)}, ${where(mine)}), which this wiring hides from host.pin on ${board.name}: rename one of them`,
    );
  }
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
  const { board } = ctx;
  if (src.portName && !board.gpio.ports) {
    report(ctx, src.origin, `${board.name} numbers pins as GPIOs, not by port: write ${src.pin} if GPIO${src.pin} is meant`);
    return false;
  }
  const problem = pinUnusable(board, src.pin);
  if (problem) {
    // An overlay that reserves a pin the device was wired to is the overlay's fault.
    const fact = unusableSource(board, ctx.loadedBoard.tree, src.pin);
    const factOrigin = fact !== undefined ? boardOrigin(ctx, fact) : undefined;
    if (factOrigin && factOrigin.newness < src.origin.newness) report(ctx, factOrigin, `${problem}, but ${ctx.device.name} is wired to use it (${where(src.origin)})`);
    else report(ctx, src.origin, problem);
    return false;
  }
  return true;
}

/** Take a pin for `owner` (warning on strapping pins, in other words when driven); an error naming who has it. */
function claimPin(ctx: ResolveContext, src: PinSource, owner: string, use: string, direction: "input" | "output", what = owner, share?: string): boolean {
  const { board } = ctx;
  const label = pinLabel(board, src.pin);
  const strap = board.gpio.strapping[String(src.pin)];
  if (strap !== undefined) {
    report(
      ctx,
      src.origin,
      direction === "output"
        ? `${label} is a strapping pin on ${board.name} and is driven here as an output (${what}): ${strap}; the level the firmware drives (or holds through reset) can select the wrong boot mode`
        : `${label} is a strapping pin on ${board.name}: ${strap}`,
      "warning",
    );
  }
  return claim(ctx, src.pin, { owner, use, origin: src.origin, ...(src.boardPin !== undefined ? { boardPin: src.boardPin } : {}), ...(share !== undefined ? { share } : {}) });
}

/** An output: usable, can drive, free. `cannot` completes "it cannot …"; `what` names the output in a warning. */
function checkOutputPin(ctx: ResolveContext, src: PinSource, cannot: string, owner: string, use: string, what: string, share?: string): boolean {
  if (!pinUsable(ctx, src)) return false;
  if (ctx.board.gpio.inputOnly.includes(src.pin)) {
    report(ctx, src.origin, `${pinLabel(ctx.board, src.pin)} is input-only on ${ctx.board.name}: it cannot ${cannot}`);
    return false;
  }
  return claimPin(ctx, src, owner, use, "output", what, share);
}

/** An input the part drives: usable, biased where the part needs it, free. */
function checkInputPin(ctx: ResolveContext, src: PinSource, role: string, def: PartDefinition, pull: PartPin["pull"], owner: string, use: string, share?: string): boolean {
  if (!pinUsable(ctx, src)) return false;
  if (pull !== undefined && pull !== "none" && (ctx.board.gpio.noInternalPull ?? []).includes(src.pin)) {
    report(ctx, src.origin, `${pinLabel(ctx.board, src.pin)} has no internal pull-${pull} on ${ctx.board.name}: ${def.name} on "${role}" needs an external pull-${pull} resistor`, "warning");
  }
  return claimPin(ctx, src, owner, use, "input", owner, share);
}

/**
 * The part's named pins on this board (`pins.<name>`): undefined when it has none, null after an error. Each is
 * checked like any pin, and an output is never an input-only pin.
 */
function resolveNamedPins(ctx: ResolveContext, role: string, entry: PartEntry, def: PartDefinition, hostPins: Record<string, number>): Record<string, number> | undefined | null {
  const given = Object.entries(entry.pins ?? {});
  if (given.length === 0) return undefined;
  const out: Record<string, number> = {};
  let ok = true;
  for (const [name, ref] of given) {
    const spec: PartPin = def.pins![name]!;
    const src = pinSource(ctx, ref, ptr("/parts", role, "pins", name));
    if (!src) {
      ok = false;
      continue;
    }
    const owner = `part "${role}" (its pin "${name}")`;
    const use = `for pin "${name}" of part "${role}"`;
    const c = def.connection;
    const share = c.kind === "uart" && c.multidrop ? `uart ${entry.bus ?? "default"} pin ${name}` : undefined;
    const good =
      spec.direction === "output"
        ? checkOutputPin(ctx, src, `drive pin "${name}" of part "${role}"`, owner, use, `pin "${name}" of part "${role}"`, share)
        : checkInputPin(ctx, src, role, def, spec.pull, owner, use, share);
    if (!good) {
      ok = false;
      continue;
    }
    out[name] = src.pin;
    if (src.name !== undefined) hostPins[src.name] = src.pin;
  }
  return ok ? out : null;
}

/** Pin checks for a part's signal pin: exists, not reserved, written as the board names pins, analog-capable, free. */
function checkPartPin(ctx: ResolveContext, role: string, src: PinSource, def: PartDefinition, kind: ConnectionKind): boolean {
  const { board, iface } = ctx;
  const { pin } = src;
  const label = pinLabel(board, pin);
  if (!pinUsable(ctx, src)) return false;
  let ok = true;
  if (kind === "analog") {
    const channel = board.analog.channels[String(pin)];
    if (channel === undefined) {
      const analog = Object.keys(board.analog.channels).map(Number);
      report(ctx, src.origin, `${label} cannot be an analog input on ${board.name} (analog pins: ${pinRanges(board, analog)})`);
      ok = false;
    } else {
      for (const r of board.analog.unavailableWith ?? []) {
        if (r.interface === iface && r.pins.includes(pin)) {
          const free = Object.keys(board.analog.channels)
            .map(Number)
            .filter((p) => !(board.analog.unavailableWith ?? []).some((x) => x.interface === iface && x.pins.includes(p)));
          report(
            ctx,
            src.origin,
            `${label} (${channel}) cannot be read while ${iface} is on: ${r.reason}; the mqtt uplink uses ${iface} on ${board.name} (usable analog pins: ${pinRanges(board, free)})`,
          );
          ok = false;
        }
      }
    }
  } else {
    const c = def.connection as { pull?: string };
    if (c.pull !== undefined && c.pull !== "none" && (board.gpio.noInternalPull ?? []).includes(pin)) {
      report(ctx, src.origin, `${label} has no internal pull-${c.pull} on ${board.name}: ${def.name} on "${role}" needs an external pull-${c.pull} resistor`, "warning");
    }
  }
  return claimPin(ctx, src, `part "${role}"`, `for part "${role}"`, "input") && ok;
}
