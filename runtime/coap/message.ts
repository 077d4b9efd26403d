/**
 * CoAP messages (RFC 7252 §3): encode and decode, for device code.
 *
 *    0                   1                   2                   3
 *   |Ver| T |  TKL  |      Code     |          Message ID           |
 *   |   Token (TKL bytes) ...  |   Options (delta/length coded) ...  |1 1 1 1 1 1 1 1|    Payload ...
 *
 * Options are sorted by number and delta-coded; a delta or length of 13 means one more byte (value − 13), 14 two
 * more (value − 269), 15 is reserved (§3.1). Decoding refuses what §3 and §4 call message format errors, with the
 * byte offset in the message.
 */

export const CON = 0;
export const NON = 1;
export const ACK = 2;
export const RST = 3;
export type CoapType = typeof CON | typeof NON | typeof ACK | typeof RST;

/** Code as class·32 + detail (RFC 7252 §3: c.dd). */
export const code = (cls: number, detail: number): number => (cls << 5) | detail;
export const EMPTY = 0;
export const GET = code(0, 1);
export const POST = code(0, 2);
export const PUT = code(0, 3);
export const CREATED = code(2, 1);
export const CHANGED = code(2, 4);
export const CONTENT = code(2, 5);

/** Option numbers used here (RFC 7252 §5.10, Table 4). */
export const OPTION_URI_HOST = 3;
export const OPTION_URI_PORT = 7;
export const OPTION_URI_PATH = 11;
export const OPTION_CONTENT_FORMAT = 12;
export const OPTION_URI_QUERY = 15;
export const OPTION_ACCEPT = 17;

/** CoAP Content-Formats registry: application/senml+cbor is 112 (RFC 8428 §12.3), senml+json 110. */
export const FORMAT_TEXT = 0;
export const FORMAT_JSON = 50;
export const FORMAT_CBOR = 60;
export const FORMAT_SENML_JSON = 110;
export const FORMAT_SENML_CBOR = 112;

export interface CoapOption {
  number: number;
  value: Uint8Array;
}

export interface CoapMessage {
  type: CoapType;
  code: number;
  messageId: number;
  token: Uint8Array;
  /** In any order; encode sorts them (stably, so repeated options keep their order). */
  options: CoapOption[];
  payload: Uint8Array;
}

export class CoapFormatError extends Error {}

/** "c.dd" for logs and errors. */
export function codeText(c: number): string {
  return `${c >> 5}.${String(c & 31).padStart(2, "0")}`;
}

/** An unsigned integer option value in the fewest bytes (RFC 7252 §3.2: leading zero bytes are dropped). */
export function uintOption(n: number): Uint8Array {
  if (n === 0) return new Uint8Array(0);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Uint8Array.from(out);
}

export function optionUint(value: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) n = n * 256 + value[i]!;
  return n;
}

function extended(n: number): { nibble: number; extra: number[] } {
  if (n < 13) return { nibble: n, extra: [] };
  if (n < 269) return { nibble: 13, extra: [n - 13] };
  const v = n - 269;
  return { nibble: 14, extra: [v >> 8, v & 0xff] };
}

export function encodeCoap(m: CoapMessage): Uint8Array {
  if (m.token.length > 8) throw new CoapFormatError(`token of ${m.token.length} bytes (at most 8)`);
  if (!(m.messageId >= 0 && m.messageId <= 0xffff)) throw new CoapFormatError(`message ID ${m.messageId} out of 0…65535`);
  const options = m.options.map((o, i) => ({ o, i })).sort((a, b) => a.o.number - b.o.number || a.i - b.i);
  let size = 4 + m.token.length + (m.payload.length > 0 ? 1 + m.payload.length : 0);
  for (const { o } of options) size += 5 + o.value.length;
  const out = new Uint8Array(size);
  out[0] = (1 << 6) | (m.type << 4) | m.token.length;
  out[1] = m.code;
  out[2] = m.messageId >> 8;
  out[3] = m.messageId & 0xff;
  out.set(m.token, 4);
  let at = 4 + m.token.length;
  let previous = 0;
  for (const { o } of options) {
    const d = extended(o.number - previous);
    const l = extended(o.value.length);
    out[at++] = (d.nibble << 4) | l.nibble;
    for (const b of d.extra) out[at++] = b;
    for (const b of l.extra) out[at++] = b;
    out.set(o.value, at);
    at += o.value.length;
    previous = o.number;
  }
  if (m.payload.length > 0) {
    out[at++] = 0xff;
    out.set(m.payload, at);
    at += m.payload.length;
  }
  return out.slice(0, at);
}

function readExtended(bytes: Uint8Array, at: number, nibble: number, what: string): { value: number; at: number } {
  if (nibble < 13) return { value: nibble, at };
  if (nibble === 13) {
    if (at >= bytes.length) throw new CoapFormatError(`option ${what} runs past the end at byte ${at}`);
    return { value: bytes[at]! + 13, at: at + 1 };
  }
  if (nibble === 14) {
    if (at + 1 >= bytes.length) throw new CoapFormatError(`option ${what} runs past the end at byte ${at}`);
    return { value: ((bytes[at]! << 8) | bytes[at + 1]!) + 269, at: at + 2 };
  }
  throw new CoapFormatError(`option ${what} nibble 15 is reserved (byte ${at - 1})`);
}

export function decodeCoap(bytes: Uint8Array): CoapMessage {
  if (bytes.length < 4) throw new CoapFormatError(`${bytes.length} bytes is shorter than the 4-byte header`);
  const version = bytes[0]! >> 6;
  if (version !== 1) throw new CoapFormatError(`version ${version} (expected 1)`);
  const type = ((bytes[0]! >> 4) & 3) as CoapType;
  const tkl = bytes[0]! & 15;
  if (tkl > 8) throw new CoapFormatError(`token length ${tkl} is reserved (9–15)`);
  const c = bytes[1]!;
  const messageId = (bytes[2]! << 8) | bytes[3]!;
  if (4 + tkl > bytes.length) throw new CoapFormatError(`token of ${tkl} bytes runs past the end`);
  const token = bytes.slice(4, 4 + tkl);
  if (c === EMPTY && (tkl !== 0 || bytes.length !== 4)) throw new CoapFormatError("an Empty message (code 0.00) must be exactly 4 bytes");
  const options: CoapOption[] = [];
  let at = 4 + tkl;
  let number = 0;
  let payload = new Uint8Array(0);
  while (at < bytes.length) {
    const head = bytes[at++]!;
    if (head === 0xff) {
      if (at === bytes.length) throw new CoapFormatError("payload marker with no payload");
      payload = bytes.slice(at);
      break;
    }
    const d = readExtended(bytes, at, head >> 4, "delta");
    const l = readExtended(bytes, d.at, head & 15, "length");
    number += d.value;
    if (l.at + l.value > bytes.length) throw new CoapFormatError(`option ${number} value of ${l.value} bytes runs past the end`);
    options.push({ number, value: bytes.slice(l.at, l.at + l.value) });
    at = l.at + l.value;
  }
  return { type, code: c, messageId, token, options, payload };
}

/** The Uri-Path options of "/a/b" (segments, no empty ones). */
export function uriPathOptions(path: string): CoapOption[] {
  const out: CoapOption[] = [];
  for (const seg of path.split("/")) {
    if (seg.length === 0) continue;
    const value = new Uint8Array(seg.length);
    for (let i = 0; i < seg.length; i++) {
      const ch = seg.charCodeAt(i);
      if (ch > 0x7e || ch < 0x21) throw new CoapFormatError(`Uri-Path segment "${seg}" must be printable ASCII`);
      value[i] = ch;
    }
    out.push({ number: OPTION_URI_PATH, value });
  }
  return out;
}
