/**
 * The host provider for real boards: builds hal's `Host` from Moddable's modules and globals.
 *
 * - IO classes: ClockedSerial from the provider's own native module `ganzhi/clockedserial` (native/clockedserial.c,
 *   a two-wire part's pulse train in C); the others imported from the ECMA-419 `embedded:io/*` modules that `$(MODDABLE)/modules/io/manifest.json`
 *   maps for ESP32 and nRF52. These are the very constructors Moddable's `device.io` holds, but `device.io` of a
 *   bare `-p esp32` or of `-p nrf52/dk` lacks some of them (no PulseCount/SPI on nRF52 targets), and a module import
 *   that does not exist fails at `mcconfig` time instead of at run time.
 * - Pins and buses: the board manifest's (baked into the bundle as `BoardDescription`), over Moddable's
 *   `device.pin` / `device.I2C.default` / `device.SPI.default` / `device.Serial.default` where the board manifest
 *   names none.
 * - Timers `timer`, monotonic clock `time` (`Time.ticks`; `Time.microseconds` when the SDK provides it), wall
 *   time `Date.now()` once something has set the clock, flash via the legacy `flash` module, `Math.random`,
 *   `trace`; AES-128 through the `crypt` module's BlockCipher (cipher.ts). Power and retained memory come from the per-platform module chosen at build time (`esp32.ts`/`nrf52.ts`).
 *
 * Nothing here holds module-level mutable state: the bundle is preloaded (frozen into flash); every mutable thing
 * lives in what `createHost` returns, which is created at run time by `main()`.
 */
import Analog from "embedded:io/analog";
import Digital from "embedded:io/digital";
import I2C from "embedded:io/i2c";
import PulseCount from "embedded:io/pulsecount";
import Serial from "embedded:io/serial";
import SPI from "embedded:io/spi";
import Flash from "flash";
import ClockedSerial from "ganzhi/clockedserial";
import Time from "time";
import Timer from "timer";
import type {
  Clock,
  DeviceConfig,
  FlashPartition,
  FlashStore,
  Host,
  LogLevel,
  Power,
  RetainedMemory,
  TimerHandle,
  Timers,
} from "../host.js";
import type {
  AnalogClass,
  ClockedSerialClass,
  DigitalClass,
  I2CBus,
  I2CClass,
  IOClasses,
  PinSpecifier,
  PulseCountClass,
  SerialBus,
  SerialClass,
  SPIBus,
  SPIClass,
  TCPClass,
} from "../io.js";
import type { BoardDescription, FlashPartitionDescription } from "./board.js";
import { createCiphers } from "./cipher.js";
import type { Platform } from "./platform.js";

/** Wall-clock values before 2020-01-01 mean nobody has set the clock yet (Moddable counts from 1970 at boot). */
const WALL_CLOCK_VALID_MS = 1_577_836_800_000;
const DEFAULT_I2C_HZ = 100_000;
const DEFAULT_SPI_HZ = 1_000_000;
const DEFAULT_BAUD = 115_200;

/** A Moddable `Timer` behind hal's opaque handle. */
interface TimerSlot extends TimerHandle {
  timer: Timer | undefined;
}

function wholeMs(ms: number, min: number): number {
  // Moddable timers take integer ms (xsmcToInteger truncates): round up so nothing fires early.
  return ms > min ? Math.ceil(ms) : min;
}

function createTimers(): Timers {
  return {
    set(callback: () => void, delay: number, repeat?: number): TimerHandle {
      const slot: TimerSlot = { __timer: true, timer: undefined };
      if (repeat === undefined || !(repeat > 0)) {
        // One-shot: forget the Moddable timer once it fired, because `Timer.clear` on a fired one-shot throws.
        slot.timer = Timer.set(() => {
          slot.timer = undefined;
          callback();
        }, wholeMs(delay, 0));
      } else {
        slot.timer = Timer.set(() => callback(), wholeMs(delay, 0), wholeMs(repeat, 1));
      }
      return slot;
    },
    clear(handle: TimerHandle | undefined): void {
      if (handle === undefined) return;
      const slot = handle as TimerSlot;
      const timer = slot.timer;
      if (timer === undefined) return;
      slot.timer = undefined;
      Timer.clear(timer);
    },
  };
}

function createClock(): Clock {
  return {
    ticks(): number {
      return Time.ticks;
    },
    microseconds(): number {
      // `Time.microseconds` exists only when the app includes the SDK's microseconds module.
      const us = Time.microseconds;
      return us === undefined ? Time.ticks * 1000 : us;
    },
    unixMs(): number {
      const now = Date.now();
      return now >= WALL_CLOCK_VALID_MS ? now : 0;
    },
  };
}

/** hal's FlashPartition over Moddable's legacy `flash` module. */
class ModdableFlashPartition implements FlashPartition {
  readonly #flash: Flash;
  readonly #name: string;
  readonly size: number;
  readonly blockLength: number;
  readonly blocks: number;
  readonly eraseValue = 0xff;
  readonly writeAlign: number;

  constructor(name: string, flash: Flash, writeAlign: number) {
    this.#name = name;
    this.#flash = flash;
    this.size = flash.byteLength;
    this.blockLength = flash.blockSize;
    this.blocks = Math.floor(this.size / this.blockLength);
    this.writeAlign = writeAlign;
  }

  #range(offset: number, byteLength: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(byteLength) || offset < 0 || byteLength < 0 || offset + byteLength > this.size) {
      throw new RangeError(`flash "${this.#name}": ${byteLength} bytes at ${offset} outside 0..${this.size}`);
    }
  }

  read(offset: number, byteLength: number): Uint8Array {
    this.#range(offset, byteLength);
    if (byteLength === 0) return new Uint8Array(0);
    return new Uint8Array(this.#flash.read(offset, byteLength) as ArrayBuffer);
  }

  write(offset: number, bytes: Uint8Array): void {
    const length = bytes.byteLength;
    this.#range(offset, length);
    const align = this.writeAlign;
    if (offset % align !== 0 || length % align !== 0) {
      throw new RangeError(`flash "${this.#name}": write of ${length} bytes at ${offset} is not ${align}-byte aligned`);
    }
    if (length === 0) return;
    // Older ESP32 flash.c reads the source with xsmcToArrayBuffer: hand it a whole ArrayBuffer.
    const whole = bytes.byteOffset === 0 && bytes.buffer.byteLength === length && bytes.buffer instanceof ArrayBuffer;
    const buffer: ArrayBuffer = whole ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
    this.#flash.write(offset, length, buffer);
  }

  eraseBlock(block: number): void {
    if (!Number.isInteger(block) || block < 0 || block >= this.blocks) {
      throw new RangeError(`flash "${this.#name}": block ${block} outside 0..${this.blocks - 1}`);
    }
    this.#flash.erase(block);
  }
}

function openFlash(name: string, d: FlashPartitionDescription): Flash {
  if (d.moddable !== undefined) return new Flash(d.moddable);
  if (d.offset !== undefined && d.size !== undefined) return new Flash(d.offset, d.size);
  throw new Error(`flash partition "${name}" has neither a Moddable partition name nor an offset and size`);
}

function createFlashStore(board: BoardDescription): FlashStore {
  return {
    open(name: string): FlashPartition {
      const d = board.flash[name];
      if (d === undefined) {
        const known = Object.keys(board.flash);
        throw new Error(`flash partition "${name}" is not in board ${board.board} (known: ${known.length ? known.join(", ") : "none"})`);
      }
      return new ModdableFlashPartition(name, openFlash(name, d), d.writeAlign);
    },
  };
}

/** Moddable's ECMA-419 IO constructors, as hal's shapes (see hal/io.ts: the subset device code may rely on). */
function createIO(platform: Platform, builtin: ModdableProvider): IOClasses {
  // @moddable/typings 5.6.0 types are looser/different in places (e.g. `Digital.Input: unknown`, no `close()` on
  // I2C), while the runtime classes implement ECMA-419, which is what hal/io.ts describes: cast at this one seam.
  return Object.freeze({
    Digital: Digital as unknown as DigitalClass,
    Analog: Analog as unknown as AnalogClass,
    PulseCount: PulseCount as unknown as PulseCountClass,
    I2C: I2C as unknown as I2CClass,
    SPI: SPI as unknown as SPIClass,
    Serial: Serial as unknown as SerialClass,
    TCP: platform.tcp(builtin.io?.TCP),
    // Not Moddable's: the provider's own native module, which `ganzhi build` adds to the project (native/).
    ClockedSerial: ClockedSerial as unknown as ClockedSerialClass,
  });
}

/** Moddable's provider (`globalThis.device`, set by the preloaded `system` module), if present. */
interface ModdableProvider {
  io?: { TCP?: TCPClass };
  pin?: Record<string, PinSpecifier>;
  I2C?: { default?: { data?: PinSpecifier; clock?: PinSpecifier; hz?: number; port?: number } };
  SPI?: { default?: { clock?: PinSpecifier; out?: PinSpecifier; in?: PinSpecifier; hz?: number; port?: number } };
  Serial?: { default?: { receive?: PinSpecifier; transmit?: PinSpecifier; baud?: number; port?: number } };
}

function moddableProvider(): ModdableProvider {
  const p = (globalThis as { device?: unknown }).device;
  return typeof p === "object" && p !== null ? (p as ModdableProvider) : {};
}

function createBuses(board: BoardDescription, io: IOClasses, builtin: ModdableProvider) {
  const i2c: Record<string, I2CBus> = {};
  for (const [name, b] of Object.entries(board.i2c)) i2c[name] = { io: io.I2C, ...b };
  const bi = builtin.I2C?.default;
  if (i2c.default === undefined && bi?.data !== undefined && bi.clock !== undefined) {
    i2c.default = { io: io.I2C, data: bi.data, clock: bi.clock, hz: bi.hz ?? DEFAULT_I2C_HZ, ...(bi.port !== undefined ? { port: bi.port } : {}) };
  }
  const spi: Record<string, SPIBus> = {};
  for (const [name, b] of Object.entries(board.spi)) spi[name] = { io: io.SPI, ...b };
  const bs = builtin.SPI?.default;
  if (spi.default === undefined && bs?.clock !== undefined) {
    spi.default = { io: io.SPI, clock: bs.clock, hz: bs.hz ?? DEFAULT_SPI_HZ, ...pick(bs, ["out", "in", "port"]) };
  }
  const serial: Record<string, SerialBus> = {};
  for (const [name, b] of Object.entries(board.serial)) serial[name] = { io: io.Serial, ...b };
  const bu = builtin.Serial?.default;
  if (serial.default === undefined && (bu?.receive !== undefined || bu?.transmit !== undefined)) {
    serial.default = { io: io.Serial, baud: bu.baud ?? DEFAULT_BAUD, ...pick(bu, ["receive", "transmit", "port"]) };
  }
  const pin: Record<string, PinSpecifier> = { ...(builtin.pin ?? {}), ...board.pins };
  return {
    pin: Object.freeze(pin),
    I2C: Object.freeze(i2c),
    SPI: Object.freeze(spi),
    Serial: Object.freeze(serial),
  };
}

function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

/**
 * `mc/config` holds the manifests' merged `config` (the SDK target adds its own keys): keep the device's keys. They
 * are the resolved NodeConfig `ganzhi build` wrote; the SDK types the module as an untyped record, so the shape is
 * asserted here and checked where a device first reads it (devices/shared/config.ts).
 */
function deviceConfig(board: BoardDescription, config: Readonly<Record<string, unknown>>): DeviceConfig {
  const out: Record<string, unknown> = {};
  for (const key of board.configKeys) if (key in config) out[key] = config[key];
  return Object.freeze(out) as unknown as DeviceConfig;
}

function log(level: LogLevel, message: string): void {
  // `trace` goes to xsbug in debug builds, to the serial console in -i builds, nowhere in ESP32 release builds.
  trace(`[${level}] ${message}\n`);
}

/**
 * Build the host for this boot. Call it from `main()` (at run time), never at module level: it constructs native
 * objects and reads the reset reason, which must not happen during preload.
 */
export function createHost(platform: Platform, board: BoardDescription, config: Readonly<Record<string, unknown>>): Host {
  const builtin = moddableProvider();
  const io = createIO(platform, builtin);
  const buses = createBuses(board, io, builtin);
  const retained: RetainedMemory = platform.createRetained();
  const resetReason = platform.readResetReason();
  const power: Power = Object.freeze({
    resetReason,
    deepSleep(ms: number): void {
      platform.deepSleep(ms);
    },
    supplyVoltage(): number {
      return platform.supplyVoltage();
    },
  });
  const cfg = deviceConfig(board, config);
  // `id` is not part of the node configuration: it comes from `mcconfig … id=<id>` (ganzhi build --flash --id).
  const rawId = config.id;
  const id = typeof rawId === "string" && rawId !== "" ? rawId : board.device;
  if (platform.limitations !== undefined) log("warn", platform.limitations);
  return Object.freeze({
    id,
    board: board.board,
    io,
    pin: buses.pin,
    I2C: buses.I2C,
    SPI: buses.SPI,
    Serial: buses.Serial,
    timer: createTimers(),
    clock: createClock(),
    power,
    retained,
    flash: createFlashStore(board),
    cipher: createCiphers(),
    random: (): number => Math.random(),
    log,
    config: cfg,
  });
}
