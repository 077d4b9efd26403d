/**
 * Atlas Scientific EZO-DO as an I2C target (the shared behaviour is parts/ezo/model.ts).
 *
 * A galvanic probe's current follows the oxygen partial pressure in the water, pO₂ = C·pO₂,air(T, 1 atm)/C*(T, S,
 * 1 atm) (Henry's law with the saturation of parts/ezo/oxygen.ts). The circuit knows only that current. At its air
 * calibration (`Cal`, the probe in water-saturated air) it takes the current, less the zero (`Cal,0`), to be the
 * O₂ partial pressure of air at its compensation temperature and pressure of that moment; a reading is then a
 * partial pressure, reported as % of air saturation and as mg/L of the saturation concentration at its compensation
 * temperature, salinity and pressure (`T`/`RT`, `S`, `P`: 20 °C, 0 and 101.325 kPa by default). So the readings are
 * right when the compensation matched the air at calibration and matches the water when reading: at Dianchi
 * (about 81 kPa) a circuit calibrated and read at the default pressure reports 100 % in saturated water but the
 * mg/L of sea level, some 25 % high. (How the EZO-DO itself combines them is not published; this is the usual
 * meter algorithm.) The probe's own temperature coefficient is left out.
 *
 * Before any calibration the circuit assumes a nominal probe calibrated at 20 °C and 101.325 kPa.
 * Outputs: mg/L and % (`O,mg|%,1|0`), a reading lists mg/L first; `O,?` answers as the datasheet prints it,
 * "?,O,%,mg". Which outputs are on after power-up is not in what could be read; the model starts with mg/L only.
 * Noise: uniform within ±0.025 mg/L (half the ±0.05 accuracy). Unplugged: no probe current, so 0.00 mg/L (and
 * 0.0 %): no documented value was found; a galvanic probe with no current is what zero oxygen looks like.
 */
import type { Micros } from "../../simulator/core/engine.js";
import type { EzoCalibration } from "../ezo/circuit.js";
import { answer, EzoModel, type EzoAnswer, type EzoModelOptions } from "../ezo/model.js";
import { airOxygenKpa, oxygenSaturation, STANDARD_ATMOSPHERE_KPA } from "../ezo/oxygen.js";
import { formatArgument, parseDecimal } from "../ezo/protocol.js";
import { salinityFromConductivity } from "../ezo/seawater.js";
import { DO_DEFAULT_KPA, DO_DEFAULT_T, DO_NO_OUTPUT, EZO_DO } from "./circuit.js";

export interface EzoDOModelOptions extends EzoModelOptions {
  /** True dissolved oxygen at time t, mg/L. */
  oxygen: (t: Micros) => number;
  /** Water temperature at time t, °C. */
  temperature: (t: Micros) => number;
  /** Water conductivity at 25 °C, µS/cm (its salinity); default fresh water (0). */
  conductivity?: (t: Micros) => number;
  /** Air pressure at the surface at time t, kPa (for `Cal` in air); default 101.325. */
  airPressure?: (t: Micros) => number;
  /** The probe: sensitivity relative to nominal (default 1) and zero current as a fraction of nominal air (default 0). */
  probe?: { sensitivity?: number; zero?: number };
}

/** pO₂ a nominal probe is calibrated against before any `Cal`: air at 20 °C and 101.325 kPa, kPa. */
const NOMINAL_KPA = airOxygenKpa(DO_DEFAULT_T, STANDARD_ATMOSPHERE_KPA);

export class EzoDOModel extends EzoModel {
  readonly #p: EzoDOModelOptions;
  #air = 1;
  #zero = 0;
  /** The O₂ partial pressure the air calibration stands for, kPa. */
  #reference = NOMINAL_KPA;
  #airCal = false;
  #zeroCal = false;
  /** `S,n`: as conductivity (µS/cm) or, with ",ppt", as salinity. */
  salinity = { value: 0, ppt: false };
  pressure = DO_DEFAULT_KPA;
  mg = true;
  percent = false;

  constructor(options: EzoDOModelOptions) {
    super(EZO_DO, options, DO_DEFAULT_T);
    this.#p = options;
  }

  #waterPsu(t: Micros): number {
    const c = this.#p.conductivity;
    return c ? salinityFromConductivity(c(t), 25) : 0;
  }

  /** Probe current for an O₂ partial pressure, in units of the nominal probe in nominal air. */
  #signal(pO2: number): number {
    if (this.fault === "unplugged") return 0;
    const p = this.#p.probe;
    return (p?.sensitivity ?? 1) * (pO2 / NOMINAL_KPA) + (p?.zero ?? 0);
  }

  #waterPO2(t: Micros): number {
    const T = this.#p.temperature(t);
    return (this.#p.oxygen(t) * airOxygenKpa(T, STANDARD_ATMOSPHERE_KPA)) / oxygenSaturation(T, this.#waterPsu(t), STANDARD_ATMOSPHERE_KPA);
  }

  protected reading(t: Micros): string {
    if (!this.mg && !this.percent) return DO_NO_OUTPUT;
    const s = this.salinity;
    const cs = oxygenSaturation(this.compensation, s.ppt ? s.value : salinityFromConductivity(s.value, 25), this.pressure);
    const pO2 = ((this.#signal(this.#waterPO2(t)) - this.#zero) / (this.#air - this.#zero)) * this.#reference;
    let r = pO2 / airOxygenKpa(this.compensation, this.pressure) + (0.025 / cs) * this.noise(1, t);
    if (r < 0) r = 0;
    const out: string[] = [];
    if (this.mg) out.push((r * cs).toFixed(2));
    if (this.percent) out.push((100 * r).toFixed(1));
    return out.join(",");
  }

  protected calibrate(c: EzoCalibration, t: Micros): string {
    switch (c.point) {
      case "?":
        return `?CAL,${(this.#airCal ? 1 : 0) + (this.#zeroCal ? 1 : 0)}`;
      case "clear":
        this.#air = 1;
        this.#zero = 0;
        this.#reference = NOMINAL_KPA;
        this.#airCal = this.#zeroCal = false;
        return "";
    }
    if (c.value === 0) {
      this.#zero = this.#signal(this.standardOf(0, () => this.#waterPO2(t)));
      this.#zeroCal = true;
    } else {
      const kpa = this.#p.airPressure ? this.#p.airPressure(t) : STANDARD_ATMOSPHERE_KPA;
      // `Cal` is the probe in air; immersed, the water's pO₂ stands in for it.
      this.#air = this.#signal(this.standardOf(airOxygenKpa(this.#p.temperature(t), kpa), () => this.#waterPO2(t)));
      this.#reference = airOxygenKpa(this.compensation, this.pressure);
      this.#airCal = true;
    }
    return "";
  }

  protected override circuitCommand(word: string, args: readonly string[]): EzoAnswer | undefined {
    if (word === "o") {
      if (args.length === 1 && args[0] === "?") return answer(`?,O${this.percent ? ",%" : ""}${this.mg ? ",mg" : ""}`);
      if (args.length !== 2 || (args[1] !== "0" && args[1] !== "1")) return undefined;
      const on = args[1] === "1";
      const which = args[0]!.toLowerCase();
      if (which === "mg") this.mg = on;
      else if (which === "%") this.percent = on;
      else return undefined;
      return answer();
    }
    if (word === "s") {
      if (args.length === 1 && args[0] === "?") return answer(`?S,${formatArgument(this.salinity.value, 2)},${this.salinity.ppt ? "ppt" : "uS"}`);
      if (args.length < 1 || args.length > 2) return undefined;
      const v = parseDecimal(args[0]!);
      const unit = args.length === 2 ? args[1]!.toLowerCase() : "us";
      if (!(v >= 0) || (unit !== "us" && unit !== "ppt")) return undefined;
      this.salinity = { value: v, ppt: unit === "ppt" };
      return answer();
    }
    if (word === "p") {
      if (args.length !== 1) return undefined;
      if (args[0] === "?") return answer(`?,P,${formatArgument(this.pressure, 2)}`);
      const v = parseDecimal(args[0]!);
      if (!(v > 0)) return undefined;
      this.pressure = v;
      return answer();
    }
    return undefined;
  }
}
