/**
 * The Atlas Scientific EZO I2C protocol, shared by every EZO circuit's driver and model.
 *
 * A transaction is an ASCII command written to the circuit (not case sensitive, no terminator), a wait of the
 * command's processing delay, then a read. The first byte read is a response code (EZO-pH datasheet v5.8 p.46
 * "Response codes", EZO-DO v4.1 p.44): 1 success, 2 syntax error, 254 still processing (what a read before the
 * delay always returns), 255 no data to send. After code 1 comes the ASCII reply, ended by a NUL
 * (EZO-pH p.51: `R` → 1, "9.560", 0).
 *
 * Replies carry no checksum: corruption is caught only when it breaks the framing (an unknown code, a byte that is
 * not printable ASCII, a missing NUL) or the reply's grammar. A flipped digit that stays a digit cannot be seen.
 * Portable device code: no allocation beyond the strings the protocol is made of.
 */

export const EZO_SUCCESS = 1;
export const EZO_SYNTAX_ERROR = 2;
export const EZO_PENDING = 254;
export const EZO_NO_DATA = 255;

/**
 * Processing delay of commands that take no measurement (`i`, `Status`, `T,n`, `O,…`, `Cal,?`): the 300 ms of the
 * datasheets' I2C example (EZO-pH v5.8 p.46 `delay(300)`, EZO-DO v4.1 p.55 "300ms processing delay" for `O,…`).
 */
export const EZO_STANDARD_MS = 300;

/**
 * Bytes the driver reads for one reply: the code, the longest reply text it asks for (EC with all four outputs,
 * "500000,270000,42.00,1.300", or "?STATUS,P,5.038") and the NUL, with room to spare.
 */
export const EZO_REPLY_BYTES = 40;

/** Longest command the driver sends (`RT,-126.000`, `Cal,high,500000.00`). */
export const EZO_MAX_COMMAND = 32;

/**
 * A read that still answers 254 after the datasheet's delay is polled again this often, at most EZO_MAX_POLLS
 * times, before the command is given up as a timeout. The datasheets give no poll period; 100 ms keeps the extra
 * wake time small next to the 600–900 ms reads.
 */
export const EZO_POLL_MS = 100;
export const EZO_MAX_POLLS = 10;

/** The command as bytes; throws a RangeError naming the first byte that is not printable ASCII. */
export function encodeCommand(command: string): Uint8Array {
  const n = command.length;
  if (n === 0 || n > EZO_MAX_COMMAND) throw new RangeError(`EZO command must be 1–${EZO_MAX_COMMAND} characters, got ${n}`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = command.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new RangeError(`EZO command ${JSON.stringify(command)}: character ${i} is not printable ASCII`);
    out[i] = c;
  }
  return out;
}

/** The command's text from bytes a model received; undefined when a byte is not printable ASCII. */
export function decodeCommand(bytes: Uint8Array): string | undefined {
  let text = "";
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0 && i === bytes.length - 1) break; // a trailing NUL (some hosts send C strings with it)
    if (c < 0x20 || c > 0x7e) return undefined;
    text += String.fromCharCode(c);
  }
  return text;
}

/** What a read returned: the response code and, after code 1, the reply text. */
export interface EzoReply {
  code: number;
  text: string;
}

/**
 * Decode a read. A framing error (unknown code, non-printable byte, no NUL within the bytes read) is returned as a
 * string saying what is wrong, so the caller can report it as a corrupt reply.
 */
export function decodeReply(bytes: Uint8Array, into: EzoReply): string | undefined {
  const code = bytes[0];
  if (code === undefined) return "empty read";
  into.code = code;
  into.text = "";
  if (code === EZO_PENDING || code === EZO_NO_DATA || code === EZO_SYNTAX_ERROR) return undefined;
  if (code !== EZO_SUCCESS) return `unknown response code 0x${hex(code)}`;
  let text = "";
  for (let i = 1; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0) {
      into.text = text;
      return undefined;
    }
    if (c < 0x20 || c > 0x7e) return `byte ${i} of the reply is 0x${hex(c)}, not printable ASCII`;
    text += String.fromCharCode(c);
  }
  return `no NUL within the ${bytes.length} bytes read`;
}

/**
 * The bytes a circuit puts on the bus for a read of `count`: the code, then for code 1 the text and its NUL.
 * What follows is not documented; the model sends NULs (an emptied buffer).
 */
export function encodeReply(code: number, text: string, count: number): Uint8Array {
  const out = new Uint8Array(count);
  if (count === 0) return out;
  out[0] = code;
  if (code === EZO_SUCCESS) for (let i = 0; i < text.length && i + 1 < count; i++) out[i + 1] = text.charCodeAt(i);
  return out;
}

/**
 * A strict decimal: optional minus, digits, optional fraction ("9.560", "-1023.000", "12880"); NaN otherwise.
 * Stricter than Number(), which would accept "", " 7", "0x10" and "1e3", none of which a circuit sends.
 */
export function parseDecimal(text: string): number {
  const n = text.length;
  let i = text.charCodeAt(0) === 0x2d ? 1 : 0;
  let digits = 0;
  let dot = false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c === 0x2e && !dot && digits > 0) dot = true;
    else return NaN;
  }
  if (digits === 0 || text.charCodeAt(n - 1) === 0x2e) return NaN;
  return Number(text);
}

/**
 * A number for a command argument, at most `decimals` places and no trailing zeros ("T,19.5", "P,81.2",
 * "Cal,mid,7"). toFixed's rounding is exactly specified by ECMA-262, so XS and V8 send the same bytes.
 */
export function formatArgument(x: number, decimals: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`EZO command argument must be finite, got ${x}`);
  let s = x.toFixed(decimals);
  if (s.indexOf(".") >= 0) {
    let end = s.length;
    while (s.charCodeAt(end - 1) === 0x30) end--;
    if (s.charCodeAt(end - 1) === 0x2e) end--;
    s = s.slice(0, end);
  }
  return s === "-0" ? "0" : s;
}

/** Case-insensitive ASCII equality (the circuits accept commands in any case). */
export function sameWord(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

/**
 * The fields of a query reply `?KEY,a,b` for `key` (case-insensitive), or undefined when the reply is for another
 * key. Some datasheets print the `O,?` reply as `?,O,%,mg`; both forms are accepted.
 */
export function queryFields(text: string, key: string): string[] | undefined {
  if (text.charCodeAt(0) !== 0x3f) return undefined; // "?"
  const fields = text.slice(1).split(",");
  if (fields[0] === "" && fields.length > 1) fields.shift();
  if (!sameWord(fields[0]!, key)) return undefined;
  fields.shift();
  return fields;
}

export function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}
