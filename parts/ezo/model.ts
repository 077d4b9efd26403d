/**
 * An EZO circuit as an I2C target, driven by virtual time: the part every circuit model shares. Per-circuit
 * models (parts/ezo-<circuit>/model.ts) add their reading, their calibration and their own commands.
 *
 * - A write is a command (ASCII, any case). It is processed for its datasheet delay (circuit.ts, plus `slowMs`);
 *   a read before that answers 254 and leaves the command running, a read after it answers the code (1, or 2 for
 *   anything the circuit would not accept) with the reply text and its NUL, once: the next read answers 255.
 * - `Sleep` answers nothing and puts the circuit to sleep. The datasheets say any command wakes it; whether the
 *   waking command is then carried out is not written in what could be read, so `wake` chooses (default: it is).
 *   A read while asleep answers 255 and does not wake it (an assumption: the datasheets say not to read after Sleep).
 * - Readings are taken at the instant the processing ends, from the world quantities the model was given, plus
 *   seeded noise within the datasheet accuracy (stateless in time: reading more or less often changes nothing else).
 * - `fault`: "unplugged" (the probe input open: each circuit reads what it reads then), "corrupt" (bit 7 of the
 *   first reply byte flipped, as a bus glitch would), "corrupt-code" (the response code damaged). A circuit that is
 *   absent is a NACK, injected at the bus with `I2CBusSim.injectNack`.
 */
import type { Micros } from "../../simulator/core/engine.js";
import type { I2CTarget } from "../../simulator/core/buses/i2c.js";
import { hashNoise, seed32, splineNoise, type Seed } from "../../simulator/core/rng.js";
import type { EzoCalibration, EzoCircuit } from "./circuit.js";
import { decodeCommand, encodeReply, EZO_NO_DATA, EZO_PENDING, EZO_STANDARD_MS, EZO_SUCCESS, EZO_SYNTAX_ERROR, formatArgument, parseDecimal, sameWord } from "./protocol.js";

export type EzoFault = "unplugged" | "corrupt" | "corrupt-code" | undefined;

export interface EzoModelOptions {
  /** Virtual time, µs. */
  now: () => Micros;
  /** Noise seed; without one the readings are noiseless. */
  seed?: Seed;
  /** Firmware version `i` reports. */
  firmware?: string;
  /** Supply voltage `Status` reports, V. */
  supplyVolts?: number;
  /** Processing slower than the datasheet's delay by this much, ms (a driver waiting the datasheet delay reads early). */
  slowMs?: number;
  /** What the command that wakes a sleeping circuit does: it is carried out (default) or only wakes it. */
  wake?: "processed" | "discarded";
  /** Whether the firmware knows `RT,t` (default true); without it RT is a syntax error. */
  rt?: boolean;
  /**
   * Where the probe is when a calibration command arrives. false (default, the bench): in the standard the command
   * names, so the circuit learns the probe's response to that value. true (a moored buoy calibrated by downlink):
   * still in the water it measures, so the circuit takes its response to the water there and then to be the
   * command's value, as the real circuit would (it cannot tell what the probe is in).
   */
  immersed?: boolean;
}

/** What a command does: its response code, its reply (or a reading taken when processing ends), its delay. */
export interface EzoAnswer {
  code: number;
  text?: string;
  /** Take a reading at the end of processing (`R`, `RT`). */
  reading?: boolean;
  ms: number;
}

interface Pending {
  readyAt: Micros;
  code: number;
  text: string;
  reading: boolean;
}

const SYNTAX: EzoAnswer = Object.freeze({ code: EZO_SYNTAX_ERROR, ms: EZO_STANDARD_MS });

/** Commands a model keeps in `commands`. */
export const COMMAND_LOG = 100;

export abstract class EzoModel implements I2CTarget {
  readonly spec: EzoCircuit;
  fault: EzoFault;
  /** Asleep after `Sleep` until the next command. */
  asleep = false;
  /** Temperature compensation in force, °C (`T,t`, `RT,t`). */
  compensation: number;
  /**
   * The first COMMAND_LOG commands received, in order (for tests and traces). Bounded: a simulated week sends
   * thousands, and on XS the models share the device's heap, whose growth the profile charges to the device.
   */
  readonly commands: string[] = [];
  /** Commands received in all. */
  commandCount = 0;
  /** Reads answered 254 (before the processing delay had passed). */
  earlyReads = 0;
  /** Commands answered with a syntax error. */
  syntaxErrors = 0;
  /** Readings taken. */
  readings = 0;
  /** Processing slower than the datasheet by this much, ms (settable: a circuit that turns slow). */
  slowMs: number;
  protected readonly o: EzoModelOptions;
  readonly #seed: number | undefined;
  #pending: Pending | undefined;
  #led = true;
  #name = "";

  protected constructor(spec: EzoCircuit, options: EzoModelOptions, compensation: number) {
    this.spec = spec;
    this.o = options;
    this.compensation = compensation;
    this.slowMs = options.slowMs ?? 0;
    this.#seed = options.seed === undefined ? undefined : seed32(options.seed);
  }

  /** The reading's reply text at time `t` (the probe, the compensation and the calibration applied). */
  protected abstract reading(t: Micros): string;

  /** Carry out a calibration the circuit's grammar accepted, at time `t`; returns the reply text. */
  protected abstract calibrate(c: EzoCalibration, t: Micros): string;

  /**
   * What the probe is in during a calibration whose standard is `standard`: that value on the bench, the water's
   * own (`water`, at the calibration's instant) when the probe is immersed (see `immersed`).
   */
  protected standardOf(standard: number, water: () => number): number {
    return this.o.immersed === true ? water() : standard;
  }

  /** A command this circuit has beyond the common set (`O,…`, `S,…`, `K,…`), or undefined for a syntax error. */
  protected circuitCommand(_word: string, _args: readonly string[], _t: Micros): EzoAnswer | undefined {
    return undefined;
  }

  /** Uniform noise in [−1, 1) for `channel` at `t`; 0 without a seed. Stateless, so order and rate change nothing. */
  protected noise(channel: number, t: Micros): number {
    return this.#seed === undefined ? 0 : hashNoise(this.#seed ^ channel, t) * 2 - 1;
  }

  /** Smooth seeded wander with roughly unit spread, one lattice cell per unit of x (an open input drifting). */
  protected wander(channel: number, x: number): number {
    return splineNoise((this.#seed ?? 0) ^ channel, x);
  }

  write(bytes: Uint8Array, _stop: boolean): boolean {
    const now = this.o.now();
    if (this.asleep) {
      this.asleep = false;
      if (this.o.wake === "discarded") return true;
    }
    const command = decodeCommand(bytes);
    this.commandCount++;
    if (this.commands.length < COMMAND_LOG) this.commands.push(command ?? "<non-ASCII>");
    if (command === undefined) return this.#answer(SYNTAX, now);
    if (sameWord(command, "Sleep")) {
      this.#pending = undefined;
      this.asleep = true;
      return true;
    }
    return this.#answer(this.#execute(command, now), now);
  }

  read(count: number, _stop: boolean): Uint8Array {
    const now = this.o.now();
    const p = this.#pending;
    if (this.asleep || !p) return encodeReply(EZO_NO_DATA, "", count);
    if (now < p.readyAt) {
      this.earlyReads++;
      return encodeReply(EZO_PENDING, "", count);
    }
    this.#pending = undefined;
    let text = p.text;
    if (p.reading) {
      this.readings++;
      text = this.reading(p.readyAt);
    }
    const out = encodeReply(p.code, text, count);
    if (this.fault === "corrupt" && p.code === EZO_SUCCESS && count > 1 && text.length > 0) out[1] ^= 0x80;
    if (this.fault === "corrupt-code") out[0] ^= 0x80;
    return out;
  }

  #answer(a: EzoAnswer, now: Micros): true {
    if (a.code === EZO_SYNTAX_ERROR) this.syntaxErrors++;
    const ms = a.ms + this.slowMs;
    this.#pending = { readyAt: now + Math.round(ms * 1000), code: a.code, text: a.text ?? "", reading: a.reading === true };
    return true;
  }

  #execute(command: string, now: Micros): EzoAnswer {
    const args = command.split(",");
    const word = args.shift()!;
    const ok = (text = "", ms = EZO_STANDARD_MS): EzoAnswer => ({ code: EZO_SUCCESS, text, ms });
    const spec = this.spec;
    switch (word.toLowerCase()) {
      case "r":
        return args.length === 0 ? { code: EZO_SUCCESS, reading: true, ms: spec.readMs } : SYNTAX;
      case "i":
        return args.length === 0 ? ok(`?I,${spec.type},${this.o.firmware ?? "2.16"}`) : SYNTAX;
      case "status":
        // Restart reason P: powered on (the model does not restart); Vcc with the datasheet example's 3 decimals.
        return args.length === 0 ? ok(`?STATUS,P,${(this.o.supplyVolts ?? 3.3).toFixed(3)}`) : SYNTAX;
      case "l":
        if (args.length !== 1) return SYNTAX;
        if (args[0] === "?") return ok(`?L,${this.#led ? 1 : 0}`);
        if (args[0] !== "0" && args[0] !== "1") return SYNTAX;
        this.#led = args[0] === "1";
        return ok();
      case "find":
        return args.length === 0 ? ok() : SYNTAX;
      case "name":
        if (args.length !== 1) return SYNTAX;
        if (args[0] === "?") return ok(`?NAME,${this.#name}`);
        this.#name = args[0]!;
        return ok();
      case "t": {
        if (!spec.temperatureCompensation || args.length !== 1) return SYNTAX;
        if (args[0] === "?") return ok(`?T,${formatArgument(this.compensation, 2)}`);
        const t = parseDecimal(args[0]!);
        if (t !== t) return SYNTAX;
        this.compensation = t;
        return ok();
      }
      case "rt": {
        if (spec.compensatedReadMs === 0 || this.o.rt === false || args.length !== 1) return SYNTAX;
        const t = parseDecimal(args[0]!);
        if (t !== t) return SYNTAX;
        this.compensation = t;
        return { code: EZO_SUCCESS, reading: true, ms: spec.compensatedReadMs };
      }
    }
    const c = spec.calibration(command);
    if (typeof c !== "string") return ok(this.calibrate(c, now + Math.round(c.ms * 1000)), c.ms);
    return this.circuitCommand(word.toLowerCase(), args, now) ?? SYNTAX;
  }
}

/**
 * Single-point calibration that removes an offset (ORP `Cal,mV`, RTD `Cal,°C`): the circuit takes what it reads in
 * the standard to be the standard's value. `raw` is what it reads uncalibrated in a medium of value `v`;
 * `inStandard` the value of what the probe is in, given the standard's (EzoModel.standardOf).
 */
export class OffsetCalibration {
  /** Subtracted from raw readings; undefined: not calibrated. */
  offset: number | undefined;

  apply(c: EzoCalibration, raw: (v: number) => number, inStandard: (v: number) => number = (v) => v): string {
    if (c.point === "?") return `?CAL,${this.offset === undefined ? 0 : 1}`;
    this.offset = c.point === "clear" ? undefined : raw(inStandard(c.value!)) - c.value!;
    return "";
  }
}

/** Answer for a successful setting or query (for subclasses). */
export function answer(text = "", ms = EZO_STANDARD_MS): EzoAnswer {
  return { code: EZO_SUCCESS, text, ms };
}
