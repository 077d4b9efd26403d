/**
 * The Moddable SDK modules hal/moddable imports, answered by the simulated board (board.ts). Each keeps the API
 * shape and the edge cases of the SDK 8.2.x implementation it stands for (named below); the work is done by the
 * simulator's host provider of the current boot, so the board entry and the device entry see the same world.
 *
 * - `timer` (modules/base/timer): `Timer.set(cb, delay, repeat)` with integer ms (truncated, as xsmcToInteger does),
 *   callback `(timer)` with `this` the global object; `Timer.clear` of anything that is not a live timer does
 *   nothing; a one-shot is dead once its callback returned, and `Timer.schedule` on a dead timer throws.
 *   `Timer.delay` (a busy wait) throws: device code never blocks, and virtual time cannot pass inside a callback.
 * - `time` (modules/base/time): `Time.ticks` ms since boot as a signed 32-bit integer, `Time.delta` modulo 2^32,
 *   `Time.set(seconds)` sets the clock `Date.now()` reads. No `Time.microseconds`: the project ganzhi build writes
 *   does not include the SDK's microseconds module (ESP32 only).
 * - `flash` (modules/files/flash, esp32 and nrf52 flash.c): `new Flash(name)` — ESP32 the "xs" partition or a data
 *   partition by label, nRF52 its named partitions — or on nRF52 `new Flash(offset, byteLength)`; `read` returns
 *   an ArrayBuffer, `write(offset, byteLength, buffer)`, `erase(sector)`, `byteLength`, `blockSize`. nRF52 checks
 *   ranges with "invalid …" errors as its flash.c does. Backed by the node's NOR flash model (power cuts included).
 * - `embedded:io/*` and `embedded:io/socket/tcp` (ECMA-419): the simulator's IO classes of the current boot;
 *   constructing one of these returns the current boot's instance, so callbacks see that instance as `this`.
 * - `crypt` (modules/crypt/digest, modCrypt.c): `new BlockCipher("AES", key)` copies an ArrayBuffer key ("bad key
 *   size" unless 16, 24 or 32 bytes); `encrypt(data, result)` encrypts the first block of `data` (an ArrayBuffer of at
 *   least 16 bytes, else "bad size") into `result` ("buffer too small" under 16 bytes) and returns it, or a new
 *   ArrayBuffer without one. Only AES-128 encryption, on the host provider's `cipher`: the rest throws.
 * - `resetReason` (ESP32, build/devices/esp32/modules/resetReason): `{reason, string}` with `esp_reset_reason_t`.
 * - `sleep` (nRF52, build/devices/nrf52/modules/sleep): retained values (32 signed 32-bit slots), `Sleep.deep(ms)`
 *   (the board sleeps and reboots), `Sleep.resetReason` (RESETREAS saved at boot; a timed wake is a software reset),
 *   and the PowerMode / SleepMode / ResetReason constants.
 */
import type { BlockCipher as HalBlockCipher, FlashPartition, Host, ResetReason as HalResetReason, TimerHandle } from "../../../../hal/host.js";
import type { IOClasses } from "../../../../hal/io.js";
import { currentBoard } from "./board.js";

/** xsmcToInteger: a signed 32-bit integer, NaN as 0. */
function toInteger(value: unknown): number {
  return Number(value) | 0;
}

/** xsmcToUnsigned. */
function toUnsigned(value: unknown): number {
  return Number(value) >>> 0;
}

// ------------------------------------------------------------------------------------------------- timer

type TimerCallback = (this: unknown, timer: Timer) => void;

export class Timer {
  readonly #callback: TimerCallback;
  #host: Host | undefined;
  #handle: TimerHandle | undefined;
  #repeat = 0;
  #dead = false;

  private constructor(callback: TimerCallback) {
    if (typeof callback !== "function") throw new TypeError("Timer: callback is not a function");
    this.#callback = callback;
  }

  #arm(interval: number, repeat: number): void {
    const host = currentBoard().host;
    this.#host = host;
    this.#repeat = repeat > 0 ? repeat : 0;
    const fire = (): void => {
      const oneShot = this.#repeat === 0;
      try {
        this.#callback.call(globalThis, this);
      } finally {
        // modTimer: a timer with no repeat interval is gone once its callback returned, even one re-armed in it.
        if (oneShot && this.#repeat === 0 && !this.#dead) this.#kill();
      }
    };
    this.#handle = host.timer.set(fire, interval > 0 ? interval : 0, this.#repeat > 0 ? this.#repeat : undefined);
  }

  #unschedule(): void {
    if (this.#handle !== undefined) this.#host!.timer.clear(this.#handle);
    this.#handle = undefined;
  }

  #kill(): void {
    this.#unschedule();
    this.#dead = true;
  }

  static set(callback: TimerCallback, delay?: number, repeat?: number): Timer {
    const t = new Timer(callback);
    t.#arm(toInteger(delay), toInteger(repeat));
    return t;
  }

  static repeat(callback: TimerCallback, delay: number): Timer {
    const ms = toInteger(delay);
    const t = new Timer(callback);
    t.#arm(ms, ms);
    return t;
  }

  static schedule(timer: Timer, delay?: number, repeat?: number): void {
    if (!(timer instanceof Timer) || timer.#dead) throw new Error("Timer.schedule: not a live timer");
    timer.#unschedule();
    if (delay === undefined) return; // unscheduled, still alive
    timer.#arm(toInteger(delay), toInteger(repeat));
  }

  static clear(timer: unknown): void {
    if (!(timer instanceof Timer) || timer.#dead) return;
    timer.#kill();
  }

  static delay(ms: number): never {
    throw new Error(`Timer.delay(${ms}) busy-waits: device code never blocks (arm a timer instead)`);
  }
}
Object.freeze(Timer);
Object.freeze(Timer.prototype);

// ------------------------------------------------------------------------------------------------- time

export class Time {
  static set(seconds: number): void {
    currentBoard().setTime(toUnsigned(seconds));
  }
  static get ticks(): number {
    return currentBoard().host.clock.ticks() | 0;
  }
  static delta(start: number, end?: number): number {
    const e = end === undefined ? currentBoard().host.clock.ticks() >>> 0 : toUnsigned(end);
    return (e - toUnsigned(start)) | 0;
  }
  static get timezone(): number {
    return currentBoard().timezone;
  }
  static set timezone(seconds: number) {
    currentBoard().timezone = toInteger(seconds);
  }
  static get dst(): number {
    return currentBoard().dst;
  }
  static set dst(seconds: number) {
    currentBoard().dst = toInteger(seconds);
  }
}
Object.freeze(Time);

// ------------------------------------------------------------------------------------------------- flash

/** ESP32 partitions that are not of type data: `esp_partition_find_first(DATA, ANY, name)` does not find them. */
const ESP32_NOT_DATA = /^(factory|ota_\d+|bootloader|partition-table|xs)$/;

function flashPartitionName(nameOrOffset: unknown, byteLength: unknown): string {
  const board = currentBoard();
  const layout = board.spec.flash.partitions;
  if (typeof nameOrOffset === "string") {
    const name = nameOrOffset;
    // ESP32 finds "xs" by type 0x40 (ganzhi's partitions.csv names it "xs"), any other name among data partitions.
    const found = board.platform === "esp32" ? name in layout && (name === "xs" || !ESP32_NOT_DATA.test(name)) : name in layout;
    if (!found) throw new Error(board.platform === "esp32" ? "can't find partition" : "unknown partition");
    return name;
  }
  if (board.platform !== "nrf52") throw new Error("can't find partition"); // ESP32 takes a name only (xsmcToString)
  const offset = toInteger(nameOrOffset);
  const size = toInteger(byteLength);
  for (const [name, p] of Object.entries(layout)) if (p.offset === offset && p.size === size) return name;
  throw new Error(`no partition of the simulated board at offset ${offset} with ${size} bytes (board manifest flash.partitions)`);
}

function bytesOf(buffer: unknown, byteLength: number): Uint8Array {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new TypeError(`Flash.write: ${byteLength} bytes from something that is not a buffer`);
}

export class Flash {
  readonly #partition: FlashPartition;
  readonly #nrf52: boolean;

  constructor(nameOrOffset: string | number, byteLength?: number) {
    const board = currentBoard();
    this.#partition = board.host.flash.open(flashPartitionName(nameOrOffset, byteLength));
    this.#nrf52 = board.platform === "nrf52";
  }

  #range(offset: number, byteLength: number): void {
    const size = this.#partition.size;
    if (this.#nrf52) {
      if (offset < 0 || offset >= size) throw new Error("invalid offset");
      if (byteLength <= 0 || offset + byteLength > size) throw new Error("invalid length");
    } else if (offset < 0 || byteLength < 0 || offset + byteLength > size) {
      throw new Error("read failed"); // esp_partition_read/write refuse a range outside the partition
    }
  }

  erase(sector: number): void {
    const s = toInteger(sector);
    if (s < 0 || s >= this.#partition.blocks) throw new Error(this.#nrf52 ? "invalid sector" : "erase failed");
    this.#partition.eraseBlock(s);
  }

  read(offset: number, byteLength: number): ArrayBuffer {
    const o = toInteger(offset);
    const n = toInteger(byteLength);
    this.#range(o, n);
    return this.#partition.read(o, n).slice().buffer;
  }

  readString(offset: number, byteLength: number): string {
    const bytes = new Uint8Array(this.read(offset, byteLength));
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return s;
  }

  write(offset: number, byteLength: number, buffer: ArrayBuffer | ArrayBufferView): void {
    const o = toInteger(offset);
    const n = toInteger(byteLength);
    if (this.#nrf52) this.#range(o, n);
    const bytes = bytesOf(buffer, n);
    if (n <= 0 || bytes.length < n) throw new Error(this.#nrf52 ? "invalid length" : "invalid");
    if (!this.#nrf52 && o + n > this.#partition.size) throw new Error("write failed");
    this.#partition.write(o, bytes.subarray(0, n));
  }

  map(): never {
    throw new Error("Flash.map: the simulated board has no memory-mapped flash");
  }

  get byteLength(): number {
    return this.#partition.size;
  }

  get blockSize(): number {
    return this.#partition.blockLength;
  }
}
Object.freeze(Flash);
Object.freeze(Flash.prototype);

// ------------------------------------------------------------------------------------------------- embedded:io

type Constructor = new (options: unknown) => object;

/** An ECMA-419 class whose instances are the current boot's (the simulator builds IO classes per boot). */
function ioClass(name: keyof IOClasses): Constructor {
  const C = function (this: unknown, options: unknown): object {
    if (new.target === undefined) throw new TypeError(`${name} is a constructor`);
    const Current = currentBoard().host.io[name] as unknown as Constructor;
    return new Current(options);
  };
  Object.defineProperty(C, "name", { value: name });
  return C as unknown as Constructor;
}

/** embedded:io/digital; the constants are Moddable's (modules/io/digital). */
export const Digital = Object.freeze(
  Object.assign(ioClass("Digital"), {
    Input: 0,
    InputPullUp: 1,
    InputPullDown: 2,
    InputPullUpDown: 3,
    Output: 8,
    OutputOpenDrain: 9,
    Rising: 1,
    Falling: 2,
  }),
);
export const Analog = Object.freeze(ioClass("Analog"));
export const PulseCount = Object.freeze(ioClass("PulseCount"));
export const I2C = Object.freeze(ioClass("I2C"));
export const SPI = Object.freeze(ioClass("SPI"));
export const Serial = Object.freeze(ioClass("Serial"));
export const TCP = Object.freeze(ioClass("TCP"));
/** ganzhi/clockedserial: the host provider's own native module on a board (hal/moddable/native). */
export const ClockedSerial = Object.freeze(ioClass("ClockedSerial"));

// ------------------------------------------------------------------------------------------------- crypt

function cryptBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof ArrayBuffer)) throw new TypeError(`BlockCipher: ${what} is not an ArrayBuffer`);
  return new Uint8Array(value);
}

export class BlockCipher {
  readonly #aes: HalBlockCipher;

  constructor(cipher: string, key: ArrayBuffer) {
    const k = cryptBytes(key, "key");
    if (cipher !== "AES") throw new Error(`BlockCipher: the simulated board has AES only, not ${String(cipher)}`);
    if (k.length !== 16 && k.length !== 24 && k.length !== 32) throw new Error("bad key size");
    if (k.length !== 16) throw new Error(`BlockCipher: the simulated board has AES-128 only, not a ${k.length}-byte key`);
    this.#aes = currentBoard().host.cipher.aes128(k);
  }

  encrypt(data: ArrayBuffer, result?: ArrayBuffer): ArrayBuffer {
    const out = result === undefined ? new ArrayBuffer(16) : result;
    const o = cryptBytes(out, "result");
    if (o.length < 16) throw new Error("buffer too small");
    const d = cryptBytes(data, "data");
    if (d.length < 16) throw new Error("bad size");
    this.#aes.encryptBlock(d, 0, o, 0);
    return out;
  }

  decrypt(): ArrayBuffer {
    throw new Error("BlockCipher: the simulated board encrypts only (LoRaWAN 1.0.x needs no AES decryption)");
  }

  get keySize(): number {
    return 16;
  }

  get blockSize(): number {
    return 16;
  }
}

// ------------------------------------------------------------------------------------------------- resetReason (ESP32)

/** `esp_reset_reason_t` for the simulator's reset reasons, and ESP-IDF's name of each. */
const ESP_RESET: Readonly<Record<HalResetReason, number>> = Object.freeze({
  "power-on": 1,
  software: 3,
  watchdog: 7,
  "deep-sleep": 8,
  "brown-out": 9,
});
const ESP_RESET_NAMES: readonly string[] = Object.freeze(["Unknown", "Power-On", "External Pin", "Software", "Panic", "Interrupt WDT", "Task WDT", "Other WDT", "Deep Sleep", "Brownout", "SDIO"]);

export function getResetReason(): { reason: number; string: string } {
  const reason = ESP_RESET[currentBoard().host.power.resetReason];
  return { reason, string: ESP_RESET_NAMES[reason]! };
}

// ------------------------------------------------------------------------------------------------- sleep (nRF52)

/** RESETREAS bits (nRF52840 PS, POWER.RESETREAS). */
export const ResetReason = Object.freeze({
  RESETPIN: 1 << 0,
  DOG: 1 << 1,
  SREQ: 1 << 2,
  LOCKUP: 1 << 3,
  GPIO: 1 << 16,
  LPCOMP: 1 << 17,
  DIF: 1 << 18,
  NFC: 1 << 19,
});
export const PowerMode = Object.freeze({ ConstantLatency: 1, LowPower: 2 });
export const SleepMode = Object.freeze({ SystemOn: 1, SystemOff: 2 });

/**
 * RESETREAS for how the simulator booted the node: a power-on reset sets no bit; a timed `Sleep.deep(ms)` wakes
 * through NVIC_SystemReset (SREQ), as the SDK's sleep module does; the simulator's watchdog reboot sets DOG.
 */
const RESETREAS: Readonly<Record<HalResetReason, number>> = Object.freeze({
  "power-on": 0,
  "brown-out": 0,
  "deep-sleep": ResetReason.SREQ,
  software: ResetReason.SREQ,
  watchdog: ResetReason.DOG,
});

const RETAINED_SLOTS = 32;
/** What the SDK's `Sleep.setup()` sets the clock to when no time was saved across a sleep: 2020-10-05. */
const SLEEP_SETUP_TIME = 1_601_856_000;

function retainedIndex(index: unknown): number {
  const i = toInteger(index);
  if (i < 0 || i >= RETAINED_SLOTS) throw new RangeError("invalid index");
  return i;
}

export class Sleep {
  static getRetainedValue(index: number): number {
    return currentBoard().host.retained.get(retainedIndex(index)) | 0;
  }
  static setRetainedValue(index: number, value: number): void {
    currentBoard().host.retained.set(retainedIndex(index), toInteger(value) >>> 0);
  }
  static set powerMode(_mode: number) {
    // System ON power mode only changes the current drawn while idle, which the simulator does not model here.
  }
  /** With `ms`: RAM off, RTC wake-up, reboot. Without: System OFF until a wake source, which the simulator has none of. */
  static deep(ms?: number): void {
    if (ms === undefined) throw new Error("Sleep.deep() without a wake-up time: System OFF needs a wake source, and the simulated board has none");
    currentBoard().host.power.deepSleep(toUnsigned(ms));
  }
  static get resetReason(): number {
    return RESETREAS[currentBoard().host.power.resetReason];
  }
  static getLatch(_pin: number): number {
    return 0;
  }
  /** The SDK's setup: keep the time saved across a timed sleep, else set 2020-10-05 in UTC−8 with DST. */
  static setup(): void {
    const board = currentBoard();
    if (board.host.power.resetReason === "deep-sleep") return;
    board.timezone = -8 * 3600;
    board.dst = 3600;
    board.setTime(SLEEP_SETUP_TIME);
  }
}
Object.freeze(Sleep);
