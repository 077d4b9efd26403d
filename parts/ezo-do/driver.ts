/**
 * Atlas Scientific EZO-DO driver (ECMA-419 Sensor Class Pattern): `measure()` sends `R` (or `RT,t` with the RTD's
 * temperature), the reading arrives 600 ms (900 ms with RT) later through `onSample`: mg/L and % saturation, as
 * selected with `O,mg,1|0` and `O,%,1|0`. Salinity (`S,<µS/cm>`) and pressure (`P,<kPa>`) compensation are
 * settings the circuit keeps; they are sent when they change. Calibration (`Cal` in air, `Cal,0` in a zero
 * solution, `Cal,clear`, `Cal,?`) goes through `calibrate(command, done)`.
 *
 * The circuit assumes one standard atmosphere unless told: at Dianchi (about 81 kPa) configure `pressure`, or the
 * mg/L it reports are those of water saturated at sea level.
 */
import { EzoDriver, type EzoConfig, type EzoOptions } from "../ezo/driver.js";
import { formatArgument, parseDecimal } from "../ezo/protocol.js";
import { DO_DEFAULTS, DO_NO_OUTPUT, EZO_DO } from "./circuit.js";

export interface EzoDOSample {
  /** mg/L, when that output is selected. */
  oxygen?: number;
  /** % saturation, when that output is selected. */
  saturation?: number;
}

export interface EzoDOConfig extends EzoConfig {
  /** Report mg/L (`O,mg,1`). */
  mgPerLitre: boolean;
  /** Report % saturation (`O,%,1`). */
  saturation: boolean;
  /** Salinity compensation as conductivity, µS/cm (`S,n`); 0 for fresh water. */
  salinity: number;
  /** Pressure compensation, kPa (`P,n`). */
  pressure: number;
}

export class EzoDO extends EzoDriver<EzoDOSample, EzoDOConfig> {
  #mg = true;
  #pct = true;

  constructor(options: EzoOptions<EzoDO>) {
    super(options as EzoOptions<EzoDriver<EzoDOSample, EzoDOConfig>>, EZO_DO);
    this.configure(DO_DEFAULTS);
  }

  override configure(options: Partial<EzoDOConfig>): void {
    super.configure(options);
    const { mgPerLitre, saturation, salinity, pressure } = options;
    if (mgPerLitre !== undefined || saturation !== undefined) {
      const mg = mgPerLitre ?? this.#mg;
      const pct = saturation ?? this.#pct;
      if (typeof mg !== "boolean" || typeof pct !== "boolean") throw new TypeError(`${this.part}: mgPerLitre and saturation must be booleans`);
      if (!mg && !pct) throw new RangeError(`${this.part}: at least one of mgPerLitre and saturation must be on (the circuit would read "no output")`);
      this.#mg = mg;
      this.#pct = pct;
      this.setting("O,mg", `O,mg,${mg ? 1 : 0}`);
      this.setting("O,%", `O,%,${pct ? 1 : 0}`);
    }
    if (salinity !== undefined) {
      if (!(typeof salinity === "number" && salinity >= 0 && salinity <= 500_000)) {
        throw new RangeError(`${this.part}: salinity must be a conductivity of 0–500000 µS/cm, got ${String(salinity)}`);
      }
      this.setting("S", `S,${formatArgument(salinity, 1)}`);
    }
    if (pressure !== undefined) {
      if (!(typeof pressure === "number" && pressure >= 10 && pressure <= 1000)) throw new RangeError(`${this.part}: pressure must be 10–1000 kPa, got ${String(pressure)}`);
      this.setting("P", `P,${formatArgument(pressure, 2)}`);
    }
  }

  protected parseReading(text: string): EzoDOSample | string {
    if (text === DO_NO_OUTPUT) return `the circuit has every output disabled ("${DO_NO_OUTPUT}")`;
    const f = text.split(",");
    const want = (this.#mg ? 1 : 0) + (this.#pct ? 1 : 0);
    if (f.length !== want) return `reading ${JSON.stringify(text)} has ${f.length} field(s), expected ${want} (${this.#mg ? "mg/L" : ""}${this.#mg && this.#pct ? ", " : ""}${this.#pct ? "% saturation" : ""})`;
    const out: EzoDOSample = {};
    let i = 0;
    if (this.#mg) {
      const v = parseDecimal(f[i++]!);
      if (!(v >= 0)) return `mg/L field ${JSON.stringify(f[i - 1])} is not a non-negative number`;
      out.oxygen = v;
    }
    if (this.#pct) {
      const v = parseDecimal(f[i]!);
      if (!(v >= 0)) return `% saturation field ${JSON.stringify(f[i])} is not a non-negative number`;
      out.saturation = v;
    }
    return out;
  }
}
