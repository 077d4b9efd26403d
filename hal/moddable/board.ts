/**
 * What `ganzhi build` knows about the board at build time and bakes into the bundle: pins and buses from the
 * resolved board + device manifests, flash partitions, the Moddable platform. It is plain, frozen data (it is
 * preloaded into flash), so nothing here is mutable at run time.
 */
import type { PinSpecifier, PortSpecifier } from "../io.js";

export type PlatformName = "esp32" | "nrf52";

export interface I2CBusDescription {
  data: PinSpecifier;
  clock: PinSpecifier;
  hz: number;
  port?: PortSpecifier;
}

export interface SPIBusDescription {
  clock: PinSpecifier;
  out?: PinSpecifier;
  in?: PinSpecifier;
  hz: number;
  port?: PortSpecifier;
}

export interface SerialBusDescription {
  receive?: PinSpecifier;
  transmit?: PinSpecifier;
  baud: number;
  port?: PortSpecifier;
}

/**
 * A flash partition as device code names it (the board manifest's name), and how Moddable's legacy `flash` module
 * opens it: by a Moddable partition name (`new Flash("storage")`: nRF52 "storage"/"xs"/"ble-peers", ESP32 a data
 * partition of the partition table), or on nRF52 also by absolute offset and length (`new Flash(offset, size)`).
 */
export interface FlashPartitionDescription {
  /** Moddable partition name; when absent, `offset`/`size` are used (nRF52 only). */
  moddable?: string;
  offset?: number;
  size?: number;
  /** Bytes; writes must start and end on this alignment (nRF52 NVMC: 4). */
  writeAlign: number;
}

export interface BoardDescription {
  /** Board name from the board manifest, e.g. "esp32-devkitc". */
  board: string;
  /** Device name, e.g. "weather-station". */
  device: string;
  platform: PlatformName;
  /** Moddable `-p` target, e.g. "esp32" or "nrf52/dk". */
  target: string;
  pins: Readonly<Record<string, PinSpecifier>>;
  i2c: Readonly<Record<string, I2CBusDescription>>;
  spi: Readonly<Record<string, SPIBusDescription>>;
  serial: Readonly<Record<string, SerialBusDescription>>;
  flash: Readonly<Record<string, FlashPartitionDescription>>;
  /** Top-level keys of the resolved device config: `host.config` is `mc/config` narrowed to these. */
  configKeys: readonly string[];
}
