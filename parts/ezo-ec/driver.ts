/**
 * Atlas Scientific EZO-EC driver (ECMA-419 Sensor Class Pattern): `measure()` sends `R` (or `RT,t` with the RTD's
 * temperature), the reading arrives 600 ms (900 ms with RT) later through `onSample`: conductivity (µS/cm,
 * compensated to 25 °C), TDS (ppm), salinity (PSU) and specific gravity, as selected with `O,EC|TDS|S|SG,1|0`,
 * listed in that order. The probe's cell constant (`K,n`) and the TDS factor (`TDS,n`) are settings the circuit
 * keeps. Calibration (`Cal,dry`, `Cal,n`, `Cal,low,n`, `Cal,high,n`, `Cal,clear`, `Cal,?`) goes through
 * `calibrate(command, done)`.
 */
import { EzoDriver, type EzoConfig, type EzoOptions } from "../ezo/driver.js";
import { formatArgument, parseDecimal } from "../ezo/protocol.js";
import { EC_DEFAULTS, EC_FIELDS, EC_MIN_US, EC_NO_OUTPUT, EZO_EC, type EcField } from "./circuit.js";

export interface EzoECSample {
  /** µS/cm at 25 °C. */
  conductivity?: number;
  /** Total dissolved solids, ppm. */
  tds?: number;
  /** Practical salinity, PSU. */
  salinity?: number;
  specificGravity?: number;
}

export interface EzoECConfig extends EzoConfig {
  /** Probe cell constant K (0.1–10; `K,n`). */
  k: number;
  /** TDS = EC × factor (`TDS,n`, 0.01–1.00). */
  tdsFactor: number;
  conductivity: boolean;
  tds: boolean;
  salinity: boolean;
  specificGravity: boolean;
}

const KEYS: Readonly<Record<EcField, "conductivity" | "tds" | "salinity" | "specificGravity">> = Object.freeze({
  EC: "conductivity",
  TDS: "tds",
  S: "salinity",
  SG: "specificGravity",
});

export class EzoEC extends EzoDriver<EzoECSample, EzoECConfig> {
  readonly #on: Record<EcField, boolean> = { EC: true, TDS: false, S: false, SG: false };

  constructor(options: EzoOptions<EzoEC>) {
    super(options as EzoOptions<EzoDriver<EzoECSample, EzoECConfig>>, EZO_EC);
    this.configure(EC_DEFAULTS);
  }

  override configure(options: Partial<EzoECConfig>): void {
    super.configure(options);
    const { k, tdsFactor } = options;
    const next = { ...this.#on };
    let outputs = false;
    for (const field of EC_FIELDS) {
      const v = options[KEYS[field]];
      if (v === undefined) continue;
      if (typeof v !== "boolean") throw new TypeError(`${this.part}: ${KEYS[field]} must be a boolean`);
      next[field] = v;
      outputs = true;
    }
    if (outputs) {
      if (!EC_FIELDS.some((f) => next[f])) throw new RangeError(`${this.part}: at least one output must be on (the circuit would read "no output")`);
      for (const f of EC_FIELDS) {
        this.#on[f] = next[f];
        this.setting(`O,${f}`, `O,${f},${next[f] ? 1 : 0}`);
      }
    }
    if (k !== undefined) {
      if (!(typeof k === "number" && k >= 0.1 && k <= 10)) throw new RangeError(`${this.part}: k must be a cell constant of 0.1–10, got ${String(k)}`);
      this.setting("K", `K,${formatArgument(k, 2)}`);
    }
    if (tdsFactor !== undefined) {
      if (!(typeof tdsFactor === "number" && tdsFactor >= 0.01 && tdsFactor <= 1)) throw new RangeError(`${this.part}: tdsFactor must be 0.01–1.00, got ${String(tdsFactor)}`);
      this.setting("TDS", `TDS,${formatArgument(tdsFactor, 2)}`);
    }
  }

  protected parseReading(text: string): EzoECSample | string {
    if (text === EC_NO_OUTPUT) return `the circuit has every output disabled ("${EC_NO_OUTPUT}")`;
    const f = text.split(",");
    const fields = EC_FIELDS.filter((x) => this.#on[x]);
    if (f.length !== fields.length) return `reading ${JSON.stringify(text)} has ${f.length} field(s), expected ${fields.length} (${fields.join(",")})`;
    const out: EzoECSample = {};
    for (let i = 0; i < fields.length; i++) {
      const v = parseDecimal(f[i]!);
      if (!(v >= 0)) return `${fields[i]} field ${JSON.stringify(f[i])} is not a non-negative number`;
      out[KEYS[fields[i]!]] = v;
    }
    if (out.conductivity !== undefined && out.conductivity < EC_MIN_US) {
      return `conductivity ${f[0]} µS/cm is below the circuit's range (${EC_MIN_US}): probe dry or unplugged`;
    }
    return out;
  }
}
