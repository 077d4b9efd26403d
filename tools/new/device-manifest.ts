/**
 * A device manifest for one part, and its wiring found by trying it: `ganzhi new device` writes one, and the part
 * bench of the generated tests (test/parts/part-bench.ts) builds one in memory. A board is wired when the device
 * resolves on it, and on every catalogue overlay of it, with no error and no warning at the pin chosen: so what
 * is written passes `ganzhi check`.
 */
import { join } from "node:path";
import { formatDiagnostic, listBoards, loadBoard, ManifestError, parseDevice, resolveNode, type LoadedBoard, type LoadedDevice } from "../../manifests/load.js";
import { formatPortPin } from "../../manifests/schema/pin-name.js";
import type { PartDefinition } from "../../manifests/schema/part.js";

/** The role of the part in a generated device (`host.config.parts.sensor`). */
export const ROLE = "sensor";

export interface DeviceJson {
  $schema: string;
  name: string;
  description: string;
  main: string;
  parts: Record<string, Record<string, unknown>>;
  requires: string[];
  /** Pins as the board prints them: numbers, or "P0.02" on boards with ports. */
  wiring: Record<string, Record<string, number | string>>;
  sampling: Record<string, { intervalMs: number; roles: string[] }>;
  reporting: { intervalS: number; minIntervalS: number; maxIntervalS: number };
  uplink: { link: "mqtt"; broker: { address: string; port: number }; topic: string; qos: 0 | 1; keepAliveS: number };
}

/** How a device manifest names the part: its bus (and address), or a pin name the wiring gives per board. */
export function partEntry(def: PartDefinition): Record<string, unknown> {
  const c = def.connection;
  if (c.kind === "i2c") return { part: def.name, bus: "default", address: `0x${c.addresses[0]!.toString(16)}` };
  if (c.kind === "spi" || c.kind === "uart") return { part: def.name, bus: "default" };
  return { part: def.name, pin: ROLE };
}

export function deviceManifest(name: string, def: PartDefinition, wiring: DeviceJson["wiring"] = {}): DeviceJson {
  return {
    $schema: "../schema/device.schema.json",
    name,
    description: `${name}: reads its ${def.name} every minute and reports the mean, minimum and maximum every 10 minutes as SenML over MQTT (written by \`ganzhi new device\`).`,
    main: `devices/${name}/main.ts`,
    parts: { [ROLE]: partEntry(def) },
    requires: [def.name],
    wiring,
    sampling: { [ROLE]: { intervalMs: 60_000, roles: [ROLE] } },
    reporting: { intervalS: 600, minIntervalS: 60, maxIntervalS: 3600 },
    uplink: { link: "mqtt", broker: { address: "127.0.0.1", port: 1883 }, topic: `kunming/${name}/{id}`, qos: 1, keepAliveS: 120 },
  };
}

/** The manifest as its file would be checked (`manifests/devices/<name>.json` under `root`), without writing it. */
export function parseDeviceJson(json: DeviceJson, root: string): LoadedDevice {
  return parseDevice(JSON.stringify(json, null, 2), join(root, "manifests", "devices", `${json.name}.json`), { root });
}

export interface Wired {
  /** Board name → pin name → pin: the manifest's `wiring`. */
  readonly wiring: DeviceJson["wiring"];
  /** Boards not wired, and why. */
  readonly skipped: readonly { readonly board: string; readonly why: string }[];
}

/** Catalogue boards with no `extends`, each with the overlays of it that `ganzhi check` also resolves devices on. */
function families(root: string, only: readonly string[] | undefined, overlays: boolean): { base: LoadedBoard; members: LoadedBoard[] }[] {
  const boards = listBoards({ root }).map((b) => loadBoard(b, { root }));
  return boards
    .filter((b) => b.lineage.length === 1 && (only === undefined || only.includes(b.name)))
    .map((base) => ({ base, members: overlays ? boards.filter((b) => b.lineage.includes(base.name)) : [base] }));
}

/** Why a resolution fails, ignoring pin names still to be wired; undefined when it would pass. */
function problem(json: DeviceJson, board: LoadedBoard, root: string, pointer: string | undefined): string | undefined {
  try {
    const r = resolveNode(parseDeviceJson(json, root), board, { root });
    const w = r.warnings.find((d) => pointer !== undefined && d.pointer === pointer);
    return w ? formatDiagnostic(w) : undefined;
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    const errors = e.errors.filter((d) => !d.message.startsWith("no wiring for pin"));
    return errors.length ? formatDiagnostic(errors[0]!) : undefined;
  }
}

/**
 * Wire each pin name the device's parts use on each catalogue board family it can run on (`only`: these base
 * boards; `overlays: false`: the base boards alone, as a bench needs).
 */
export function wireDevice(json: DeviceJson, root: string, only?: readonly string[], overlays = true): Wired {
  const names = [...new Set(Object.values(json.parts).flatMap((p) => [p.pin, p.powerPin].filter((r): r is string => typeof r === "string")))];
  const wiring: DeviceJson["wiring"] = {};
  const skipped: { board: string; why: string }[] = [];
  for (const { base, members } of families(root, only, overlays)) {
    const table: Record<string, number | string> = {};
    const spell = (p: number) => (base.manifest.gpio.ports ? formatPortPin(p) : p);
    const trial = (): DeviceJson => ({ ...json, wiring: { ...json.wiring, [base.name]: table } });
    let why: string | undefined;
    for (const name of names) {
      const pointer = `/wiring/${base.name}/${name}`;
      const pin = base.manifest.gpio.pins.find((p) => {
        table[name] = spell(p);
        why = members.map((m) => problem(trial(), m, root, pointer)).find((x) => x !== undefined);
        return why === undefined;
      });
      if (pin === undefined) break;
      table[name] = spell(pin);
    }
    if (names.length === 0) why = members.map((m) => problem(trial(), m, root, undefined)).find((x) => x !== undefined);
    if (why === undefined) wiring[base.name] = { ...table };
    else skipped.push({ board: base.name, why });
  }
  return { wiring, skipped };
}
