/**
 * TI ADS1220 24-bit ΔΣ ADC on SPI (mode 1) with a strain-gauge bridge, ECMA-419 Sensor Class Pattern.
 *
 * The chip paces the samples: in continuous mode each conversion ends with DRDY falling, and the driver reads the
 * 24-bit result in that edge interrupt, clocking three bytes with DIN low (a direct read, no RDATA needed, which
 * also returns DRDY high), then calls `onSample`. It never polls DRDY in a loop and never reads before DRDY has
 * fallen. In single-shot mode `measure()` sends START/SYNC and the same DRDY edge finishes the sample.
 *
 * Start-up, each step a host timer (no blocking wait): 1 ms for power-up (≥ 50 µs), RESET, 1 ms (≥ 50 µs +
 * 32·t(CLK)), then the four configuration registers in one WREG, read back with RREG: a chip that is not there reads
 * FFh (MISO pulled up) or 00h and is an "identity" error, retried every few seconds. Then START/SYNC (continuous).
 *
 * Temperature and open-bridge checks are conversions in the same stream: every `temperatureS` the driver rewrites
 * register 1 with TS = 1 (the internal sensor, 14-bit, 0.03125 °C/LSB, measured against the internal reference
 * whatever VREF says), and every `openCheckS` with BCS = 1 (10 µA burn-out current out of AINP and into AINN: an open
 * bridge drives the input to positive full scale, a connected one only offsets it by 10 µA through the bridge).
 * Writing a register restarts the conversion, so each check costs the stream about two conversion periods; the
 * strain conversion after it is fully settled (the FIR filter settles in one conversion).
 *
 * A DRDY that stops falling (not wired, a chip that lost its configuration in a brown-out) is caught by one repeating
 * watchdog timer, which reports a "timeout" and starts over with a reset. A strain code at either full-scale limit
 * is a "range" error, not a sample: the bridge is open, shorted, or strained beyond the range.
 *
 * The sample path (DRDY edge → read → convert → `onSample`) allocates nothing: the SPI buffers are made once, the
 * results are numbers in private fields, and `readInto(out)` copies them into the caller's object. `sample()`, as
 * the pattern asks, returns a new object: call it at report time, not per sample.
 */
import type { Clock, TimerHandle, Timers } from "../../hal/host.js";
import type { Digital, DigitalClass, SPI, SPIBus } from "../../hal/io.js";
import { SensorError, type ErrorReporter, type Sensor, type SensorErrorKind } from "../../hal/sensor.js";
import { bindCallbacks, checkPins, mergeConfig } from "../strain-bridge/driver-common.js";
import { bridgeKind, strainOfKind, type StrainReading, type StrainSample } from "../strain-bridge/bridge.js";
import { ADS1220_DEFAULTS, registerFields, validateConfig, type ADS1220Config } from "./config.js";
import {
  CMD_POWERDOWN,
  CMD_RESET,
  CMD_START_SYNC,
  CODE_MAX,
  CODE_MIN,
  DATA_RATES,
  INTERNAL_REFERENCE_VOLTS,
  MAX_SCLK_HZ,
  SPI_MODE,
  codeFromBytes,
  conversionUs,
  encodeRegisters,
  ratioFromCode,
  rreg,
  temperatureFromCode,
  wreg,
} from "./registers.js";

export type { ADS1220Config } from "./config.js";
export type { StrainReading, StrainSample } from "../strain-bridge/bridge.js";

export interface ADS1220Pins {
  /** SPI chip select (CS, active low). */
  cs: number;
  /** DRDY, driven by the chip, falls when a conversion result is ready. */
  drdy: number;
}

export interface ADS1220Options {
  /** The SPI bus (`host.SPI.<name>`); opened in mode 1 with `select: pins.cs`, at most 6.67 MHz. */
  spi: SPIBus;
  /** `host.io.Digital`. */
  digital: DigitalClass;
  pins: ADS1220Pins;
  timer: Timers;
  clock: Clock;
  /** Part options; missing ones take ADS1220_DEFAULTS. */
  config?: Partial<ADS1220Config>;
  /** A strain sample is ready (`readInto`, `microstrain`, `sample()`). */
  onSample?: (this: ADS1220) => void;
  onError?: (this: ADS1220, error: SensorError) => void;
}

// Phases and conversion kinds are numbers: the sample path compares them on every DRDY, and on XS a comparison
// with a string literal can allocate.
const POWER_UP = 0;
const RESETTING = 1;
const RUNNING = 2;
const ABSENT = 3;
const CLOSED = 4;

const SLOT_STRAIN = 0;
const SLOT_TEMPERATURE = 1;
const SLOT_BURNOUT = 2;
const STEP_MS = 1;
/** An absent chip is looked for again this often. */
const RETRY_MS = 5000;
/** The watchdog reports a DRDY that misses this many of its ticks in a row. */
const MISSED_TICKS = 2;

export class ADS1220 implements Sensor<StrainSample, ADS1220Config> {
  readonly #spi: SPI;
  readonly #drdy: Digital;
  readonly #timers: Timers;
  readonly #clock: Clock;
  readonly #errors: ErrorReporter;
  readonly #onSample: (() => void) | undefined;
  readonly #part: string;
  /** The strain conversion's register bytes; register 1 also in its temperature and burn-out variants. */
  readonly #regs = new Uint8Array(4);
  readonly #reg1Temperature = new Uint8Array(1);
  readonly #reg1Burnout = new Uint8Array(1);
  readonly #cmd = new Uint8Array(1);
  readonly #write1 = new Uint8Array(2);
  readonly #regIo = new Uint8Array(5);
  readonly #rx = new Uint8Array(3);

  #config: Readonly<ADS1220Config>;
  #phase = POWER_UP;
  #timer: TimerHandle | undefined;
  #guard: TimerHandle | undefined;
  #guardMs = 100;
  #ticksAbsent = 0;
  #missed = 0;
  #edges = 0;
  #edgesAtTick = 0;
  #inRead = false;
  /** Single-shot: a sample was asked for and has not been delivered. */
  #awaiting = false;
  #slot = SLOT_STRAIN;
  #temperatureEvery = 0;
  #openEvery = 0;
  #temperatureIn = 0;
  #openIn = 0;
  /** Volts per unit of code/(gain·2^23) over the excitation: 1 when ratiometric. */
  #refOverExcitation = 1;
  #singleShot = false;
  #bridgeKind = 0;
  #gain = 128;
  #gaugeFactor = 2;

  #valid = false;
  #code = 0;
  #ratio = 0;
  #microstrain = 0;
  #atUs = 0;
  #temperature = NaN;
  #count = 0;

  constructor(options: ADS1220Options) {
    if (!options || typeof options !== "object") throw new TypeError("ads1220: options object required");
    const { spi, digital, pins, timer, clock } = options;
    if (!spi || !digital || !pins || !timer || !clock) throw new TypeError("ads1220: spi, digital, pins, timer and clock are required");
    checkPins("ads1220", pins, ["cs", "drdy"]);
    this.#config = mergeConfig("ads1220", ADS1220_DEFAULTS, options.config, validateConfig);
    this.#part = `ads1220@cs${pins.cs}`;
    this.#timers = timer;
    this.#clock = clock;
    const bound = bindCallbacks(this, timer, options.onSample, options.onError, () => this.#phase === CLOSED);
    this.#errors = bound.errors;
    this.#onSample = bound.onSample;
    this.#spi = new spi.io({
      clock: spi.clock,
      ...(spi.in !== undefined ? { in: spi.in } : {}),
      ...(spi.out !== undefined ? { out: spi.out } : {}),
      ...(spi.port !== undefined ? { port: spi.port } : {}),
      select: pins.cs,
      active: 0,
      hz: Math.min(spi.hz, MAX_SCLK_HZ),
      mode: SPI_MODE,
    });
    this.#drdy = new digital({ pin: pins.drdy, mode: digital.Input, edge: digital.Falling, onReadable: () => this.#conversionReady() });
    this.#apply();
    this.#begin();
  }

  // ------------------------------------------------------------------ Sensor Class Pattern

  configure(options: Partial<ADS1220Config>): void {
    this.#assertOpen();
    this.#config = mergeConfig(this.#part, this.#config, options, validateConfig);
    this.#apply();
    if (this.#phase === RUNNING) this.#writeConfiguration(true);
  }

  /** The latest strain sample as a new object, or undefined before the first (or after a failed conversion). */
  sample(): StrainSample | undefined {
    this.#assertOpen();
    if (!this.#valid) return undefined;
    const s: StrainSample = { strainGauge: { strain: this.#microstrain, ratio: this.#ratio, code: this.#code } };
    if (this.#temperature === this.#temperature) s.thermometer = { temperature: this.#temperature };
    return s;
  }

  /** Copy the latest sample into `out` (no allocation); false when there is none. */
  readInto(out: StrainReading): boolean {
    if (!this.#valid) return false;
    out.microstrain = this.#microstrain;
    out.ratio = this.#ratio;
    out.code = this.#code;
    out.atUs = this.#atUs;
    out.temperature = this.#temperature;
    out.count = this.#count;
    return true;
  }

  /** Single-shot mode: start a conversion; `onSample` follows its DRDY. In continuous mode the chip paces itself. */
  measure(): void {
    this.#assertOpen();
    if (!this.#singleShot || this.#awaiting) return;
    this.#awaiting = true;
    if (this.#phase === RUNNING) this.#command(CMD_START_SYNC, "START/SYNC");
  }

  /** A conversion is under way (single-shot), or the chip is being started. */
  get busy(): boolean {
    return this.#phase !== RUNNING || this.#awaiting;
  }

  /** Worst-case time from START/SYNC to DRDY for the configured rate, ms. */
  get conversionMs(): number {
    const c = this.#config;
    return conversionUs(c.mode, DATA_RATES[c.mode].indexOf(c.dataRate), true) / 1000;
  }

  get microstrain(): number {
    return this.#microstrain;
  }

  get temperature(): number {
    return this.#temperature;
  }

  /** Strain samples delivered so far. */
  get count(): number {
    return this.#count;
  }

  close(): void {
    if (this.#phase === CLOSED) return;
    const running = this.#phase === RUNNING;
    this.#phase = CLOSED;
    this.#timers.clear(this.#timer);
    this.#timers.clear(this.#guard);
    this.#timer = undefined;
    this.#guard = undefined;
    if (running) {
      try {
        // Opens the low-side switch too: the bridge stops drawing current.
        this.#transfer1(CMD_POWERDOWN);
      } catch {
        // closing regardless
      }
    }
    this.#drdy.close();
    this.#spi.close();
  }

  // ------------------------------------------------------------------ the sample path

  /** DRDY fell (edge interrupt): read the result, convert it, set up the next conversion, deliver. */
  #conversionReady(): void {
    if (this.#phase !== RUNNING || this.#inRead) return;
    // An edge handled late finds DRDY high again when its result was already read.
    if (this.#drdy.read() !== 0) return;
    this.#atUs = this.#clock.microseconds();
    this.#edges++;
    const rx = this.#rx;
    rx[0] = 0;
    rx[1] = 0;
    rx[2] = 0;
    this.#inRead = true;
    try {
      this.#spi.transfer(rx);
      this.#spi.flush(true);
    } catch (e) {
      this.#inRead = false;
      this.#report("nack", `reading the conversion result failed: ${message(e)}`);
      return;
    }
    this.#inRead = false;
    const code = codeFromBytes(rx[0]!, rx[1]!, rx[2]!);
    const slot = this.#slot;
    let delivered = false;
    if (slot === SLOT_STRAIN) {
      if (code >= CODE_MAX || code <= CODE_MIN) {
        this.#valid = false;
        this.#report("range", `strain input at full scale (code ${hex24(code)}): bridge open or shorted, or strain beyond the range of gain ${this.#gain}`);
      } else {
        const ratio = ratioFromCode(code, this.#gain) * this.#refOverExcitation;
        this.#code = code;
        this.#ratio = ratio;
        this.#microstrain = strainOfKind(this.#bridgeKind, this.#gaugeFactor, ratio);
        this.#count++;
        this.#valid = true;
        delivered = true;
      }
    } else if (slot === SLOT_TEMPERATURE) {
      this.#temperature = temperatureFromCode(code);
    } else if (code >= CODE_MAX) {
      this.#valid = false;
      this.#report("range", `bridge open: with the 10 µA burn-out sources on, the input reads positive full scale (${hex24(code)})`);
    }
    this.#nextSlot(slot);
    if (delivered) {
      this.#awaiting = false;
      if (this.#onSample) this.#onSample();
    }
  }

  /** After a conversion of kind `slot`: switch register 1 when the next conversion is of another kind. */
  #nextSlot(slot: number): void {
    let next = SLOT_STRAIN;
    if (slot === SLOT_STRAIN) {
      if (this.#temperatureEvery > 0 && --this.#temperatureIn <= 0) {
        this.#temperatureIn = this.#temperatureEvery;
        next = SLOT_TEMPERATURE;
      } else if (this.#openEvery > 0 && --this.#openIn <= 0) {
        this.#openIn = this.#openEvery;
        next = SLOT_BURNOUT;
      }
    }
    this.#slot = next;
    if (next !== slot) {
      const value = next === SLOT_TEMPERATURE ? this.#reg1Temperature[0]! : next === SLOT_BURNOUT ? this.#reg1Burnout[0]! : this.#regs[1]!;
      if (!this.#writeRegister1(value)) return;
    }
    // Single-shot: a check ran in place of the sample asked for; the strain conversion follows at once.
    if (this.#singleShot && this.#awaiting && slot !== SLOT_STRAIN) this.#command(CMD_START_SYNC, "START/SYNC");
  }

  #writeRegister1(value: number): boolean {
    const b = this.#write1;
    b[0] = wreg(1, 1);
    b[1] = value;
    try {
      this.#spi.transfer(b);
      this.#spi.flush(true);
      return true;
    } catch (e) {
      this.#report("nack", `WREG of register 1 failed: ${message(e)}`);
      return false;
    }
  }

  // ------------------------------------------------------------------ start-up and the watchdog

  /** Derived settings: register images, check cadence, watchdog period. */
  #apply(): void {
    const c = this.#config;
    encodeRegisters(registerFields(c, false, false), this.#regs);
    const scratch = new Uint8Array(4);
    this.#reg1Temperature[0] = encodeRegisters(registerFields(c, true, false), scratch)[1]!;
    this.#reg1Burnout[0] = encodeRegisters(registerFields(c, false, true), scratch)[1]!;
    this.#refOverExcitation = c.reference === "internal" ? INTERNAL_REFERENCE_VOLTS / c.excitationVolts : 1;
    this.#singleShot = c.conversion === "single-shot";
    this.#bridgeKind = bridgeKind(c.bridge);
    this.#gain = c.gain;
    this.#gaugeFactor = c.gaugeFactor;
    const dr = DATA_RATES[c.mode].indexOf(c.dataRate);
    const periodS = conversionUs(c.mode, dr, false) / 1e6;
    this.#temperatureEvery = c.temperatureS > 0 ? Math.max(1, Math.round(c.temperatureS / periodS)) : 0;
    this.#openEvery = c.openCheckS > 0 ? Math.max(1, Math.round(c.openCheckS / periodS)) : 0;
    this.#temperatureIn = this.#temperatureEvery;
    // The burn-out check half a period after the temperature, so the two gaps do not fall together.
    this.#openIn = this.#openEvery > 1 ? (this.#openEvery >> 1) + 1 : this.#openEvery;
    const guardMs = Math.max(100, Math.ceil((2 * conversionUs(c.mode, dr, true)) / 1000));
    if (guardMs !== this.#guardMs || !this.#guard) {
      this.#guardMs = guardMs;
      this.#timers.clear(this.#guard);
      this.#guard = this.#timers.set(() => this.#watch(), guardMs, guardMs);
    }
  }

  #begin(): void {
    this.#phase = POWER_UP;
    this.#valid = false;
    this.#timers.clear(this.#timer);
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      if (this.#phase === CLOSED) return;
      if (!this.#command(CMD_RESET, "RESET")) return this.#absent();
      this.#phase = RESETTING;
      this.#timer = this.#timers.set(() => {
        this.#timer = undefined;
        if (this.#phase !== CLOSED) this.#writeConfiguration(false);
      }, STEP_MS);
    }, STEP_MS);
  }

  /** WREG all four registers, check them with RREG, then start (continuous) or wait for `measure()`. */
  #writeConfiguration(restart: boolean): void {
    const io = this.#regIo;
    io[0] = wreg(0, 4);
    io.set(this.#regs, 1);
    try {
      this.#spi.transfer(io);
      this.#spi.flush(true);
      io[0] = rreg(0, 4);
      io.fill(0, 1);
      this.#spi.transfer(io);
      this.#spi.flush(true);
    } catch (e) {
      this.#report("nack", `writing the configuration failed: ${message(e)}`);
      return this.#absent();
    }
    const r = this.#regs;
    if (io[1] !== r[0] || io[2] !== r[1] || io[3] !== r[2] || io[4] !== r[3]) {
      this.#report("identity", `no ADS1220 answers: registers read back ${hexBytes(io, 1)} after writing ${hexBytes(r, 0)} (chip absent, CS or MISO not wired, or not SPI mode 1)`);
      return this.#absent();
    }
    this.#phase = RUNNING;
    this.#slot = SLOT_STRAIN;
    this.#missed = 0;
    this.#edgesAtTick = this.#edges;
    if (!this.#singleShot || this.#awaiting) this.#command(CMD_START_SYNC, "START/SYNC");
    if (restart) this.#valid = false;
  }

  #absent(): void {
    if (this.#phase === CLOSED) return;
    this.#phase = ABSENT;
    this.#ticksAbsent = 0;
  }

  /** Every guard period: retry an absent chip; report and restart a DRDY that stopped. */
  #watch(): void {
    if (this.#phase === ABSENT) {
      if (++this.#ticksAbsent * this.#guardMs >= RETRY_MS) this.#begin();
      return;
    }
    if (this.#phase !== RUNNING) return;
    const expecting = !this.#singleShot || this.#awaiting;
    if (expecting && this.#edges === this.#edgesAtTick) {
      if (++this.#missed >= MISSED_TICKS) {
        this.#report("timeout", `DRDY did not fall for ${this.#missed * this.#guardMs} ms with conversions running: DRDY not wired, or the chip reset (brown-out); starting over`);
        this.#begin();
      }
    } else {
      this.#missed = 0;
    }
    this.#edgesAtTick = this.#edges;
  }

  // ------------------------------------------------------------------ helpers

  #command(cmd: number, what: string): boolean {
    try {
      this.#transfer1(cmd);
      return true;
    } catch (e) {
      this.#report("nack", `${what} (0x${cmd.toString(16).padStart(2, "0")}) failed: ${message(e)}`);
      return false;
    }
  }

  #transfer1(cmd: number): void {
    this.#cmd[0] = cmd;
    this.#spi.transfer(this.#cmd);
    this.#spi.flush(true);
  }

  #report(kind: SensorErrorKind, text: string): void {
    this.#errors.report(new SensorError(this.#part, kind, text));
  }

  #assertOpen(): void {
    if (this.#phase === CLOSED) throw new Error(`${this.#part}: closed`);
  }
}

function hex24(code: number): string {
  return (code & 0xffffff).toString(16).padStart(6, "0") + "h";
}

function hexBytes(b: Uint8Array, from: number): string {
  let s = "";
  for (let i = from; i < from + 4; i++) s += (i > from ? " " : "") + b[i]!.toString(16).padStart(2, "0");
  return s;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
