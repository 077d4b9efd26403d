/**
 * Schema pieces shared by board, device and part manifests: pin references, hex integers, I2C addresses.
 *
 * Pins are numbers, as ECMA-419 pin specifiers are on Moddable: the ESP32's GPIO number, and on nRF52 the
 * port*32 + pin number Moddable's Digital uses (`bank = pin >> 5`), so P1.14 is 46. Manifests may write nRF pins as
 * they are printed on the board ("P1.04"); validation turns them into numbers.
 */
import { s, type Schema, type Static } from "./builder.js";
import { parsePinName } from "./pin-name.js";

const PIN_IN_PORT = "(0?[0-9]|[12][0-9]|3[01])";
export const PIN_NAME_PATTERN = `^P[0-9]\\.${PIN_IN_PORT}$`;
export const PIN_KEY_PATTERN = `^(0|[1-9][0-9]{0,2}|P[0-9]\\.${PIN_IN_PORT})$`;
const PIN_NAME_HINT = 'port pin name such as "P1.04"';

/** A record key naming a pin ("27", "P0.09") → its number. */
export function pinKeyToNumber(key: string): number {
  return parsePinName(key) ?? Number(key);
}

/** A pin: an integer (GPIO number, or port*32 + pin) or a port pin name such as "P1.04". Normalised to a number. */
export function pinRef(description?: string) {
  return s.transform(
    s.union([s.integer({ minimum: 0, maximum: 255 }), s.string({ pattern: PIN_NAME_PATTERN, patternHint: PIN_NAME_HINT })]),
    (v: number | string) => (typeof v === "number" ? v : parsePinName(v)!),
    description !== undefined ? { description } : {},
  );
}

/** A map keyed by pin ("27" or "P0.09"); keys are normalised to decimal pin numbers ("9"). */
export function pinRecord<S extends Schema>(values: S, description: string) {
  return s.transform(
    s.record(values, {
      keyPattern: PIN_KEY_PATTERN,
      keyHint: 'a pin number such as "27" or a port pin name such as "P0.09"',
    }),
    (rec: Record<string, Static<S>>) => {
      const out: Record<string, Static<S>> = {};
      for (const [k, v] of Object.entries(rec)) out[String(pinKeyToNumber(k))] = v;
      return out;
    },
    { description },
  );
}

/** A non-negative integer, as a JSON number or a "0x…" string (flash offsets and sizes read better in hex). */
export function hexInt(description: string, range: { minimum?: number; maximum?: number; hint?: string } = {}) {
  const { minimum, maximum, hint } = range;
  return s.transform(
    s.union([s.integer({ minimum: 0 }), s.string({ pattern: "^0x[0-9a-fA-F]+$", patternHint: 'hex string such as "0x3d0000"' })]),
    (v: number | string) => (typeof v === "number" ? v : parseInt(v.slice(2), 16)),
    {
      description,
      refine: (n: number) =>
        // A longer hex string parses to a number that is no longer the one written.
        n > Number.MAX_SAFE_INTEGER
          ? "a value below 2^53 (larger numbers cannot be held exactly)"
          : (minimum !== undefined && n < minimum) || (maximum !== undefined && n > maximum)
            ? (hint ?? `integer from ${minimum ?? 0} to ${maximum ?? "2^53 - 1"}`)
            : undefined,
    },
  );
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** A 7-bit I2C address as a number or "0x76"; 0x00–0x07 and 0x78–0x7F are reserved by the I2C specification. */
export function i2cAddress(description: string) {
  return hexInt(description, { minimum: 0x08, maximum: 0x77, hint: "7-bit I2C address from 0x08 to 0x77" });
}

/** Lower-case names with digits and dashes: board, device, part, bus and role names. */
export const NAME_PATTERN = "^[a-z0-9][a-z0-9-]*$";
export function name(description: string) {
  return s.string({ description, pattern: NAME_PATTERN, patternHint: 'lower-case name such as "esp32-devkitc" (a-z, 0-9, "-")' });
}

/** Role, pin and bus names as device code sees them (`host.pin.wind`, `config.parts.barometer`). */
export const IDENT_PATTERN = "^[A-Za-z][A-Za-z0-9_-]*$";
export const IDENT_HINT = 'a name such as "wind" (a letter, then letters, digits, "_" or "-")';
export function ident(description: string) {
  return s.string({ description, pattern: IDENT_PATTERN, patternHint: IDENT_HINT });
}
