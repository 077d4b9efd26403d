/**
 * ECMA-419 Sensor Class Pattern (§13) base for ganzhi drivers.
 *
 * Drivers `configure(options)` (only the properties present change), `sample()` (a new object, or `undefined` when
 * no value is available) and `close()`. Bus errors never throw out of `sample()` into the scheduler: the driver
 * reports them through `onError`, and always asynchronously (never from inside a public method), as the pattern
 * and Moddable's reviewers require. The host's timer is the only way to defer, so virtual time stays exact.
 */
import type { Timers } from "./host.js";
import type { I2C, I2CClass, PinSpecifier, PortSpecifier } from "./io.js";

export type SensorErrorKind = "nack" | "crc" | "range" | "timeout" | "identity" | "state";

export class SensorError extends Error {
  readonly kind: SensorErrorKind;
  /** The part that failed, e.g. "sht3x@0x44". */
  readonly part: string;
  constructor(part: string, kind: SensorErrorKind, message: string) {
    super(`${part}: ${message}`);
    this.part = part;
    this.kind = kind;
  }
}

export interface SensorOptions {
  onError?: (error: SensorError) => void;
  /** A conversion started by `measure()` has finished; `sample()` now returns it. */
  onSample?: () => void;
}

/** Reports errors through `onError` on the next timer turn, never re-entrantly. */
export class ErrorReporter {
  #timers: Timers;
  #handler: ((error: SensorError) => void) | undefined;
  #pending: SensorError[] = [];
  constructor(timers: Timers, handler: ((error: SensorError) => void) | undefined) {
    this.#timers = timers;
    this.#handler = handler;
  }
  report(error: SensorError): void {
    if (!this.#handler) return;
    this.#pending.push(error);
    if (this.#pending.length === 1) this.#timers.set(() => this.#flush(), 0);
  }
  #flush(): void {
    const handler = this.#handler;
    const errors = this.#pending;
    this.#pending = [];
    if (handler) for (const e of errors) handler(e);
  }
}

export interface Sensor<Sample, Config = Record<string, unknown>> {
  configure(options: Partial<Config>): void;
  /** The latest completed reading as a new object, or `undefined` when there is none (or it failed). */
  sample(): Sample | undefined;
  close(): void;
}

/**
 * A sensor whose conversion takes time (BME280 forced mode, SHT3x single shot). `measure()` starts one and returns
 * at once; the driver waits the datasheet's maximum conversion time on a host timer, reads the result, then calls
 * `onSample` (or `onError`). Nothing blocks, so virtual time can jump over the conversion.
 */
export interface TriggeredSensor<Sample, Config = Record<string, unknown>> extends Sensor<Sample, Config> {
  measure(): void;
  /** Worst-case conversion time in ms for the current configuration. */
  readonly conversionMs: number;
  /** A conversion (or the start-up before the first) is under way: `measure()` now would start nothing new. */
  readonly busy: boolean;
}

/** How an ECMA-419 I2C sensor is wired: the bus (Moddable's `device.I2C.<name>` shape) plus its address. */
export interface I2CSensorBus {
  io: I2CClass;
  data: PinSpecifier;
  clock: PinSpecifier;
  hz: number;
  port?: PortSpecifier;
  address?: number;
}

export interface I2CSensorOptions<S> {
  sensor: I2CSensorBus;
  timer: Timers;
  onSample?: (this: S) => void;
  onError?: (this: S, error: SensorError) => void;
}

export interface I2CSensorParts {
  io: I2C;
  address: number;
  /** "sht3x@0x44": how errors name the part. */
  part: string;
  errors: ErrorReporter;
  onSample: (() => void) | undefined;
}

/**
 * The common start of an I2C sensor driver: open the bus at the part's address, bind the callbacks to the driver
 * (`this` is the instance, as the pattern requires) and stop reporting errors once it is closed.
 */
export function openI2CSensor<S>(self: S, options: I2CSensorOptions<S>, name: string, defaultAddress: number, isClosed: () => boolean): I2CSensorParts {
  const s = options.sensor;
  const address = s.address ?? defaultAddress;
  const { onError, onSample } = options;
  const errors = new ErrorReporter(
    options.timer,
    onError
      ? (e) => {
          if (!isClosed()) onError.call(self, e);
        }
      : undefined,
  );
  const io = new s.io(
    s.port === undefined ? { data: s.data, clock: s.clock, hz: s.hz, address } : { data: s.data, clock: s.clock, hz: s.hz, port: s.port, address },
  );
  return { io, address, part: `${name}@0x${address.toString(16)}`, errors, onSample: onSample ? () => onSample.call(self) : undefined };
}
