/**
 * TI ADS1220 as an SPI target with a strain-gauge bridge on its inputs: command decoder, the four configuration
 * registers, conversions in virtual time with the DRDY pin, and codes computed from the world's strain.
 *
 * - Commands (registers.ts): one CS-framed transaction at a time, decoded byte by byte as the chip does (full duplex:
 *   a command can be sent while data are clocked out). RESET restores the registers (all 00h) and ignores the
 *   interface for 50 µs + 32·t(CLK); START/SYNC starts (or restarts) a conversion, single-shot or continuous by CM,
 *   and closes the low-side switch when PSW = 1; POWERDOWN stops conversions and opens it; RDATA and RREG output on
 *   the bytes after them, during which nothing is decoded; WREG writes its registers once all of them have arrived
 *   (a transaction that ends early loses the write: `incompleteCommands`), and restarts a conversion under way.
 *   Bytes sent during power-up or a reset are ignored (`ignored`); unknown command bytes do nothing.
 * - Data: without a command the chip shifts out its output buffer (the direct read). Read before DRDY falls, that is
 *   the previous result again (`staleReads`; a read is a word clocked out with no command going in, or after RDATA). A byte takes 8/sclkHz: when a conversion ends during a read the buffer
 *   is reloaded under the shift register and the bits clocked after that instant come from the new result, a torn
 *   word (`tornReads`) — the model's reading of "reading data while they are updated corrupts them". Any SCLK
 *   returns DRDY high; unread data in continuous mode make DRDY pulse high for 2·t(MOD) before the next fall.
 *   A transaction in an SPI mode other than 1 shifts every bit read by one (`badSpiMode`) and decodes no command.
 * - Timing (registers.ts `conversionUs`): the first conversion after START/SYNC or a register write takes the
 *   single-shot time, later ones the continuous period; single-shot mode stops after one.
 * - Inputs: the bridge's output nodes sit on `inputs` (AINP, AINN): Vex·(1 ± r)/2 with r = Vout/Vex from the world's
 *   strain (parts/strain-bridge/bridge.ts), sampled at the middle of each conversion; other analog pins read 0 V.
 *   The reference is 2.048 V, the excitation on REFP0/REFN0, AVDD, or REFP1/REFN1 (AIN0/AIN3). code =
 *   round(Vin·gain/VREF·2^23) clipped to 800000h…7FFFFFh; no reference (< 0.1 V) rails. Single-ended inputs and
 *   the monitors bypass the PGA (gain at most 4 single-ended, 1 for the monitors), the shorted input reads 0.
 *   TS = 1 measures the die temperature (14 bits, left-justified). BCS = 1 adds 10 µA out of AINP and into AINN:
 *   +10 µA·R to a connected bridge's output (each output node sees R/2), positive full scale on an open one.
 *   `fault = "open"` disconnects the bridge: without BCS the open inputs hold their last voltage and wander slowly
 *   (seeded), so only the burn-out check reveals it.
 * - Noise: Gaussian, seeded, input-referred. The datasheet's noise table was not among the sources read; the model
 *   uses its front-page figure, 90 nV RMS at 20 SPS (gain 128), scaled by √(−3 dB bandwidth) of the configured
 *   rate, the same at every gain (right for the high gains a bridge needs, optimistic at gains 1–4).
 * - Supply: the bridge's excitation current, Vex / R (a full bridge of four arms R is R from excitation to ground;
 *   half and quarter bridges are completed with arms of R), while the bridge is powered: always when it is wired
 *   to AVSS, only while the low-side switch is closed when it is wired through it (`switchedBridge`, the part's
 *   `lowSideSwitch` option). `residency()` gives its time and charge for the energy estimate (3.3 V over 350 Ω is
 *   9.4 mA, far above the MCU's average).
 * Not modelled: offset and gain errors, the IDACs' effect, duty-cycle mode's power-down, the SPI timeout, the
 * converter's own supply current (the datasheet's table was not among the sources read: left out of the energy
 * estimate, which says so).
 */
import type { Engine, Micros } from "../../simulator/core/engine.js";
import { Scheduled } from "../../simulator/core/engine.js";
import type { SPITarget } from "../../simulator/core/buses/spi.js";
import type { DigitalLine } from "../../simulator/core/io/lines.js";
import { Rng, deriveSeed, splineNoise } from "../../simulator/core/rng.js";
import { bridgeRatio, type BridgeType } from "../strain-bridge/bridge.js";
import {
  BANDWIDTH_HZ,
  BURNOUT_AMPS,
  CODE_MAX,
  CODE_MIN,
  DIFFERENTIAL_INPUTS,
  DRDY_PULSE_MOD,
  INTERNAL_REFERENCE_VOLTS,
  MUX_AVDD_MONITOR,
  MUX_PINS,
  MUX_REF_MONITOR,
  MUX_SETTINGS,
  MUX_SHORTED,
  POWER_UP_US,
  REGISTER_COUNT,
  RESET_US,
  SPI_MODE,
  codeFromTemperature,
  commandOf,
  conversionUs,
  decodeRegisters,
  modulatorPeriodUs,
  type DifferentialInputs,
  type OperatingMode,
} from "./registers.js";

/** Input-referred noise, V RMS, at 20 SPS and gain 128 (SBAS501 front page: 90 nV RMS at 20 SPS). */
export const NOISE_VOLTS_RMS_20SPS = 90e-9;

export interface ADS1220ModelOptions {
  engine: Engine;
  drdy: DigitalLine;
  /** The world's strain at the gauges, µε, at virtual time t. */
  strain: (t: Micros) => number;
  /** The die temperature, °C, at virtual time t (the TS conversion). */
  temperature: (t: Micros) => number;
  gaugeFactor?: number;
  bridge?: BridgeType;
  /** Bridge excitation, V: on REFP0/REFN0 too (default 3.3). */
  excitationVolts?: number;
  /** AVDD, V (default: the excitation, a bridge fed from the analog supply). */
  avddVolts?: number;
  /** One bridge arm, Ω (default 350). */
  bridgeOhms?: number;
  /** Where the bridge's output is wired (default AIN1–AIN2). */
  inputs?: DifferentialInputs;
  /** The bridge's low side goes through the low-side switch (AIN3/REFN1 to AVSS), so it draws only while closed (default false: wired to AVSS). */
  switchedBridge?: boolean;
  /** The SCLK the driver uses, Hz: how long each byte of a transaction takes (default 1 MHz). */
  sclkHz?: number;
  /** Noise seed (default 1). */
  seed?: number;
  /** Input-referred noise, V RMS, for a configuration (default: see the file comment); 0 for none. */
  noiseVoltsRms?: (mode: OperatingMode, dataRateCode: number, gain: number) => number;
}

export type ADS1220Fault = "open" | undefined;

/** The engine event of a conversion's end (or DRDY's pre-fall pulse): reused while the conversions run on. */
class Tick extends Scheduled {
  constructor(
    readonly gen: number,
    readonly fire: (tick: Tick) => void,
  ) {
    super();
  }
  run(): void {
    this.fire(this);
  }
}

const TWO23 = 8388608;

export class ADS1220Model implements SPITarget {
  readonly #engine: Engine;
  readonly #drdy: DigitalLine;
  readonly #o: Required<Omit<ADS1220ModelOptions, "engine" | "drdy" | "noiseVoltsRms">>;
  readonly #noise: (mode: OperatingMode, dataRateCode: number, gain: number) => number;
  readonly #rng: Rng;
  readonly #driftSeed: number;
  readonly #byteUs: number;
  readonly #pins: readonly [number, number];

  /** Disconnect the bridge ("open"); undefined: connected. */
  fault: ADS1220Fault;

  // ---------------------------------------------------------------- counters
  transactions = 0;
  conversions = 0;
  staleReads = 0;
  tornReads = 0;
  badSpiMode = 0;
  ignored = 0;
  incompleteCommands = 0;
  /** Conversions restarted by START/SYNC or a register write before they ended. */
  restarts = 0;

  // ---------------------------------------------------------------- chip state
  readonly #regs = new Uint8Array(REGISTER_COUNT);
  #readyAt: Micros;
  #running: "off" | "single" | "continuous" = "off";
  #gen = 0;
  #convStart = 0;
  #convEnd = 0;
  /** Whether the conversion running was started by a command (its end starts the converter's clock on DRDY). */
  #clockStarted = false;
  #tick: Tick | undefined;
  #pulse: Tick | undefined;
  #out = 0;
  #newData = false;
  #switchClosed = false;
  /** A conversion result computed early (a read it tears), kept for its end event. */
  #earlyEnd = NaN;
  #earlyCode = 0;
  #openSince = NaN;
  #openVolts = 0;
  /** Since when the bridge draws its excitation current (NaN: not now), and for how long it has before. */
  #excitedSince = NaN;
  #excitedUs = 0;
  readonly #bornAt: Micros;

  constructor(options: ADS1220ModelOptions) {
    this.#engine = options.engine;
    this.#bornAt = options.engine.now;
    this.#drdy = options.drdy;
    const excitation = options.excitationVolts ?? 3.3;
    this.#o = {
      strain: options.strain,
      temperature: options.temperature,
      gaugeFactor: options.gaugeFactor ?? 2.0,
      bridge: options.bridge ?? "full",
      excitationVolts: excitation,
      avddVolts: options.avddVolts ?? excitation,
      bridgeOhms: options.bridgeOhms ?? 350,
      inputs: options.inputs ?? "AIN1-AIN2",
      switchedBridge: options.switchedBridge ?? false,
      sclkHz: options.sclkHz ?? 1_000_000,
      seed: options.seed ?? 1,
    };
    if (!DIFFERENTIAL_INPUTS.includes(this.#o.inputs)) throw new RangeError(`ads1220 model: inputs must be one of ${DIFFERENTIAL_INPUTS.join(", ")}, got ${String(this.#o.inputs)}`);
    if (!(this.#o.sclkHz > 0)) throw new RangeError(`ads1220 model: sclkHz must be > 0, got ${String(this.#o.sclkHz)}`);
    this.#pins = MUX_PINS[MUX_SETTINGS.indexOf(this.#o.inputs)]!;
    this.#noise = options.noiseVoltsRms ?? defaultNoise;
    this.#rng = new Rng(deriveSeed(this.#o.seed, "ads1220/noise"));
    this.#driftSeed = deriveSeed(this.#o.seed, "ads1220/open-drift");
    this.#byteUs = 8e6 / this.#o.sclkHz;
    this.#drdy.driven = true;
    this.#drdy.set(1);
    this.#readyAt = this.#engine.now + POWER_UP_US;
    this.#excite(this.#engine.now);
  }

  /** The bridge draws current unless its low side is wired through the switch and the switch is open. */
  #excite(at: Micros): void {
    const on = !this.#o.switchedBridge || this.#switchClosed;
    if (on && this.#excitedSince !== this.#excitedSince) this.#excitedSince = at;
    else if (!on && this.#excitedSince === this.#excitedSince) {
      this.#excitedUs += at - this.#excitedSince;
      this.#excitedSince = NaN;
    }
  }

  /** Time with the bridge excited and not, since power-on, and the charge it drew (for the energy estimate). */
  residency(): { state: string; milliamps: number; us: number; milliampSeconds: number }[] {
    const now = this.#engine.now;
    const excitedUs = this.#excitedUs + (this.#excitedSince === this.#excitedSince ? now - this.#excitedSince : 0);
    const milliamps = (1000 * this.#o.excitationVolts) / this.#o.bridgeOhms;
    return [
      { state: "bridge excited", milliamps, us: excitedUs, milliampSeconds: (milliamps * excitedUs) / 1e6 },
      { state: "bridge off", milliamps: 0, us: now - this.#bornAt - excitedUs, milliampSeconds: 0 },
    ];
  }

  // ---------------------------------------------------------------- observation

  /** The four configuration registers (a copy). */
  registers(): Uint8Array {
    return this.#regs.slice();
  }

  /** Conversions running: "off", "single" or "continuous". */
  get running(): "off" | "single" | "continuous" {
    return this.#running;
  }

  /** The low-side power switch (AIN3/REFN1 to AVSS) is closed. */
  get lowSideSwitchClosed(): boolean {
    return this.#switchClosed;
  }

  /** The output buffer: the last conversion result. */
  get lastCode(): number {
    return this.#out;
  }

  /** Virtual time the running conversion ends (NaN when none runs). */
  get conversionEndsAt(): number {
    return this.#running === "off" ? NaN : this.#convEnd;
  }

  // ---------------------------------------------------------------- SPI

  exchange(tx: Uint8Array, mode: number): Uint8Array {
    const now = this.#engine.now;
    const n = tx.length;
    const rx = new Uint8Array(n).fill(0xff);
    this.transactions++;
    if (now < this.#readyAt) {
      this.ignored++;
      return rx;
    }
    // Any SCLK returns DRDY high.
    if (n > 0 && this.#drdy.level === 0) this.#drdy.set(1);
    const badMode = mode !== SPI_MODE;
    if (badMode) this.badSpiMode++;

    // A conversion ending during this transaction reloads the output buffer at that bit.
    const bitUs = this.#byteUs / 8;
    const old = this.#out;
    let tornBit = Infinity;
    let fresh = old;
    if (this.#running !== "off" && this.#convEnd > now && this.#convEnd < now + n * this.#byteUs) {
      tornBit = Math.floor((this.#convEnd - now) / bitUs);
      fresh = this.#earlyResult();
    }
    const wasNew = this.#newData;

    let dataAt = 0; // byte index where the data word being shifted out starts (-1: none)
    let dataBitsRead = 0;
    /** A command went in while the direct-read word came out: the word was not what the host was reading. */
    let commandDuringWord = false;
    let torn = false;
    let regNext = 0;
    let regLeft = 0;
    let skip = 0;
    let wregFirst = -1;
    let wregCount = 0;
    let wregGot = 0;
    const wregBytes = new Uint8Array(REGISTER_COUNT);
    let stop = false;

    for (let i = 0; i < n; i++) {
      // What DOUT shifts out during byte i.
      if (regLeft > 0) {
        rx[i] = regNext < REGISTER_COUNT ? this.#regs[regNext]! : 0xff;
        regNext++;
        regLeft--;
      } else if (dataAt >= 0 && i - dataAt < 3) {
        let byte = 0;
        const k = i - dataAt;
        for (let b = 0; b < 8; b++) {
          const bitTime = i * 8 + b;
          const word = bitTime >= tornBit ? fresh : old;
          if (bitTime >= tornBit && fresh !== old) torn = true;
          byte = (byte << 1) | ((word >> (23 - (k * 8 + b))) & 1);
        }
        rx[i] = byte;
        dataBitsRead += 8;
      } else {
        rx[i] = 0xff;
      }
      if (stop || badMode) continue;
      // What DIN shifts in during byte i.
      const b = tx[i]!;
      if (wregFirst >= 0) {
        wregBytes[wregGot++] = b;
        if (wregGot === wregCount) {
          this.#writeRegisters(wregFirst, wregBytes, wregCount, now + (i + 1) * this.#byteUs);
          wregFirst = -1;
        }
        continue;
      }
      if (skip > 0) {
        skip--;
        continue;
      }
      const at = now + (i + 1) * this.#byteUs;
      const kind = commandOf(b);
      if (kind !== "none" && dataAt === 0 && i < 3) commandDuringWord = true;
      switch (kind) {
        case "reset":
          this.#reset(at);
          stop = true;
          break;
        case "start":
          this.#start(at);
          break;
        case "powerdown":
          this.#powerDown(at);
          break;
        case "rdata":
          // Aborts a direct read under way; the word starts again on the next byte.
          if (dataAt >= 0 && i - dataAt < 2) dataBitsRead = 0;
          dataAt = i + 1;
          commandDuringWord = false;
          skip = 3;
          break;
        case "rreg":
          dataAt = -1;
          regNext = (b >> 2) & 3;
          regLeft = (b & 3) + 1;
          skip = regLeft;
          break;
        case "wreg":
          wregFirst = (b >> 2) & 3;
          wregCount = (b & 3) + 1;
          wregGot = 0;
          break;
        case "none":
          break;
      }
    }
    if (wregFirst >= 0) this.incompleteCommands++;
    if (dataBitsRead >= 24 && !commandDuringWord) {
      if (!wasNew && !torn) this.staleReads++;
      if (torn) this.tornReads++;
      this.#newData = false;
    }
    if (badMode) {
      // Sampled on the wrong edge: every bit arrives one late, the first one lost.
      for (let i = 0; i < n; i++) rx[i] = ((rx[i]! << 1) | (i + 1 < n ? rx[i + 1]! >> 7 : 1)) & 0xff;
    }
    return rx;
  }

  // ---------------------------------------------------------------- commands

  #reset(at: Micros): void {
    this.#stop();
    this.#regs.fill(0);
    this.#out = 0;
    this.#newData = false;
    this.#switchClosed = false;
    this.#excite(at);
    this.#readyAt = at + RESET_US;
  }

  #start(at: Micros): void {
    const f = decodeRegisters(this.#regs);
    if (this.#running !== "off") this.restarts++;
    this.#running = f.continuous ? "continuous" : "single";
    if (f.lowSideSwitch) this.#switchClosed = true;
    this.#excite(at);
    this.#schedule(at, true);
  }

  #powerDown(at: Micros): void {
    this.#stop();
    this.#switchClosed = false;
    this.#excite(at);
  }

  #stop(): void {
    this.#running = "off";
    this.#gen++;
    this.#tick = undefined;
    this.#pulse = undefined;
    this.#earlyEnd = NaN;
  }

  #writeRegisters(first: number, bytes: Uint8Array, count: number, at: Micros): void {
    for (let k = 0; k < count && first + k < REGISTER_COUNT; k++) {
      // Register 3 bit 0 is reserved: always 0.
      this.#regs[first + k] = first + k === 3 ? bytes[k]! & 0xfe : bytes[k]!;
    }
    if (this.#running !== "off") {
      // Writing a register during a conversion restarts it (with CM as now written).
      this.restarts++;
      this.#running = decodeRegisters(this.#regs).continuous ? "continuous" : "single";
      this.#schedule(at, true);
    }
  }

  // ---------------------------------------------------------------- conversions

  /** A conversion from `start`: a fresh event generation, its end, and DRDY's pre-fall pulse when continuous. */
  #schedule(start: Micros, first: boolean): void {
    this.#gen++;
    this.#earlyEnd = NaN;
    const f = decodeRegisters(this.#regs);
    this.#convStart = start;
    this.#convEnd = start + conversionUs(f.mode, f.dataRateCode, first);
    this.#clockStarted = first;
    const gen = this.#gen;
    this.#tick = new Tick(gen, (t) => this.#conversionEnd(t));
    this.#pulse = new Tick(gen, (t) => this.#drdyPulse(t));
    this.#engine.schedule(this.#tick, this.#convEnd);
  }

  #conversionEnd(tick: Tick): void {
    if (tick.gen !== this.#gen || this.#running === "off") return;
    const end = this.#convEnd;
    this.#out = end === this.#earlyEnd ? this.#earlyCode : this.#convert(this.#convStart, end);
    this.#earlyEnd = NaN;
    this.conversions++;
    this.#newData = true;
    if (this.#running === "single") {
      this.#running = "off";
    } else {
      const f = decodeRegisters(this.#regs);
      this.#convStart = end;
      this.#convEnd = end + conversionUs(f.mode, f.dataRateCode, false);
      this.#engine.schedule(tick, this.#convEnd);
      // The pulse event has run (it comes before each end), so it can be scheduled again.
      this.#engine.schedule(this.#pulse!, this.#convEnd - DRDY_PULSE_MOD * modulatorPeriodUs(f.mode));
    }
    // Last: a driver reads in this edge's callback, re-entering the model. The first conversion after a command
    // starts the converter's clock; later ones keep it, however late the device read the one before.
    const timing = this.#clockStarted ? "clock-start" : "clock";
    this.#clockStarted = false;
    this.#drdy.set(0, timing);
  }

  /** 2·t(MOD) before the next result: unread data make DRDY pulse high. */
  #drdyPulse(tick: Tick): void {
    if (tick.gen !== this.#gen) return;
    if (this.#drdy.level === 0) this.#drdy.set(1, "clock");
  }

  /** The running conversion's result, computed before its end because a read is tearing it. */
  #earlyResult(): number {
    if (this.#earlyEnd !== this.#convEnd) {
      this.#earlyCode = this.#convert(this.#convStart, this.#convEnd);
      this.#earlyEnd = this.#convEnd;
    }
    return this.#earlyCode;
  }

  /** The code of a conversion over [start, end] with the registers as they are now. */
  #convert(start: Micros, end: Micros): number {
    const t = (start + end) / 2;
    const r = this.#regs;
    const f = decodeRegisters(r);
    if (f.temperatureSensor) return codeFromTemperature(this.#o.temperature(t));
    const mux = f.mux;
    let gain: number = f.gain;
    let vin: number;
    const vref = this.#reference(f.reference, t);
    if (mux === MUX_REF_MONITOR) {
      gain = 1;
      vin = vref / 4;
    } else if (mux === MUX_AVDD_MONITOR) {
      gain = 1;
      vin = this.#o.avddVolts / 4;
    } else if (mux === MUX_SHORTED || mux > MUX_SHORTED) {
      vin = 0;
    } else {
      const [p, q] = MUX_PINS[mux]!;
      if (q < 0) {
        // Single-ended: PGA bypassed, gains above 4 limited to 4.
        if (gain > 4) gain = 4;
        vin = this.#node(p, t, f.burnout);
      } else {
        vin = this.#node(p, t, f.burnout) - this.#node(q, t, f.burnout);
      }
    }
    const sigma = this.#noise(f.mode, f.dataRateCode, f.gain);
    if (sigma > 0) vin += this.#rng.normal(0, sigma);
    if (!(vref >= 0.1)) return vin < 0 ? CODE_MIN : CODE_MAX;
    const c = Math.round(((vin * gain) / vref) * TWO23);
    return c > CODE_MAX ? CODE_MAX : c < CODE_MIN ? CODE_MIN : c;
  }

  #reference(source: string, t: Micros): number {
    switch (source) {
      case "internal":
        return INTERNAL_REFERENCE_VOLTS;
      case "refp0":
        return this.#o.excitationVolts;
      case "avdd":
        return this.#o.avddVolts;
      default:
        // REFP1/REFN1 are AIN0 and AIN3.
        return this.#node(0, t, false) - this.#node(3, t, false);
    }
  }

  /** The voltage at analog pin `pin` (0…3): a bridge output node, or 0 V. */
  #node(pin: number, t: Micros, burnout: boolean): number {
    const [p, q] = this.#pins;
    if (pin !== p && pin !== q) return 0;
    const vex = this.#o.excitationVolts;
    const plus = pin === p;
    if (this.fault === "open") {
      if (burnout) return plus ? this.#o.avddVolts : 0;
      return this.#floating(t, plus, vex);
    }
    this.#openSince = NaN;
    const half = (vex * bridgeRatio(this.#o.bridge, this.#o.gaugeFactor, this.#o.strain(t))) / 2;
    // Each output node of the bridge sees R/2; the burn-out sources push AINP up and pull AINN down.
    const bcs = burnout ? (BURNOUT_AMPS * this.#o.bridgeOhms) / 2 : 0;
    return plus ? vex / 2 + half + bcs : vex / 2 - half - bcs;
  }

  /** An open input without burn-out current: the last voltage, held on the input capacitance, wandering slowly. */
  #floating(t: Micros, plus: boolean, vex: number): number {
    if (this.#openSince !== this.#openSince) {
      this.#openSince = t;
      this.#openVolts = (vex * bridgeRatio(this.#o.bridge, this.#o.gaugeFactor, this.#o.strain(t))) / 2;
    }
    const wander = 20e-6 * splineNoise(this.#driftSeed, (t - this.#openSince) / 10e6);
    return plus ? vex / 2 + this.#openVolts + wander : vex / 2 - this.#openVolts;
  }
}

/** 90 nV RMS at 20 SPS scaled by √(−3 dB bandwidth ratio); the same at every gain. */
function defaultNoise(mode: OperatingMode, dataRateCode: number, _gain: number): number {
  const bw = BANDWIDTH_HZ[mode][dataRateCode < 7 ? dataRateCode : 6]!;
  return NOISE_VOLTS_RMS_20SPS * Math.sqrt(bw / BANDWIDTH_HZ.normal[0]!);
}
