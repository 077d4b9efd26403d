/**
 * The NAS timer and eDRX encodings AT+CPSMS and AT+CEDRXS take as bit strings (3GPP TS 27.007 §7.38, §7.40):
 *
 * - Requested periodic TAU, T3412 extended: GPRS Timer 3 (TS 24.008 §10.5.7.4a), bits 8–6 the unit
 *   (000 10 min, 001 1 h, 010 10 h, 011 2 s, 100 30 s, 101 1 min, 110 320 h, 111 deactivated), bits 5–1 the value.
 * - Requested active time, T3324: GPRS Timer 2 (§10.5.7.3), unit 000 2 s, 001 1 min, 010 6 min (decihours),
 *   111 deactivated.
 * - eDRX cycle for NB-S1 mode (§10.5.5.32, Table 10.5.5.32): 4 bits, 0010 20.48 s … 1111 10485.76 s; the values
 *   the table leaves out are read as 0010.
 */

const T3412_UNITS_S: readonly (readonly [number, number])[] = Object.freeze([
  Object.freeze([0b011, 2] as const),
  Object.freeze([0b100, 30] as const),
  Object.freeze([0b101, 60] as const),
  Object.freeze([0b000, 600] as const),
  Object.freeze([0b001, 3600] as const),
  Object.freeze([0b010, 36_000] as const),
  Object.freeze([0b110, 1_152_000] as const),
]);

const T3324_UNITS_S: readonly (readonly [number, number])[] = Object.freeze([
  Object.freeze([0b000, 2] as const),
  Object.freeze([0b001, 60] as const),
  Object.freeze([0b010, 360] as const),
]);

const EDRX_NB_S1_S: Readonly<Record<string, number>> = Object.freeze({
  "0010": 20.48,
  "0011": 40.96,
  "0101": 81.92,
  "1001": 163.84,
  "1010": 327.68,
  "1011": 655.36,
  "1100": 1310.72,
  "1101": 2621.44,
  "1110": 5242.88,
  "1111": 10485.76,
});

function bits(n: number, width: number): string {
  let s = "";
  for (let i = width - 1; i >= 0; i--) s += (n >> i) & 1 ? "1" : "0";
  return s;
}

/** The exact encoding of `seconds` in the finest unit that holds it (values 0…31), or a RangeError naming why not. */
function encode(seconds: number, units: readonly (readonly [number, number])[], what: string): string {
  if (!Number.isInteger(seconds) || seconds < 0) throw new RangeError(`${what}: ${seconds} s is not a whole number of seconds`);
  for (const [unit, step] of units) {
    if (seconds % step === 0 && seconds / step <= 31) return bits(unit, 3) + bits(seconds / step, 5);
  }
  throw new RangeError(`${what}: ${seconds} s cannot be encoded exactly (units ${units.map((u) => `${u[1]} s`).join(", ")}, values 0…31)`);
}

function decode(code: string, units: readonly (readonly [number, number])[]): number | undefined {
  if (!/^[01]{8}$/.test(code)) return undefined;
  const unit = parseInt(code.slice(0, 3), 2);
  if (unit === 0b111) return undefined; // deactivated
  const value = parseInt(code.slice(3), 2);
  for (const [u, step] of units) if (u === unit) return value * step;
  return undefined;
}

export const encodeT3412 = (seconds: number): string => encode(seconds, T3412_UNITS_S, "T3412 (periodic TAU)");
export const encodeT3324 = (seconds: number): string => encode(seconds, T3324_UNITS_S, "T3324 (active time)");
/** Seconds, or undefined for "deactivated" or a malformed string. */
export const decodeT3412 = (code: string): number | undefined => decode(code, T3412_UNITS_S);
export const decodeT3324 = (code: string): number | undefined => decode(code, T3324_UNITS_S);

/** The NB-S1 eDRX cycle a 4-bit value stands for, s (unlisted values are 20.48 s, as the table says). */
export function edrxCycleSeconds(code: string): number | undefined {
  if (!/^[01]{4}$/.test(code)) return undefined;
  return EDRX_NB_S1_S[code] ?? 20.48;
}

/** The 4-bit value for an NB-S1 eDRX cycle of exactly `seconds`, or a RangeError listing the cycles there are. */
export function encodeEdrx(seconds: number): string {
  for (const code of Object.keys(EDRX_NB_S1_S)) if (EDRX_NB_S1_S[code] === seconds) return code;
  throw new RangeError(`eDRX cycle ${seconds} s is not an NB-S1 value (${Object.values(EDRX_NB_S1_S).join(", ")} s)`);
}
