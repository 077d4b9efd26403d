/**
 * The real manifests load and resolve on every board, and the resolved configuration carries the board facts
 * (checked here against datasheet values, not against the loader's own output).
 */
import { describe, expect, it } from "vitest";
import { locate } from "../../manifests/json-source.js";
import { staleSchemas } from "../../manifests/generate-schemas.js";
import { formatDiagnostic, listBoards, listDevices, loadBoard, loadDevice, resolveNode } from "../../manifests/load.js";

function deeplyFrozen(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return true;
  return Object.isFrozen(v) && Object.values(v).every(deeplyFrozen);
}

describe("catalogue", () => {
  it("lists the boards and devices", () => {
    expect(listBoards()).toEqual(expect.arrayContaining(["esp32-devkitc", "kunming-ws-v1", "nrf52840-dk"]));
    expect(listDevices()).toContain("weather-station");
  });

  it("committed JSON Schemas are up to date (run node out/manifests/generate-schemas.js)", () => {
    expect(staleSchemas()).toEqual([]);
  });
});

describe("boards", () => {
  it("esp32-devkitc: ESP32 pin facts", () => {
    const b = loadBoard("esp32-devkitc").manifest;
    expect(b.gpio.inputOnly).toEqual([34, 35, 36, 39]);
    for (const p of [6, 7, 8, 9, 10, 11]) expect(b.gpio.reserved[String(p)]).toMatch(/flash/);
    expect(Object.keys(b.gpio.strapping).map(Number).sort((x, y) => x - y)).toEqual([0, 2, 5, 12, 15]);
    expect(b.analog.channels["34"]).toBe("ADC1_CH6");
    expect(b.analog.channels["27"]).toBe("ADC2_CH7");
    expect(b.analog.unavailableWith?.[0]?.pins).toEqual([0, 2, 4, 12, 13, 14, 15, 25, 26, 27]);
    expect(b.network).toEqual(["wifi"]);
    expect(b.flash.size).toBe(4 * 1024 * 1024);
    expect(b.flash.partitions["storage"]).toEqual({ offset: 0x380000, size: 0x50000, description: "Store-and-forward log (320 KB)." });
  });

  it("nrf52840-dk: P<port>.<pin> names become port*32 + pin", () => {
    const b = loadBoard("nrf52840-dk").manifest;
    expect(b.pins).toEqual({ led: 13, led2: 14, led3: 15, led4: 16, button: 11, button2: 12, button3: 24, button4: 25 });
    expect(b.buses.i2c?.["default"]).toMatchObject({ data: 26, clock: 27 });
    expect(b.buses.spi?.["default"]).toMatchObject({ clock: 47, in: 46, out: 45, select: 44 });
    expect(b.analog.channels).toEqual({ "2": "AIN0", "3": "AIN1", "4": "AIN2", "5": "AIN3", "28": "AIN4", "29": "AIN5", "30": "AIN6", "31": "AIN7" });
    expect(b.gpio.reserved["9"]).toMatch(/NFC/);
    expect(b.gpio.reserved["10"]).toMatch(/NFC/);
    expect(b.network).toEqual([]);
  });

  it("kunming-ws-v1 overlays esp32-devkitc (RFC 7396: objects merge, null deletes)", () => {
    const loaded = loadBoard("kunming-ws-v1");
    const b = loaded.manifest;
    expect(loaded.lineage).toEqual(["kunming-ws-v1", "esp32-devkitc"]);
    expect(loaded.files).toEqual(["manifests/boards/kunming-ws-v1.json", "manifests/boards/esp32-devkitc.json"]);
    expect(b.buses.i2c?.["default"]).toEqual({ data: 18, clock: 19, hz: 100000, port: 0, description: "Sensor header J3." });
    expect(b.buses.spi).toBeUndefined();
    expect(b.buses.serial?.["default"]?.transmit).toBe(17);
    expect(b.pins).toEqual({ button: 0, led: 2 });
    expect(b.flash.size).toBe(8 * 1024 * 1024);
    expect(b.flash.partitions["storage"]?.size).toBe(2 * 1024 * 1024);
    expect(b.flash.partitions["factory"]).toMatchObject({ offset: 0x10000, size: 0x370000 });
    // Each value remembers the file it came from.
    expect(locate(loaded.tree, "/flash/partitions/storage/size").loc.file).toBe("manifests/boards/kunming-ws-v1.json");
    expect(locate(loaded.tree, "/flash/partitions/factory/size").loc.file).toBe("manifests/boards/esp32-devkitc.json");
  });

  it("board manifests are frozen", () => {
    expect(deeplyFrozen(loadBoard("kunming-ws-v1").manifest)).toBe(true);
  });
});

describe("weather-station", () => {
  it("loads", () => {
    const d = loadDevice("weather-station");
    expect(d.warnings).toEqual([]);
    expect(d.manifest.parts["barometer"]?.address).toBe(0x76);
  });

  it("resolves on esp32-devkitc", () => {
    const { config, pins, warnings } = resolveNode("weather-station", "esp32-devkitc");
    expect(warnings.map(formatDiagnostic)).toEqual([]);
    expect(config.board).toBe("esp32-devkitc");
    expect(config.target).toBe("esp32");
    expect(config.parts["thermohygrometer"]).toEqual({
      part: "sht3x",
      io: "i2c",
      bus: "default",
      address: 0x44,
      data: 21,
      clock: 22,
      hz: 100_000,
      port: 0,
      options: { repeatability: "high", heater: false },
    });
    expect(config.parts["barometer"]).toMatchObject({ part: "bme280", io: "i2c", address: 0x76, data: 21, clock: 22 });
    expect(config.parts["barometer"]?.options).toEqual({ temperatureOversampling: 1, pressureOversampling: 1, humidityOversampling: 1, filter: 0 });
    expect(config.parts["anemometer"]).toEqual({
      part: "cup-anemometer",
      io: "pulse-count",
      pin: 27,
      pinName: "wind",
      edge: "falling",
      pull: "up",
      options: { kmhPerHz: 2.4 },
    });
    expect(config.parts["raingauge"]).toMatchObject({ io: "digital-edge", pin: 26, options: { mmPerTip: 0.2794, debounceMs: 20, dryAfterMs: 900_000 } });
    expect(config.parts["vane"]).toEqual({
      part: "wind-vane",
      io: "analog",
      pin: 34,
      pinName: "vane",
      powerPin: 25,
      powerPinName: "vanePower",
      channel: "ADC1_CH6",
      resolutionBits: 10,
      fullScaleVolts: 3.3,
      options: { pullupOhms: 10_000, supplyVolts: 3.3, northOffset: 0 },
    });
    expect(config.buses).toEqual({ i2c: { default: { data: 21, clock: 22, hz: 100_000, port: 0 } } });
    expect(pins).toEqual({ button: 0, wind: 27, rain: 26, vane: 34, vanePower: 25 });
    expect(config.sampling).toEqual({
      air: { intervalMs: 60_000, roles: ["thermohygrometer", "barometer"] },
      wind: { intervalMs: 250, roles: ["anemometer", "vane"] },
      rain: { intervalMs: 60_000, roles: ["raingauge"] },
    });
    expect(config.reporting).toEqual({ intervalS: 600, minIntervalS: 60, maxIntervalS: 3600 });
    expect(config.uplink).toEqual({
      link: "mqtt",
      interface: "wifi",
      confirmed: true,
      broker: { address: "127.0.0.1", port: 1883 },
      topic: "kunming/weather/{id}",
      qos: 1,
      keepAliveS: 120,
    });
    expect(config.storage).toEqual({ partition: "storage", size: 0x50000, blockLength: 4096, writeAlign: 4 });
  });

  it("resolves on nrf52840-dk, counting wind by edge interrupts (no single-channel pulse counter)", () => {
    const { config, pins, warnings } = resolveNode("weather-station", "nrf52840-dk");
    expect(config.target).toBe("nrf52/dk");
    // Moved off the SX1262MB2xAS shield's pins (BUSY D3 = P1.04, DIO1 D5 = P1.06, NRESET A0 = P0.03).
    expect(pins).toMatchObject({ wind: 34, rain: 35, vane: 4, led: 13, button: 11 });
    expect(config.parts["anemometer"]).toMatchObject({ io: "digital-edge", pin: 34, edge: "falling", pull: "up" });
    expect(config.parts["vane"]).toMatchObject({ io: "analog", pin: 4, channel: "AIN2", resolutionBits: 12, fullScaleVolts: 3.6 });
    // The LoRa transceiver and the NB-IoT modem are optional, and the plain DK names none of their pins: not fitted.
    expect(config.parts["radio"]).toBeUndefined();
    expect(config.parts["modem"]).toBeUndefined();
    expect(config.parts["thermohygrometer"]).toMatchObject({ data: 26, clock: 27 });
    expect(config.uplink.interface).toBeNull();
    expect(warnings.map((w) => `${w.severity} ${w.pointer}`)).toEqual(["warning /parts/anemometer", "warning /uplink/link"]);
  });

  it("resolves on nrf52840-dk-sx1262 (the DK with an SX1262 shield) with the LoRaWAN link through the shield's pins", () => {
    const { config, warnings } = resolveNode("weather-station", "nrf52840-dk-sx1262");
    expect(config.uplink).toMatchObject({ link: "lorawan", interface: "lora", confirmed: false, lorawan: { radio: "radio", adr: true, dataRate: 0 } });
    // P1.08, P1.04, P1.06, P0.03; SPI on the DK's Arduino header.
    expect(config.parts["radio"]).toMatchObject({ io: "spi", bus: "default", pins: { nss: 40, busy: 36, dio1: 38, reset: 3 } });
    expect(warnings.map((w) => `${w.severity} ${w.pointer}`)).toEqual(["warning /parts/anemometer"]);
  });

  it("resolves on nrf52840-dk-bc95 (the DK with a BC95-B5) with the NB-IoT link: the modem on the second UART at its 9600 baud, RESET on P1.00", () => {
    const { config, warnings } = resolveNode("weather-station", "nrf52840-dk-bc95");
    expect(config.uplink).toMatchObject({ link: "nbiot", interface: "nbiot", confirmed: true, nbiot: { modem: "modem", server: { address: "127.0.0.1", port: 5683 } } });
    // P1.05 receive, P1.09 transmit (UARTE0, port 0), so Serial.default stays free; P1.00 = 32.
    expect(config.parts["modem"]).toMatchObject({ io: "uart", bus: "modem", receive: 37, transmit: 41, baud: 9600, port: 0, pins: { reset: 32 } });
    expect(config.parts["radio"]).toBeUndefined();
    expect(warnings.map((w) => `${w.severity} ${w.pointer}`)).toEqual(["warning /parts/anemometer"]);
  });

  it("resolves on the kunming-ws-v1 overlay with its own I2C pins and storage, through the base board's wiring", () => {
    const { config, pins } = resolveNode("weather-station", "kunming-ws-v1");
    expect(config.board).toBe("kunming-ws-v1");
    expect(config.buses.i2c["default"]).toEqual({ data: 18, clock: 19, hz: 100_000, port: 0 });
    expect(pins).toEqual({ button: 0, led: 2, wind: 27, rain: 26, vane: 34, vanePower: 25 });
    expect(config.storage.size).toBe(0x200000);
  });

  it("the config is frozen and survives JSON", () => {
    for (const b of listBoards().filter((n) => ["esp32-devkitc", "nrf52840-dk", "kunming-ws-v1"].includes(n))) {
      const { config } = resolveNode("weather-station", b);
      expect(deeplyFrozen(config)).toBe(true);
      expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    }
  });
});
