/**
 * ST LIS3MDL 3-axis magnetometer driver, ECMA-419 Sensor Class Pattern, one single conversion per `measure()`.
 *
 * The part has a single-conversion mode (CTRL_REG3 MD = 01): it converts once and goes back to power-down by
 * itself, so a node that samples now and then and sleeps in between needs nothing to put the part to sleep.
 *
 * - constructor: WHO_AM_I (0x0F) must read 0x3D, else a `SensorError` of kind "identity" is thrown (another ST part
 *   answers at these addresses with another map); soft reset (CTRL_REG2 SOFT_RST), then 1 ms later the
 *   configuration in one auto-incremented burst (sub-address | 0x80): temperature on, OM/OMZ, FS, power-down,
 *   little-endian, BDU on. A NACK is reported and the next `measure()` starts over.
 * - `measure()`: CTRL_REG4/5 and CTRL_REG1/2 again (a part whose supply was cut during deep sleep comes back with
 *   its defaults), MD = single, then a timer for the conversion time of the mode plus 10 %, then STATUS_REG and
 *   OUT_X_L…OUT_Z_H in one burst from 0x27. ZYXDA not set: poll again every quarter conversion, up to a second
 *   conversion time. TEMP_OUT is read on its own: the auto-increment wraps from 0x2D back to 0x28, never to 0x2E.
 * - An axis at −32768 or 32767 has saturated: a `SensorError` of kind "range" and no reading. ZYXOR (data
 *   overwritten before they were read, which a single conversion never does unless something else triggers the
 *   part) is counted in `overruns`.
 *
 * Units: `magnetometer` in µT (1 G = 100 µT) from the range's sensitivity (6842, 3421, 2281, 1711 LSB/G);
 * `temperature` in °C as 25 + TEMP_OUT/8.
 *
 * The sample path allocates nothing: fixed byte buffers, callbacks bound once, readings kept as numbers;
 * `sample(into)` fills the caller's object, `sample()` makes a new one. Identical consecutive readings are counted
 * in `repeats` (a stuck part: real readings carry noise).
 */
import { SensorError, type I2CSensorOptions, type TriggeredSensor } from "../../hal/sensor.js";
import type { CycleSteps } from "../magnetometer/cycle.js";
import { MagnetometerDriver } from "../magnetometer/driver-base.js";
import { int16, type MagnetometerSample } from "../magnetometer/reading.js";
import {
  AUTO_INCREMENT,
  CTRL1_TEMP_EN,
  CTRL2_SOFT_RST,
  CTRL5_BDU,
  LIS3MDL_DEFAULTS,
  LIS3MDL_DEFAULT_ADDRESS,
  MD_POWER_DOWN,
  MD_SINGLE,
  REG_CTRL1,
  REG_CTRL2,
  REG_CTRL4,
  REG_STATUS,
  REG_TEMP_OUT_L,
  REG_WHO_AM_I,
  STATUS_ZYXDA,
  STATUS_ZYXOR,
  TEMP_LSB_PER_C,
  TEMP_ZERO_C,
  WHO_AM_I,
  conversionUs,
  lsbPerGauss,
  modeCode,
  rangeCode,
  type LisMode,
  type LisRange,
} from "./registers.js";

export type { LisMode, LisRange } from "./registers.js";

/** Magnetometer in µT, temperature in °C. */
export type LIS3MDLSample = MagnetometerSample;

export interface LIS3MDLConfig {
  /** Full scale, gauss (FS): 4, 8, 12 or 16. */
  range: LisRange;
  /** Operating mode of all three axes (OM, OMZ): more performance is less noise and a longer conversion. */
  mode: LisMode;
}

export type LIS3MDLOptions = I2CSensorOptions<LIS3MDL>;

/** Polls of STATUS_REG after the first, a quarter conversion apart: together up to two conversion times. */
const DRDY_POLLS = 4;
/** CTRL_REG1 DO = 100 (10 Hz), its reset value: a single conversion is started by MD, not paced by DO. */
const DO_RESET = 0b100 << 2;
/** Wait after a soft reset before the configuration (the datasheet gives no figure; one timer tick). */
const RESET_WAIT_MS = 1;

export class LIS3MDL extends MagnetometerDriver<LIS3MDL> implements TriggeredSensor<LIS3MDLSample, LIS3MDLConfig> {
  readonly #reg = new Uint8Array(1);
  readonly #pair = new Uint8Array(2);
  /** sub-address, CTRL_REG1, CTRL_REG2, CTRL_REG3 */
  readonly #ctrl123 = new Uint8Array(4);
  /** sub-address, CTRL_REG4, CTRL_REG5 */
  readonly #ctrl45 = new Uint8Array(3);
  /** STATUS_REG, OUT_X_L … OUT_Z_H */
  readonly #data = new Uint8Array(7);
  readonly #temp = new Uint8Array(2);
  /** Until the constructor returns, a wrong WHO_AM_I is thrown; after, reported. */
  #constructing = true;

  #range: LisRange = LIS3MDL_DEFAULTS.range;
  #mode: LisMode = LIS3MDL_DEFAULTS.mode;
  /** `#mode` as its OM code (a number: no string work on the sample path). */
  #modeCode = modeCode(LIS3MDL_DEFAULTS.mode);
  /** What the running conversion uses. */
  #convRange: LisRange = LIS3MDL_DEFAULTS.range;
  #convUs = 0;

  #overruns = 0;

  constructor(options: LIS3MDLOptions) {
    super(options, "lis3mdl", LIS3MDL_DEFAULT_ADDRESS, DRDY_POLLS);
    this.cycle.begin();
    this.#constructing = false;
  }

  /** The reading cycle's steps (MagnetometerDriver). */
  protected steps(): CycleSteps {
    return {
      reset: () => this.#reset(),
      configure: () => this.#writeConfig(MD_POWER_DOWN),
      start: () => this.#start(),
      look: () => this.#look(),
      pollMs: () => this.#convUs / 4000,
      timeout: () => this.failReading("timeout", `no data ready (STATUS_REG 0x${hex(this.#data[0]!)}) two conversion times after starting one`),
    };
  }

  /** LSB per gauss for the configured range. */
  get sensitivity(): number {
    return lsbPerGauss(this.#range);
  }

  /** Time from `measure()` to the first status read, ms: the mode's conversion time plus 10 %. */
  get conversionMs(): number {
    const us = conversionUs(this.#modeCode);
    return (us + us / 10) / 1000;
  }

  /** Conversions the part overwrote before they were read (STATUS_REG ZYXOR). */
  get overruns(): number {
    return this.#overruns;
  }

  configure(options: Partial<LIS3MDLConfig>): void {
    this.assertOpen();
    const range = options.range ?? this.#range;
    const mode = options.mode ?? this.#mode;
    rangeCode(range); // validate both before changing either
    const code = modeCode(mode);
    this.#range = range;
    this.#mode = mode;
    this.#modeCode = code;
  }

  // ------------------------------------------------------------------ the steps of the reading cycle

  /** WHO_AM_I, then a soft reset; the ms to wait before the configuration. */
  #reset(): number {
    let id: number;
    try {
      const r = this.#reg;
      r[0] = REG_WHO_AM_I;
      this.io.write(r, false);
      this.io.read(r);
      id = r[0]!;
    } catch (e) {
      this.errors.report(new SensorError(this.part, "nack", `WHO_AM_I read (0x0F) not acknowledged: ${message(e)}`));
      return -1;
    }
    if (id !== WHO_AM_I) {
      const error = new SensorError(this.part, "identity", `WHO_AM_I 0x${hex(id)} read from 0x0F, expected 0x${hex(WHO_AM_I)}`);
      if (this.#constructing) {
        this.closed = true;
        this.io.close();
        throw error;
      }
      this.errors.report(error);
      return -1;
    }
    const p = this.#pair;
    p[0] = REG_CTRL2;
    p[1] = CTRL2_SOFT_RST;
    return this.#write(p) ? RESET_WAIT_MS : -1;
  }

  /** CTRL_REG4/5, then CTRL_REG1…3 with MD = `md`, in two auto-incremented bursts. */
  #writeConfig(md: number): boolean {
    const mode = this.#modeCode;
    const c45 = this.#ctrl45;
    c45[0] = REG_CTRL4 | AUTO_INCREMENT;
    c45[1] = mode << 2; // OMZ; BLE = 0: low byte at the lower address
    c45[2] = CTRL5_BDU;
    const c = this.#ctrl123;
    c[0] = REG_CTRL1 | AUTO_INCREMENT;
    c[1] = CTRL1_TEMP_EN | (mode << 5) | DO_RESET; // DO as after reset; FAST_ODR off
    c[2] = rangeCode(this.#range) << 5;
    c[3] = md; // LP = 0, SIM = 0
    return this.#write(c45) && this.#write(c);
  }

  /** The configuration again (a part whose supply was cut comes back with its defaults) and MD = single. */
  #start(): number {
    if (!this.#writeConfig(MD_SINGLE)) return -1;
    this.#convRange = this.#range;
    this.#convUs = conversionUs(this.#modeCode);
    return this.conversionMs;
  }

  /** STATUS_REG and the data in one burst; once ZYXDA is up, TEMP_OUT on its own, then the reading. */
  #look(): boolean {
    const d = this.#data;
    try {
      this.#readBlock(REG_STATUS, d);
    } catch (e) {
      this.failReading("nack", `status and data read failed: ${message(e)}`);
      return true;
    }
    const status = d[0]!;
    if ((status & STATUS_ZYXDA) === 0) return false;
    const t = this.#temp;
    try {
      this.#readBlock(REG_TEMP_OUT_L, t);
    } catch (e) {
      this.failReading("nack", `temperature read failed: ${message(e)}`);
      return true;
    }
    if (status & STATUS_ZYXOR) this.#overruns++;
    const x = int16(d[1]!, d[2]!);
    const y = int16(d[3]!, d[4]!);
    const z = int16(d[5]!, d[6]!);
    if (saturated(x) || saturated(y) || saturated(z)) {
      this.reading.invalidate();
      this.errors.report(new SensorError(this.part, "range", `field out of range on an axis (${x}, ${y}, ${z}; ±${this.#convRange} G full scale): reading dropped`));
      return true;
    }
    const code = int16(t[0]!, t[1]!);
    this.reading.update(x, y, z, code, lsbPerGauss(this.#convRange), TEMP_ZERO_C + code / TEMP_LSB_PER_C);
    if (this.onSample) this.onSample();
    return true;
  }

  // ------------------------------------------------------------------ bus

  /**
   * A write; a NACK is reported (later, on a timer) and returns false. No description is passed in: a string
   * literal evaluated on every reading allocates on XS, so the message is made from the bytes only on failure.
   */
  #write(bytes: Uint8Array): boolean {
    try {
      this.io.write(bytes);
      return true;
    } catch (e) {
      this.errors.report(new SensorError(this.part, "nack", `write of ${Array.from(bytes, hex).join(" ")} (${writeName(bytes)}) not acknowledged: ${message(e)}`));
      return false;
    }
  }

  /** Auto-incremented read of `into.length` registers from `reg`. */
  #readBlock(reg: number, into: Uint8Array): void {
    const r = this.#reg;
    r[0] = reg | AUTO_INCREMENT;
    this.io.write(r, false);
    this.io.read(into);
  }
}

function saturated(code: number): boolean {
  return code === 32767 || code === -32768;
}

function writeName(bytes: Uint8Array): string {
  const reg = bytes[0]! & 0x7f;
  if (reg === REG_CTRL2) return "soft reset";
  if (reg === REG_CTRL4) return "CTRL_REG4/5";
  return (bytes[3]! & 3) === MD_SINGLE ? "CTRL_REG1…3, single conversion" : "CTRL_REG1…3";
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
