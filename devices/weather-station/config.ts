/**
 * The weather station's view of `host.config`: the device manifest (manifests/devices/weather-station.json)
 * resolved for a board (`NodeConfig`). Read once at start-up; a missing part or group is a clear error naming it.
 */
import type { DeviceConfig } from "../../hal/host.js";
import type { BME280Config } from "../../parts/bme280/driver.js";
import type { SHT3xConfig } from "../../parts/sht3x/driver.js";
import type { NodeConfig, ResolvedAnalogPart, ResolvedI2CPart, ResolvedPart, ResolvedPinPart } from "../../manifests/schema/config.js";

export interface StationConfig {
  airMs: number;
  windMs: number;
  sht3x: ResolvedI2CPart;
  bme280: ResolvedI2CPart;
  anemometer: ResolvedPinPart;
  raingauge: ResolvedPinPart;
  vane: ResolvedAnalogPart;
  /** The air sensors' `configure` options, as the manifest set them (the drivers check their values). */
  airOptions: { sht3x: SHT3xConfig; bme280: BME280Config };
  kmhPerHz: number;
  rain: { mmPerTip: number; debounceMs: number; dryAfterMs: number };
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

/** A numeric option of a part: the resolved config carries every option, its default filled in from the part's declaration. */
function option(role: string, p: ResolvedPart, key: string): number {
  const v = p.options[key];
  return typeof v === "number" ? v : fail(`part ${role} (${p.part}): option ${key} must be a number, got ${JSON.stringify(v)}`);
}

function flag(role: string, p: ResolvedPart, key: string): boolean {
  const v = p.options[key];
  return typeof v === "boolean" ? v : fail(`part ${role} (${p.part}): option ${key} must be true or false, got ${JSON.stringify(v)}`);
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
    airOptions: {
      sht3x: { repeatability: sht.part.options["repeatability"] as SHT3xConfig["repeatability"], heater: flag(sht.role, sht.part, "heater") },
      bme280: {
        temperatureOversampling: option(bme.role, bme.part, "temperatureOversampling") as BME280Config["temperatureOversampling"],
        pressureOversampling: option(bme.role, bme.part, "pressureOversampling") as BME280Config["pressureOversampling"],
        humidityOversampling: option(bme.role, bme.part, "humidityOversampling") as BME280Config["humidityOversampling"],
        filter: option(bme.role, bme.part, "filter") as BME280Config["filter"],
      },
    },
    kmhPerHz: option(anemometer.role, anemometer.part, "kmhPerHz"),
    rain: {
      mmPerTip: option(raingauge.role, raingauge.part, "mmPerTip"),
      debounceMs: option(raingauge.role, raingauge.part, "debounceMs"),
      dryAfterMs: option(raingauge.role, raingauge.part, "dryAfterMs"),
    },
    vaneOptions: {
      pullupOhms: option(vane.role, vane.part, "pullupOhms"),
      supplyVolts: option(vane.role, vane.part, "supplyVolts"),
      northOffset: option(vane.role, vane.part, "northOffset"),
    },
    // Frost rule: air ≤ 1 °C and within 2 °C of the frost (dew) point; see psychrometrics.ts.
    frost: { airMaxC: 1, spreadC: 2 },
    node: c,
  };
}
