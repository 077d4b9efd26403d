/**
 * The Moddable project `ganzhi build` writes: `manifest.json` for `mcconfig`, `main.js`, and for ESP32 the
 * partition table that gives the board manifest's flash partitions their names.
 *
 * manifest.json (Moddable documentation/tools/manifest.md):
 * - `include`: manifest_base (base modules, timer, time on ESP32, `creation` defaults), the ECMA-419 IO manifest
 *   (`embedded:io/*`, `device`; also defines ECMA419.enabled), the legacy `flash` module and `crypt` (its BlockCipher
 *   is host.cipher's AES-128); per platform the SDK's
 *   `resetReason` (ESP32) or `sleep` (nRF52) module.
 * - `modules`: `main`, the bundle as `ganzhi/app`, and the host provider's native modules (tools/build/native.ts);
 *   `preload`: the native modules, and the bundle when every module in it is safe to run at build time
 *   (tools/build/preload.ts).
 * - `config`: the resolved node configuration, exactly (device code reads it as `host.config`, through `mc/config`).
 * - `creation`: the board's XS budgets; `defines`: the board's default I2C/SPI pins for native code.
 * - `platforms`: the board's platform; the other one and everything else ("...") is an error, because the bundle
 *   contains one platform's host provider.
 */
import type { Board } from "../../manifests/schema/board.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import { BuildError } from "./errors.js";
import { NATIVE_MODULES, nativeManifestModules } from "./native.js";

/**
 * The board description baked into the bundle. It mirrors `BoardDescription` of hal/moddable/board.ts (which the
 * Node project cannot import: hal/moddable is checked against the Moddable typings, in its own project); every
 * build type-checks the baked value against the real type (tools/build/typecheck.ts `typecheckModdableHal`).
 */
export type PlatformName = "esp32" | "nrf52";
export interface FlashPartitionDescription {
  moddable?: string;
  offset?: number;
  size?: number;
  writeAlign: number;
}
export interface BoardDescription {
  board: string;
  device: string;
  platform: PlatformName;
  target: string;
  pins: Record<string, number>;
  i2c: Record<string, { data: number; clock: number; hz: number; port?: number }>;
  spi: Record<string, { clock: number; out?: number; in?: number; hz: number; port?: number }>;
  serial: Record<string, { receive?: number; transmit?: number; baud: number; port?: number }>;
  flash: Record<string, FlashPartitionDescription>;
  configKeys: string[];
}

export const APP_MODULE = "ganzhi/app";
export const APP_FILE = "app.js";
export const MAIN_FILE = "main.js";
export const PARTITIONS_FILE = "partitions.csv";

export const PLATFORMS: readonly PlatformName[] = ["esp32", "nrf52"];

/** Per-platform SDK manifests the host provider needs. */
export const PLATFORM_INCLUDES: Readonly<Record<PlatformName, readonly string[]>> = {
  esp32: ["$(BUILD)/devices/esp32/modules/resetReason/manifest.json"],
  nrf52: ["$(BUILD)/devices/nrf52/modules/sleep/manifest.json"],
};

export const COMMON_INCLUDES = [
  "$(MODDABLE)/examples/manifest_base.json",
  "$(MODDABLE)/modules/io/manifest.json",
  "$(MODDABLE)/modules/files/flash/manifest.json",
  // `crypt` (BlockCipher: the AES-128 behind host.cipher, hal/moddable/cipher.ts).
  "$(MODDABLE)/modules/crypt/digest/manifest.json",
] as const;

export interface ModdableCreation {
  static: number;
  chunk: { initial: number; incremental?: number };
  heap: { initial: number; incremental?: number };
  stack: number;
  keys?: { initial: number };
  main: string;
}

/** The board's XS budgets as Moddable `creation`. With `static: 0` the pools are fixed (incremental 0), as the docs advise. */
export function creationFor(board: Board, config?: Pick<NodeConfig, "creation">): ModdableCreation {
  const c = board.memory.creation;
  const fixed = c.static === 0;
  // The device's own need (its manifest's `creation`) where the board gives less, as an app's manifest overrides its
  // platform's creation in a Moddable build.
  const heap = Math.max(c.heap, config?.creation?.heap ?? 0);
  const stack = Math.max(c.stack, config?.creation?.stack ?? 0);
  return {
    static: c.static,
    chunk: fixed ? { initial: c.chunk, incremental: 0 } : { initial: c.chunk },
    heap: fixed ? { initial: heap, incremental: 0 } : { initial: heap },
    stack,
    ...(c.keys !== undefined ? { keys: { initial: c.keys } } : {}),
    main: "main",
  };
}

/** C defines for native code that reads default pins (MODDEF_I2C_SDA_PIN …). */
export function definesFor(board: Board): Record<string, Record<string, number>> {
  const defines: Record<string, Record<string, number>> = {};
  const i2c = board.buses.i2c?.default;
  if (i2c !== undefined) defines.i2c = { sda_pin: i2c.data, scl_pin: i2c.clock, hz: i2c.hz };
  const spi = board.buses.spi?.default;
  if (spi !== undefined) {
    defines.spi = { sck_pin: spi.clock, hz: spi.hz };
    if (spi.out !== undefined) defines.spi.mosi_pin = spi.out;
    if (spi.in !== undefined) defines.spi.miso_pin = spi.in;
  }
  return defines;
}

/**
 * Partitions that hold firmware, boot data or the SDK's own data. `host.flash` does not offer them: a device that
 * erased one would brick the board or lose its settings.
 */
export const SYSTEM_PARTITIONS: ReadonlySet<string> = new Set([
  "bootloader",
  "partition-table",
  "nvs",
  "phy_init",
  "otadata",
  "factory",
  "ota_0",
  "ota_1",
  "xs",
  "settings",
  "mbr-softdevice",
  "app",
]);

/** How hal/moddable opens each data partition: by name from our partition table (ESP32), by address (nRF52). */
export function flashFor(board: Board): Record<string, FlashPartitionDescription> {
  const out: Record<string, FlashPartitionDescription> = {};
  for (const [name, p] of Object.entries(board.flash.partitions)) {
    if (SYSTEM_PARTITIONS.has(name)) continue;
    out[name] =
      board.platform === "esp32"
        ? { moddable: name, size: p.size, writeAlign: board.flash.writeAlign }
        : { offset: p.offset, size: p.size, writeAlign: board.flash.writeAlign };
  }
  return out;
}

/** ESP-IDF type and subtype for the partitions Moddable's ESP32 layout knows; anything else is raw data. */
const ESP32_TYPES: Readonly<Record<string, string>> = {
  nvs: "data, nvs",
  phy_init: "data, phy",
  otadata: "data, ota",
  factory: "app, factory",
  ota_0: "app, ota_0",
  ota_1: "app, ota_1",
  // Moddable: the mods archive is found by type 0x40 subtype 1; preferences ("settings") are data subtype 1.
  xs: "0x40, 1",
  settings: "data, 1",
};
/** Not rows of partitions.csv: ESP-IDF places them itself (ESP32: bootloader 0x1000, table 0x8000). */
const ESP32_IMPLICIT: Readonly<Record<string, number>> = { bootloader: 0x1000, "partition-table": 0x8000 };
/** Moddable's ESP32 sdkconfig defaults assume 4 MB of flash. */
const ESP32_DEFAULT_FLASH = 0x400000;

export interface Esp32PartitionTable {
  csv: string;
  warnings: string[];
}

/**
 * The board manifest's flash layout as an ESP-IDF partition table (`build.PARTITIONS_FILE`), so the partitions
 * exist under the names device code opens (`new Flash(name)` finds data partitions by label). Data partitions
 * Moddable does not know get subtype `undefined` (ESP-IDF 5+), so no file system module mounts them.
 */
export function esp32Partitions(board: Board): Esp32PartitionTable {
  const warnings: string[] = [];
  const rows = [
    "# Name, Type, SubType, Offset, Size, Flags",
    `# Written by ganzhi build from the flash.partitions of board ${board.name}.`,
  ];
  const parts = Object.entries(board.flash.partitions).sort((a, b) => a[1].offset - b[1].offset);
  if (!parts.some(([n]) => n === "factory" || n === "ota_0")) {
    throw new BuildError(`board ${board.name}: the ESP32 flash layout has no "factory" (or "ota_0") app partition for the firmware`);
  }
  let end = 0;
  for (const [name, p] of parts) {
    if (p.offset < end) throw new BuildError(`board ${board.name}: flash partition "${name}" overlaps the one before it`);
    if (p.offset + p.size > board.flash.size) throw new BuildError(`board ${board.name}: flash partition "${name}" ends past the flash size`);
    end = p.offset + p.size;
    const implicit = ESP32_IMPLICIT[name];
    if (implicit !== undefined) {
      if (p.offset !== implicit) {
        warnings.push(`board ${board.name}: ${name} at 0x${p.offset.toString(16)}, but ESP-IDF puts it at 0x${implicit.toString(16)} unless sdkconfig says otherwise`);
      }
      continue;
    }
    if (name.length > 16) throw new BuildError(`board ${board.name}: flash partition name "${name}" is longer than ESP-IDF's 16 characters`);
    rows.push(`${name}, ${ESP32_TYPES[name] ?? "data, undefined"}, 0x${p.offset.toString(16)}, 0x${p.size.toString(16)},`);
  }
  if (board.flash.size !== ESP32_DEFAULT_FLASH) {
    warnings.push(
      `board ${board.name}: ${board.flash.size / 0x100000} MB of flash, but Moddable's ESP32 sdkconfig defaults to 4 MB: ` +
        "set CONFIG_ESPTOOLPY_FLASHSIZE in an sdkconfig of your own (manifest build.SDKCONFIGPATH)",
    );
  }
  return { csv: rows.join("\n") + "\n", warnings };
}

/** What hal/moddable bakes into the bundle. */
export function boardDescription(board: Board, config: NodeConfig): BoardDescription {
  const i2c: BoardDescription["i2c"] = {};
  for (const [n, b] of Object.entries(board.buses.i2c ?? {})) i2c[n] = strip({ data: b.data, clock: b.clock, hz: b.hz, port: b.port });
  const spi: BoardDescription["spi"] = {};
  for (const [n, b] of Object.entries(board.buses.spi ?? {})) spi[n] = strip({ clock: b.clock, out: b.out, in: b.in, hz: b.hz, port: b.port });
  const serial: BoardDescription["serial"] = {};
  for (const [n, b] of Object.entries(board.buses.serial ?? {})) {
    serial[n] = strip({ receive: b.receive, transmit: b.transmit, baud: b.baud, port: b.port });
  }
  return {
    board: config.board,
    device: config.device,
    platform: config.platform,
    target: config.target,
    pins: { ...config.pins },
    i2c,
    spi,
    serial,
    flash: flashFor(board),
    configKeys: Object.keys(config),
  };
}

function strip<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}

export interface ManifestInput {
  board: Board;
  config: NodeConfig;
  preload: boolean;
}

export function moddableManifest({ board, config, preload }: ManifestInput): Record<string, unknown> {
  const platform = board.platform;
  const other = PLATFORMS.filter((p) => p !== platform);
  const platforms: Record<string, unknown> = {
    [platform]: { include: [...PLATFORM_INCLUDES[platform]] },
  };
  for (const p of other) {
    platforms[p] = {
      error: `ganzhi: this project was built for board ${config.board} (${platform}); run "ganzhi build ${config.device} --board <a ${p} board>" for ${p}`,
    };
  }
  platforms["..."] = { error: `ganzhi: ${config.device} builds for ${PLATFORMS.join(" and ")} only; this project is for ${config.board} (mcconfig -p ${config.target})` };

  const manifest: Record<string, unknown> = {
    include: [...COMMON_INCLUDES],
    modules: { "*": ["./main"], [APP_MODULE]: "./app", ...nativeManifestModules() },
    preload: [...NATIVE_MODULES.map((m) => m.module), ...(preload ? [APP_MODULE] : [])],
    creation: creationFor(board, config),
    defines: definesFor(board),
    config,
    platforms,
  };
  if (platform === "esp32") manifest.build = { PARTITIONS_FILE: `./${PARTITIONS_FILE}` };
  return manifest;
}
