/**
 * Device manifests: a device by name or path, validated against the schema, its parts against the part catalogue,
 * and its own fields against each other. Every key must do something: wiring for a board that does not exist, a
 * pin name no part uses, or a named pin the part does not have is an error.
 */
import { basename, dirname } from "node:path";
import { didYouMean, validate } from "./schema/builder.js";
import { DeviceSchema, type Device } from "./schema/device.js";
import type { ConnectionKind, PartDefinition } from "./schema/part.js";
import { toValue, type JsonNode } from "./json-source.js";
import { orList, ptr, Sink, type Diagnostic } from "./diagnostics.js";
import { catalogueDir, catalogueOf, deepFreeze, display, findManifest, knownNames, listJson, parseTree, readTree, rootOf, type LoadOptions } from "./files.js";

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
  /** Board names the manifest may wire: the catalogue's, and those beside a device file kept outside it. */
  readonly boards: readonly string[];
  readonly parts: ReturnType<typeof catalogueOf>;
}

/** Load a device by name (`manifests/devices/<name>.json`) or by path. */
export function loadDevice(nameOrPath: string, opts: LoadOptions = {}): LoadedDevice {
  const root = rootOf(opts);
  const abs = findManifest("devices", nameOrPath, root);
  return checkDevice(readTree(abs, display(root, abs)), abs, root, opts);
}

/**
 * A device manifest that is not on disk (yet): `text` checked as if it were the file `abs`, so a tool can try a
 * manifest before it writes one.
 */
export function parseDevice(text: string, abs: string, opts: LoadOptions = {}): LoadedDevice {
  const root = rootOf(opts);
  return checkDevice(parseTree(text, display(root, abs)), abs, root, opts);
}

function checkDevice(tree: JsonNode, abs: string, root: string, opts: LoadOptions): LoadedDevice {
  const file = display(root, abs);
  const sink = new Sink(tree);
  const { value, issues } = validate(DeviceSchema, toValue(tree));
  sink.issues(issues);
  sink.throwIfErrors();
  const device = deepFreeze(value!);
  const dir = dirname(abs);
  const boards = dir === catalogueDir(root, "devices") ? listJson(catalogueDir(root, "boards")) : knownNames("boards", root, dir);
  const ctx: DeviceContext = { device, tree, sink, fileName: basename(abs, ".json"), boards, parts: catalogueOf(opts) };
  for (const check of deviceChecks) check(ctx);
  sink.throwIfErrors();
  return deepFreeze({ name: device.name, file, manifest: device, warnings: sink.warnings, tree });
}

function checkDeviceName({ device, sink, fileName }: DeviceContext): void {
  if (device.name !== fileName) sink.error("/name", `name ${JSON.stringify(device.name)} does not match the file name ${JSON.stringify(`${fileName}.json`)}`);
}

/** The connection kinds a part can be resolved as. */
export function connectionKinds(def: PartDefinition): ConnectionKind[] {
  const c = def.connection;
  return c.kind === "pulse-count" && c.fallback ? [c.kind, c.fallback] : [c.kind];
}

/** Parts on a bus (named in `bus`) rather than on a signal pin (`pin`). */
export function onBus(def: PartDefinition): boolean {
  const k = def.connection.kind;
  return k === "i2c" || k === "spi" || k === "uart";
}

const BUS_WORDS: Readonly<Record<string, string>> = { i2c: "I2C", spi: "SPI", uart: "a UART" };

function describeConnection(def: PartDefinition): string {
  return BUS_WORDS[def.connection.kind] ?? `${connectionKinds(def).join(" or ")} on a pin`;
}

/** Known part; connection fields fit the part's kind; named pins are the part's; options fit the part's schema. */
function checkParts({ device, sink, parts }: DeviceContext): void {
  for (const [role, entry] of Object.entries(device.parts)) {
    const base = ptr("/parts", role);
    const def = parts.get(entry.part);
    if (!def) {
      sink.error(`${base}/part`, `unknown part ${JSON.stringify(entry.part)}${didYouMean(entry.part, parts.names)}; known parts: ${parts.names.join(", ")}`);
      continue;
    }
    const kinds = connectionKinds(def);
    if (entry.io !== undefined && !kinds.includes(entry.io)) {
      sink.error(`${base}/io`, `part ${def.name} connects by ${kinds.join(" or ")}, not ${entry.io}`);
    }
    const kind = def.connection.kind;
    if (onBus(def)) {
      if (entry.pin !== undefined) {
        const give = kind === "i2c" ? `"bus" and "address"` : kind === "spi" ? `"bus" (and its chip select in "pins")` : `"bus"`;
        sink.error(`${base}/pin`, `part ${def.name} connects by ${describeConnection(def)}: give ${give}, not "pin"`);
      }
      if (kind !== "i2c" && entry.address !== undefined) sink.error(`${base}/address`, `part ${def.name} connects by ${describeConnection(def)}: "address" is for I2C parts`);
    } else {
      for (const key of ["bus", "address"] as const) {
        if (entry[key] !== undefined) sink.error(`${base}/${key}`, `part ${def.name} connects by ${describeConnection(def)}: "${key}" does not apply`);
      }
      if (entry.pin === undefined) sink.error(base, `missing required key "pin": part ${def.name} connects by ${describeConnection(def)}`);
    }
    checkNamedPins(sink, base, entry.pins, def);
    sink.issues(validate(def.options, entry.options ?? {}, `${base}/options`).issues);
  }
}

/** `pins` names only the part's pins, and gives every pin the part cannot do without. */
function checkNamedPins(sink: Sink, base: string, given: Readonly<Record<string, unknown>> | undefined, def: PartDefinition): void {
  const declared = def.pins ?? {};
  const names = Object.keys(declared);
  for (const key of Object.keys(given ?? {})) {
    if (names.includes(key)) continue;
    sink.error(
      ptr(base, "pins", key),
      names.length
        ? `part ${def.name} has no pin ${JSON.stringify(key)}${didYouMean(key, names)}; its pins: ${names.join(", ")}`
        : `part ${def.name} has no named pins (parts/${def.name}/part.ts declares none)`,
    );
  }
  for (const [name, spec] of Object.entries(declared)) {
    if (spec.optional || given?.[name] !== undefined) continue;
    sink.error(given ? ptr(base, "pins") : base, `missing pin ${JSON.stringify(name)} of part ${def.name} (${spec.description}): wire it in ${ptr(base, "pins", name)}`);
  }
}

/** What the firmware declares it needs is among the parts. */
function checkRequires({ device, sink, parts }: DeviceContext): void {
  const present = [...new Set(Object.values(device.parts).map((p) => p.part))];
  (device.requires ?? []).forEach((name, i) => {
    const pointer = ptr("/requires", i);
    const def = parts.get(name);
    if (!def) {
      sink.error(pointer, `unknown part ${JSON.stringify(name)}${didYouMean(name, parts.names)}; known parts: ${parts.names.join(", ")}`);
    } else if (!present.includes(name)) {
      sink.error(pointer, `the firmware requires a ${name} part (${def.title}) and refuses to start without one, but /parts has none (parts: ${present.join(", ")})`);
    }
  });
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

/**
 * A converter that paces its own samples gives them at the rate its options set: a group that lists it must sample
 * at that rate. The error points at the rate option when the manifest sets it, else at the group's interval.
 */
function checkPacedRates({ device, sink, parts }: DeviceContext): void {
  for (const [group, g] of Object.entries(device.sampling)) {
    for (const role of g.roles) {
      const entry = device.parts[role];
      const def = entry && parts.get(entry.part);
      if (!def?.pacing) continue;
      const checked = validate(def.options, entry.options ?? {});
      if (checked.issues.length > 0) continue; // checkParts reports those
      const pacing = def.pacing({ ...def.defaults, ...(checked.value as object) } as never);
      if (!pacing) continue;
      const every = Math.floor(1000 / pacing.rate);
      if (g.intervalMs === every) continue;
      const optionAt = ptr("/parts", role, "options", pacing.option);
      const set = entry.options?.[pacing.option] !== undefined;
      sink.error(
        set ? optionAt : ptr("/sampling", group, "intervalMs"),
        `part ${JSON.stringify(role)} (${entry.part}) gives ${pacing.rate} samples/s at options.${pacing.option} = ${pacing.rate}${set ? "" : " (its default)"}, one every ${every} ms, but sampling group ${JSON.stringify(group)} samples it every ${g.intervalMs} ms: the ${entry.part} cannot give that rate`,
      );
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

/** Every pin name the device's parts use (in `pin`, `powerPin` and `pins`). */
export function pinNamesUsed(device: Device): string[] {
  const names = new Set<string>();
  for (const p of Object.values(device.parts)) {
    for (const ref of [p.pin, p.powerPin, ...Object.values(p.pins ?? {})]) if (typeof ref === "string") names.add(ref);
  }
  return [...names];
}

/** Wiring or energy budgets for boards that do not exist, and pin names no part uses, would do nothing. */
function checkWiringNames({ device, sink, boards }: DeviceContext): void {
  const used = pinNamesUsed(device);
  for (const boardName of Object.keys(device.budgets?.averageMicroamps ?? {})) {
    if (!boards.includes(boardName)) {
      sink.error(ptr("/budgets/averageMicroamps", boardName), `no board named ${JSON.stringify(boardName)}${orList(boardName, boards, "boards")}`);
    }
  }
  for (const [boardName, wiring] of Object.entries(device.wiring)) {
    if (!boards.includes(boardName)) {
      sink.error(ptr("/wiring", boardName), `no board named ${JSON.stringify(boardName)}${orList(boardName, boards, "boards")}`);
    }
    for (const pinName of Object.keys(wiring)) {
      if (!used.includes(pinName)) {
        sink.error(ptr("/wiring", boardName, pinName), `pin name ${JSON.stringify(pinName)} is not used by any part${orList(pinName, used, "pin names in use")}`);
      }
    }
  }
}

const deviceChecks: readonly ((ctx: DeviceContext) => void)[] = [
  checkDeviceName,
  checkParts,
  checkRequires,
  checkSamplingRoles,
  checkReportingBounds,
  checkSamplingVsReporting,
  checkPacedRates,
  checkTopic,
  checkBroker,
  checkWiringNames,
];
