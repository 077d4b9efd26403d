/**
 * The host provider: everything device code may touch, handed to a device's `main(host)`.
 *
 * Its shape follows ECMA-419's `device` global as Moddable builds it (`io`, `pin`, bus defaults keyed `I2C`,
 * `SPI`, `Serial`), plus what ECMA-419 leaves out and a sensor node cannot live without: timers, a monotonic clock,
 * wall time, deep sleep and reset reason, retained memory, flash partitions, randomness, a native AES-128 block
 * cipher (boards have it in hardware or C; in XS byte code a block costs milliseconds), logging and the device's own
 * configuration. The simulator (`simulator/core/provider.ts`) and real boards (`hal/moddable`)
 * implement it; device code never reaches past it.
 */
import type { NodeConfig } from "../manifests/schema/config.js";
import type { I2CBus, IOClasses, PinSpecifier, SerialBus, SPIBus } from "./io.js";

/** An opaque handle from `timer.set`. */
export interface TimerHandle {
  readonly __timer: true;
}

export interface Timers {
  /**
   * Call `callback` once after `delay` ms, then every `repeat` ms if given (Moddable `Timer.set`).
   * Delays are whole or fractional milliseconds; hosts round to their tick.
   */
  set(callback: () => void, delay: number, repeat?: number): TimerHandle;
  clear(handle: TimerHandle | undefined): void;
}

export interface Clock {
  /** Monotonic milliseconds since boot, as an integer (Moddable `Time.ticks`; may wrap on real boards after 2^31). */
  ticks(): number;
  /** Monotonic microseconds since boot, for timing measurements. */
  microseconds(): number;
  /** Wall time in ms since the Unix epoch, or 0 while the host does not know it yet. */
  unixMs(): number;
}

export type ResetReason = "power-on" | "deep-sleep" | "watchdog" | "software" | "brown-out";

export interface Power {
  readonly resetReason: ResetReason;
  /**
   * Enter deep sleep for `ms` and reboot on wake: RAM is lost, retained memory and flash survive, and `main`
   * runs again with `resetReason === "deep-sleep"`. Nothing after this call runs.
   */
  deepSleep(ms: number): void;
  /** Supply voltage in volts, as the board measures it (NaN when it cannot). */
  supplyVoltage(): number;
}

/** 32-bit words that survive deep sleep and soft resets (nRF52 `Sleep.setRetainedValue`, ESP32 RTC memory). */
export interface RetainedMemory {
  readonly length: number;
  get(index: number): number;
  set(index: number, value: number): void;
}

/**
 * A raw NOR flash partition (ECMA-419 `embedded:storage/flash` partition shape). Erased bytes read `eraseValue`
 * (0xFF); programming can only clear bits; `eraseBlock` restores a whole block.
 */
export interface FlashPartition {
  readonly size: number;
  readonly blockLength: number;
  readonly blocks: number;
  readonly eraseValue: number;
  /** Writes must start and end on this byte alignment. */
  readonly writeAlign: number;
  read(offset: number, byteLength: number): Uint8Array;
  write(offset: number, bytes: Uint8Array): void;
  eraseBlock(block: number): void;
}

export interface FlashStore {
  /** Open a partition named in the board manifest; throws naming the partition when it does not exist. */
  open(name: string): FlashPartition;
}

/**
 * A block cipher bound to one key, encrypting in the board's hardware or C (the nRF52840's AES ECB peripheral, the
 * ESP32's AES accelerator, Moddable's `crypt` BlockCipher): a 16-byte block in XS byte code costs milliseconds.
 * Blocks are addressed by offset rather than as views so a caller can work in place inside a frame without making
 * a subarray per block.
 */
export interface BlockCipher {
  /**
   * Encrypt the 16 bytes at `src[srcAt…]` into `dst[dstAt…]`; the two may be the same bytes. Allocates nothing;
   * throws a RangeError naming the offset when a block does not fit its array.
   */
  encryptBlock(src: Uint8Array, srcAt: number, dst: Uint8Array, dstAt: number): void;
}

/** The ciphers a host computes natively; only the forward AES-128 (all LoRaWAN 1.0.x needs: TS001-1.0.4 §4.3.3, §4.4, §6.2.6). */
export interface Ciphers {
  /** AES-128 (FIPS-197) under a copy of the 16-byte `key`; a key of any other length is a RangeError naming it. */
  aes128(key: Uint8Array): BlockCipher;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

/** The device's resolved configuration: the device manifest merged with the board's wiring, frozen at build time. */
export type DeviceConfig = NodeConfig;

export interface Host {
  /** The node's identity, e.g. "ws-0001". */
  readonly id: string;
  /** Board name from the board manifest, e.g. "esp32-devkitc". */
  readonly board: string;
  readonly io: IOClasses;
  /** Named pins: the board's own (led, button) and the device's wiring on this board (wind, rain, …). */
  readonly pin: Readonly<Record<string, PinSpecifier>>;
  readonly I2C: Readonly<Record<string, I2CBus>>;
  readonly SPI: Readonly<Record<string, SPIBus>>;
  readonly Serial: Readonly<Record<string, SerialBus>>;
  readonly timer: Timers;
  readonly clock: Clock;
  readonly power: Power;
  readonly retained: RetainedMemory;
  readonly flash: FlashStore;
  readonly cipher: Ciphers;
  /** Uniform in [0, 1). Seeded in the simulator, hardware RNG on boards. */
  random(): number;
  log(level: LogLevel, message: string): void;
  readonly config: DeviceConfig;
}

/**
 * One line a run summary prints about a device's own counters, named by their `stats()` keys: the label, the sum of
 * `total`, and `parts` in brackets after it (e.g. "samples taken  29,040  (air 240, wind 28,800)").
 */
export interface SummaryLine {
  readonly label: string;
  readonly total: readonly string[];
  readonly parts?: readonly { readonly label: string; readonly key: string }[];
}

/** What a device's `main` returns: a read-out of its counters for the run summary and tests. */
export interface NodeApp {
  /** Counters; reports are accounted under the standard keys of runtime/uplink.ts (UPLINK_MADE …). */
  stats(): Readonly<Record<string, number>>;
  /** How a run summary shows the device's own counters (tools know no device's keys). */
  summary?(): readonly SummaryLine[];
}

export type DeviceMain = (host: Host) => NodeApp;
