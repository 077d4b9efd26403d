/**
 * A CJ/T 188-2004 water meter read over RS-485 (or an M-Bus adapter presenting a UART), ECMA-419 Sensor Class
 * Pattern: `measure()` reads the metering data (DI 90 1F; frames in ./frame.ts) and calls `onSample`; `sample()`
 * gives the accumulated volume, the volume at the last settlement day, the meter's clock and its status.
 *
 * A reply is taken only when its checksum and end byte (../rs485/assembler.ts), meter type, address, control code,
 * length, echoed DI and sequence number, unit codes and BCD digits are right; anything else is a named, counted
 * `MeterError` through `onError`, and the request goes out again (../rs485/master.ts). An abnormal reply (C 0xC1)
 * is final. Never blocks.
 */
import type { TriggeredSensor } from "../../hal/sensor.js";
import { addressBytes, addressMatches, addressText, getBcd, hexBytes } from "../rs485/bcd.js";
import { type MeterDriverOptions, meterDriverParts, type MeterMaster, type MeterMasterStats, type ReplyCheck } from "../rs485/master.js";
import { ADDRESS_BYTES, AT, CJT188_SHAPE, CONTROL, DI_METERING, encodeReadMetering, METER_TYPE, METERING_REPLY_LENGTH, ST, UNITS } from "./frame.js";

export { MeterError, type MeterFault } from "../rs485/master.js";

/** 2400 baud, 8E1: what CJ/T 188 meters on RS-485 use by default (a vendor's ultrasonic meter manual agrees). */
export const CJT188_DEFAULT_BAUD = 2400;
/** Longest wait for the reply to start, ms (taken equal to DL/T 645's: the 2004 text's figure was not re-read). */
export const CJT188_REPLY_TIMEOUT_MS = 500;

export type Valve = "open" | "closed" | "abnormal" | "unknown";

export interface MeterClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export interface Cjt188Reading {
  /** Current accumulated volume, m³. */
  readonly volumeM3: number;
  /** Accumulated volume at the last settlement day, m³. */
  readonly settlementM3: number;
  readonly clock: MeterClock;
  readonly valve: Valve;
  readonly batteryLow: boolean;
  /** ST as sent, first byte in the low 8 bits (the maker's bits included). */
  readonly status: number;
}

export interface Cjt188Options extends MeterDriverOptions<Cjt188> {
  /** Nameplate address, up to 14 digits ("AAAAAAAAAAAAAA": whichever single meter is on the bus). */
  address: string;
  /** Meter type T (default 0x10, cold water). */
  type?: number;
}

/** A reply's bytes on the wire at most: 4 FE, 13 of frame, 22 of data. */
const REPLY_BYTES = 4 + 13 + METERING_REPLY_LENGTH;

export class Cjt188 implements TriggeredSensor<Cjt188Reading> {
  readonly #master: MeterMaster;
  readonly #address: Uint8Array;
  readonly #type: number;
  readonly #preamble: number;
  readonly #onSample: (() => void) | undefined;
  #ser = 0;
  #reading: Cjt188Reading | undefined;
  #busy = false;
  #closed = false;

  constructor(o: Cjt188Options) {
    this.#address = addressBytes(o.address, ADDRESS_BYTES, "cjt188");
    this.#type = o.type ?? METER_TYPE.COLD_WATER;
    const part = `cjt188@${addressText(this.#address, 0, ADDRESS_BYTES)}`;
    if (!Number.isInteger(this.#type) || this.#type < 0 || this.#type > 0xff) throw new RangeError(`${part}: meter type must be a byte, got ${o.type}`);
    const d = meterDriverParts(this, part, o, { shape: CJT188_SHAPE, baud: CJT188_DEFAULT_BAUD, replyTimeoutMs: CJT188_REPLY_TIMEOUT_MS });
    this.#master = d.master;
    this.#preamble = d.preamble;
    this.#onSample = d.onSample;
  }

  get part(): string {
    return this.#master.part;
  }

  get stats(): MeterMasterStats {
    return this.#master.stats;
  }

  get conversionMs(): number {
    return this.#master.worstCaseMs(this.#preamble + 16, REPLY_BYTES);
  }

  get busy(): boolean {
    return this.#busy;
  }

  configure(_options: Partial<Record<string, never>>): void {
    this.#assertOpen();
  }

  measure(): void {
    this.#assertOpen();
    if (this.#busy) return;
    this.#busy = true;
    const ser = this.#ser;
    this.#ser = (ser + 1) & 0xff;
    this.#master.exchange({
      request: encodeReadMetering(this.#type, this.#address, ser, this.#preamble),
      replyBytes: REPLY_BYTES,
      what: `read metering data (DI 90 1F, SER ${ser})`,
      check: (frame) => this.#check(frame, ser),
      done: (error, frame) => {
        this.#busy = false;
        if (error || !frame) return;
        this.#reading = decodeMetering(frame);
        this.#onSample?.();
      },
    });
  }

  sample(): Cjt188Reading | undefined {
    this.#assertOpen();
    return this.#reading;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#master.close();
  }

  #check(frame: Uint8Array, ser: number): ReturnType<ReplyCheck> {
    const type = frame[AT.TYPE]!;
    if (type !== this.#type && this.#type !== 0xaa) return { fault: "address", message: `from a meter of type 0x${hex(type)}, not 0x${hex(this.#type)}` };
    // Wildcard bytes in the address asked for accept whatever the meter answers with there.
    if (!addressMatches(this.#address, 0, frame.subarray(AT.ADDRESS, AT.ADDRESS + ADDRESS_BYTES))) {
      return { fault: "address", message: `from address ${addressText(frame, AT.ADDRESS, ADDRESS_BYTES)}, not ${addressText(this.#address, 0, ADDRESS_BYTES)}` };
    }
    const c = frame[AT.CONTROL]!;
    const n = frame[AT.LENGTH]!;
    if (c === CONTROL.READ_ABNORMAL) {
      return { fault: "exception", message: `the meter answered abnormally (C 0xC1, data ${hexBytes(frame, AT.DATA, AT.DATA + n) || "none"})`, final: true };
    }
    if (c !== CONTROL.READ_REPLY) return { fault: "control", message: `control code 0x${hex(c)}, not 0x81 (read reply) or 0xC1 (abnormal reply)` };
    if (n !== METERING_REPLY_LENGTH) return { fault: "length", message: `${n} data bytes, not the ${METERING_REPLY_LENGTH} of metering data` };
    const d = AT.DATA;
    const di = frame[d]! | (frame[d + 1]! << 8);
    if (di !== DI_METERING) return { fault: "identifier", message: `carries data identifier ${hex(di >> 8)} ${hex(di & 0xff)}, not 90 1F` };
    if (frame[d + 2] !== ser) return { fault: "identifier", message: `carries sequence number ${frame[d + 2]}, not ${ser}` };
    for (const at of [d + 7, d + 12]) {
      const unit = UNITS[frame[at]!];
      if (!unit || unit.m3 === 0) return { fault: "value", message: `volume unit code 0x${hex(frame[at]!)} is not a volume unit` };
    }
    if (getBcd(frame, d + 3, 4) < 0 || getBcd(frame, d + 8, 4) < 0 || getBcd(frame, d + 13, 7) < 0) {
      return { fault: "value", message: `volumes or clock not BCD (${hexBytes(frame, d + 3, d + 20)})` };
    }
    return undefined;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`${this.part}: closed`);
  }
}

/** The fields of a checked metering reply frame. */
export function decodeMetering(frame: Uint8Array): Cjt188Reading {
  const d = AT.DATA;
  const volume = (at: number) => (getBcd(frame, at, 4) / 100) * UNITS[frame[at + 4]!]!.m3;
  const b = (i: number) => getBcd(frame, d + 13 + i, 1);
  const st = frame[d + 20]! | (frame[d + 21]! << 8);
  const valveBits = st & ST.VALVE_MASK;
  return {
    volumeM3: volume(d + 3),
    settlementM3: volume(d + 8),
    clock: { second: b(0), minute: b(1), hour: b(2), day: b(3), month: b(4), year: getBcd(frame, d + 18, 2) },
    valve: valveBits === ST.VALVE_OPEN ? "open" : valveBits === ST.VALVE_CLOSED ? "closed" : valveBits === ST.VALVE_ABNORMAL ? "abnormal" : "unknown",
    batteryLow: (st & ST.BATTERY_LOW) !== 0,
    status: st,
  };
}

function hex(b: number): string {
  return (b < 16 ? "0" : "") + b.toString(16).toUpperCase();
}
