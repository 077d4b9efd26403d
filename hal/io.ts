/**
 * ECMA-419 IO class shapes, as device code sees them through the host provider.
 *
 * These are the subset of ECMA-419 (and of Moddable's `embedded:io/*` implementations) that ganzhi device code may
 * rely on. The simulator implements them over its virtual buses; `hal/moddable` hands over Moddable's own classes,
 * which satisfy these shapes. Anything outside this file is not portable.
 *
 * Conventions (ECMA-419 §8–§10):
 * - constructors take one options object and validate it before touching hardware; a pin already in use throws;
 * - callbacks are passed only in the options object and are invoked with `this` set to the instance,
 *   never re-entrantly from inside a public method or the constructor;
 * - after `close()` every other method throws; `close()` may be called more than once.
 */

export type PinSpecifier = number;
export type PortSpecifier = number;

/** What ECMA-419 calls a Byte Buffer, narrowed to what runs the same on V8 and XS. */
export type ByteBuffer = ArrayBuffer | Uint8Array | DataView;

export interface IO {
  close(): void;
  target?: unknown;
}

// ---------------------------------------------------------------- Digital
export interface DigitalOptions {
  pin: PinSpecifier;
  mode: number;
  /** `Digital.Rising`, `Digital.Falling` or their sum; required with `onReadable`. */
  edge?: number;
  onReadable?: (this: Digital) => void;
  target?: unknown;
}
export interface Digital extends IO {
  read(): number;
  write(value: number): void;
}
export interface DigitalClass {
  new (options: DigitalOptions): Digital;
  readonly Input: number;
  readonly InputPullUp: number;
  readonly InputPullDown: number;
  readonly InputPullUpDown: number;
  readonly Output: number;
  readonly OutputOpenDrain: number;
  readonly Rising: number;
  readonly Falling: number;
}

// ---------------------------------------------------------------- ClockedSerial (not in ECMA-419)
/**
 * A two-wire clocked serial read in the host's native code, for parts that shift their result out on a clock the MCU
 * drives and have no SPI framing (Avia HX711, HX710, TM7711): `clock` is an output the class owns, `data` an input it
 * only samples, which a `Digital` may hold open at the same time for the part's data-ready edge.
 */
export interface ClockedSerialOptions {
  clock: PinSpecifier;
  data: PinSpecifier;
  target?: unknown;
}
export interface ClockedSerial extends IO {
  /**
   * `bits + extraPulses` clock pulses in one native call, interrupts held off: each pulse takes the clock high, samples
   * `data` (the level the part put out on the rising edge), and takes the clock low again; the first `bits` samples
   * are returned MSB first as an unsigned integer (1–32 bits). The clock idles low before and after.
   */
  read(bits: number, extraPulses?: number): number;
  /** Hold the clock at `level` between reads (a part that powers down while it stays high). */
  write(level: number): void;
  /** The longest clock high phase of the last `read`, µs, as the host measured it around each pulse (an upper bound). */
  readonly highUs: number;
}
export interface ClockedSerialClass {
  new (options: ClockedSerialOptions): ClockedSerial;
}

// ---------------------------------------------------------------- Analog
export interface AnalogOptions {
  pin: PinSpecifier;
  resolution?: number;
  target?: unknown;
}
export interface Analog extends IO {
  /** Raw reading, 0 … 2^resolution − 1. */
  read(): number;
  readonly resolution: number;
}
export interface AnalogClass {
  new (options: AnalogOptions): Analog;
}

// ---------------------------------------------------------------- PulseCount
export interface PulseCountOptions {
  signal: PinSpecifier;
  control?: PinSpecifier;
  onReadable?: (this: PulseCount) => void;
  onError?: (this: PulseCount) => void;
  target?: unknown;
}
export interface PulseCount extends IO {
  read(): number;
  write(count: number): void;
}
export interface PulseCountClass {
  new (options: PulseCountOptions): PulseCount;
}

// ---------------------------------------------------------------- I2C
export interface I2COptions {
  data: PinSpecifier;
  clock: PinSpecifier;
  hz: number;
  address: number;
  port?: PortSpecifier;
  target?: unknown;
}
/**
 * Synchronous I2C (ECMA-419 §10.5). A NACK or bus error throws an `Error`; the caller decides what that means.
 * `stop` defaults to true; `false` leaves the bus claimed for a repeated start.
 */
export interface I2C extends IO {
  read(byteLength: number, stop?: boolean): ArrayBuffer;
  read(buffer: Uint8Array, stop?: boolean): void;
  write(buffer: ByteBuffer, stop?: boolean): void;
}
export interface I2CClass {
  new (options: I2COptions): I2C;
}

// ---------------------------------------------------------------- SPI
export interface SPIOptions {
  out?: PinSpecifier;
  in?: PinSpecifier;
  clock: PinSpecifier;
  select?: PinSpecifier;
  active?: 0 | 1;
  hz: number;
  mode?: number;
  port?: PortSpecifier;
  target?: unknown;
}
export interface SPI extends IO {
  read(byteLength: number): ArrayBuffer;
  write(buffer: ByteBuffer): void;
  /** Full duplex, in place. */
  transfer(buffer: Uint8Array): void;
  flush(deselect?: boolean): void;
}
export interface SPIClass {
  new (options: SPIOptions): SPI;
}

// ---------------------------------------------------------------- Serial (UART, 8 data bits, 1 stop bit)
/** Parity bit after the 8 data bits; "none" (8N1) unless given. Meter buses (DL/T 645, CJ/T 188) use "even". */
export type SerialParity = "none" | "even" | "odd";
export interface SerialOptions {
  receive?: PinSpecifier;
  transmit?: PinSpecifier;
  baud: number;
  /**
   * Not in ECMA-419 (Moddable's nRF52 Serial takes `parity` only with 7 data bits; its ESP32 Serial configures none):
   * a board running a meter part needs a Serial that honours it.
   */
  parity?: SerialParity;
  port?: PortSpecifier;
  onReadable?: (this: Serial, bytes: number) => void;
  onWritable?: (this: Serial, bytes: number) => void;
  target?: unknown;
}
export interface Serial extends IO {
  /** Up to `byteLength` bytes that have arrived, or `undefined` when none have. */
  read(byteLength?: number): ArrayBuffer | undefined;
  write(buffer: ByteBuffer): void;
  flush(): void;
}
export interface SerialClass {
  new (options: SerialOptions): Serial;
}

// ---------------------------------------------------------------- TCP socket
export interface TCPOptions {
  /** Numeric IP address (Moddable's lwIP TCP resolves no names). */
  address: string;
  port: number;
  nodelay?: boolean;
  /** Bytes have arrived; read them with `read()`. */
  onReadable?: (this: TCP, bytes: number) => void;
  /** The first call means connected; `bytes` is how much `write` will accept now. */
  onWritable?: (this: TCP, bytes: number) => void;
  /** Connection failed or closed (ECMA-419 also reports a clean remote close here). */
  onError?: (this: TCP, error?: Error) => void;
  target?: unknown;
}
export interface TCP extends IO {
  read(byteLength?: number): ArrayBuffer | undefined;
  /** All or nothing: throws if more than the writable count is offered. */
  write(buffer: ByteBuffer): void;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
}
export interface TCPClass {
  new (options: TCPOptions): TCP;
}

/** The IO constructors a host hands to device code (ECMA-419 `device.io`). */
export interface IOClasses {
  Digital: DigitalClass;
  Analog: AnalogClass;
  PulseCount: PulseCountClass;
  I2C: I2CClass;
  SPI: SPIClass;
  Serial: SerialClass;
  TCP: TCPClass;
  /** Not in ECMA-419: a native clocked serial read (see ClockedSerial). */
  ClockedSerial: ClockedSerialClass;
}

/** Bus defaults in Moddable's provider shape: the constructor plus its connection options. */
export interface I2CBus {
  io: I2CClass;
  data: PinSpecifier;
  clock: PinSpecifier;
  hz: number;
  port?: PortSpecifier;
}
export interface SPIBus {
  io: SPIClass;
  clock: PinSpecifier;
  out?: PinSpecifier;
  in?: PinSpecifier;
  hz: number;
  port?: PortSpecifier;
}
export interface SerialBus {
  io: SerialClass;
  receive?: PinSpecifier;
  transmit?: PinSpecifier;
  baud: number;
  port?: PortSpecifier;
}
