/**
 * DL/T 645-2007 (multi-function watt-hour meter communication protocol) frames, for the driver and the meter model.
 *
 *   FE FE FE FE  68 A0 A1 A2 A3 A4 A5 68 C L DATA CS 16
 *
 * §4.1 frame: the address is 6 BCD bytes, least significant first (AA…AA is the wildcard, 99…99 broadcast); C is
 * the control code — D7 direction (1: the meter's reply), D6 abnormal reply, D5 follow-up frame, D4…D0 the
 * function (0x11 read data, 0x12 read follow-up data, 0x13 read address); L the data length; every DATA byte is
 * sent +0x33 (mod 256) and read −0x33; CS the byte sum mod 256 from the first 0x68 to the last data byte; the
 * master may put FE FE FE FE before a request to wake the meter's receiver, and meters put 0–4 FE before replies.
 * Bytes are 8E1 (start, 8 data, even parity, stop: 11 bits), 2400 baud by default on RS-485.
 *
 * §6 data identifiers DI3 DI2 DI1 DI0 travel DI0 first (each +0x33) as the first four data bytes of a read and of
 * its reply; the value follows, BCD, least significant byte first, in the format appendix A gives the identifier.
 * An abnormal reply (C = 0xD1) carries one error-status byte (ERR): bit 1 "no requested data", bit 2 "password
 * error / unauthorised" (the project reference, §4.1); bit 0 "other error", bit 3 "baud rate cannot be changed",
 * bits 4–6 "too many year zones / day periods / tariffs" as remembered from the standard's table, not re-checked.
 */
import { type FrameShape, FRAME_START, frameLength, PREAMBLE, sealFrame, WAKE_UP_BYTES } from "../rs485/assembler.js";
import { getBcd, pow10, putBcd } from "../rs485/bcd.js";

/** L ≤ 200 for read replies (§4.1.5). */
export const DLT645_SHAPE: FrameShape = Object.freeze({ protocol: "DL/T 645", lengthAt: 9, secondStartAt: 7, maxData: 200 });

export const DATA_OFFSET = 0x33;
export const ADDRESS_BYTES = 6;

export const CONTROL = Object.freeze({
  READ: 0x11,
  READ_FOLLOW_UP: 0x12,
  READ_ADDRESS: 0x13,
  /** Reply bits. */
  REPLY: 0x80,
  ABNORMAL: 0x40,
  FOLLOW_UP: 0x20,
  READ_REPLY: 0x91,
  READ_ABNORMAL: 0xd1,
});

/** Error-status (ERR) bits of an abnormal reply. */
export const ERR = Object.freeze({
  OTHER: 0x01,
  NO_DATA: 0x02,
  PASSWORD: 0x04,
  BAUD: 0x08,
  YEAR_ZONES: 0x10,
  DAY_PERIODS: 0x20,
  TARIFFS: 0x40,
});

const ERR_NAMES: readonly string[] = Object.freeze([
  "other error",
  "no requested data",
  "password error or unauthorised",
  "baud rate cannot be changed",
  "too many year zones",
  "too many day periods",
  "too many tariffs",
  "reserved bit 7",
]);

/** "no requested data (ERR 0x02)". */
export function errName(err: number): string {
  const names: string[] = [];
  for (let bit = 0; bit < 8; bit++) if (err & (1 << bit)) names.push(ERR_NAMES[bit]!);
  return `${names.length ? names.join(", ") : "no error bit set"} (ERR 0x${(err < 16 ? "0" : "") + err.toString(16)})`;
}

/** A data item: its identifier, value length and decimal places, and whether the value's top bit is a sign. */
export interface DataItem {
  readonly di: number;
  readonly name: string;
  readonly bytes: number;
  readonly decimals: number;
  readonly signed: boolean;
  readonly unit: string;
}

function item(di: number, name: string, bytes: number, decimals: number, unit: string, signed = false): DataItem {
  return Object.freeze({ di, name, bytes, decimals, signed, unit });
}

/**
 * Appendix A identifiers the driver reads. Energy DI2 = 00 combined, 01 forward, 02 reverse active; DI1 = 00 total,
 * 01…3F tariff n; DI0 = 00 current, 01…0C the nth past settlement day. XXXXXX.XX kWh, 4 bytes.
 */
export const DI = Object.freeze({
  COMBINED_ACTIVE_TOTAL: item(0x00000000, "combined active energy, total", 4, 2, "kWh"),
  FORWARD_ACTIVE_TOTAL: item(0x00010000, "forward active energy, total", 4, 2, "kWh"),
  FORWARD_ACTIVE_TARIFF_1: item(0x00010100, "forward active energy, tariff 1", 4, 2, "kWh"),
  FORWARD_ACTIVE_TARIFF_2: item(0x00010200, "forward active energy, tariff 2", 4, 2, "kWh"),
  FORWARD_ACTIVE_TARIFF_3: item(0x00010300, "forward active energy, tariff 3", 4, 2, "kWh"),
  FORWARD_ACTIVE_TARIFF_4: item(0x00010400, "forward active energy, tariff 4", 4, 2, "kWh"),
  REVERSE_ACTIVE_TOTAL: item(0x00020000, "reverse active energy, total", 4, 2, "kWh"),
  /** XXX.X V, 2 bytes. */
  VOLTAGE_A: item(0x02010100, "phase A voltage", 2, 1, "V"),
  /** XXX.XXX A, 3 bytes; the top bit is the direction. */
  CURRENT_A: item(0x02020100, "phase A current", 3, 3, "A", true),
  /** XX.XXXX kW, 3 bytes; the top bit is the direction. */
  ACTIVE_POWER_TOTAL: item(0x02030000, "total active power", 3, 4, "kW", true),
  /** Meter cover openings so far, XXXXXX (event record identifiers 03 30 0D xx; the project reference marks them unverified). */
  COVER_OPENINGS: item(0x03300d00, "meter cover openings", 3, 0, ""),
  /** Constant magnetic field events so far (03 35 00 00: from the 2010 additions vendors' tables quote; unverified). */
  MAGNETIC_EVENTS: item(0x03350000, "constant magnetic field events", 3, 0, ""),
});

export const TARIFF_ITEMS: readonly DataItem[] = Object.freeze([DI.FORWARD_ACTIVE_TARIFF_1, DI.FORWARD_ACTIVE_TARIFF_2, DI.FORWARD_ACTIVE_TARIFF_3, DI.FORWARD_ACTIVE_TARIFF_4]);

/** "00 01 00 00", as the standard writes identifiers (DI3 first). */
export function diText(di: number): string {
  let s = "";
  for (let shift = 24; shift >= 0; shift -= 8) s += (shift < 24 ? " " : "") + ((di >>> shift) & 0xff).toString(16).padStart(2, "0").toUpperCase();
  return s;
}

/**
 * A frame: `preamble` FE bytes, then 68 address 68 C L DATA CS 16, with `data` (plain) sent +0x33.
 * `data` may be longer than what is sent: only `dataLength` bytes are.
 */
export function encodeFrame(address: Uint8Array, control: number, data: Uint8Array, preamble = WAKE_UP_BYTES, dataLength = data.length): Uint8Array {
  const out = new Uint8Array(preamble + frameLength(DLT645_SHAPE, dataLength));
  out.fill(PREAMBLE, 0, preamble);
  const f = preamble;
  out[f] = FRAME_START;
  out.set(address.subarray(0, ADDRESS_BYTES), f + 1);
  out[f + 7] = FRAME_START;
  out[f + 8] = control;
  out[f + 9] = dataLength;
  for (let i = 0; i < dataLength; i++) out[f + 10 + i] = (data[i]! + DATA_OFFSET) & 0xff;
  sealFrame(DLT645_SHAPE, out, f);
  return out;
}

/** A read-data request (C = 0x11, L = 4, DI0 first). */
export function encodeRead(address: Uint8Array, di: number, preamble = WAKE_UP_BYTES): Uint8Array {
  const data = new Uint8Array(4);
  putDi(data, 0, di);
  return encodeFrame(address, CONTROL.READ, data, preamble);
}

export function putDi(out: Uint8Array, offset: number, di: number): void {
  for (let i = 0; i < 4; i++) out[offset + i] = (di >>> (8 * i)) & 0xff;
}

/** Fields of a frame that starts at its 0x68 and whose checksum has been checked. */
export function frameControl(frame: Uint8Array): number {
  return frame[8]!;
}
export function frameDataLength(frame: Uint8Array): number {
  return frame[9]!;
}
/** Data byte `i` with the +0x33 taken off. */
export function dataByte(frame: Uint8Array, i: number): number {
  return (frame[10 + i]! - DATA_OFFSET) & 0xff;
}
/** The data, −0x33. */
export function frameData(frame: Uint8Array): Uint8Array {
  const n = frameDataLength(frame);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = dataByte(frame, i);
  return out;
}
export function getDi(data: Uint8Array, offset: number): number {
  return (data[offset]! | (data[offset + 1]! << 8) | (data[offset + 2]! << 16) | (data[offset + 3]! << 24)) >>> 0;
}

/** An item's value from its BCD bytes (−0x33 already taken off); NaN when a nibble is not a digit. */
export function decodeValue(it: DataItem, data: Uint8Array, offset: number): number {
  let negative = false;
  let top = data[offset + it.bytes - 1]!;
  if (it.signed && top & 0x80) {
    negative = true;
    top &= 0x7f;
  }
  const scratch = data.slice(offset, offset + it.bytes);
  scratch[it.bytes - 1] = top;
  const raw = getBcd(scratch, 0, it.bytes);
  if (raw < 0) return NaN;
  const v = raw / pow10(it.decimals);
  return negative ? -v : v;
}

/** An item's value as BCD bytes at `offset` (plain, before +0x33): rounded down to the item's resolution. */
export function encodeValue(it: DataItem, value: number, out: Uint8Array, offset: number): void {
  const magnitude = Math.floor(Math.abs(value) * pow10(it.decimals) + 1e-9);
  const limit = it.signed ? 8 * pow10(2 * it.bytes - 1) : pow10(2 * it.bytes);
  // A register rolls over past its last digit, as the meter's display does.
  putBcd(out, offset, it.bytes, magnitude % limit);
  if (it.signed && value < 0) out[offset + it.bytes - 1]! |= 0x80;
}
