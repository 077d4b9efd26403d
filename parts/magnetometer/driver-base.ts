/**
 * What the QMC5883L and LIS3MDL drivers share: the ECMA-419 Sensor Class Pattern surface of a part read once per
 * `measure()` through a ReadingCycle (./cycle.ts) into a MagnetometerReading (./reading.ts) — `measure`, `sample`,
 * `close`, `busy`, `repeats`, `raw` — and the bus, error and closed state behind it. Each driver supplies its cycle's
 * steps (`steps()`, closures only: the base calls it before the driver's own fields exist) and starts the cycle
 * (`cycle.begin()`) at the end of its own constructor.
 */
import type { I2C } from "../../hal/io.js";
import { openI2CSensor, SensorError, type ErrorReporter, type I2CSensorOptions } from "../../hal/sensor.js";
import { ReadingCycle, type CycleSteps } from "./cycle.js";
import { MagnetometerReading, type MagnetometerSample } from "./reading.js";

export abstract class MagnetometerDriver<Self> {
  protected readonly io: I2C;
  protected readonly errors: ErrorReporter;
  protected readonly onSample: (() => void) | undefined;
  /** "<name>@0x<address>", for messages. */
  protected readonly part: string;
  protected readonly cycle: ReadingCycle;
  protected readonly reading = new MagnetometerReading();
  protected closed = false;

  protected constructor(options: I2CSensorOptions<Self>, name: string, defaultAddress: number, looks: number) {
    const opened = openI2CSensor(this as unknown as Self, options, name, defaultAddress, () => this.closed);
    this.part = opened.part;
    this.errors = opened.errors;
    this.onSample = opened.onSample;
    this.io = opened.io;
    this.cycle = new ReadingCycle(options.timer, this.steps(), looks);
  }

  /** The reading cycle's steps for this part. */
  protected abstract steps(): CycleSteps;

  /** A reading, or the start-up before the first, is under way. */
  get busy(): boolean {
    return this.cycle.busy;
  }

  /** Consecutive readings identical to the one before in all three axes (0 while the data move). */
  get repeats(): number {
    return this.reading.repeats;
  }

  /** The last reading's x, y, z and temperature codes (the driver's own array: read, do not keep or change). */
  get raw(): Int16Array {
    return this.reading.raw;
  }

  measure(): void {
    this.assertOpen();
    this.cycle.measure();
  }

  /** The last reading, into `into` when given (no allocation), else as a new object; undefined when there is none. */
  sample(into?: MagnetometerSample): MagnetometerSample | undefined {
    this.assertOpen();
    return this.reading.sample(into);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cycle.close();
    this.io.close();
  }

  protected failReading(kind: "nack" | "timeout", text: string): void {
    this.reading.invalidate();
    this.errors.report(new SensorError(this.part, kind, text));
  }

  protected assertOpen(): void {
    if (this.closed) throw new Error(`${this.part}: closed`);
  }
}
