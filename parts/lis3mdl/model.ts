/**
 * ST LIS3MDL as an I2C target: its register file in virtual time, with readings made from the magnetic field at
 * the sensor (a world quantity, µT) and the die temperature. Sources are listed in registers.ts.
 *
 * Modelled:
 * - Sub-address bit 7 selects auto-increment (§5.1.1) for writes and reads; without it every byte goes to, or
 *   comes from, the one register. Auto-increment over the output registers wraps from OUT_Z_H (0x2D) back to
 *   OUT_X_L (0x28), so TEMP_OUT is never reached from there (ST, "standard behavior"). WHO_AM_I = 0x3D.
 *   Reserved and read-only registers are acknowledged and left unchanged.
 * - CTRL_REG3 MD: 00 continuous (a conversion every 1/ODR: DO, or the mode's FAST_ODR rate; LP = 1 forces
 *   0.625 Hz), 01 single (one conversion, then power-down), 10/11 power-down. A conversion takes the mode's
 *   conversion time (registers.ts `conversionUs`, the slower of OM and OMZ) and lands at its end.
 * - Each conversion: X/Y/Z = field·sensitivity (6842/3421/2281/1711 LSB/G by FS) plus Gaussian noise for the
 *   axis's mode, rounded, saturating at −32768/32767, with INT_SRC.MROI set when one saturates; TEMP_OUT =
 *   8 LSB/°C·(T − 25 °C) when TEMP_EN is set. CTRL_REG4.BLE swaps the bytes of each word.
 * - STATUS_REG: a conversion sets each axis's DA and ZYXDA; data still unread when the next arrives set that
 *   axis's OR and ZYXOR. Reading an axis's high byte clears its DA and OR; ZYXDA and ZYXOR clear once all three
 *   are read. (The datasheet names the flags; when exactly each clears is this model's reading of it.)
 * - BDU (CTRL_REG5): once an axis's low byte is read, no new conversion reaches the output registers until its
 *   high byte is; the newest waits and lands then.
 * - SOFT_RST puts every register back to its reset value (CTRL_REG1 0x10, CTRL_REG3 0x03: power-down), outputs 0;
 *   REBOOT reloads the trimming (nothing visible here). Not modelled: SPI, self-test, the interrupt generator
 *   (INT_CFG and the thresholds are plain storage).
 * - After a single conversion CTRL_REG3 reads MD = 11 (power-down). The datasheet says the part powers down; the
 *   read-back value is this model's assumption.
 *
 * Noise: RMS 3.2 mG per axis in ultra-high-performance mode (the datasheet figure as quoted by a third-party
 * survey; the table itself was not readable here), scaled for the other modes by √(conversion time ratio): each
 * mode averages for its conversion time. Noise is a pure function of (seed, conversion time, axis).
 *
 * Faults: `fault = "stuck"` freezes the outputs while the DA flags keep coming; `fault = "overflow"` saturates every
 * axis; an absent part is `I2CBusSim.injectNack`. The model is lazy: it brings itself up to date from `now()`.
 */
import type { Micros } from "../../simulator/core/engine.js";
import type { I2CTarget } from "../../simulator/core/buses/i2c.js";
import type { MagneticField, MagneticFieldAt } from "../../simulator/core/environment/types.js";
import { ActiveTime, conversionCode, clampInt16 } from "../../simulator/core/magnetometer.js";
import {
  AUTO_INCREMENT,
  CTRL1_FAST_ODR,
  CTRL1_TEMP_EN,
  CTRL2_REBOOT,
  CTRL2_SOFT_RST,
  CTRL3_LP,
  CTRL4_BLE,
  CTRL5_BDU,
  DO_HZ,
  FAST_ODR_HZ,
  INT_SRC_MROI,
  LSB_PER_GAUSS,
  MD_CONTINUOUS,
  MD_POWER_DOWN,
  MD_SINGLE,
  REG_CTRL1,
  REG_CTRL2,
  REG_CTRL3,
  REG_CTRL4,
  REG_CTRL5,
  REG_INT_CFG,
  REG_INT_SRC,
  REG_INT_THS_H,
  REG_INT_THS_L,
  REG_OUT_X_L,
  REG_OUT_Z_H,
  REG_STATUS,
  REG_TEMP_OUT_L,
  REG_WHO_AM_I,
  RESET_VALUES,
  STATUS_XDA,
  STATUS_XOR,
  STATUS_ZYXDA,
  STATUS_ZYXOR,
  TEMP_LSB_PER_C,
  TEMP_ZERO_C,
  WHO_AM_I,
  conversionUs,
} from "./registers.js";

export type LIS3MDLFault = "stuck" | "overflow" | undefined;

/** RMS noise per axis in ultra-high-performance mode, gauss (see the header). */
export const NOISE_RMS_G_UHP = 0.0032;

/** RMS noise per axis for a mode code (0 low-power … 3 ultra-high), gauss. */
export function noiseRmsGauss(mode: number): number {
  return NOISE_RMS_G_UHP * Math.sqrt(conversionUs(3) / conversionUs(mode));
}

export interface LIS3MDLModelOptions {
  now: () => Micros;
  /** The field at the sensor, µT, along its axes. */
  field: MagneticFieldAt;
  /** Die temperature, °C (default a constant 20 °C). */
  temperature?: (t: Micros) => number;
  /** Seed of the noise (default 0); `noise: false` turns it off for exact-code tests. */
  seed?: number;
  noise?: boolean;
  /** Value of WHO_AM_I (default 0x3D). */
  whoAmI?: number;
  /** The part's timing against nominal: 1.5 makes conversions and periods half as long again (default 1). */
  timeScale?: number;
}

export class LIS3MDLModel implements I2CTarget {
  readonly #o: LIS3MDLModelOptions;
  readonly #regs = new Uint8Array(0x80);
  readonly #field: MagneticField = { x: 0, y: 0, z: 0 };
  readonly #seed: number;
  #pointer = 0;
  #increment = false;
  /** Continuous: start and period; single: the end of the one conversion. */
  #start: Micros = 0;
  #periodUs = 0;
  #done = 0;
  #singleEnd: Micros | undefined;
  /** BDU: axes whose low byte was read and high byte not yet (bit per axis). */
  #locked = 0;
  /** A conversion held back by BDU: its time. */
  #held: Micros | undefined;
  readonly #active = new ActiveTime();
  fault: LIS3MDLFault;

  /** Conversions the part made (lazy: counted as they are observed). */
  conversions = 0;

  constructor(options: LIS3MDLModelOptions) {
    this.#o = options;
    this.#seed = (options.seed ?? 0) | 0;
    this.#reset();
  }

  /** A register as a read would return it now, without a read's side effects. */
  peek(reg: number): number {
    this.#advance(this.#o.now());
    return this.#regs[reg & 0x7f]!;
  }

  /** Converting now or waiting to (continuous mode, or a single conversion under way). */
  get active(): boolean {
    this.#advance(this.#o.now());
    return (this.#regs[REG_CTRL3]! & 3) === MD_CONTINUOUS || this.#singleEnd !== undefined;
  }

  /** Virtual time spent converting so far, µs (the rest is power-down). */
  get activeUs(): number {
    const now = this.#o.now();
    this.#advance(now);
    return this.#active.until(now);
  }

  write(bytes: Uint8Array, _stop: boolean): boolean {
    const now = this.#o.now();
    this.#advance(now);
    if (bytes.length === 0) return true;
    this.#increment = (bytes[0]! & AUTO_INCREMENT) !== 0;
    let reg = bytes[0]! & 0x7f;
    this.#pointer = reg;
    for (let i = 1; i < bytes.length; i++) {
      this.#writeRegister(reg, bytes[i]!, now);
      if (this.#increment) reg = next(reg);
    }
    return true;
  }

  read(count: number, _stop: boolean): Uint8Array | null {
    this.#advance(this.#o.now());
    const out = new Uint8Array(count);
    let reg = this.#pointer;
    for (let i = 0; i < count; i++) {
      out[i] = this.#readRegister(reg);
      if (this.#increment) reg = next(reg);
    }
    this.#pointer = reg;
    return out;
  }

  #readRegister(reg: number): number {
    const regs = this.#regs;
    const value = regs[reg]!;
    if (reg >= REG_OUT_X_L && reg <= REG_OUT_Z_H) {
      const axis = (reg - REG_OUT_X_L) >> 1;
      const high = ((reg - REG_OUT_X_L) & 1) === (regs[REG_CTRL4]! & CTRL4_BLE ? 0 : 1);
      if (!high) {
        this.#locked |= 1 << axis;
      } else {
        this.#locked &= ~(1 << axis);
        let s = regs[REG_STATUS]! & ~((STATUS_XDA | STATUS_XOR) << axis);
        if ((s & 7) === 0) s &= ~(STATUS_ZYXDA | STATUS_ZYXOR);
        regs[REG_STATUS] = s;
        if (this.#locked === 0 && this.#held !== undefined) {
          const t = this.#held;
          this.#held = undefined;
          this.#land(t);
        }
      }
    }
    return value;
  }

  #writeRegister(reg: number, value: number, now: Micros): void {
    if (!writable(reg)) return;
    if (reg === REG_CTRL2 && value & CTRL2_SOFT_RST) {
      this.#active.set(false, now);
      this.#reset();
      return;
    }
    this.#regs[reg] = reg === REG_CTRL2 ? value & ~(CTRL2_SOFT_RST | CTRL2_REBOOT) : value;
    if (reg === REG_CTRL3 || (reg === REG_CTRL1 && (this.#regs[REG_CTRL3]! & 3) === MD_CONTINUOUS)) this.#schedule(now);
  }

  /** A write to CTRL_REG3 (or to CTRL_REG1 in continuous mode) (re)starts the conversions it asks for. */
  #schedule(now: Micros): void {
    const regs = this.#regs;
    const md = regs[REG_CTRL3]! & 3;
    this.#singleEnd = undefined;
    this.#periodUs = 0;
    this.#active.set(md === MD_SINGLE || md === MD_CONTINUOUS, now);
    if (md === MD_SINGLE) {
      this.#singleEnd = now + this.#conversionUs();
    } else if (md === MD_CONTINUOUS) {
      const c1 = regs[REG_CTRL1]!;
      const hz = regs[REG_CTRL3]! & CTRL3_LP ? DO_HZ[0]! : c1 & CTRL1_FAST_ODR ? FAST_ODR_HZ[this.#slowestMode()]! : DO_HZ[(c1 >> 2) & 7]!;
      this.#start = now;
      this.#periodUs = Math.max(1_000_000 / hz, conversionUs(this.#modeForTime())) * (this.#o.timeScale ?? 1);
      this.#done = 0;
    }
  }

  #slowestMode(): number {
    const xy = (this.#regs[REG_CTRL1]! >> 5) & 3;
    const z = (this.#regs[REG_CTRL4]! >> 2) & 3;
    return xy > z ? xy : z;
  }

  /** The mode that sets the conversion time: low-power when LP is set, else the slower of OM and OMZ. */
  #modeForTime(): number {
    return this.#regs[REG_CTRL3]! & CTRL3_LP ? 0 : this.#slowestMode();
  }

  #conversionUs(): number {
    return conversionUs(this.#modeForTime()) * (this.#o.timeScale ?? 1);
  }

  #reset(): void {
    const regs = this.#regs;
    regs.fill(0);
    regs[REG_WHO_AM_I] = this.#o.whoAmI ?? WHO_AM_I;
    for (const [reg, value] of Object.entries(RESET_VALUES)) regs[Number(reg)] = value;
    this.#singleEnd = undefined;
    this.#periodUs = 0;
    this.#locked = 0;
    this.#held = undefined;
  }

  /** Bring the registers up to `now`. */
  #advance(now: Micros): void {
    const end = this.#singleEnd;
    if (end !== undefined) {
      if (now < end) return;
      this.#singleEnd = undefined;
      this.#active.set(false, end);
      const regs = this.#regs;
      regs[REG_CTRL3] = (regs[REG_CTRL3]! & ~3) | MD_POWER_DOWN;
      this.#convert(end, 1);
      return;
    }
    if (this.#periodUs <= 0) return;
    const k = Math.floor((now - this.#start) / this.#periodUs);
    if (k <= this.#done) return;
    const n = k - this.#done;
    this.#done = k;
    this.#convert(this.#start + k * this.#periodUs, n);
  }

  /** `n` conversions ended, the last at `t`. */
  #convert(t: Micros, n: number): void {
    this.conversions += n;
    const regs = this.#regs;
    let s = regs[REG_STATUS]!;
    const da = s & 7;
    // Unread data overwritten: an axis's OR when its DA is still up (or a whole conversion went by unread).
    const or = n > 1 ? 7 : da;
    s |= (or << 4) | (or ? STATUS_ZYXOR : 0);
    regs[REG_STATUS] = s | 7 | STATUS_ZYXDA;
    if (regs[REG_CTRL5]! & CTRL5_BDU && this.#locked !== 0) {
      this.#held = t;
      return;
    }
    this.#land(t);
  }

  /** The conversion at `t` into the output registers (unless stuck). */
  #land(t: Micros): void {
    if (this.fault === "stuck") return;
    const regs = this.#regs;
    const fs = (regs[REG_CTRL2]! >> 5) & 3;
    const lsbPerUt = LSB_PER_GAUSS[fs]! / 100;
    const big = (regs[REG_CTRL4]! & CTRL4_BLE) !== 0;
    const f = this.#o.field(t, this.#field);
    let mroi = false;
    for (let axis = 0; axis < 3; axis++) {
      const uT = axis === 0 ? f.x : axis === 1 ? f.y : f.z;
      const mode = regs[REG_CTRL3]! & CTRL3_LP ? 0 : axis === 2 ? (regs[REG_CTRL4]! >> 2) & 3 : (regs[REG_CTRL1]! >> 5) & 3;
      const sd = this.#o.noise === false ? 0 : noiseRmsGauss(mode) * 100 * lsbPerUt;
      const raw = this.fault === "overflow" ? (axis & 1 ? -Infinity : Infinity) : conversionCode(uT, lsbPerUt, sd, this.#seed, t, axis);
      const code = clampInt16(raw);
      if (code !== raw) mroi = true;
      putWord(regs, REG_OUT_X_L + 2 * axis, code, big);
    }
    regs[REG_INT_SRC] = mroi ? regs[REG_INT_SRC]! | INT_SRC_MROI : regs[REG_INT_SRC]! & ~INT_SRC_MROI;
    if (regs[REG_CTRL1]! & CTRL1_TEMP_EN) {
      const celsius = this.#o.temperature ? this.#o.temperature(t) : 20;
      putWord(regs, REG_TEMP_OUT_L, clampInt16(conversionCode(celsius - TEMP_ZERO_C, TEMP_LSB_PER_C, 0, 0, t, 0)), big);
    }
  }
}

function writable(reg: number): boolean {
  return (reg >= REG_CTRL1 && reg <= REG_CTRL5) || reg === REG_INT_CFG || reg === REG_INT_THS_L || reg === REG_INT_THS_H;
}

/** The address after `reg` in an auto-incremented access: the output registers wrap 0x2D → 0x28. */
function next(reg: number): number {
  return reg === REG_OUT_Z_H ? REG_OUT_X_L : (reg + 1) & 0x7f;
}

function putWord(regs: Uint8Array, at: number, code: number, bigEndian: boolean): void {
  regs[at] = bigEndian ? (code >> 8) & 0xff : code & 0xff;
  regs[at + 1] = bigEndian ? code & 0xff : (code >> 8) & 0xff;
}
