/**
 * Avia HX711 24-bit bridge ADC on two GPIOs (PD_SCK out, DOUT in), ECMA-419 Sensor Class Pattern.
 *
 * Ready is an edge, not a poll: DOUT falls when a conversion is ready and its falling-edge interrupt reads it. A
 * repeating watchdog timer covers the one case without an edge — DOUT already low because a conversion was left
 * unread — and reports a DOUT that never goes low (chip absent or unpowered, DOUT not wired).
 *
 * The read is a pulse train of 25, 26 or 27 PD_SCK pulses (24 bits MSB first, then 1–3 pulses that select channel
 * A/128, B/32 or A/64 for the next conversion), made by the host's native ClockedSerial (hal/io.ts) inside that callback:
 * one host call, the pulses in C with interrupts held off, so the train costs the device one call rather than 75–81
 * GPIO calls and 26–28 clock reads from JavaScript. It does not spread the pulses over timers: PD_SCK low time has no
 * maximum, but 25–27 pulses must fit one conversion period (12.5 ms at 80 SPS) and a host timer's tick is 1 ms.
 *
 * T3, the PD_SCK high time, is 0.2–50 µs; past 60 µs the chip powers down and resets to A/128. When the driver made
 * the pulses from JavaScript, an interrupt could land inside any high phase, so it read the clock after every pulse
 * and blamed the span since the previous read. In C inside a critical section a high phase lasts its delay and a few
 * instructions, so no interrupt can stretch it; what is left is what the driver cannot rule out from here (a
 * non-maskable interrupt, a flash-cache stall, a host that does not hold interrupts off): the native measures each
 * pulse itself around its rising and falling edge (`highUs`, an upper bound), and the driver still throws the reading
 * away as a "state" error when it exceeds 50 µs and waits out the settling time before trusting the chip again.
 *
 * Readings are discarded, not delivered, while the chip settles: 4 conversions (400 ms at 10 SPS, 50 ms at 80 SPS)
 * after start-up, a reset, or a change of channel or gain, and while the conversion read was on another input than
 * the one configured (after a reset the chip converts A/128 until a read selects otherwise). A code at either limit
 * (800000h, 7FFFFFh) is a "range" error: the input is saturated — the bridge is open or strained beyond the range.
 *
 * The sample path (DOUT edge → pulse train → convert → `onSample`) allocates nothing; `readInto(out)` copies the
 * numbers out, `sample()` returns a new object for report time.
 */
import type { Clock, TimerHandle, Timers } from "../../hal/host.js";
import type { ClockedSerial, ClockedSerialClass, Digital, DigitalClass } from "../../hal/io.js";
import { SensorError, type ErrorReporter, type Sensor, type SensorErrorKind } from "../../hal/sensor.js";
import { bindCallbacks, checkPins, mergeConfig } from "../strain-bridge/driver-common.js";
import { bridgeKind, strainOfKind, type StrainReading, type StrainSample } from "../strain-bridge/bridge.js";
import { HX711_DEFAULTS, validateConfig, type HX711Config } from "./config.js";
import { CODE_MAX, CODE_MIN, GAIN, HIGH_MAX_US, PULSES, SETTLING_MS, ratioFromCode, signed24 } from "./protocol.js";

export type { HX711Config } from "./config.js";
export type { StrainReading, StrainSample } from "../strain-bridge/bridge.js";

export interface HX711Pins {
  /** PD_SCK: serial clock and power-down control (output). */
  pdSck: number;
  /** DOUT: serial data and data ready (input, driven by the chip). */
  dout: number;
}

export interface HX711Options {
  /** `host.io.Digital`: DOUT's ready edge. */
  digital: DigitalClass;
  /** `host.io.ClockedSerial`: PD_SCK, and the pulse train that reads DOUT. */
  serial: ClockedSerialClass;
  pins: HX711Pins;
  timer: Timers;
  /** The host clock: `microseconds()` dates each read (settling). */
  clock: Clock;
  /** Part options; missing ones take HX711_DEFAULTS. */
  config?: Partial<HX711Config>;
  onSample?: (this: HX711) => void;
  onError?: (this: HX711, error: SensorError) => void;
}

export class HX711 implements Sensor<StrainSample, HX711Config> {
  readonly #sck: ClockedSerial;
  readonly #dout: Digital;
  readonly #timers: Timers;
  readonly #clock: Clock;
  readonly #errors: ErrorReporter;
  readonly #onSample: (() => void) | undefined;
  readonly #part: string;

  #config: Readonly<HX711Config>;
  #pulses: number = 25;
  #gain = 128;
  #settlingUs = 0;
  #guard: TimerHandle | undefined;
  #guardMs = 0;
  #closed = false;
  #asleep = false;
  #inTrain = false;
  /**
   * The input the chip converts now, as its pulse count (25: A/128 after a reset; then what the last complete read
   * selected). A number, not the input's name: it is compared on every read, and on XS comparing strings allocates.
   */
  #chipPulses: number = PULSES.A128;
  #bridgeKind = 0;
  #gaugeFactor = 2;
  /** Readings taken before this are not settled (clock µs). */
  #settledAtUs = 0;
  #reads = 0;
  #readsAtTick = 0;
  #silentTicks = 0;
  #timedOut = false;
  /** Reads thrown away because a PD_SCK pulse was too long. */
  timingViolations = 0;

  #valid = false;
  #code = 0;
  #ratio = 0;
  #microstrain = 0;
  #atUs = 0;
  #count = 0;

  constructor(options: HX711Options) {
    if (!options || typeof options !== "object") throw new TypeError("hx711: options object required");
    const { digital, serial, pins, timer, clock } = options;
    if (!digital || !serial || !pins || !timer || !clock) throw new TypeError("hx711: digital, serial, pins, timer and clock are required");
    checkPins("hx711", pins, ["pdSck", "dout"]);
    this.#config = mergeConfig("hx711", HX711_DEFAULTS, options.config, validateConfig);
    this.#part = `hx711@dout${pins.dout}`;
    this.#timers = timer;
    this.#clock = clock;
    const bound = bindCallbacks(this, timer, options.onSample, options.onError, () => this.#closed);
    this.#errors = bound.errors;
    this.#onSample = bound.onSample;
    this.#sck = new serial({ clock: pins.pdSck, data: pins.dout });
    this.#dout = new digital({ pin: pins.dout, mode: digital.Input, edge: digital.Falling, onReadable: () => this.#read() });
    this.#apply();
    // PD_SCK low: normal operation; if it had been high > 60 µs the chip was powered down and now resets.
    this.#sck.write(0);
    this.#chipReset();
  }

  // ------------------------------------------------------------------ Sensor Class Pattern

  configure(options: Partial<HX711Config>): void {
    this.#assertOpen();
    this.#config = mergeConfig(this.#part, this.#config, options, validateConfig);
    this.#apply();
  }

  sample(): StrainSample | undefined {
    this.#assertOpen();
    if (!this.#valid) return undefined;
    return { strainGauge: { strain: this.#microstrain, ratio: this.#ratio, code: this.#code } };
  }

  /** Copy the latest sample into `out` (no allocation; no temperature: NaN); false when there is none. */
  readInto(out: StrainReading): boolean {
    if (!this.#valid) return false;
    out.microstrain = this.#microstrain;
    out.ratio = this.#ratio;
    out.code = this.#code;
    out.atUs = this.#atUs;
    out.temperature = NaN;
    out.count = this.#count;
    return true;
  }

  get microstrain(): number {
    return this.#microstrain;
  }

  get count(): number {
    return this.#count;
  }

  /** Hold PD_SCK high: the chip (and a bridge on its regulator) powers down after 60 µs. */
  powerDown(): void {
    this.#assertOpen();
    if (this.#asleep) return;
    this.#asleep = true;
    this.#valid = false;
    this.#sck.write(1);
  }

  /** PD_SCK low again: the chip resets (channel A, gain 128) and settles before the next sample. */
  powerUp(): void {
    this.#assertOpen();
    if (!this.#asleep) return;
    this.#asleep = false;
    this.#sck.write(0);
    this.#chipReset();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.clear(this.#guard);
    this.#guard = undefined;
    this.#dout.close();
    this.#sck.close();
  }

  // ------------------------------------------------------------------ the sample path

  /** DOUT fell (or the watchdog found it low): clock the result out. */
  #read(): void {
    // The data bits themselves toggle DOUT during the train: those edges are not a new conversion.
    if (this.#inTrain || this.#closed || this.#asleep) return;
    const dout = this.#dout;
    if (dout.read() !== 0) return;
    const sck = this.#sck;
    const pulses = this.#pulses;
    const atUs = this.#clock.microseconds();
    let v = 0;
    this.#inTrain = true;
    try {
      v = sck.read(24, pulses - 24);
    } finally {
      this.#inTrain = false;
    }
    this.#reads++;
    const longest = sck.highUs;
    if (longest > HIGH_MAX_US) {
      this.timingViolations++;
      this.#valid = false;
      this.#chipReset();
      this.#report(
        "state",
        `PD_SCK stayed high ${longest} µs during a read (at most ${HIGH_MAX_US} µs; beyond 60 µs the chip powers down and resets): reading discarded, settling ${this.#settlingUs / 1000} ms`,
      );
      return;
    }
    const convertedOn = this.#chipPulses;
    this.#chipPulses = pulses;
    if (convertedOn !== pulses) {
      // This read's pulses switched the input: the filter settles from now.
      this.#settledAtUs = atUs + this.#settlingUs;
      return;
    }
    if (atUs < this.#settledAtUs) return;
    const code = signed24(v);
    if (code >= CODE_MAX || code <= CODE_MIN) {
      this.#valid = false;
      this.#report("range", `input saturated (code ${(code & 0xffffff).toString(16).padStart(6, "0")}h): bridge open or strained beyond ±0.5·AVDD/${this.#gain}`);
      return;
    }
    const ratio = ratioFromCode(code, this.#gain);
    this.#code = code;
    this.#ratio = ratio;
    this.#microstrain = strainOfKind(this.#bridgeKind, this.#gaugeFactor, ratio);
    this.#atUs = atUs;
    this.#count++;
    this.#valid = true;
    this.#timedOut = false;
    if (this.#onSample) this.#onSample();
  }

  // ------------------------------------------------------------------ state

  #apply(): void {
    const c = this.#config;
    this.#pulses = PULSES[c.input];
    this.#gain = GAIN[c.input];
    this.#settlingUs = SETTLING_MS[c.rate] * 1000;
    this.#bridgeKind = bridgeKind(c.bridge);
    this.#gaugeFactor = c.gaugeFactor;
    const guardMs = Math.ceil(2500 / c.rate);
    if (guardMs !== this.#guardMs || !this.#guard) {
      this.#guardMs = guardMs;
      this.#timers.clear(this.#guard);
      this.#guard = this.#timers.set(() => this.#watch(), guardMs, guardMs);
    }
  }

  /** The chip has reset (start-up, power-up, or presumably a too-long pulse): A/128, settling from now. */
  #chipReset(): void {
    this.#chipPulses = PULSES.A128;
    this.#settledAtUs = this.#clock.microseconds() + this.#settlingUs;
  }

  /** Every 2.5 conversion periods: read a result no edge announced; report a DOUT that never goes low. */
  #watch(): void {
    if (this.#closed || this.#asleep) return;
    if (!this.#inTrain && this.#dout.read() === 0) this.#read();
    if (this.#reads !== this.#readsAtTick) {
      this.#readsAtTick = this.#reads;
      this.#silentTicks = 0;
      return;
    }
    // Settling plus two conversion periods without a single ready.
    const limitMs = this.#settlingUs / 1000 + 2000 / this.#config.rate;
    if (++this.#silentTicks * this.#guardMs >= limitMs && !this.#timedOut) {
      this.#timedOut = true;
      this.#report("timeout", `DOUT has not gone low for ${this.#silentTicks * this.#guardMs} ms: HX711 absent or unpowered, DOUT not wired, or PD_SCK held high`);
    }
  }

  #report(kind: SensorErrorKind, text: string): void {
    this.#errors.report(new SensorError(this.#part, kind, text));
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`${this.#part}: closed`);
  }
}
