/**
 * QST QMC5883L as an I2C target: its register file in virtual time, with readings made from the magnetic field at
 * the sensor (a world quantity, µT) and the die temperature.
 *
 * Modelled (datasheet §9, Tables 13–20; see registers.ts for sources):
 * - Registers 0x00–0x0D. A write is a register address then data, the address advancing per byte; a lone address
 *   byte sets the read pointer. Reads advance the pointer; with CTRL2.ROL_PNT a read that starts in 0x00–0x06
 *   rolls over from 0x06 to 0x00. Without it the pointer runs to 0x0D and wraps to 0x00 (what lies past 0x0D is
 *   not documented). Writes to read-only registers are acknowledged and ignored.
 * - CTRL1 MODE = continuous starts measurements every 1/ODR, the first one period after the write; standby (and
 *   the reserved codes 10/11) stops them. Writing CTRL1 again restarts the period.
 * - Each measurement: X/Y/Z = field·sensitivity (12 000 LSB/G at ±2 G, 3 000 at ±8 G) plus Gaussian noise for the
 *   OSR, rounded, saturating at −32768/32767; OVL set when an axis saturates, cleared by the next one in range;
 *   TOUT = 100 LSB/°C·(T − temperatureZeroC). DRDY set; DOR set when the data it replaces were never read.
 * - Reading any data register 0x00–0x05 clears DRDY and DOR (§9.2.2); the data stay until replaced (§9.2.1).
 * - CTRL2.SOFT_RST: every register back to its default (standby, §9.2.4), then the part answers nothing for the POR
 *   time (350 µs, Table 7). The datasheet gives the POR time for power-on; the model assumes the soft reset runs
 *   the same sequence, so a driver must wait before the next access.
 * - Chip id 0x0D reads 0xFF (configurable, for a rev 1.0 part).
 *
 * Noise: the datasheet gives no noise figure per OSR, only that a larger OSR means a narrower filter and less noise
 * (§9.2.4) and a field resolution of 2 mG. The model takes 2 mG RMS per axis at OSR 512 and scales it as
 * √(512/OSR) (white noise through a filter whose bandwidth goes as 1/OSR): an assumption, stated here once.
 * Noise is a pure function of (seed, measurement time, axis), so the same run gives the same codes.
 *
 * Faults: `fault = "stuck"` freezes the data registers at their last codes while DRDY keeps coming (a stuck front
 * end); `fault = "overflow"` saturates every axis (a magnet on the part); an absent part is `I2CBusSim.injectNack`.
 * The model is lazy: it brings itself up to date from `now()` on every access and schedules no events.
 */
import type { Micros } from "../../simulator/core/engine.js";
import type { I2CTarget } from "../../simulator/core/buses/i2c.js";
import type { MagneticField, MagneticFieldAt } from "../../simulator/core/environment/types.js";
import { ActiveTime, conversionCode, clampInt16 } from "../../simulator/core/magnetometer.js";
import {
  CHIP_ID,
  CTRL2_ROL_PNT,
  CTRL2_SOFT_RST,
  MODE_CONTINUOUS,
  ODR_HZ,
  OSR,
  POR_US,
  RANGE_G,
  REG_CHIP_ID,
  REG_CTRL1,
  REG_CTRL2,
  REG_LAST,
  REG_SET_RESET,
  REG_STATUS,
  REG_TOUT_LSB,
  STATUS_DOR,
  STATUS_DRDY,
  STATUS_OVL,
  TEMP_LSB_PER_C,
  lsbPerGauss,
} from "./registers.js";

export type QMC5883LFault = "stuck" | "overflow" | undefined;

/** RMS noise per axis at OSR 512, gauss (the datasheet's 2 mG field resolution; see the header). */
export const NOISE_RMS_G_OSR512 = 0.002;

export interface QMC5883LModelOptions {
  /** Virtual time, µs. */
  now: () => Micros;
  /** The field at the sensor, µT, along its axes. */
  field: MagneticFieldAt;
  /** Die temperature, °C (default a constant 20 °C). */
  temperature?: (t: Micros) => number;
  /** Where TOUT reads 0, °C: the offset the part leaves uncalibrated (default 50, what drivers in the field add). */
  temperatureZeroC?: number;
  /** Seed of the noise (default 0); `noise: false` turns it off for exact-code tests. */
  seed?: number;
  noise?: boolean;
  /** Value of the chip id register 0x0D (default 0xFF). */
  chipId?: number;
  /** How long the part answers nothing after a soft reset, µs (default the POR time, 350). */
  resetUs?: number;
  /** The part's oscillator against nominal: 1.05 makes every ODR period 5 % longer (default 1). */
  periodScale?: number;
}

export function noiseRmsGauss(osr: number): number {
  return NOISE_RMS_G_OSR512 * Math.sqrt(512 / osr);
}

export class QMC5883LModel implements I2CTarget {
  readonly #o: QMC5883LModelOptions;
  readonly #regs = new Uint8Array(REG_LAST + 1);
  readonly #field: MagneticField = { x: 0, y: 0, z: 0 };
  readonly #seed: number;
  #pointer = 0;
  #busyUntil: Micros = -1;
  /** Continuous mode: start and period, µs; index of the last measurement already in the registers. */
  #start: Micros = 0;
  #periodUs = 0;
  #done = 0;
  #continuous = false;
  readonly #active = new ActiveTime();
  fault: QMC5883LFault;

  /** Measurements the part made (lazy: counted as they are observed). */
  measurements = 0;
  /** Read and write headers NACKed while the part was resetting. */
  nacks = 0;

  constructor(options: QMC5883LModelOptions) {
    this.#o = options;
    this.#seed = (options.seed ?? 0) | 0;
    this.#reset();
  }

  /** A register as a read would return it now, without a read's side effects (for tests and traces). */
  peek(reg: number): number {
    this.#advance(this.#o.now());
    return this.#regs[reg] ?? 0;
  }

  /** In continuous mode (drawing measurement current) now. */
  get continuous(): boolean {
    return this.#continuous;
  }

  /** Virtual time spent in continuous mode so far, µs (the rest is standby). */
  get activeUs(): number {
    return this.#active.until(this.#o.now());
  }

  write(bytes: Uint8Array, _stop: boolean): boolean {
    const now = this.#o.now();
    if (now < this.#busyUntil) {
      this.nacks++;
      return false;
    }
    this.#advance(now);
    if (bytes.length === 0) return true;
    let reg = bytes[0]!;
    this.#pointer = reg;
    for (let i = 1; i < bytes.length; i++) {
      this.#writeRegister(reg, bytes[i]!, now);
      if (now < this.#busyUntil) return true; // a soft reset ends the transaction's effect
      reg = reg >= REG_LAST ? 0 : reg + 1;
    }
    return true;
  }

  read(count: number, _stop: boolean): Uint8Array | null {
    const now = this.#o.now();
    if (now < this.#busyUntil) {
      this.nacks++;
      return null;
    }
    this.#advance(now);
    const regs = this.#regs;
    const out = new Uint8Array(count);
    let p = this.#pointer;
    const roll = (regs[REG_CTRL2]! & CTRL2_ROL_PNT) !== 0 && p <= REG_STATUS;
    for (let i = 0; i < count; i++) {
      out[i] = regs[p] ?? 0;
      if (p < REG_STATUS) regs[REG_STATUS] = regs[REG_STATUS]! & ~(STATUS_DRDY | STATUS_DOR); // a data register was read
      p = roll && p === REG_STATUS ? 0 : p >= REG_LAST ? 0 : p + 1;
    }
    this.#pointer = p;
    return out;
  }

  #writeRegister(reg: number, value: number, now: Micros): void {
    switch (reg) {
      case REG_CTRL1: {
        this.#regs[REG_CTRL1] = value;
        const continuous = (value & 3) === MODE_CONTINUOUS;
        this.#continuous = continuous;
        this.#active.set(continuous, now);
        if (continuous) {
          this.#start = now;
          this.#periodUs = (1_000_000 / ODR_HZ[(value >> 2) & 3]!) * (this.#o.periodScale ?? 1);
          this.#done = 0;
        }
        return;
      }
      case REG_CTRL2:
        if (value & CTRL2_SOFT_RST) {
          this.#active.set(false, now);
          this.#reset();
          this.#busyUntil = now + (this.#o.resetUs ?? POR_US);
          return;
        }
        this.#regs[REG_CTRL2] = value & (CTRL2_ROL_PNT | 1);
        return;
      case REG_SET_RESET:
        this.#regs[REG_SET_RESET] = value;
        return;
      default:
        return; // read-only or reserved: acknowledged, ignored
    }
  }

  /** Power-on values: standby, everything 0 but the chip id. */
  #reset(): void {
    this.#regs.fill(0);
    this.#regs[REG_CHIP_ID] = this.#o.chipId ?? CHIP_ID;
    this.#continuous = false;
    this.#pointer = 0;
  }

  /** Bring the registers up to `now`: the newest measurement made since the last access lands. */
  #advance(now: Micros): void {
    if (!this.#continuous || this.#periodUs <= 0) return;
    const k = Math.floor((now - this.#start) / this.#periodUs);
    if (k <= this.#done) return;
    const regs = this.#regs;
    let status = regs[REG_STATUS]!;
    // DOR: the data replaced were never read (DRDY still up), or whole measurements went by unread.
    if (status & STATUS_DRDY || k - this.#done > 1) status |= STATUS_DOR;
    this.measurements += k - this.#done;
    this.#done = k;
    const t = this.#start + k * this.#periodUs;
    if (this.fault !== "stuck") {
      const overflow = this.#measure(t);
      status = overflow ? status | STATUS_OVL : status & ~STATUS_OVL;
    }
    regs[REG_STATUS] = status | STATUS_DRDY;
  }

  /** One measurement at time t into 0x00–0x05 and TOUT; true when an axis saturated. */
  #measure(t: Micros): boolean {
    const regs = this.#regs;
    const ctrl1 = regs[REG_CTRL1]!;
    const lsbPerUt = lsbPerGauss(RANGE_G[(ctrl1 >> 4) & 1]!) / 100;
    const sd = this.#o.noise === false ? 0 : noiseRmsGauss(OSR[ctrl1 >> 6]!) * 100 * lsbPerUt;
    const f = this.#o.field(t, this.#field);
    let overflow = false;
    for (let axis = 0; axis < 3; axis++) {
      const uT = axis === 0 ? f.x : axis === 1 ? f.y : f.z;
      const raw = this.fault === "overflow" ? (axis & 1 ? -Infinity : Infinity) : conversionCode(uT, lsbPerUt, sd, this.#seed, t, axis);
      const code = clampInt16(raw);
      if (code !== raw) overflow = true;
      regs[2 * axis] = code & 0xff;
      regs[2 * axis + 1] = (code >> 8) & 0xff;
    }
    const celsius = this.#o.temperature ? this.#o.temperature(t) : 20;
    const tout = clampInt16(conversionCode(celsius - (this.#o.temperatureZeroC ?? 50), TEMP_LSB_PER_C, 0, 0, t, 0));
    regs[REG_TOUT_LSB] = tout & 0xff;
    regs[REG_TOUT_LSB + 1] = (tout >> 8) & 0xff;
    return overflow;
  }

}
