/**
 * QST QMC5883L 3-axis magnetometer driver, ECMA-419 Sensor Class Pattern, one reading per `measure()`.
 *
 * The part has no single-measurement mode (datasheet Table 18: MODE is standby or continuous), so a reading is the
 * low-power sequence the datasheet leaves: continuous mode, wait for the first measurement (one ODR period, on a
 * host timer), read it, back to standby. Between readings the part stays in standby, so a node that samples every
 * few seconds and sleeps in between pays for one period of conversion per reading.
 *
 * - constructor: read the chip id (0x0D; 0xFF on current parts, a reserved register on rev 1.0 ones, so a different
 *   value is kept in `chipId`, not refused), soft reset (0x0A ← 0x80: every register back to its default, standby),
 *   then after the POR time: DRDY pin off (INT_ENB = 1), pointer roll-over off, SET/RESET period 0x01. A NACK is
 *   reported and the next `measure()` starts over.
 * - `measure()`: 0x0B ← 0x01 and CTRL1 ← OSR|RNG|ODR|continuous (rewritten every time: a part whose supply was cut
 *   during deep sleep comes back with its defaults), a timer for one period plus 10 %, then status (0x06) with the
 *   temperature (0x07–0x08) in one burst. DRDY not yet set: poll again every quarter period, up to a second
 *   period. Then X/Y/Z (0x00–0x05, which clears DRDY and DOR) and CTRL1 ← standby.
 * - status: OVL (an axis saturated at the int16 limits) is a `SensorError` of kind "range" and no reading; DOR (a
 *   whole measurement skipped, which means the timer ran late) is counted in `skipped`.
 *
 * Units: `magnetometer` in µT (ECMA-419's Magnetometer class; 1 G = 100 µT) from the range's sensitivity
 * (12 000 LSB/G at ±2 G, 3 000 at ±8 G); `temperature` in °C from TOUT at 100 LSB/°C, whose offset the part does
 * not calibrate: differences are right, the level is not (§9.2.3).
 *
 * The sample path allocates nothing: fixed byte buffers, callbacks bound once, readings kept as numbers;
 * `sample(into)` fills the caller's object (the pattern allows a reused object), `sample()` makes a new one.
 * Identical consecutive readings are counted in `repeats` (a stuck sensor: real readings always carry noise).
 */
import { SensorError, type I2CSensorOptions, type TriggeredSensor } from "../../hal/sensor.js";
import type { CycleSteps } from "../magnetometer/cycle.js";
import { MagnetometerDriver } from "../magnetometer/driver-base.js";
import { int16, type MagnetometerSample } from "../magnetometer/reading.js";
import {
  CTRL2_INT_ENB,
  CTRL2_SOFT_RST,
  MODE_CONTINUOUS,
  MODE_STANDBY,
  ODR_HZ,
  POR_US,
  QMC5883L_ADDRESS,
  QMC5883L_DEFAULTS,
  RANGE_G,
  REG_CHIP_ID,
  REG_CTRL1,
  REG_CTRL2,
  REG_SET_RESET,
  REG_STATUS,
  REG_X_LSB,
  SET_RESET_PERIOD,
  STATUS_DOR,
  STATUS_DRDY,
  STATUS_OVL,
  TEMP_LSB_PER_C,
  encodeCtrl1,
  lsbPerGauss,
  type QmcOdr,
  type QmcOsr,
  type QmcRange,
} from "./registers.js";

export type { QmcOdr, QmcOsr, QmcRange } from "./registers.js";

/** Magnetometer in µT; temperature in °C, relative only: the part does not calibrate its offset. */
export type QMC5883LSample = MagnetometerSample;

export interface QMC5883LConfig {
  /** Full scale, gauss (RNG): 2 or 8. */
  range: QmcRange;
  /** Output data rate, Hz (ODR): 10, 50, 100 or 200. A reading takes one period. */
  odr: QmcOdr;
  /** Over-sample ratio (OSR): 512, 256, 128 or 64; larger is less noise for more current. */
  osr: QmcOsr;
}

export type QMC5883LOptions = I2CSensorOptions<QMC5883L>;

/** Margin over one ODR period before the first status read, for the part's own oscillator: a tenth of a period. */
const FIRST_READ_MARGIN = 10;
/** Further status reads, a quarter period apart: together up to two periods after the start. */
const DRDY_POLLS = 4;
/** Wait after a soft reset: the POR completion time, rounded up to the 1 ms timer tick of real boards. */
const RESET_WAIT_MS = Math.ceil(POR_US / 1000);

export class QMC5883L extends MagnetometerDriver<QMC5883L> implements TriggeredSensor<QMC5883LSample, QMC5883LConfig> {
  readonly #reg = new Uint8Array(1);
  readonly #pair = new Uint8Array(2);
  /** status, TOUT LSB, TOUT MSB */
  readonly #status = new Uint8Array(3);
  /** X, Y, Z, little-endian */
  readonly #data = new Uint8Array(6);
  #chipId = -1;

  #range: QmcRange = QMC5883L_DEFAULTS.range;
  #odr: QmcOdr = QMC5883L_DEFAULTS.odr;
  #osr: QmcOsr = QMC5883L_DEFAULTS.osr;
  /** CTRL1 as written for the running measurement (its RNG decides the scale of the result). */
  #ctrl1 = 0;

  #skipped = 0;

  constructor(options: QMC5883LOptions) {
    super(options, "qmc5883l", QMC5883L_ADDRESS, DRDY_POLLS);
    this.cycle.begin();
  }

  /** The chip id register as read at start-up (0xFF on current parts), or −1 before it answered. */
  get chipId(): number {
    return this.#chipId;
  }

  /** The reading cycle's steps (MagnetometerDriver). */
  protected steps(): CycleSteps {
    return {
      reset: () => this.#reset(),
      configure: () => this.#configure(),
      start: () => this.#start(),
      look: () => this.#look(),
      pollMs: () => 1000 / ODR_HZ[(this.#ctrl1 >> 2) & 3]! / 4,
      timeout: () => this.#timeout(),
    };
  }

  /** LSB per gauss for the configured range. */
  get sensitivity(): number {
    return lsbPerGauss(this.#range);
  }

  /** Time from `measure()` to the first status read, ms: one ODR period plus 10 %. */
  get conversionMs(): number {
    const period = 1000 / this.#odr;
    return period + period / FIRST_READ_MARGIN;
  }

  /** Measurements the part skipped (status DOR) because a reading came late. */
  get skipped(): number {
    return this.#skipped;
  }

  configure(options: Partial<QMC5883LConfig>): void {
    this.assertOpen();
    const range = options.range ?? this.#range;
    const odr = options.odr ?? this.#odr;
    const osr = options.osr ?? this.#osr;
    encodeCtrl1(osr, range, odr, MODE_STANDBY); // validates all three before anything changes
    this.#range = range;
    this.#odr = odr;
    this.#osr = osr;
  }

  // ------------------------------------------------------------------ the steps of the reading cycle

  /** Chip id, then a soft reset (every register to its default, standby); the POR time to wait. */
  #reset(): number {
    try {
      this.#chipId = this.#readRegister(REG_CHIP_ID);
    } catch (e) {
      this.errors.report(new SensorError(this.part, "nack", `chip id read (0x0D) not acknowledged: ${message(e)}`));
      return -1;
    }
    return this.#writeRegister(REG_CTRL2, CTRL2_SOFT_RST) ? RESET_WAIT_MS : -1;
  }

  /** What the defaults leave wrong: INT_ENB = 1 disables the DRDY pin (timers pace the driver); ROL_PNT stays 0. */
  #configure(): boolean {
    return this.#writeRegister(REG_CTRL2, CTRL2_INT_ENB) && this.#writeRegister(REG_SET_RESET, SET_RESET_PERIOD);
  }

  /** SET/RESET period and continuous mode (both rewritten every time); one period plus 10 % to the first look. */
  #start(): number {
    const ctrl1 = encodeCtrl1(this.#osr, this.#range, this.#odr, MODE_CONTINUOUS);
    if (!this.#writeRegister(REG_SET_RESET, SET_RESET_PERIOD) || !this.#writeRegister(REG_CTRL1, ctrl1)) return -1;
    this.#ctrl1 = ctrl1;
    return this.conversionMs;
  }

  /** Status and temperature; once DRDY is up the data, then standby, then the reading. */
  #look(): boolean {
    const st = this.#status;
    try {
      this.#readBlock(REG_STATUS, st);
    } catch (e) {
      this.failReading("nack", `status read failed: ${message(e)}`);
      return true;
    }
    const status = st[0]!;
    if ((status & STATUS_DRDY) === 0) return false;
    const d = this.#data;
    try {
      this.#readBlock(REG_X_LSB, d);
    } catch (e) {
      this.failReading("nack", `data read failed: ${message(e)}`);
      return true;
    }
    this.#standby();
    if (status & STATUS_DOR) this.#skipped++;
    const range = RANGE_G[(this.#ctrl1 >> 4) & 3]!;
    if (status & STATUS_OVL) {
      this.reading.invalidate();
      this.errors.report(new SensorError(this.part, "range", `field out of range on an axis (status 0x${hex(status)}, ±${range} G full scale): reading dropped`));
      return true;
    }
    const tout = int16(st[1]!, st[2]!);
    this.reading.update(int16(d[0]!, d[1]!), int16(d[2]!, d[3]!), int16(d[4]!, d[5]!), tout, lsbPerGauss(range), tout / TEMP_LSB_PER_C);
    if (this.onSample) this.onSample();
    return true;
  }

  #timeout(): void {
    this.failReading("timeout", `no data ready (status 0x${hex(this.#status[0]!)}) two ODR periods after entering continuous mode`);
    this.#standby();
  }

  /** Continuous mode costs current every period: leave it as soon as the reading is in (or has failed). */
  #standby(): void {
    this.#writeRegister(REG_CTRL1, (this.#ctrl1 & ~3) | MODE_STANDBY);
  }

  // ------------------------------------------------------------------ bus

  /**
   * (register, value); a NACK is reported (later, on a timer) and returns false. No description is passed in: a
   * string literal evaluated on every reading allocates on XS, so the message names the register only on failure.
   */
  #writeRegister(reg: number, value: number): boolean {
    const p = this.#pair;
    p[0] = reg;
    p[1] = value;
    try {
      this.io.write(p);
      return true;
    } catch (e) {
      this.errors.report(new SensorError(this.part, "nack", `${registerName(reg, value)} write (0x${hex(reg)} ← 0x${hex(value)}) not acknowledged: ${message(e)}`));
      return false;
    }
  }

  #readRegister(reg: number): number {
    const r = this.#reg;
    r[0] = reg;
    this.io.write(r, false);
    this.io.read(r);
    return r[0]!;
  }

  #readBlock(reg: number, into: Uint8Array): void {
    const r = this.#reg;
    r[0] = reg;
    this.io.write(r, false);
    this.io.read(into);
  }
}

function registerName(reg: number, value: number): string {
  if (reg === REG_CTRL1) return (value & 3) === MODE_CONTINUOUS ? "CTRL1 (continuous)" : "CTRL1 (standby)";
  if (reg === REG_CTRL2) return value & CTRL2_SOFT_RST ? "soft reset" : "CTRL2";
  return reg === REG_SET_RESET ? "SET/RESET period" : "register";
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
