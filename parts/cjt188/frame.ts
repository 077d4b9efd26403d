/**
 * CJ/T 188-2004 (household meters' data transmission: water, gas, heat) frames, for the driver and the model.
 *
 *   FE FE FE FE  68 T A0 A1 A2 A3 A4 A5 A6 C L DATA CS 16
 *
 * T is the meter type (0x10 cold water, 0x11 domestic hot water, 0x12 drinking water, 0x13 reclaimed water, 0x20
 * heat, 0x21 cooling, 0x30 gas, 0x40 electricity); the address is 7 BCD bytes, least significant first (AA…AA the
 * wildcard); C is D7 direction (1: the meter's reply), D6 abnormal, D5…D0 the function (0x01 read data, 0x03 read
 * address); CS the byte sum mod 256 from 0x68 to the last data byte. Unlike DL/T 645 the data travel as they are
 * (no +0x33). Reading the metering data sends DI 90 1F low byte first — `1F 90` — and a sequence byte SER; the
 * reply (C 0x81, L 0x16) carries DI, SER, the current accumulated flow (XXXXXX.XX, 4 BCD bytes) and its unit, the
 * flow at the last settlement day and its unit, the meter's clock (ss mm hh DD MM YYYY, 7 BCD bytes, low first)
 * and the status ST (2 bytes: D0–D1 of the first the valve — 00 open, 01 closed, 11 abnormal — D2 the battery, the
 * rest the manufacturer's).
 *
 * Sources: the worked read and reply of hftangyu.com/563.html (and topic.alibabacloud.com, the same text in
 * English) give the layout, the DI order, 2C = m³ and the clock order; the project reference (§4.1) gives T, C and
 * the ST valve and battery bits "to verify". The abnormal reply (C 0xC1) carrying SER and ST, and the unit codes
 * besides 2C, are as remembered from the standard's tables, not re-checked.
 */
import { type FrameShape, FRAME_START, frameLength, PREAMBLE, sealFrame, WAKE_UP_BYTES } from "../rs485/assembler.js";

/** L is at most 0x64 in implementations of the 2004 text. */
export const CJT188_SHAPE: FrameShape = Object.freeze({ protocol: "CJ/T 188", lengthAt: 10, secondStartAt: -1, maxData: 0x64 });

export const ADDRESS_BYTES = 7;

export const METER_TYPE = Object.freeze({
  COLD_WATER: 0x10,
  HOT_WATER: 0x11,
  DRINKING_WATER: 0x12,
  RECLAIMED_WATER: 0x13,
  HEAT: 0x20,
  COOLING: 0x21,
  GAS: 0x30,
  ELECTRICITY: 0x40,
});

export const CONTROL = Object.freeze({
  READ: 0x01,
  READ_ADDRESS: 0x03,
  REPLY: 0x80,
  ABNORMAL: 0x40,
  READ_REPLY: 0x81,
  READ_ABNORMAL: 0xc1,
});

/** Read metering data. */
export const DI_METERING = 0x901f;
/** Data of a metering reply: DI (2), SER, flow (4) + unit, settlement flow (4) + unit, clock (7), ST (2). */
export const METERING_REPLY_LENGTH = 0x16;

/** Unit codes, with what one unit is in m³ for volumes (0 where the unit is not a volume). */
export const UNITS: Readonly<Record<number, { readonly name: string; readonly m3: number }>> = Object.freeze({
  0x29: Object.freeze({ name: "L", m3: 0.001 }),
  0x2c: Object.freeze({ name: "m³", m3: 1 }),
  0x32: Object.freeze({ name: "L/h", m3: 0 }),
  0x35: Object.freeze({ name: "m³/h", m3: 0 }),
  0x05: Object.freeze({ name: "kWh", m3: 0 }),
  0x11: Object.freeze({ name: "GJ", m3: 0 }),
});
export const UNIT_M3 = 0x2c;

/** ST, first byte. */
export const ST = Object.freeze({
  VALVE_MASK: 0x03,
  VALVE_OPEN: 0x00,
  VALVE_CLOSED: 0x01,
  VALVE_ABNORMAL: 0x03,
  BATTERY_LOW: 0x04,
  /** Manufacturer bits (D3…D7 are the maker's): the model's meter puts a magnet attack in D3, reverse flow in D4. */
  MAGNET: 0x08,
  REVERSE_FLOW: 0x10,
});

/** A frame: `preamble` FE bytes, then 68 T address C L DATA CS 16. */
export function encodeFrame(type: number, address: Uint8Array, control: number, data: Uint8Array, preamble = WAKE_UP_BYTES): Uint8Array {
  const out = new Uint8Array(preamble + frameLength(CJT188_SHAPE, data.length));
  out.fill(PREAMBLE, 0, preamble);
  const f = preamble;
  out[f] = FRAME_START;
  out[f + 1] = type;
  out.set(address.subarray(0, ADDRESS_BYTES), f + 2);
  out[f + 9] = control;
  out[f + 10] = data.length;
  out.set(data, f + 11);
  sealFrame(CJT188_SHAPE, out, f);
  return out;
}

/** Read metering data (C 0x01, L 3: DI low byte first, SER). */
export function encodeReadMetering(type: number, address: Uint8Array, ser: number, preamble = WAKE_UP_BYTES): Uint8Array {
  return encodeFrame(type, address, CONTROL.READ, Uint8Array.of(DI_METERING & 0xff, DI_METERING >> 8, ser & 0xff), preamble);
}

/** Offsets in a frame (from its 0x68). */
export const AT = Object.freeze({ TYPE: 1, ADDRESS: 2, CONTROL: 9, LENGTH: 10, DATA: 11 });
