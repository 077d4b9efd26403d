/**
 * The weather station's view of `host.config`: the device manifest (manifests/devices/weather-station.json)
 * resolved for a board (`NodeConfig`). Read once at start-up; a missing part or group is a clear error naming it.
 */
import type { DeviceConfig } from "../../hal/host.js";
import type { NodeConfig, ResolvedAnalogPart, ResolvedI2CPart, ResolvedPart, ResolvedPinPart } from "../../manifests/schema/config.js";

export interface StationConfig {
  airMs: number;
  windMs: number;
  sht3x: ResolvedI2CPart;
  bme280: ResolvedI2CPart;
  anemometer: ResolvedPinPart;
  raingauge: ResolvedPinPart;
  vane: ResolvedAnalogPart;
  kmhPerHz: number;
  mmPerTip: number;
  vaneOptions: { pullupOhms: number; supplyVolts: number; northOffset: number };
  frost: { airMaxC: number; spreadC: number };
  /** The resolved configuration, for the node skeleton (link, reporting, topic). */
  node: NodeConfig;
}

function fail(what: string): never {
  throw new Error(`weather-station config: ${what}`);
}

function find<T extends ResolvedPart>(c: NodeConfig, kind: string, ...io: T["io"][]): { role: string; part: T } {
  for (const role of Object.keys(c.parts)) {
    const p = c.parts[role]!;
    if (p.part === kind) {
      if (io.indexOf(p.io) < 0) fail(`part ${role} (${kind}) is connected as ${p.io}, expected ${io.join(" or ")}`);
      return { role, part: p as T };
    }
  }
  return fail(`no ${kind} among parts (${Object.keys(c.parts).join(", ")})`);
}

function intervalOf(c: NodeConfig, role: string): number {
  for (const name of Object.keys(c.sampling)) {
    const g = c.sampling[name]!;
    if (g.roles.indexOf(role) >= 0) return g.intervalMs;
  }
  return fail(`part ${role} is in no sampling group`);
}

function option(p: ResolvedPart, key: string, fallback: number): number {
  const v = p.options[key];
  return typeof v === "number" ? v : fallback;
}

export function readConfig(raw: DeviceConfig): StationConfig {
  const c = raw as unknown as NodeConfig;
  if (!c || typeof c !== "object" || !c.parts || !c.sampling || !c.reporting || !c.uplink) {
    fail("expected a resolved node configuration (parts, sampling, reporting, uplink)");
  }
  const sht = find<ResolvedI2CPart>(c, "sht3x", "i2c");
  const bme = find<ResolvedI2CPart>(c, "bme280", "i2c");
  const anemometer = find<ResolvedPinPart>(c, "cup-anemometer", "pulse-count", "digital-edge");
  const raingauge = find<ResolvedPinPart>(c, "tipping-bucket", "digital-edge");
  const vane = find<ResolvedAnalogPart>(c, "wind-vane", "analog");
  return {
    airMs: intervalOf(c, sht.role),
    windMs: intervalOf(c, anemometer.role),
    sht3x: sht.part,
    bme280: bme.part,
    anemometer: anemometer.part,
    raingauge: raingauge.part,
    vane: vane.part,
    kmhPerHz: option(anemometer.part, "kmhPerHz", 2.4),
    mmPerTip: option(raingauge.part, "mmPerTip", 0.2794),
    vaneOptions: {
      pullupOhms: option(vane.part, "pullupOhms", 10_000),
      supplyVolts: option(vane.part, "supplyVolts", 3.3),
      northOffset: option(vane.part, "northOffset", 0),
    },
    // Frost rule: air ≤ 1 °C and within 2 °C of the frost (dew) point; see psychrometrics.ts.
    frost: { airMaxC: 1, spreadC: 2 },
    node: c,
  };
}
