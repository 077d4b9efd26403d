/**
 * The weather station's view of `host.config`: the device manifest (manifests/devices/weather-station.json)
 * resolved for a board (`NodeConfig`). Read once at start-up; a missing part or group is a clear error naming it.
 */
import type { DeviceConfig } from "../../hal/host.js";
import type { BME280Config } from "../../parts/bme280/driver.js";
import type { SHT3xConfig } from "../../parts/sht3x/driver.js";
import type { NodeConfig, ResolvedAnalogPart, ResolvedI2CPart, ResolvedPinPart } from "../../manifests/schema/config.js";
import { ConfigReader } from "../shared/config.js";

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

export function readConfig(raw: DeviceConfig): StationConfig {
  const r = new ConfigReader("weather-station", raw);
  const sht = r.part<ResolvedI2CPart>("sht3x", "i2c");
  const bme = r.part<ResolvedI2CPart>("bme280", "i2c");
  const anemometer = r.part<ResolvedPinPart>("cup-anemometer", "pulse-count", "digital-edge");
  const raingauge = r.part<ResolvedPinPart>("tipping-bucket", "digital-edge");
  const vane = r.part<ResolvedAnalogPart>("wind-vane", "analog");
  return {
    airMs: r.intervalOf(sht.role),
    windMs: r.intervalOf(anemometer.role),
    sht3x: sht.part,
    bme280: bme.part,
    anemometer: anemometer.part,
    raingauge: raingauge.part,
    vane: vane.part,
    airOptions: {
      sht3x: { repeatability: r.string(sht, "repeatability") as SHT3xConfig["repeatability"], heater: r.flag(sht, "heater") },
      bme280: {
        temperatureOversampling: r.number(bme, "temperatureOversampling") as BME280Config["temperatureOversampling"],
        pressureOversampling: r.number(bme, "pressureOversampling") as BME280Config["pressureOversampling"],
        humidityOversampling: r.number(bme, "humidityOversampling") as BME280Config["humidityOversampling"],
        filter: r.number(bme, "filter") as BME280Config["filter"],
      },
    },
    kmhPerHz: r.number(anemometer, "kmhPerHz"),
    rain: {
      mmPerTip: r.number(raingauge, "mmPerTip"),
      debounceMs: r.number(raingauge, "debounceMs"),
      dryAfterMs: r.number(raingauge, "dryAfterMs"),
    },
    vaneOptions: {
      pullupOhms: r.number(vane, "pullupOhms"),
      supplyVolts: r.number(vane, "supplyVolts"),
      northOffset: r.number(vane, "northOffset"),
    },
    // Frost rule: air ≤ 1 °C and within 2 °C of the frost (dew) point; see psychrometrics.ts.
    frost: { airMaxC: 1, spreadC: 2 },
    node: r.node,
  };
}
