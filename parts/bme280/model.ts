/**
 * Bosch BME280 as an I2C target: register file, forced and normal mode in virtual time, and raw ADC codes made from
 * the true air state by inverting the datasheet's compensation with this part's own trimming words.
 *
 * Going the other way from the driver: the model has its own forward formulas (the double-precision versions of
 * datasheet Appendix A §8.1, which the driver never uses) and finds each raw code by binary search over the code
 * grid the oversampling setting allows, so the driver's integer compensation is checked against the datasheet's
 * floating-point one rather than against itself.
 *
 * Modelled behaviour (datasheet BST-BME280-DS002 §3, §5, §6.2):
 * - I²C write = (register, value) pairs in one transaction, no auto-increment; a lone register byte sets the read
 *   pointer. Reads auto-increment from the pointer (burst read of 0xF7…0xFE etc.).
 * - id 0xD0 = 0x60 (configurable, to model a BMP280 or a wrong part); reset 0xE0 ← 0xB6 restores every register's
 *   reset value and starts an NVM copy (status.im_update = 1 for `nvmCopyUs`; trimming reads 0x00 meanwhile).
 * - ctrl_hum reads back at once but only takes effect when ctrl_meas is written (latched then).
 * - Forced mode: a conversion of typical duration (§9.1, t_measure,typ) with status.measuring = 1; at its end the
 *   data registers update and mode returns to sleep. Normal mode cycles with t_standby from config.t_sb.
 * - Resolution: 16 + (osrs − 1) bits for T and P with the filter off, 20 bits with the IIR filter on
 *   (x = (x_old·(c − 1) + x_adc)/c, initialised by the first conversion after reset); humidity 16 bits, no filter.
 *   Skipped channels read 0x80000 / 0x8000.
 * - Optional additive noise per channel (physical units) from a caller-supplied, seeded function; default none.
 *
 * Not modelled: SPI, the brief im_update before each conversion, the 3-wire SPI bit, a forced request written
 * while a conversion runs (ignored), and the finer timing of the measurement phases (the data land at the end).
 * The model is lazy: it brings itself up to date from `now()` whenever it is accessed, and schedules no events.
 */
import type { Micros } from "../../simulator/core/engine.js";
import type { I2CTarget } from "../../simulator/core/buses/i2c.js";
import type { AirState } from "../../simulator/core/environment/types.js";
import {
  CHIP_ID,
  MODE_NORMAL,
  MODE_SLEEP,
  REG_CALIB00,
  REG_CALIB26,
  REG_CONFIG,
  REG_CTRL_HUM,
  REG_CTRL_MEAS,
  REG_ID,
  REG_PRESS_MSB,
  REG_RESET,
  REG_STATUS,
  RESET_WORD,
  SKIPPED_16BIT,
  SKIPPED_20BIT,
  STANDBY_US,
  STATUS_IM_UPDATE,
  STATUS_MEASURING,
  filterCoefficient,
  measureTypUs,
  oversamplingFactor,
  type BME280Trim,
} from "./registers.js";

export type BME280Channel = "temperature" | "pressure" | "humidity";

/**
 * Trimming words of a real BME280 as read out of a production part and published with its readings
 * (T3 = 50, P3 = 3024, P6 = −7, P7 = 9900, P8 = −10230, P9 = 4285, H1 = 75, H3 = 0, H6 = 30 are the same on every
 * production part seen in public dumps; the others vary per part).
 */
export const REAL_PART_TRIM: Readonly<BME280Trim> = Object.freeze({
  T1: 28998, T2: 27158, T3: 50,
  P1: 36231, P2: -10432, P3: 3024, P4: 7042, P5: -68, P6: -7, P7: 9900, P8: -10230, P9: 4285,
  H1: 75, H2: 378, H3: 0, H4: 282, H5: 50, H6: 30,
});

export interface BME280ModelOptions {
  /** Virtual time in µs. */
  now: () => Micros;
  /** The true air around the sensor at time t. */
  air: (t: Micros) => AirState;
  /** Trimming words burnt into this part's NVM (default: a real production part). */
  trim?: BME280Trim;
  /** Value of the id register (default 0x60). */
  chipId?: number;
  /** Duration of the NVM copy after power-on or soft reset, µs (default 1000; the datasheet start-up time is ≤ 2 ms). */
  nvmCopyUs?: number;
  /** Additive noise in physical units (°C, Pa, %RH) for one conversion; must be deterministic (seeded). */
  noise?: (channel: BME280Channel, t: Micros, oversampling: number) => number;
}

/** What the last finished conversion used and produced, for tests and traces. */
export interface BME280Conversion {
  start: Micros;
  end: Micros;
  /** Oversampling factors latched at the start (0 = skipped). */
  t: number;
  p: number;
  h: number;
  filter: number;
  adcT: number;
  adcP: number;
  adcH: number;
}

interface Running {
  start: Micros;
  end: Micros;
  t: number;
  p: number;
  h: number;
  filter: number;
  normal: boolean;
}

export class BME280Model implements I2CTarget {
  readonly #o: BME280ModelOptions;
  readonly #trim: BME280Trim;
  readonly #nvm = new Uint8Array(256);
  readonly #regs = new Uint8Array(256);
  #pointer = 0;
  #nvmUntil: Micros = 0;
  /** osrs_h as latched by the last ctrl_meas write. */
  #osrsH = 0;
  #running: Running | undefined;
  /** Normal mode: start of the next cycle while in standby. */
  #nextCycle: Micros | undefined;
  #filterT: number | undefined;
  #filterP: number | undefined;

  #conversions = 0;
  #last: BME280Conversion | undefined;

  constructor(options: BME280ModelOptions) {
    this.#o = options;
    this.#trim = { ...(options.trim ?? REAL_PART_TRIM) };
    packTrim(this.#trim, this.#nvm);
    this.#nvm[REG_ID] = options.chipId ?? CHIP_ID;
    this.#powerOnReset(options.now());
  }

  /** Conversions finished by now (the model is lazy: reading this brings it up to date). */
  get conversions(): number {
    this.#advance(this.#o.now());
    return this.#conversions;
  }

  /** The last conversion finished by now. */
  get lastConversion(): BME280Conversion | undefined {
    this.#advance(this.#o.now());
    return this.#last;
  }

  get trim(): Readonly<BME280Trim> {
    return this.#trim;
  }

  /** Register contents as the next read would see them, without moving the pointer. */
  peek(register: number): number {
    this.#advance(this.#o.now());
    return this.#readRegister(register & 0xff, this.#o.now());
  }

  /** Supply cycle: all registers to their reset values, NVM copied again. */
  powerCycle(): void {
    this.#powerOnReset(this.#o.now());
  }

  write(bytes: Uint8Array, _stop: boolean): boolean {
    const now = this.#o.now();
    this.#advance(now);
    if (bytes.length === 0) return true;
    let i = 0;
    for (; i + 1 < bytes.length; i += 2) {
      this.#pointer = bytes[i]!;
      this.#writeRegister(bytes[i]!, bytes[i + 1]!, now);
    }
    if (i < bytes.length) this.#pointer = bytes[i]!;
    return true;
  }

  read(count: number, _stop: boolean): Uint8Array {
    const now = this.#o.now();
    this.#advance(now);
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.#readRegister(this.#pointer, now);
      this.#pointer = (this.#pointer + 1) & 0xff;
    }
    return out;
  }

  // ------------------------------------------------------------------ registers

  #powerOnReset(now: Micros): void {
    const r = this.#regs;
    r.fill(0);
    r[REG_PRESS_MSB] = 0x80; // press, temp, hum reset to 0x80000 / 0x8000 (Table 18)
    r[REG_PRESS_MSB + 3] = 0x80;
    r[REG_PRESS_MSB + 6] = 0x80;
    this.#osrsH = 0;
    this.#running = undefined;
    this.#nextCycle = undefined;
    this.#filterT = undefined;
    this.#filterP = undefined;
    this.#nvmUntil = now + (this.#o.nvmCopyUs ?? 1000);
  }

  #readRegister(reg: number, now: Micros): number {
    const copying = now < this.#nvmUntil;
    if (reg === REG_ID) return this.#nvm[REG_ID]!;
    if ((reg >= REG_CALIB00 && reg <= 0xa1) || (reg >= REG_CALIB26 && reg <= 0xf0)) return copying ? 0 : this.#nvm[reg]!;
    if (reg === REG_RESET) return 0;
    if (reg === REG_STATUS) {
      const r = this.#running;
      return (r && now >= r.start && now < r.end ? STATUS_MEASURING : 0) | (copying ? STATUS_IM_UPDATE : 0);
    }
    return this.#regs[reg]!;
  }

  #writeRegister(reg: number, value: number, now: Micros): void {
    switch (reg) {
      case REG_RESET:
        if (value === RESET_WORD) this.#powerOnReset(now);
        return;
      case REG_CTRL_HUM:
        this.#regs[reg] = value & 0x07; // takes effect on the next ctrl_meas write
        return;
      case REG_CONFIG:
        this.#regs[reg] = value & 0xfd; // bit 1 reserved
        return;
      case REG_CTRL_MEAS: {
        this.#regs[reg] = value;
        this.#osrsH = this.#regs[REG_CTRL_HUM]! & 0x07;
        const mode = value & 3;
        if (mode === MODE_SLEEP) {
          this.#nextCycle = undefined; // a running conversion still finishes
        } else if (!this.#running) {
          this.#startConversion(now, mode === MODE_NORMAL);
        }
        return;
      }
    }
    // id, status, calibration and data registers are read-only; reserved registers ignore writes.
  }

  // ------------------------------------------------------------------ conversions in virtual time

  #startConversion(start: Micros, normal: boolean): void {
    const ctrl = this.#regs[REG_CTRL_MEAS]!;
    const t = oversamplingFactor(ctrl >> 5);
    const p = oversamplingFactor(ctrl >> 2);
    const h = oversamplingFactor(this.#osrsH);
    const filter = filterCoefficient(this.#regs[REG_CONFIG]! >> 2);
    this.#running = { start, end: start + measureTypUs(t, p, h), t, p, h, filter, normal };
    this.#nextCycle = undefined;
  }

  /** Finish every conversion due by `now` (and, in normal mode, run the cycles in between). */
  #advance(now: Micros): void {
    for (let guard = 0; guard < 100_000; guard++) {
      const r = this.#running;
      if (r) {
        if (now < r.end) return;
        this.#finishConversion(r);
        this.#running = undefined;
        if ((this.#regs[REG_CTRL_MEAS]! & 3) === MODE_NORMAL) {
          // Normal mode (possibly written while a forced conversion ran): next cycle after the standby time.
          this.#nextCycle = r.end + (r.normal ? STANDBY_US[this.#regs[REG_CONFIG]! >> 5]! : 0);
        } else {
          // Forced mode ends in sleep; a forced request written while converting was ignored.
          this.#regs[REG_CTRL_MEAS] = this.#regs[REG_CTRL_MEAS]! & 0xfc;
          this.#nextCycle = undefined;
          return;
        }
      }
      const next = this.#nextCycle;
      if (next === undefined || now < next) return;
      this.#startConversion(next, true);
    }
  }

  #finishConversion(r: Running): void {
    const t = r.end; // the air as it is when the result lands in the data registers
    const air = this.#o.air(t);
    const noise = this.#o.noise;
    const regs = this.#regs;
    const trim = this.#trim;

    // Temperature first: P and H are inverted with the t_fine the part's own output will give the host.
    let adcT = SKIPPED_20BIT;
    if (r.t) {
      const target = air.temperature + (noise ? noise("temperature", t, r.t) : 0);
      const code = invertIncreasing((c) => temperatureDouble(c, trim).celsius, target, resolutionShift(r.t, r.filter));
      if (r.filter) {
        this.#filterT = iir(this.#filterT, code, r.filter);
        adcT = toCode20(this.#filterT);
      } else {
        adcT = code;
      }
    }
    const tFine = temperatureDouble(adcT, trim).tFine;

    let adcP = SKIPPED_20BIT;
    if (r.p) {
      const target = air.pressure + (noise ? noise("pressure", t, r.p) : 0);
      // Pressure falls as the code rises (p = 1048576 − adc_P …): search on the negated function.
      const code = invertIncreasing((c) => -pressureDouble(c, tFine, trim), -target, resolutionShift(r.p, r.filter));
      if (r.filter) {
        this.#filterP = iir(this.#filterP, code, r.filter);
        adcP = toCode20(this.#filterP);
      } else {
        adcP = code;
      }
    }

    let adcH = SKIPPED_16BIT;
    if (r.h) {
      const target = air.humidity + (noise ? noise("humidity", t, r.h) : 0);
      // 16-bit code: search the 20-bit grid in steps of 16 and drop the 4 empty bits.
      adcH = invertIncreasing((c) => humidityDouble(c >> 4, tFine, trim), target, 4) >> 4;
    }

    const d = REG_PRESS_MSB;
    regs[d] = (adcP >> 12) & 0xff;
    regs[d + 1] = (adcP >> 4) & 0xff;
    regs[d + 2] = (adcP & 0x0f) << 4;
    regs[d + 3] = (adcT >> 12) & 0xff;
    regs[d + 4] = (adcT >> 4) & 0xff;
    regs[d + 5] = (adcT & 0x0f) << 4;
    regs[d + 6] = (adcH >> 8) & 0xff;
    regs[d + 7] = adcH & 0xff;
    this.#conversions++;
    this.#last = { start: r.start, end: r.end, t: r.t, p: r.p, h: r.h, filter: r.filter, adcT, adcP, adcH };
  }
}

// ==================================================================== NVM image

/**
 * Burn the trimming words into an NVM image the way the datasheet lays them out (Table 16), written here
 * independently of the driver's parser: 0x88…0x9F little-endian words, 0xA1 dig_H1, 0xE1/0xE2 dig_H2,
 * 0xE3 dig_H3, 0xE4 = H4[11:4], 0xE5 = H5[3:0]·16 + H4[3:0], 0xE6 = H5[11:4], 0xE7 dig_H6.
 */
export function packTrim(t: BME280Trim, nvm: Uint8Array): void {
  const words = [t.T1, t.T2, t.T3, t.P1, t.P2, t.P3, t.P4, t.P5, t.P6, t.P7, t.P8, t.P9];
  words.forEach((w, i) => {
    nvm[REG_CALIB00 + 2 * i] = w & 0xff;
    nvm[REG_CALIB00 + 2 * i + 1] = (w >> 8) & 0xff;
  });
  nvm[0xa0] = 0;
  nvm[0xa1] = t.H1 & 0xff;
  nvm[0xe1] = t.H2 & 0xff;
  nvm[0xe2] = (t.H2 >> 8) & 0xff;
  nvm[0xe3] = t.H3 & 0xff;
  const h4 = t.H4 & 0xfff;
  const h5 = t.H5 & 0xfff;
  nvm[0xe4] = h4 >> 4;
  nvm[0xe5] = ((h5 & 0x0f) << 4) | (h4 & 0x0f);
  nvm[0xe6] = h5 >> 4;
  nvm[0xe7] = t.H6 & 0xff;
}

// ==================================================================== forward model: datasheet §8.1 (double)

/** Datasheet §8.1 BME280_compensate_T_double: °C, and t_fine as the C code's (BME280_S32_t) cast makes it. */
export function temperatureDouble(adcT: number, t: BME280Trim): { celsius: number; tFine: number } {
  const a = adcT / 16384 - t.T1 / 1024;
  const b = adcT / 131072 - t.T1 / 8192;
  const sum = a * t.T2 + b * b * t.T3;
  return { celsius: sum / 5120, tFine: Math.trunc(sum) };
}

/** Datasheet §8.1 BME280_compensate_P_double: Pa (unclamped; NaN when the divisor is 0). */
export function pressureDouble(adcP: number, tFine: number, t: BME280Trim): number {
  let v1 = tFine / 2 - 64000;
  let v2 = (v1 * v1 * t.P6) / 32768;
  v2 = v2 + v1 * t.P5 * 2;
  v2 = v2 / 4 + t.P4 * 65536;
  v1 = ((t.P3 * v1 * v1) / 524288 + t.P2 * v1) / 524288;
  v1 = (1 + v1 / 32768) * t.P1;
  if (v1 === 0) return NaN;
  let p = 1048576 - adcP;
  p = ((p - v2 / 4096) * 6250) / v1;
  v1 = (t.P9 * p * p) / 2147483648;
  v2 = (p * t.P8) / 32768;
  return p + (v1 + v2 + t.P7) / 16;
}

/** Datasheet §8.1 BME280_compensate_H_double: %RH, unclamped (the clamp would break the search's monotonicity). */
export function humidityDouble(adcH: number, tFine: number, t: BME280Trim): number {
  const x = tFine - 76800;
  let h = (adcH - (t.H4 * 64 + (t.H5 / 16384) * x)) * ((t.H2 / 65536) * (1 + (t.H6 / 67108864) * x * (1 + (t.H3 / 67108864) * x)));
  h = h * (1 - (t.H1 * h) / 524288);
  return h;
}

// ==================================================================== inversion

/**
 * The 20-bit code on the grid of multiples of 2^shift whose forward value is nearest `target`, for an increasing
 * forward function, by binary search (≤ 20 evaluations). Out-of-range targets give the end codes.
 */
function invertIncreasing(forward: (code: number) => number, target: number, shift: number): number {
  let lo = 0;
  let hi = (1 << (20 - shift)) - 1;
  if (forward(lo << shift) >= target) return lo << shift;
  if (forward(hi << shift) <= target) return hi << shift;
  // Invariant: forward(lo) < target < forward(hi).
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (forward(mid << shift) < target) lo = mid;
    else hi = mid;
  }
  const below = target - forward(lo << shift);
  const above = forward(hi << shift) - target;
  return (above < below ? hi : lo) << shift;
}

/** Bits below the ADC resolution: 16 + (osrs − 1) bits without the filter, 20 bits with it (Table 17, §3.4). */
function resolutionShift(oversampling: number, filter: number): number {
  if (filter) return 0;
  // ×1 → 16 bit, ×2 → 17, ×4 → 18, ×8 → 19, ×16 → 20
  return oversampling >= 16 ? 0 : oversampling >= 8 ? 1 : oversampling >= 4 ? 2 : oversampling >= 2 ? 3 : 4;
}

/**
 * One IIR step (§3.4.4): x = (x_old·(c − 1) + x_adc)/c; the first sample after reset initialises the memory.
 * The memory keeps its fraction (a rounded memory would stall short of small steps at c = 16).
 */
function iir(memory: number | undefined, code: number, c: number): number {
  return memory === undefined ? code : (memory * (c - 1) + code) / c;
}

function toCode20(x: number): number {
  return Math.min(0xfffff, Math.max(0, Math.round(x)));
}
