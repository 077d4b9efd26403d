/**
 * Avia HX711 on two lines (PD_SCK in, DOUT out) with a strain-gauge bridge on channel A: conversions in virtual time,
 * the pulse protocol, power-down, settling, and codes from the world's strain.
 *
 * - Conversions run back to back at 10 or 80 SPS from power-on or the last reset. At each end the result is loaded
 *   and DOUT falls (ready). If the previous result was not read, DOUT is already low and simply stays low: no edge
 *   (`unreadConversions`).
 * - Each PD_SCK rising edge while data are ready shifts the next bit onto DOUT, MSB first; the 25th pulls DOUT high.
 *   25, 26 or 27 pulses select A/128, B/32 or A/64; the choice takes effect at the next conversion end, and the
 *   digital filter then needs 4 conversions to settle (each of them is 1/4 more of the way from the old input to the
 *   new). A read that stops before 25 pulses leaves the input unchanged (`protocolErrors`); pulses after the 27th
 *   change nothing either (`protocolErrors`). Pulses while no data are ready are ignored.
 * - PD_SCK high for more than 60 µs powers the chip down: conversions stop, DOUT goes high. Taking it low resets the
 *   chip to A/128, and conversions start over, settling from zero. The time a pulse stays high is measured with
 *   `now()`, so a test can stand for CPU time spent inside one engine turn (an interrupt inside the driver's pulse
 *   train): a pulse that lasted past 60 µs resets the chip when it ends, and the read it was part of is lost; one
 *   of 50–60 µs is out of the datasheet's range but harmless (`timingViolations`). A pulse left high across turns is
 *   caught by an engine event 60 µs after its rising edge. Minimum times (0.2 µs) are below the engine's 1 µs.
 * - Input: channel A = the bridge, Vin/AVDD = r from the world's strain (parts/strain-bridge/bridge.ts) with the
 *   bridge excited by AVDD, sampled at the middle of each conversion; channel B = `channelB(t)` V (default 0).
 *   code = round(Vin/AVDD·gain·2^24), saturated at 800000h/7FFFFFh. `fault = "open"` disconnects the bridge: the
 *   input saturates at positive full scale (the HX711 has no burn-out sources; an open PGA input drifting to a rail
 *   is the model's assumption, not a datasheet statement).
 * - Noise: Gaussian, seeded, input-referred, 50 nV RMS at 10 SPS and 90 nV RMS at 80 SPS (the datasheet's figures
 *   for gain 128; used at every gain).
 * - Supply (`residency()`, for the energy estimate): powered, the chip draws at most 1.5 mA and its AVDD regulator
 *   excites the bridge, Vex / R (a full bridge of four arms R is R from E+ to E−: 3.3 V over 350 Ω, 9.4 mA); powered
 *   down, at most 1 µA, and the bridge is off with the regulator (reference §3.4, the datasheet's bounds: "< 1.5 mA
 *   active, < 1 µA powered down"). A power-down inside one pulse (µs) is not counted apart.
 * Not modelled: offset, gain error, the external clock.
 */
import type { Engine, Micros } from "../../simulator/core/engine.js";
import { Scheduled } from "../../simulator/core/engine.js";
import type { DigitalLine } from "../../simulator/core/io/lines.js";
import { Rng, deriveSeed } from "../../simulator/core/rng.js";
import { bridgeRatio, type BridgeType } from "../strain-bridge/bridge.js";
import {
  ACTIVE_MILLIAMPS,
  POWER_DOWN_MILLIAMPS,
  GAIN,
  HIGH_MAX_US,
  NOISE_VOLTS_RMS,
  POWER_DOWN_US,
  RATES,
  SETTLING_CONVERSIONS,
  codeFromRatio,
  inputOfPulses,
  type HX711Input,
  type HX711Rate,
} from "./protocol.js";

export interface HX711ModelOptions {
  engine: Engine;
  pdSck: DigitalLine;
  dout: DigitalLine;
  /** The world's strain at the gauges, µε, at virtual time t. */
  strain: (t: Micros) => number;
  /** RATE pin: 10 or 80 SPS (default 80). */
  rate?: HX711Rate;
  gaugeFactor?: number;
  bridge?: BridgeType;
  /** AVDD, which also excites the bridge, V (default 3.3). */
  excitationVolts?: number;
  /** One bridge arm, Ω (default 350): with AVDD, what the bridge draws. */
  bridgeOhms?: number;
  /** Channel B's input, V (default 0 V). */
  channelB?: (t: Micros) => number;
  /** The clock PD_SCK pulses are timed with (default: the engine's). */
  now?: () => Micros;
  /** Noise seed (default 1). */
  seed?: number;
  /** Input-referred noise, V RMS, for a rate and gain (default: the datasheet's gain-128 figures); 0 for none. */
  noiseVoltsRms?: (rate: HX711Rate, gain: number) => number;
}

export type HX711Fault = "open" | undefined;

/** A reusable engine event. */
class Tick extends Scheduled {
  pending = false;
  constructor(
    public gen: number,
    readonly fire: (tick: Tick) => void,
  ) {
    super();
  }
  run(): void {
    this.pending = false;
    this.fire(this);
  }
}

export class HX711Model {
  readonly #engine: Engine;
  readonly #dout: DigitalLine;
  readonly #pdSck: DigitalLine;
  readonly #now: () => Micros;
  readonly #strain: (t: Micros) => number;
  readonly #channelB: (t: Micros) => number;
  readonly #rate: HX711Rate;
  readonly #period: number;
  readonly #gf: number;
  readonly #bridge: BridgeType;
  readonly #avdd: number;
  readonly #bridgeOhms: number;
  readonly #bornAt: Micros;
  /** Time powered down before the current stretch, and since when the chip is down (NaN: it is powered). */
  #downUs = 0;
  #downSince = NaN;
  readonly #noise: (rate: HX711Rate, gain: number) => number;
  readonly #rng: Rng;
  readonly #tick: Tick;
  readonly #highCheck: Tick;

  fault: HX711Fault;

  // ---------------------------------------------------------------- counters
  conversions = 0;
  /** Complete reads (25 pulses or more). */
  reads = 0;
  unreadConversions = 0;
  protocolErrors = 0;
  powerDowns = 0;
  resets = 0;
  timingViolations = 0;

  // ---------------------------------------------------------------- chip state
  #powered = true;
  #gen = 0;
  #convEnd = 0;
  #input: HX711Input = "A128";
  #pending: HX711Input | undefined;
  #settled = 0;
  #filtered = 0;
  #out = 0;
  #ready = false;
  #pulses = 0;
  #riseAt = 0;
  /** Whether the conversions were restarted by the device (PD_SCK low after a power-down): the next end starts the
   * chip's clock again (a line timing of `clock-start`; later ends are on that clock). */
  #clockStarted = false;

  constructor(options: HX711ModelOptions) {
    this.#engine = options.engine;
    this.#dout = options.dout;
    this.#pdSck = options.pdSck;
    this.#now = options.now ?? (() => options.engine.now);
    this.#strain = options.strain;
    this.#channelB = options.channelB ?? (() => 0);
    this.#rate = options.rate ?? 80;
    if (!RATES.includes(this.#rate)) throw new RangeError(`hx711 model: rate must be 10 or 80 SPS, got ${String(this.#rate)}`);
    this.#period = 1e6 / this.#rate;
    this.#gf = options.gaugeFactor ?? 2.0;
    this.#bridge = options.bridge ?? "full";
    this.#avdd = options.excitationVolts ?? 3.3;
    this.#bridgeOhms = options.bridgeOhms ?? 350;
    if (!(this.#bridgeOhms > 0)) throw new RangeError(`hx711 model: bridgeOhms must be > 0, got ${String(this.#bridgeOhms)}`);
    this.#bornAt = options.engine.now;
    this.#noise = options.noiseVoltsRms ?? ((rate) => NOISE_VOLTS_RMS[rate]);
    this.#rng = new Rng(deriveSeed(options.seed ?? 1, "hx711/noise"));
    this.#tick = new Tick(0, (t) => this.#conversionEnd(t));
    this.#highCheck = new Tick(0, () => this.#checkHigh());
    this.#dout.driven = true;
    this.#dout.set(1);
    options.pdSck.listen((level) => (level ? this.#rise() : this.#fall()));
    this.#reset(false);
    // A PD_SCK already high at power-on (a pin the MCU has not set up yet) powers the chip down 60 µs later.
    if (options.pdSck.level === 1) this.#rise();
  }

  // ---------------------------------------------------------------- observation

  get powered(): boolean {
    return this.#powered;
  }

  /** The input the running conversion uses. */
  get input(): HX711Input {
    return this.#input;
  }

  /** Time powered (chip and bridge) and powered down since power-on, with each state's current, for the energy
   * estimate (simulator/node/record.ts partStates). */
  residency(): { state: string; milliamps: number; us: number; milliampSeconds: number }[] {
    const now = this.#engine.now;
    const downUs = this.#downUs + (this.#downSince === this.#downSince ? now - this.#downSince : 0);
    const upUs = now - this.#bornAt - downUs;
    const up = ACTIVE_MILLIAMPS + (1000 * this.#avdd) / this.#bridgeOhms;
    return [
      { state: "converting, bridge excited", milliamps: up, us: upUs, milliampSeconds: (up * upUs) / 1e6 },
      { state: "powered down", milliamps: POWER_DOWN_MILLIAMPS, us: downUs, milliampSeconds: (POWER_DOWN_MILLIAMPS * downUs) / 1e6 },
    ];
  }

  /** The last result loaded. */
  get lastCode(): number {
    return this.#out;
  }

  // ---------------------------------------------------------------- PD_SCK

  #rise(): void {
    this.#riseAt = this.#now();
    if (!this.#powered) return;
    if (!this.#highCheck.pending) {
      this.#highCheck.pending = true;
      this.#engine.schedule(this.#highCheck, this.#engine.now + POWER_DOWN_US + 1);
    }
    if (!this.#ready && this.#pulses === 0) return; // nothing to shift out
    const p = ++this.#pulses;
    if (p <= 24) {
      this.#dout.set((this.#out >> (24 - p)) & 1);
    } else if (p === 25) {
      this.#ready = false;
      this.reads++;
      this.#dout.set(1);
    }
    if (p >= 25 && p <= 27) this.#pending = inputOfPulses(p);
    else if (p === 28) {
      this.protocolErrors++;
      this.#pending = undefined;
    }
  }

  #fall(): void {
    if (!this.#powered) {
      this.#reset(true);
      return;
    }
    const high = this.#now() - this.#riseAt;
    if (high > POWER_DOWN_US) {
      // Powered down while the pulse lasted (inside one engine turn), and reset as it ends: the read is lost.
      this.powerDowns++;
      this.#reset(true);
    } else if (high > HIGH_MAX_US) {
      this.timingViolations++;
    }
  }

  /** 60 µs after a rising edge: a PD_SCK still high powers the chip down. */
  #checkHigh(): void {
    if (!this.#powered || this.#pdSck.level !== 1) return;
    const high = this.#now() - this.#riseAt;
    if (high >= POWER_DOWN_US) {
      this.powerDowns++;
      this.#powered = false;
      this.#downSince = this.#engine.now;
      this.#gen++;
      this.#ready = false;
      this.#pulses = 0;
      this.#dout.set(1);
      return;
    }
    this.#highCheck.pending = true;
    this.#engine.schedule(this.#highCheck, this.#engine.now + (POWER_DOWN_US - high) + 1);
  }

  // ---------------------------------------------------------------- conversions

  /** Power-on or PD_SCK low after a power-down: A/128, the filter empty, conversions from now. */
  #reset(counted: boolean): void {
    if (counted) this.resets++;
    this.#clockStarted = counted;
    if (this.#downSince === this.#downSince) {
      this.#downUs += this.#engine.now - this.#downSince;
      this.#downSince = NaN;
    }
    this.#powered = true;
    this.#input = "A128";
    this.#pending = undefined;
    this.#settled = 0;
    this.#filtered = 0;
    this.#ready = false;
    this.#pulses = 0;
    this.#out = 0;
    this.#dout.set(1);
    this.#gen++;
    this.#convEnd = this.#engine.now + this.#period;
    // The previous event, if still in the heap, is stale (its generation is old): a fresh one carries the new one.
    const tick = this.#tick.pending ? new Tick(this.#gen, (t) => this.#conversionEnd(t)) : this.#tick;
    tick.gen = this.#gen;
    this.#schedule(tick);
  }

  #schedule(tick: Tick): void {
    tick.pending = true;
    this.#engine.schedule(tick, this.#convEnd);
  }

  #conversionEnd(tick: Tick): void {
    if (tick.gen !== this.#gen || !this.#powered) return;
    const end = this.#convEnd;
    if (this.#pending !== undefined) {
      if (this.#pending !== this.#input) {
        this.#input = this.#pending;
        this.#settled = 0;
      }
      this.#pending = undefined;
    }
    const gain = GAIN[this.#input];
    const t = end - this.#period / 2;
    let target = this.#input === "B32" ? this.#channelB(t) / this.#avdd : bridgeRatio(this.#bridge, this.#gf, this.#strain(t));
    const sigma = this.#noise(this.#rate, gain);
    if (sigma > 0) target += this.#rng.normal(0, sigma / this.#avdd);
    if (this.#settled < SETTLING_CONVERSIONS) {
      this.#settled++;
      // A linear approach over the 4 conversions: 1/4, 1/3, 1/2, then all of the remaining step.
      this.#filtered += (target - this.#filtered) / (SETTLING_CONVERSIONS - this.#settled + 1);
    } else {
      this.#filtered = target;
    }
    let code = codeFromRatio(this.#filtered, gain);
    if (this.fault === "open" && this.#input !== "B32") code = 0x7fffff;
    this.conversions++;
    if (this.#pulses > 0 && this.#pulses < 25) this.protocolErrors++; // a read stopped short
    else if (this.#ready) this.unreadConversions++;
    this.#out = code;
    this.#ready = true;
    this.#pulses = 0;
    this.#convEnd = end + this.#period;
    this.#schedule(tick);
    // Last: a driver reads in this edge's callback, re-entering the model. The fall is on the chip's own oscillator
    // (simulator/core/io/lines.ts LineTiming), not an answer to the device; the data bits after it answer PD_SCK.
    const timing = this.#clockStarted ? "clock-start" : "clock";
    this.#clockStarted = false;
    this.#dout.set(0, timing);
  }
}
