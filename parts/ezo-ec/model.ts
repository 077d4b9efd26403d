/**
 * Atlas Scientific EZO-EC as an I2C target (the shared behaviour is parts/ezo/model.ts).
 *
 * The probe measures the conductance of the water at its own temperature, κ(T) = κ₂₅·(1 + α(T − 25)), divided by
 * its cell constant. The circuit multiplies by the K it was given (`K,n`, 1.0 by default) and compensates to 25 °C
 * with its compensation temperature (`T`/`RT`, 25 °C after power-up): κ₂₅ = κ(T)/(1 + α(T_comp − 25)). The
 * datasheet does not publish its compensation; the model uses the common linear α = 2 %/°C for both the water and
 * the circuit, so a reading is exact when the compensation matches the water and off by about 2 % per °C when not.
 * Calibration: `Cal,dry` (zero), `Cal,n` (one point, the gain), `Cal,low,n` + `Cal,high,n` (two points, gain and
 * zero), with the probe in the standard the command names. Outputs (`O,EC|TDS|S|SG,1|0`, EC only after power-up
 * on firmware ≥ 2.10): TDS = EC × factor (`TDS,n`), salinity by PSS-78 at 25 °C and specific gravity as the
 * EOS-80 density at 25 °C over pure water's (parts/ezo/seawater.ts; the circuit's own conversions are not
 * published). Resolution of EC/TDS (unverified): 2 decimals below 100, 1 below 1000, whole numbers above.
 * Noise: uniform within ±1 % (half the ±2 % accuracy). Unplugged (or dry): no conductance, "0.00".
 */
import type { Micros } from "../../simulator/core/engine.js";
import type { EzoCalibration } from "../ezo/circuit.js";
import { answer, EzoModel, type EzoAnswer, type EzoModelOptions } from "../ezo/model.js";
import { parseDecimal } from "../ezo/protocol.js";
import { pureWaterDensity, salinityFromConductivity, seawaterDensity } from "../ezo/seawater.js";
import { EC_DEFAULT_TDS_FACTOR, EC_FIELDS, EC_NO_OUTPUT, EZO_EC, type EcField } from "./circuit.js";

/** Linear temperature coefficient of conductivity used for the water and by the circuit, per °C. */
export const EC_ALPHA = 0.02;

export interface EzoECModelOptions extends EzoModelOptions {
  /** Conductivity of the water at 25 °C (specific conductance) at time t, µS/cm. */
  conductivity: (t: Micros) => number;
  /** Water temperature at time t, °C. */
  temperature: (t: Micros) => number;
  /** The probe's true cell constant (default 1.0, the nominal K the circuit assumes). */
  probe?: { k?: number };
}

function resolution(x: number): string {
  return x < 100 ? x.toFixed(2) : x < 1000 ? x.toFixed(1) : x.toFixed(0);
}

export class EzoECModel extends EzoModel {
  readonly #p: EzoECModelOptions;
  k = 1;
  tdsFactor = EC_DEFAULT_TDS_FACTOR;
  readonly outputs: Record<EcField, boolean> = { EC: true, TDS: false, S: false, SG: false };
  #gain = 1;
  #x0 = 0;
  #single = false;
  #low: { us: number; x: number } | undefined;
  #high = false;

  constructor(options: EzoECModelOptions) {
    super(EZO_EC, options, 25);
    this.#p = options;
  }

  /** The circuit's compensated, uncalibrated conductivity for water of κ₂₅ = `us` at time t. */
  #x(us: number, t: Micros): number {
    if (this.fault === "unplugged") return 0;
    const T = this.#p.temperature(t);
    const atT = us * (1 + EC_ALPHA * (T - 25));
    return ((atT / (this.#p.probe?.k ?? 1)) * this.k) / (1 + EC_ALPHA * (this.compensation - 25));
  }

  protected reading(t: Micros): string {
    if (!EC_FIELDS.some((f) => this.outputs[f])) return EC_NO_OUTPUT;
    let ec = this.#gain * (this.#x(this.#p.conductivity(t), t) - this.#x0);
    ec *= 1 + 0.01 * this.noise(1, t);
    if (ec < 0) ec = 0;
    const psu = salinityFromConductivity(ec, 25);
    const out: string[] = [];
    if (this.outputs.EC) out.push(resolution(ec));
    if (this.outputs.TDS) out.push(resolution(ec * this.tdsFactor));
    if (this.outputs.S) out.push(psu.toFixed(2));
    if (this.outputs.SG) out.push((seawaterDensity(psu, 25) / pureWaterDensity(25)).toFixed(3));
    return out.join(",");
  }

  protected calibrate(c: EzoCalibration, t: Micros): string {
    switch (c.point) {
      case "?":
        return `?CAL,${this.#high && this.#low ? 2 : this.#single || this.#low || this.#high ? 1 : 0}`;
      case "clear":
        this.#gain = 1;
        this.#x0 = 0;
        this.#single = this.#high = false;
        this.#low = undefined;
        return "";
      case "dry":
        this.#x0 = this.#x(this.standardOf(0, () => this.#p.conductivity(t)), t);
        return "";
    }
    const us = c.value!;
    const x = this.#x(this.standardOf(us, () => this.#p.conductivity(t)), t);
    if (c.point === "high" && this.#low) {
      this.#gain = (us - this.#low.us) / (x - this.#low.x);
      this.#x0 = this.#low.x - this.#low.us / this.#gain;
      this.#high = true;
    } else {
      this.#gain = us / (x - this.#x0);
      if (c.point === "low") this.#low = { us, x };
      else if (c.point === "high") this.#high = true;
      else this.#single = true;
    }
    return "";
  }

  protected override circuitCommand(word: string, args: readonly string[]): EzoAnswer | undefined {
    if (word === "o") {
      if (args.length === 1 && args[0] === "?") return answer(`?,O${EC_FIELDS.filter((f) => this.outputs[f]).map((f) => "," + f).join("")}`);
      if (args.length !== 2 || (args[1] !== "0" && args[1] !== "1")) return undefined;
      const field = EC_FIELDS.find((f) => f.toLowerCase() === args[0]!.toLowerCase());
      if (!field) return undefined;
      this.outputs[field] = args[1] === "1";
      return answer();
    }
    if (word === "k" || word === "tds") {
      if (args.length !== 1) return undefined;
      const k = word === "k";
      if (args[0] === "?") return answer(k ? `?K,${this.k.toFixed(1)}` : `?TDS,${this.tdsFactor.toFixed(2)}`);
      const v = parseDecimal(args[0]!);
      if (k ? !(v >= 0.1 && v <= 10) : !(v >= 0.01 && v <= 1)) return undefined;
      if (k) this.k = v;
      else this.tdsFactor = v;
      return answer();
    }
    return undefined;
  }
}
