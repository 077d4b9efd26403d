/**
 * Sensirion SHT3x-DIS (SHT30/31/35) humidity and temperature driver, ECMA-419 Sensor Class Pattern.
 *
 * Single shot without clock stretching: `measure()` sends the measurement command and returns; a host timer waits
 * the datasheet's maximum measurement duration for the configured repeatability, then the driver reads the six
 * result bytes (T msb, lsb, CRC, RH msb, lsb, CRC), checks both CRCs and calls `onSample`. Clock stretching is
 * never used: it would hold the bus (and, on XS, the whole VM) for up to 15 ms.
 *
 * Failures are never thrown from a public method: an I2C NACK becomes a `SensorError` of kind "nack", a bad CRC one
 * of kind "crc", both reported through `onError` on a later timer turn. A failed conversion leaves no reading
 * (`sample()` returns `undefined`) and the next `measure()` simply tries again.
 */
import type { Timers, TimerHandle } from "../../hal/host.js";
import type { I2C } from "../../hal/io.js";
import { openI2CSensor, SensorError, type ErrorReporter, type I2CSensorOptions, type TriggeredSensor } from "../../hal/sensor.js";
import { crc8Sensirion } from "../crc/crc8.js";
import {
  CMD_HEATER_OFF,
  CMD_HEATER_ON,
  CMD_SINGLE_SHOT,
  CMD_SOFT_RESET,
  MEASURE_MAX_US,
  SHT3X_DEFAULTS,
  SHT3X_DEFAULT_ADDRESS,
  SOFT_RESET_MAX_US,
  type Repeatability,
} from "./registers.js";

export type { Repeatability } from "./registers.js";

export interface SHT3xSample {
  thermometer: { temperature: number };
  hygrometer: { humidity: number };
}

export interface SHT3xConfig {
  /** Measurement repeatability; sets the command and the conversion time (default "high"). */
  repeatability: Repeatability;
  /** Internal heater, for plausibility checks and to drive off condensation (default off). */
  heater: boolean;
}

export type SHT3xOptions = I2CSensorOptions<SHT3x>;

/** "resetting": soft reset sent at construction, the sensor is busy for up to t_SR. */
type Phase = "resetting" | "idle" | "converting";

export class SHT3x implements TriggeredSensor<SHT3xSample, SHT3xConfig> {
  readonly #io: I2C;
  readonly #timers: Timers;
  readonly #errors: ErrorReporter;
  readonly #onSample: (() => void) | undefined;
  readonly #part: string;
  readonly #cmd = new Uint8Array(2);
  readonly #rx = new Uint8Array(6);
  #timer: TimerHandle | undefined;
  #phase: Phase = "resetting";
  #pendingMeasure = false;
  #closed = false;

  #repeatability: Repeatability = SHT3X_DEFAULTS.repeatability;
  #heater = SHT3X_DEFAULTS.heater;
  /** The heater state the sensor has acknowledged (after a soft reset it is off). */
  #heaterApplied = false;

  #valid = false;
  #temperature = 0;
  #humidity = 0;

  constructor(options: SHT3xOptions) {
    const opened = openI2CSensor(this, options, "sht3x", SHT3X_DEFAULT_ADDRESS, () => this.#closed);
    this.#part = opened.part;
    this.#timers = options.timer;
    this.#errors = opened.errors;
    this.#onSample = opened.onSample;
    this.#io = opened.io;

    // Known state: a soft reset (heater off, status cleared except "reset detected"). The sensor needs t_SR before
    // it accepts the next command; wait on a timer, not a loop.
    if (!this.#command(CMD_SOFT_RESET, "soft reset")) {
      // Not there (yet): start measuring anyway when asked; a missing sensor shows up as NACKs then.
      this.#phase = "idle";
      return;
    }
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#phase = "idle";
      if (this.#pendingMeasure) {
        this.#pendingMeasure = false;
        this.#start();
      }
    }, SOFT_RESET_MAX_US / 1000);
  }

  /** Worst-case measurement duration in ms for the configured repeatability. */
  get conversionMs(): number {
    return MEASURE_MAX_US[this.#repeatability] / 1000;
  }

  configure(options: Partial<SHT3xConfig>): void {
    this.#assertOpen();
    const { repeatability, heater } = options;
    if (repeatability !== undefined) {
      if (repeatability !== "high" && repeatability !== "medium" && repeatability !== "low") {
        throw new RangeError(`${this.#part}: repeatability must be "high", "medium" or "low", got ${String(repeatability)}`);
      }
      this.#repeatability = repeatability;
    }
    if (heater !== undefined) {
      if (typeof heater !== "boolean") throw new TypeError(`${this.#part}: heater must be a boolean`);
      this.#heater = heater;
      // The sensor ignores (NACKs) commands while it measures: apply now only when idle, else before the next one.
      if (this.#phase === "idle") this.#applyHeater();
    }
  }

  /** A conversion, or the reset before the first one, is under way. */
  get busy(): boolean {
    return this.#phase === "converting" || this.#phase === "resetting";
  }

  measure(): void {
    this.#assertOpen();
    if (this.#phase === "converting") return; // the running conversion will report
    if (this.#phase === "resetting") {
      this.#pendingMeasure = true;
      return;
    }
    this.#start();
  }

  sample(): SHT3xSample | undefined {
    this.#assertOpen();
    if (!this.#valid) return undefined;
    return { thermometer: { temperature: this.#temperature }, hygrometer: { humidity: this.#humidity } };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#io.close();
  }

  #start(): void {
    if (this.#heater !== this.#heaterApplied && !this.#applyHeater()) return;
    if (!this.#command(CMD_SINGLE_SHOT[this.#repeatability], "measure")) return;
    this.#phase = "converting";
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#phase = "idle";
      this.#readResult();
    }, this.conversionMs);
  }

  #readResult(): void {
    const rx = this.#rx;
    this.#valid = false;
    try {
      this.#io.read(rx);
    } catch (e) {
      this.#errors.report(new SensorError(this.#part, "nack", `read of the measurement result failed: ${message(e)}`));
      return;
    }
    const crcT = crc8Sensirion(rx, 0, 2);
    const crcH = crc8Sensirion(rx, 3, 2);
    if (crcT !== rx[2] || crcH !== rx[5]) {
      const which = crcT !== rx[2] ? `temperature word CRC 0x${hex(rx[2]!)} (computed 0x${hex(crcT)})` : `humidity word CRC 0x${hex(rx[5]!)} (computed 0x${hex(crcH)})`;
      this.#errors.report(new SensorError(this.#part, "crc", `bad ${which}; reading rejected`));
      return;
    }
    const sT = (rx[0]! << 8) | rx[1]!;
    const sRH = (rx[3]! << 8) | rx[4]!;
    // Datasheet §4.13: T = −45 + 175·S_T/(2¹⁶−1) °C, RH = 100·S_RH/(2¹⁶−1) %.
    this.#temperature = -45 + (175 * sT) / 65535;
    this.#humidity = (100 * sRH) / 65535;
    this.#valid = true;
    if (this.#onSample) this.#onSample();
  }

  #applyHeater(): boolean {
    if (!this.#command(this.#heater ? CMD_HEATER_ON : CMD_HEATER_OFF, this.#heater ? "heater on" : "heater off")) return false;
    this.#heaterApplied = this.#heater;
    return true;
  }

  /** Send a 16-bit command; a NACK is reported (asynchronously) and returns false. */
  #command(command: number, what: string): boolean {
    const cmd = this.#cmd;
    cmd[0] = command >> 8;
    cmd[1] = command & 0xff;
    try {
      this.#io.write(cmd);
      return true;
    } catch (e) {
      this.#errors.report(new SensorError(this.#part, "nack", `${what} (0x${command.toString(16).padStart(4, "0")}) not acknowledged: ${message(e)}`));
      return false;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`${this.#part}: closed`);
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
