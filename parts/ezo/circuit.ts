/**
 * What one EZO circuit is, as its driver and its model both need it: the type it reports to `i`, its default
 * address, its processing delays, its reading range and its calibration commands. Each circuit declares one of
 * these in parts/ezo-<circuit>/circuit.ts, frozen (Moddable preloads modules).
 */
import { EZO_STANDARD_MS, parseDecimal, sameWord } from "./protocol.js";

/** The circuit type as the `i` reply names it (`?I,pH,2.16`). */
export type EzoType = "pH" | "DO" | "EC" | "ORP" | "RTD";

/** A calibration command, parsed: `Cal,mid,7.00` → { point: "mid", value: 7 }; `Cal,?` → { point: "?" }. */
export interface EzoCalibration {
  /** "mid", "low", "high", "dry", "clear", "?", "slope?" (pH `Slope,?`), "" (`Cal` / `Cal,n` without a name). */
  readonly point: string;
  /** The standard's value, when the command names one. */
  readonly value?: number;
  /** Processing delay, ms. */
  readonly ms: number;
}

export interface EzoCircuit {
  /** Catalogue name, e.g. "ezo-ph". */
  readonly name: string;
  readonly type: EzoType;
  readonly defaultAddress: number;
  /** Processing delay of `R`, ms. */
  readonly readMs: number;
  /** Processing delay of `RT,t` (set the compensation temperature and read), ms; 0: the circuit has no RT. */
  readonly compensatedReadMs: number;
  /** Whether `T,t` exists (temperature compensation). */
  readonly temperatureCompensation: boolean;
  /**
   * Parse a calibration command, or say what is wrong with it. Both sides use it: the driver refuses what the
   * circuit would answer with a syntax error, the model executes what it accepts.
   */
  calibration(command: string): EzoCalibration | string;
}

interface PointRule {
  /** The name after `Cal,` ("mid"), or "" for `Cal,n` / `Cal`. */
  readonly point: string;
  /** Whether a value follows, and its bounds. */
  readonly value?: { readonly min: number; readonly max: number; readonly what: string };
  readonly ms: number;
}

/**
 * A calibration grammar from its point rules; `Cal,clear` and `Cal,?` (standard delay) are common to all circuits.
 * `extra` adds whole commands outside `Cal,` (pH `Slope,?`).
 */
export function calibrationGrammar(
  type: EzoType,
  rules: readonly PointRule[],
  extra: Readonly<Record<string, string>> = {},
): (command: string) => EzoCalibration | string {
  // The grammar is kept in consts, frozen to the leaves: Moddable's xsl preloads it into flash, and warns about a
  // closure over a parameter or a mutable object (which would then be read-only on the board).
  const pointRules: readonly PointRule[] = Object.freeze(rules.map((r) => Object.freeze(r.value ? { ...r, value: Object.freeze({ ...r.value }) } : { ...r })));
  const commands: Readonly<Record<string, string>> = Object.freeze({ ...extra });
  // A value that can only be one number (EZO-DO `Cal,0`) is written as that number.
  const forms = pointRules.map((r) => (r.point ? `Cal,${r.point}` : "Cal") + (r.value ? (r.value.min === r.value.max ? `,${r.value.min}` : ",<" + r.value.what + ">") : "")).concat("Cal,clear", "Cal,?", ...Object.keys(commands));
  const expected = `EZO-${type} calibration commands are ${forms.join(", ")}`;
  return (command) => {
    if (typeof command !== "string") return `${expected}; got ${typeof command}`;
    for (const k of Object.keys(commands)) if (sameWord(command, k)) return { point: commands[k]!, ms: EZO_STANDARD_MS };
    const f = command.split(",");
    if (!sameWord(f[0]!, "Cal")) return `${expected}; got ${JSON.stringify(command)}`;
    if (f.length === 2 && (f[1] === "?" || sameWord(f[1]!, "clear"))) return { point: f[1] === "?" ? "?" : "clear", ms: EZO_STANDARD_MS };
    for (const r of pointRules) {
      let i = 1;
      if (r.point) {
        if (f.length < 2 || !sameWord(f[1]!, r.point)) continue;
        i = 2;
      }
      if (!r.value) {
        if (f.length === i) return { point: r.point, ms: r.ms };
        continue;
      }
      if (f.length !== i + 1) continue;
      const v = parseDecimal(f[i]!);
      if (v !== v) return `${command}: ${JSON.stringify(f[i])} is not a decimal number (${expected})`;
      if (v < r.value.min || v > r.value.max) {
        return r.value.min === r.value.max ? `${command}: ${expected}; got ${v} where only ${r.value.min} is taken` : `${command}: ${r.value.what} must be ${r.value.min}–${r.value.max}, got ${v}`;
      }
      return { point: r.point, value: v, ms: r.ms };
    }
    return `${expected}; got ${JSON.stringify(command)}`;
  };
}

/**
 * How an EZO circuit sits on I2C, for its part declaration: the factory address first, then every other address
 * `I2C,n` can set (n = 1–127, EZO datasheets "I2C address change"), at up to 400 kHz (the datasheets' I2C mode
 * pages give 100–400 kHz; unverified here).
 */
export function ezoConnection(defaultAddress: number): { kind: "i2c"; addresses: readonly number[]; maxHz: number } {
  const addresses = [defaultAddress];
  for (let a = 1; a <= 127; a++) if (a !== defaultAddress) addresses.push(a);
  return { kind: "i2c", addresses, maxHz: 400_000 };
}
