/**
 * Bosch BME280 temperature / humidity / pressure driver, ECMA-419 Sensor Class Pattern, forced mode.
 *
 * Lifecycle, with no blocking wait anywhere:
 * - constructor: read chip id 0xD0 (≠ 0x60 → throws a SensorError of kind "identity"), soft reset (0xE0 ← 0xB6),
 *   then a host timer waits the 2 ms start-up time and polls `status.im_update` (up to 5 times, as
 *   BME280_SensorAPI does) before reading the trimming words 0x88…0xA1 and 0xE1…0xE7. A `measure()` issued
 *   meanwhile is remembered and started when the trimming is in.
 * - `measure()`: one multi-pair write (config, ctrl_hum, then ctrl_meas with mode = forced: ctrl_hum only takes
 *   effect on a ctrl_meas write), then a timer for the datasheet's maximum measurement time (§9.1), then one
 *   burst read 0xF3…0xFE (status, ctrl_meas, config, data). If the part still reports `measuring` (a host that
 *   rounds timers down), it polls again 1 ms later.
 * - Failures never throw from a public method: I2C NACKs, a still-busy part and lost settings are reported as
 *   `SensorError`s through `onError` on a later timer turn, and the next `measure()` tries again (re-initialising
 *   when the trimming was never read).
 *
 * Compensation is the datasheet's integer code (§4.2.3): 32-bit temperature and humidity (C `int32` semantics via
 * Math.imul and `| 0`, arithmetic shifts as `>>`), and the 64-bit pressure formula in BigInt, which is exact (XS
 * supports BigInt; a double cannot hold (2⁴⁷ + var1)·dig_P1). Outputs are clamped as BME280_SensorAPI does:
 * T −40…85 °C, P 300…1100 hPa, RH 0…100 %.
 */
import type { Timers, TimerHandle } from "../../hal/host.js";
import type { I2C } from "../../hal/io.js";
import { openI2CSensor, SensorError, type ErrorReporter, type I2CSensorOptions, type TriggeredSensor } from "../../hal/sensor.js";
import {
  BME280_DEFAULT_ADDRESS,
  BME280_DEFAULTS,
  CALIB_H_LENGTH,
  CALIB_TP_LENGTH,
  CHIP_ID,
  MODE_FORCED,
  REG_CALIB00,
  REG_CALIB26,
  REG_CONFIG,
  REG_CTRL_HUM,
  REG_CTRL_MEAS,
  REG_ID,
  REG_RESET,
  REG_STATUS,
  RESET_WORD,
  STATUS_IM_UPDATE,
  STATUS_MEASURING,
  filterCode,
  measureMaxUs,
  oversamplingCode,
  type BME280Trim,
} from "./registers.js";

export type { BME280Trim } from "./registers.js";

export interface BME280Sample {
  thermometer?: { temperature: number };
  hygrometer?: { humidity: number };
  barometer?: { pressure: number };
}

export type Oversampling = 0 | 1 | 2 | 4 | 8 | 16;

export interface BME280Config {
  /** Oversampling factors; 0 skips the channel (temperature cannot be skipped: P and H need t_fine). */
  temperatureOversampling: Oversampling;
  pressureOversampling: Oversampling;
  humidityOversampling: Oversampling;
  /** IIR filter coefficient for T and P (0 = off). */
  filter: 0 | 2 | 4 | 8 | 16;
}

export type BME280Options = I2CSensorOptions<BME280>;


/** Start-up time after a soft reset before im_update is worth polling (datasheet Table 1; Bosch API waits 2 ms). */
const STARTUP_MS = 2;
const NVM_POLLS = 5;
/** Extra polls of `measuring` after the maximum time has passed, 1 ms apart. */
const BUSY_POLLS = 3;

type Phase = "uninitialised" | "resetting" | "idle" | "converting";

export class BME280 implements TriggeredSensor<BME280Sample, BME280Config> {
  readonly #io: I2C;
  readonly #timers: Timers;
  readonly #errors: ErrorReporter;
  readonly #onSample: (() => void) | undefined;
  readonly #part: string;
  readonly #reg = new Uint8Array(1);
  readonly #pair = new Uint8Array(2);
  readonly #trigger = new Uint8Array(6);
  readonly #calibTP = new Uint8Array(CALIB_TP_LENGTH);
  readonly #calibH = new Uint8Array(CALIB_H_LENGTH);
  /** 0xF3…0xFE: status, ctrl_meas, config, (0xF6 reserved), press[3], temp[3], hum[2]. */
  readonly #rx = new Uint8Array(12);
  #timer: TimerHandle | undefined;
  #phase: Phase = "uninitialised";
  #pendingMeasure = false;
  #polls = 0;
  #closed = false;
  #trim: BME280Trim | undefined;
  #p: BigTrim | undefined;

  #config: BME280Config = { ...BME280_DEFAULTS };
  /** ctrl_meas as written for the running conversion (osrs_t, osrs_p, mode); used to detect a part that reset. */
  #ctrlMeas = 0;
  #convT = 0;
  #convP = 0;
  #convH = 0;

  #valid = false;
  #temperature = 0;
  #pressure: number | undefined;
  #humidity: number | undefined;

  constructor(options: BME280Options) {
    const opened = openI2CSensor(this, options, "bme280", BME280_DEFAULT_ADDRESS, () => this.#closed);
    this.#part = opened.part;
    this.#timers = options.timer;
    this.#errors = opened.errors;
    this.#onSample = opened.onSample;
    this.#io = opened.io;

    let id: number;
    try {
      id = this.#readRegister(REG_ID);
    } catch (e) {
      // Absent or not yet powered: not a configuration error. Report it and initialise on the next measure().
      this.#errors.report(new SensorError(this.#part, "nack", `chip id read not acknowledged: ${message(e)}`));
      return;
    }
    if (id !== CHIP_ID) {
      this.#io.close();
      this.#closed = true;
      throw new SensorError(this.#part, "identity", identityMessage(id));
    }
    this.#softReset();
  }

  /** Worst-case measurement time in ms for the current configuration (datasheet §9.1, t_measure,max). */
  get conversionMs(): number {
    const c = this.#config;
    return measureMaxUs(c.temperatureOversampling, c.pressureOversampling, c.humidityOversampling) / 1000;
  }

  /** The trimming words read from the part, once initialised (for diagnostics). */
  get trim(): Readonly<BME280Trim> | undefined {
    return this.#trim;
  }

  configure(options: Partial<BME280Config>): void {
    this.#assertOpen();
    const next = { ...this.#config };
    if (options.temperatureOversampling !== undefined) next.temperatureOversampling = options.temperatureOversampling;
    if (options.pressureOversampling !== undefined) next.pressureOversampling = options.pressureOversampling;
    if (options.humidityOversampling !== undefined) next.humidityOversampling = options.humidityOversampling;
    if (options.filter !== undefined) next.filter = options.filter;
    // Validate everything before changing anything.
    oversamplingCode(next.temperatureOversampling);
    oversamplingCode(next.pressureOversampling);
    oversamplingCode(next.humidityOversampling);
    filterCode(next.filter);
    if (next.temperatureOversampling === 0) {
      throw new RangeError(`${this.#part}: temperature cannot be skipped (pressure and humidity compensation need t_fine)`);
    }
    this.#config = next;
  }

  /** A conversion, or the reset before the first one, is under way. */
  get busy(): boolean {
    return this.#phase === "converting" || this.#phase === "resetting" || this.#pendingMeasure;
  }

  measure(): void {
    this.#assertOpen();
    switch (this.#phase) {
      case "converting":
        return; // the running conversion will report
      case "resetting":
        this.#pendingMeasure = true;
        return;
      case "uninitialised":
        this.#pendingMeasure = true;
        this.#initialise();
        return;
      case "idle":
        this.#start();
    }
  }

  sample(): BME280Sample | undefined {
    this.#assertOpen();
    if (!this.#valid) return undefined;
    const s: BME280Sample = { thermometer: { temperature: this.#temperature } };
    if (this.#pressure !== undefined) s.barometer = { pressure: this.#pressure };
    if (this.#humidity !== undefined) s.hygrometer = { humidity: this.#humidity };
    return s;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#io.close();
  }

  // ------------------------------------------------------------------ initialisation

  /** Retry of the constructor's work after a NACK: identity check, then soft reset. */
  #initialise(): void {
    let id: number;
    try {
      id = this.#readRegister(REG_ID);
    } catch (e) {
      this.#pendingMeasure = false;
      this.#errors.report(new SensorError(this.#part, "nack", `chip id read not acknowledged: ${message(e)}`));
      return;
    }
    if (id !== CHIP_ID) {
      this.#pendingMeasure = false;
      this.#errors.report(new SensorError(this.#part, "identity", identityMessage(id)));
      return;
    }
    this.#softReset();
  }

  #softReset(): void {
    const pair = this.#pair;
    pair[0] = REG_RESET;
    pair[1] = RESET_WORD;
    try {
      this.#io.write(pair);
    } catch (e) {
      this.#phase = "uninitialised";
      this.#pendingMeasure = false;
      this.#errors.report(new SensorError(this.#part, "nack", `soft reset not acknowledged: ${message(e)}`));
      return;
    }
    this.#trim = undefined;
    this.#phase = "resetting";
    this.#polls = 0;
    this.#timer = this.#timers.set(() => this.#awaitNvm(), STARTUP_MS);
  }

  /** Timer: the NVM copy (im_update) must be over before the trimming registers mean anything. */
  #awaitNvm(): void {
    this.#timer = undefined;
    try {
      const status = this.#readRegister(REG_STATUS);
      if (status & STATUS_IM_UPDATE) {
        if (++this.#polls < NVM_POLLS) {
          this.#timer = this.#timers.set(() => this.#awaitNvm(), STARTUP_MS);
          return;
        }
        this.#fail("timeout", `NVM copy still running (status 0x${hex(status)}) ${NVM_POLLS * STARTUP_MS} ms after soft reset`);
        return;
      }
      this.#readBlock(REG_CALIB00, this.#calibTP);
      this.#readBlock(REG_CALIB26, this.#calibH);
    } catch (e) {
      this.#fail("nack", `reading trimming data failed: ${message(e)}`);
      return;
    }
    const trim = parseTrim(this.#calibTP, this.#calibH);
    if (trim.T1 === 0 || trim.P1 === 0) {
      this.#fail("state", `implausible trimming data (dig_T1 = ${trim.T1}, dig_P1 = ${trim.P1})`);
      return;
    }
    this.#trim = trim;
    this.#p = bigTrim(trim);
    this.#phase = "idle";
    if (this.#pendingMeasure) {
      this.#pendingMeasure = false;
      this.#start();
    }
  }

  #fail(kind: "nack" | "timeout" | "state", text: string): void {
    this.#phase = "uninitialised";
    this.#pendingMeasure = false;
    this.#errors.report(new SensorError(this.#part, kind, text));
  }

  // ------------------------------------------------------------------ conversion

  #start(): void {
    const c = this.#config;
    const osrsT = oversamplingCode(c.temperatureOversampling);
    const osrsP = oversamplingCode(c.pressureOversampling);
    const osrsH = oversamplingCode(c.humidityOversampling);
    const ctrlMeas = (osrsT << 5) | (osrsP << 2) | MODE_FORCED;
    // One transaction of (register, value) pairs: the BME280 does not auto-increment on writes (§6.2.1).
    // config first (writes are only guaranteed in sleep mode), then ctrl_hum, then ctrl_meas, which latches
    // ctrl_hum and starts the forced conversion.
    const w = this.#trigger;
    w[0] = REG_CONFIG;
    w[1] = filterCode(c.filter) << 2; // t_sb unused in forced mode, spi3w_en = 0
    w[2] = REG_CTRL_HUM;
    w[3] = osrsH;
    w[4] = REG_CTRL_MEAS;
    w[5] = ctrlMeas;
    try {
      this.#io.write(w);
    } catch (e) {
      this.#errors.report(new SensorError(this.#part, "nack", `starting a forced conversion failed: ${message(e)}`));
      return;
    }
    this.#ctrlMeas = ctrlMeas;
    this.#convT = c.temperatureOversampling;
    this.#convP = c.pressureOversampling;
    this.#convH = c.humidityOversampling;
    this.#phase = "converting";
    this.#polls = 0;
    this.#timer = this.#timers.set(() => this.#finish(), measureMaxUs(this.#convT, this.#convP, this.#convH) / 1000);
  }

  /** Timer: the maximum measurement time has passed; read status and data in one burst. */
  #finish(): void {
    this.#timer = undefined;
    const rx = this.#rx;
    try {
      this.#readBlock(REG_STATUS, rx);
    } catch (e) {
      this.#conversionFailed("nack", `reading the result failed: ${message(e)}`);
      return;
    }
    const status = rx[0]!;
    const ctrlMeas = rx[1]!;
    if ((ctrlMeas & 0xfc) !== (this.#ctrlMeas & 0xfc)) {
      // The oversampling bits are gone: the part was reset (brown-out) and lost its trimming image too.
      this.#conversionFailed("state", `ctrl_meas reads 0x${hex(ctrlMeas)}, wrote 0x${hex(this.#ctrlMeas)}: the part was reset`);
      this.#phase = "uninitialised";
      return;
    }
    if (status & STATUS_MEASURING || (ctrlMeas & 3) !== 0) {
      if (++this.#polls <= BUSY_POLLS) {
        this.#timer = this.#timers.set(() => this.#finish(), 1);
        return;
      }
      this.#conversionFailed("timeout", `still measuring (status 0x${hex(status)}, ctrl_meas 0x${hex(ctrlMeas)}) after ${this.#waitedMs()} ms`);
      return;
    }
    const adcP = (rx[4]! << 12) | (rx[5]! << 4) | (rx[6]! >> 4);
    const adcT = (rx[7]! << 12) | (rx[8]! << 4) | (rx[9]! >> 4);
    const adcH = (rx[10]! << 8) | rx[11]!;
    const trim = this.#trim!;
    const { t100, tFine } = compensateTemperature(adcT, trim);
    this.#temperature = clamp(t100, -4000, 8500) / 100;
    // A skipped channel reads 0x80000 / 0x8000, which are also legal codes: trust what was asked for, not the value.
    if (this.#convP) {
      const q = compensatePressure64(adcP, tFine, this.#p!);
      this.#pressure = q === 0 ? undefined : clamp(q / 256, 30000, 110000);
      if (q === 0) this.#errors.report(new SensorError(this.#part, "range", "pressure compensation divides by zero (bad trimming data)"));
    } else {
      this.#pressure = undefined;
    }
    this.#humidity = this.#convH ? compensateHumidity(adcH, tFine, trim) / 1024 : undefined;
    this.#valid = true;
    this.#phase = "idle";
    if (this.#onSample) this.#onSample();
  }

  #waitedMs(): number {
    return measureMaxUs(this.#convT, this.#convP, this.#convH) / 1000 + BUSY_POLLS;
  }

  #conversionFailed(kind: "nack" | "timeout" | "state", text: string): void {
    this.#valid = false;
    this.#phase = "idle";
    this.#errors.report(new SensorError(this.#part, kind, text));
  }

  // ------------------------------------------------------------------ bus

  #readRegister(reg: number): number {
    const r = this.#reg;
    r[0] = reg;
    this.#io.write(r, false);
    this.#io.read(r);
    return r[0]!;
  }

  #readBlock(reg: number, into: Uint8Array): void {
    const r = this.#reg;
    r[0] = reg;
    this.#io.write(r, false);
    this.#io.read(into);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`${this.#part}: closed`);
  }
}

// ==================================================================== trimming and compensation (pure, exported)

/**
 * Trimming words from the two NVM blocks (datasheet Table 16), little-endian. dig_H4 and dig_H5 are 12-bit signed
 * values sharing 0xE5: H4 = (s8)0xE4·16 | 0xE5[3:0], H5 = (s8)0xE6·16 | 0xE5[7:4].
 */
export function parseTrim(tp: Uint8Array, h: Uint8Array): BME280Trim {
  const u16 = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
  const s16 = (b: Uint8Array, i: number): number => (u16(b, i) << 16) >> 16;
  const s8 = (v: number): number => (v << 24) >> 24;
  return {
    T1: u16(tp, 0),
    T2: s16(tp, 2),
    T3: s16(tp, 4),
    P1: u16(tp, 6),
    P2: s16(tp, 8),
    P3: s16(tp, 10),
    P4: s16(tp, 12),
    P5: s16(tp, 14),
    P6: s16(tp, 16),
    P7: s16(tp, 18),
    P8: s16(tp, 20),
    P9: s16(tp, 22),
    H1: tp[25]!,
    H2: s16(h, 0),
    H3: h[2]!,
    H4: s8(h[3]!) * 16 + (h[4]! & 0x0f),
    H5: s8(h[5]!) * 16 + (h[4]! >> 4),
    H6: s8(h[6]!),
  };
}

/**
 * Datasheet §4.2.3 BME280_compensate_T_int32: temperature in 0.01 °C and t_fine, with C int32 arithmetic
 * (wrapping products, arithmetic right shifts). Not clamped; the driver clamps as the Bosch API does.
 */
export function compensateTemperature(adcT: number, t: BME280Trim): { t100: number; tFine: number } {
  const var1 = Math.imul(((adcT >> 3) - (t.T1 << 1)) | 0, t.T2) >> 11;
  const d = ((adcT >> 4) - t.T1) | 0;
  const var2 = Math.imul(Math.imul(d, d) >> 12, t.T3) >> 14;
  const tFine = (var1 + var2) | 0;
  return { t100: (Math.imul(tFine, 5) + 128) >> 8, tFine };
}

/** Pressure trimming words as BigInt, converted once per initialisation. */
export interface BigTrim {
  P1: bigint;
  P2: bigint;
  P3: bigint;
  P4: bigint;
  P5: bigint;
  P6: bigint;
  P7: bigint;
  P8: bigint;
  P9: bigint;
}

export function bigTrim(t: BME280Trim): BigTrim {
  return {
    P1: BigInt(t.P1), P2: BigInt(t.P2), P3: BigInt(t.P3), P4: BigInt(t.P4), P5: BigInt(t.P5),
    P6: BigInt(t.P6), P7: BigInt(t.P7), P8: BigInt(t.P8), P9: BigInt(t.P9),
  };
}

const B128000 = 128000n;
const B1_47 = 1n << 47n;
const B1048576 = 1048576n;

/**
 * Datasheet §4.2.3 BME280_compensate_P_int64, in BigInt: pressure in Pa as Q24.8 (divide by 256), 0 when the
 * divisor is 0. BigInt `/` truncates toward zero and `>>` floors, exactly as C's int64 `/` and `>>` do on every
 * two's-complement compiler. Result cast to uint32 as the datasheet's return type does.
 */
export function compensatePressure64(adcP: number, tFine: number, p: BigTrim): number {
  let var1 = BigInt(tFine) - B128000;
  let var2 = var1 * var1 * p.P6;
  var2 = var2 + ((var1 * p.P5) << 17n);
  var2 = var2 + (p.P4 << 35n);
  var1 = ((var1 * var1 * p.P3) >> 8n) + ((var1 * p.P2) << 12n);
  var1 = ((B1_47 + var1) * p.P1) >> 33n;
  if (var1 === 0n) return 0;
  let q = B1048576 - BigInt(adcP);
  q = (((q << 31n) - var2) * 3125n) / var1;
  var1 = (p.P9 * (q >> 13n) * (q >> 13n)) >> 25n;
  var2 = (p.P8 * q) >> 19n;
  q = ((q + var1 + var2) >> 8n) + (p.P7 << 4n);
  return Number(BigInt.asUintN(32, q));
}

/**
 * Datasheet §4.2.3 bme280_compensate_H_int32: relative humidity in %RH as Q22.10 (divide by 1024), clamped by the
 * formula itself to 0…100 %RH (0…419430400 before the final shift).
 */
export function compensateHumidity(adcH: number, tFine: number, t: BME280Trim): number {
  let v = (tFine - 76800) | 0;
  const a = ((((adcH << 14) - (t.H4 << 20) - Math.imul(t.H5, v)) | 0) + 16384) >> 15;
  const b0 = (Math.imul(Math.imul(v, t.H6) >> 10, ((Math.imul(v, t.H3) >> 11) + 32768) | 0) >> 10) + 2097152;
  const b = ((Math.imul(b0 | 0, t.H2) + 8192) | 0) >> 14;
  v = Math.imul(a, b);
  v = (v - (Math.imul(Math.imul(v >> 15, v >> 15) >> 7, t.H1) >> 4)) | 0;
  if (v < 0) v = 0;
  if (v > 419430400) v = 419430400;
  return v >> 12;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function identityMessage(id: number): string {
  const hint = id === 0x58 || id === 0x56 || id === 0x57 ? " (a BMP280: no humidity)" : "";
  return `chip id 0x${hex(id)} read from 0xD0, expected 0x${hex(CHIP_ID)}${hint}`;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
