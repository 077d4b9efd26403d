/**
 * Atlas Scientific EZO-pH as an I2C target (the shared behaviour is parts/ezo/model.ts).
 *
 * The probe is a glass electrode: E = E₀ − s·k(T)·(pH − 7) mV, with k(T) = ln(10)·R·T/F = 0.19841·T(K) mV the
 * Nernst slope, isopotential point pH 7 at 0 mV (Atlas pH probe datasheet: "Isopotential point pH 7.00 (0 mV)"),
 * E₀ its offset and s its slope efficiency (on each side of pH 7). The circuit does not know the water's temperature: it divides by k at
 * its compensation temperature (T,t or RT,t; 25 °C after power-up), so a reading away from pH 7 at another
 * temperature is off by (pH − 7)·(T_water − T_comp)/T_comp(K) until it is told; that is what RT fixes.
 * The sample's own pH change with temperature is real and is not "compensated" (the world gives the true pH).
 *
 * Calibration takes the probe's response in the standard the command names (the technician put it there):
 * `Cal,mid,n` fixes the zero and clears the other points; `Cal,low,n` / `Cal,high,n` fix the acid and base slopes.
 * `Slope,?` reports both slopes as % of ideal and the zero offset in mV, as "?Slope,99.7,100.3,-0.89".
 * Noise: uniform within ±0.001 pH (half the ±0.002 accuracy). Unplugged: "0.000" (see circuit.ts).
 */
import type { Micros } from "../../simulator/core/engine.js";
import type { EzoCalibration } from "../ezo/circuit.js";
import { EzoModel, type EzoModelOptions } from "../ezo/model.js";
import { EZO_PH, PH_MAX, PH_MIN, PH_NO_PROBE } from "./circuit.js";

/** Nernst slope per pH unit at `celsius`, mV: ln(10)·R·T/F with CODATA R and F. */
export function nernstSlope(celsius: number): number {
  return ((2.302585092994046 * 8.314462618) / 96485.33212) * 1000 * (celsius + 273.15);
}

export interface EzoPHModelOptions extends EzoModelOptions {
  /** True pH of the water at time t. */
  pH: (t: Micros) => number;
  /** Water temperature at time t, °C. */
  temperature: (t: Micros) => number;
  /** The electrode: offset at pH 7 (mV, default 0) and slope efficiency below and above pH 7 (default 1). */
  probe?: { offsetMv?: number; acidSlope?: number; baseSlope?: number };
}

interface Point {
  /** The standard's pH. */
  pH: number;
  /** What the circuit computed there with an ideal probe: −E/k(T_comp). */
  x: number;
}

export class EzoPHModel extends EzoModel {
  readonly #p: EzoPHModelOptions;
  #mid: Point | undefined;
  #low: Point | undefined;
  #high: Point | undefined;

  constructor(options: EzoPHModelOptions) {
    super(EZO_PH, options, 25);
    this.#p = options;
  }

  /** Calibration points held (what `Cal,?` reports). */
  get calibrationPoints(): number {
    return (this.#mid ? 1 : 0) + (this.#low ? 1 : 0) + (this.#high ? 1 : 0);
  }

  /** The probe's potential in water of `pH` at `celsius`, mV. */
  #electrode(pH: number, celsius: number): number {
    const probe = this.#p.probe;
    const slope = pH < 7 ? (probe?.acidSlope ?? 1) : (probe?.baseSlope ?? 1);
    return (probe?.offsetMv ?? 0) - slope * nernstSlope(celsius) * (pH - 7);
  }

  /** −E/k(T_comp): the pH − 7 an uncalibrated circuit sees. */
  #x(pH: number, t: Micros): number {
    return -this.#electrode(pH, this.#p.temperature(t)) / nernstSlope(this.compensation);
  }

  #convert(x: number): number {
    const mid = this.#mid;
    if (!mid) return 7 + x;
    const side = x < mid.x ? this.#low : this.#high;
    const slope = side ? (side.x - mid.x) / (side.pH - mid.pH) : 1;
    return mid.pH + (x - mid.x) / slope;
  }

  protected reading(t: Micros): string {
    if (this.fault === "unplugged") return PH_NO_PROBE.toFixed(3);
    const pH = this.#convert(this.#x(this.#p.pH(t), t)) + 0.001 * this.noise(1, t);
    return (pH < PH_MIN ? PH_MIN : pH > PH_MAX ? PH_MAX : pH).toFixed(3);
  }

  protected calibrate(c: EzoCalibration, t: Micros): string {
    switch (c.point) {
      case "?":
        return `?CAL,${this.calibrationPoints}`;
      case "clear":
        this.#mid = this.#low = this.#high = undefined;
        return "";
      case "slope?": {
        // Slopes as % of ideal; the zero offset as the mV the probe gives at the mid point beyond the ideal 0 mV.
        const mid = this.#mid;
        const pct = (p: Point | undefined): string => (mid && p ? ((100 * (p.x - mid.x)) / (p.pH - mid.pH)).toFixed(1) : "100.0");
        const offset = mid ? -(mid.x - (mid.pH - 7)) * nernstSlope(25) : 0;
        return `?Slope,${pct(this.#low)},${pct(this.#high)},${offset.toFixed(2)}`;
      }
    }
    const point: Point = { pH: c.value!, x: this.#x(this.standardOf(c.value!, () => this.#p.pH(t)), t) };
    if (c.point === "mid") {
      this.#mid = point;
      this.#low = this.#high = undefined; // mid first: it clears the other points
    } else if (c.point === "low") this.#low = point;
    else this.#high = point;
    return "";
  }
}
