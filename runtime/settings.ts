/**
 * Settings sent to a node as a flat JSON object (a configuration downlink such as `{"reportS": 300}`), read byte by
 * byte with the project's own grammar and messages: integers within bounds, and short ASCII texts (a command a
 * device checks with its own grammar, such as the buoy's `{"cal":"ph,mid,7.00"}`).
 *
 * Why not `JSON.parse`: its errors are the engine's text (`Unexpected token …` on V8, `1: invalid character` on XS),
 * and an answer built from them differs between the simulator, XS and a board. Its number parsing and its nesting
 * depth are the engine's too (a deeply nested payload that V8 parses can overflow a 16 KB MCU stack). Here every
 * outcome, and every message, is this module's: the same bytes in give the same answer on every engine.
 *
 * The payload must be JSON (RFC 8259), checked whole first, iteratively (an explicit stack, no recursion), so a
 * broken payload is always answered as such, whatever else is wrong with it. Then it must be one object whose
 * members each name one of the settings, once, with a JSON number whose exact decimal value is an integer within
 * the setting's bounds (`300`, `300.0` and `3e2` are the same setting). Member names are compared as written (no
 * escapes are decoded: no setting name needs one). Of several problems, the first in the payload is reported.
 *
 * Messages (the `{"error": …}` acknowledgement carries them; docs/downlinks.md lists them):
 * - `config is longer than N bytes`
 * - `config is not JSON: expected X at byte N` (X: a value, `"`, `:`, `,` or `}`, `,` or `]`, a digit, a closing
 *   `"`, the end), `config is not JSON: bad escape at byte N`, `… control character in a string at byte N`
 * - `config must be a JSON object, not an array` (a string, a number, true, false, null)
 * - `config sets nothing (settable: a, b)`
 * - `unknown setting "name" (settable: a, b)`, or `unknown setting at byte N (…)` when the name is not 1–32
 *   printable ASCII characters
 * - `setting "name" is given twice`
 * - `name must be an integer in [min, max]`
 * - `name must be a string of 1–N printable ASCII characters without escapes` (a text setting)
 */

export interface IntegerSetting {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

/**
 * A setting whose value is a JSON string of 1–`maxLength` printable ASCII characters, taken as written: a `\`
 * escape is refused rather than decoded (no command a node takes needs one, and decoding is engine-free work saved).
 */
export interface TextSetting {
  readonly name: string;
  readonly maxLength: number;
}

export type Setting = IntegerSetting | TextSetting;

export function isTextSetting(s: Setting): s is TextSetting {
  return (s as TextSetting).maxLength !== undefined;
}

/** The values read, in the order of the settings given; `undefined` where the payload did not set one. */
export type SettingsResult = { readonly values: readonly (number | string | undefined)[] } | { readonly error: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Significant digits kept of a number: 10^15 < 2^53, so every step of the sum is exact. */
const MAX_DIGITS = 15;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}
function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}
function isHex(b: number): boolean {
  return isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

/** Marks a failure inside the reader; `parseSettings` turns it into the result's `error`. Never leaves this module. */
class Refusal {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

class Reader {
  readonly #b: Uint8Array;
  #i = 0;

  constructor(bytes: Uint8Array) {
    this.#b = bytes;
  }

  get at(): number {
    return this.#i;
  }

  advance(): void {
    this.#i++;
  }

  /** `true`, `false` or `null` (the caller saw its first byte). */
  literal(): void {
    const c = this.peek();
    const word = c === 0x74 ? "true" : c === 0x66 ? "false" : "null";
    for (let k = 0; k < word.length; k++) {
      if (this.#b[this.#i + k] !== word.charCodeAt(k)) throw this.refuse("a value");
    }
    this.#i += word.length;
  }

  get done(): boolean {
    return this.#i >= this.#b.length;
  }

  peek(): number {
    return this.#i < this.#b.length ? this.#b[this.#i]! : -1;
  }

  skipSpace(): void {
    while (this.#i < this.#b.length && isSpace(this.#b[this.#i]!)) this.#i++;
  }

  refuse(expected: string): Refusal {
    return new Refusal(`config is not JSON: expected ${expected} at byte ${this.#i}`);
  }

  expect(byte: number, expected: string): void {
    if (this.peek() !== byte) throw this.refuse(expected);
    this.#i++;
  }

  /** A JSON string; returns its raw bytes between the quotes (escapes checked, not decoded). */
  string(): Uint8Array {
    this.expect(QUOTE, '"');
    const start = this.#i;
    for (;;) {
      const c = this.peek();
      if (c < 0) throw this.refuse('a closing "');
      if (c === QUOTE) break;
      if (c < 0x20) throw new Refusal(`config is not JSON: control character in a string at byte ${this.#i}`);
      if (c === BACKSLASH) {
        const e = this.#b[this.#i + 1] ?? -1;
        // \" \\ \/ \b \f \n \r \t, or \u and four hex digits (RFC 8259 §7)
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) {
            if (!isHex(this.#b[this.#i + k] ?? -1)) throw new Refusal(`config is not JSON: bad escape at byte ${this.#i}`);
          }
          this.#i += 6;
          continue;
        }
        if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
          throw new Refusal(`config is not JSON: bad escape at byte ${this.#i}`);
        }
        this.#i += 2;
        continue;
      }
      this.#i++;
    }
    const raw = this.#b.subarray(start, this.#i);
    this.#i++;
    return raw;
  }

  /**
   * A JSON number's exact value when it is an integer of at most 15 digits; ±Infinity when it is an integer with
   * more; NaN when it is not an integer; undefined when no number starts here. Exact on every engine: the digits
   * are summed as integers below 2^53, never converted by the engine's string-to-number.
   */
  number(): number | undefined {
    const b = this.#b;
    let i = this.#i;
    let negative = false;
    if (b[i] === 0x2d) {
      negative = true;
      i++;
    }
    if (!isDigit(b[i] ?? -1)) return undefined;
    // value·10^scale, value the first 15 significant digits; `fractionLost`: a non-zero digit beyond them after
    // the point (then the number is not an integer, or so large that it is out of any bound anyway).
    let value = 0;
    let digits = 0;
    let scale = 0;
    let fractionLost = false;
    const take = (d: number, fraction: boolean): void => {
      if (digits === 0 && d === 0) {
        if (fraction) scale--;
      } else if (digits < MAX_DIGITS) {
        value = value * 10 + d;
        digits++;
        if (fraction) scale--;
      } else if (!fraction) {
        scale++;
      } else if (d !== 0) {
        fractionLost = true;
      }
    };
    if (b[i] === 0x30) i++;
    else while (isDigit(b[i] ?? -1)) take(b[i++]! - 0x30, false);
    if (b[i] === 0x2e) {
      i++;
      if (!isDigit(b[i] ?? -1)) {
        this.#i = i;
        throw this.refuse("a digit");
      }
      while (isDigit(b[i] ?? -1)) take(b[i++]! - 0x30, true);
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      let sign = 1;
      if (b[i] === 0x2b || b[i] === 0x2d) sign = b[i++] === 0x2d ? -1 : 1;
      if (!isDigit(b[i] ?? -1)) {
        this.#i = i;
        throw this.refuse("a digit");
      }
      let e = 0;
      while (isDigit(b[i] ?? -1)) {
        if (e < 1_000_000) e = e * 10 + (b[i]! - 0x30);
        i++;
      }
      scale += sign * e;
    }
    this.#i = i;
    if (digits === 0) return 0;
    if (fractionLost) return NaN;
    while (scale < 0 && value % 10 === 0) {
      value /= 10; // exact: the last digit is 0
      digits--;
      scale++;
    }
    if (scale < 0) return NaN;
    if (digits + scale > MAX_DIGITS) return negative ? -Infinity : Infinity;
    for (; scale > 0; scale--) value *= 10;
    return negative ? -value : value;
  }
}

function sameName(raw: Uint8Array, name: string): boolean {
  if (raw.length !== name.length) return false;
  for (let i = 0; i < raw.length; i++) if (raw[i] !== name.charCodeAt(i)) return false;
  return true;
}

/** The bytes as text when they are 1–`max` printable ASCII characters other than `"` and `\`; undefined otherwise. */
function printable(raw: Uint8Array, max = 32): string | undefined {
  if (raw.length === 0 || raw.length > max) return undefined;
  let s = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

function settable(settings: readonly Setting[]): string {
  let s = "";
  for (let i = 0; i < settings.length; i++) s += (i > 0 ? ", " : "") + settings[i]!.name;
  return `(settable: ${s})`;
}

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;

function kindOf(first: number): string {
  if (first === OPEN_ARRAY) return "an array";
  if (first === QUOTE) return "a string";
  if (first === 0x74 || first === 0x66) return "true or false";
  if (first === 0x6e) return "null";
  return "a number";
}

/**
 * One pass over the payload: its JSON grammar (any refusal thrown at once) and, for the top-level object's
 * members, the settings (the first problem kept until the grammar is known to be right).
 */
function scan(bytes: Uint8Array, settings: readonly Setting[], values: (number | string | undefined)[]): void {
  const r = new Reader(bytes);
  const open: number[] = []; // the containers around the current position, outermost first
  const seen: boolean[] = [];
  for (let i = 0; i < settings.length; i++) seen.push(false);
  r.skipSpace();
  const first = r.peek();
  let problem: string | undefined;
  let members = 0;
  let member = -1; // the setting whose value comes next at the top level; −1 for none (or one already refused)

  /** After `{` or `,` in an object: a member name and its colon. */
  const name = (): void => {
    r.skipSpace();
    const at = r.at;
    const raw = r.string();
    r.skipSpace();
    r.expect(0x3a, ":");
    if (open.length !== 1) return;
    members++;
    member = -1;
    if (problem !== undefined) return;
    for (let j = 0; j < settings.length; j++) if (sameName(raw, settings[j]!.name)) member = j;
    if (member < 0) {
      const text = printable(raw);
      problem = text !== undefined ? `unknown setting "${text}" ${settable(settings)}` : `unknown setting at byte ${at} ${settable(settings)}`;
    } else if (seen[member]) {
      problem = `setting "${settings[member]!.name}" is given twice`;
      member = -1;
    } else {
      seen[member] = true;
    }
  };
  /**
   * A top-level member's value is complete: `v` is its number (see Reader.number), or the raw bytes of a string,
   * undefined for any other kind.
   */
  const valued = (v: number | Uint8Array | undefined): void => {
    if (member < 0 || problem !== undefined) return;
    const s = settings[member]!;
    if (isTextSetting(s)) {
      const text = v instanceof Uint8Array ? printable(v, s.maxLength) : undefined;
      if (text === undefined) problem = `${s.name} must be a string of 1–${s.maxLength} printable ASCII characters without escapes`;
      else values[member] = text;
    } else if (typeof v !== "number" || v !== v || v < s.min || v > s.max) problem = `${s.name} must be an integer in [${s.min}, ${s.max}]`;
    else values[member] = v;
    member = -1;
  };

  for (;;) {
    // A value starts here.
    r.skipSpace();
    const c = r.peek();
    const depth = open.length;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      r.advance();
      open.push(c);
      r.skipSpace();
      const close = c === OPEN_OBJECT ? 0x7d : 0x5d;
      if (r.peek() !== close) {
        if (c === OPEN_OBJECT) {
          if (r.peek() !== QUOTE) throw r.refuse('" or }');
          name();
        }
        continue;
      }
      r.advance();
      open.pop();
      if (depth === 1) valued(undefined);
    } else if (c === QUOTE) {
      const raw = r.string();
      if (depth === 1) valued(raw);
    } else if (c === 0x2d || isDigit(c)) {
      const v = r.number();
      if (depth === 1) valued(v);
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      r.literal();
      if (depth === 1) valued(undefined);
    } else {
      throw r.refuse("a value");
    }
    // The value is complete: close what it completes, up to the next value.
    let next = false;
    while (!next) {
      r.skipSpace();
      if (open.length === 0) {
        if (!r.done) throw r.refuse("the end");
        if (first !== OPEN_OBJECT) throw new Refusal(`config must be a JSON object, not ${kindOf(first)}`);
        if (problem !== undefined) throw new Refusal(problem);
        if (members === 0) throw new Refusal(`config sets nothing ${settable(settings)}`);
        return;
      }
      const top = open[open.length - 1]!;
      if (r.peek() === 0x2c) {
        r.advance();
        if (top === OPEN_OBJECT) name();
        next = true;
      } else if (r.peek() === (top === OPEN_OBJECT ? 0x7d : 0x5d)) {
        r.advance();
        open.pop();
        if (open.length === 1) valued(undefined);
      } else {
        throw r.refuse(top === OPEN_OBJECT ? ", or }" : ", or ]");
      }
    }
  }
}

/**
 * Read a settings payload. Integer bounds must be safe integers; `maxBytes` bounds the work on the device.
 * Never throws for any payload.
 */
export function parseSettings(payload: Uint8Array, settings: readonly Setting[], maxBytes = 256): SettingsResult {
  if (payload.length > maxBytes) return { error: `config is longer than ${maxBytes} bytes` };
  const values: (number | string | undefined)[] = [];
  for (let i = 0; i < settings.length; i++) values.push(undefined);
  try {
    scan(payload, settings, values);
  } catch (e) {
    if (e instanceof Refusal) return { error: e.message };
    throw e;
  }
  return { values };
}
