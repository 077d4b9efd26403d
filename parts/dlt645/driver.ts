/**
 * A DL/T 645-2007 electricity meter read over RS-485, ECMA-419 Sensor Class Pattern: `measure()` reads the
 * configured data items one after another (read data, C = 0x11; frames in ./frame.ts), then calls `onSample`;
 * `sample()` gives the values that were read and names the items that failed. `read(item, done)` reads one item.
 *
 * Every reply is checked before a value is taken from it: checksum and end byte (../rs485/assembler.ts), the
 * meter's address, the control code (0x91 normal, 0xD1 abnormal with its error-status byte), the length, the data
 * identifier echoed back, and BCD digits. Anything else is a named, counted `MeterError` through `onError`, and the
 * request goes out again (../rs485/master.ts); an abnormal reply is final (asking again gets the same answer).
 * Never blocks: the bus is driven on host timers and the reply comes through the Serial's callback.
 */
import type { TriggeredSensor } from "../../hal/sensor.js";
import { addressBytes, addressMatches, addressText } from "../rs485/bcd.js";
import { type MeterDriverOptions, meterDriverParts, type MeterError, type MeterMaster, type MeterMasterStats } from "../rs485/master.js";
import {
  ADDRESS_BYTES,
  CONTROL,
  dataByte,
  DI,
  diText,
  DLT645_SHAPE,
  encodeRead,
  errName,
  frameControl,
  frameData,
  frameDataLength,
  getDi,
  decodeValue,
  type DataItem,
} from "./frame.js";

export { DI, TARIFF_ITEMS, type DataItem } from "./frame.js";
export { MeterError, type MeterFault } from "../rs485/master.js";

/** DL/T 645-2007 §… RS-485 default: 2400 baud, 8E1. */
export const DLT645_DEFAULT_BAUD = 2400;
/**
 * Longest wait for a reply to start, ms. Meters answer within 500 ms of a request (Td, as the standard is widely
 * quoted; not re-read here), so that is the deadline, counted from the moment the bus is released.
 */
export const DLT645_REPLY_TIMEOUT_MS = 500;

/** What `measure()` reads by default: forward active energy (total and the four tariffs), phase A voltage and current. */
export const DEFAULT_ITEMS: readonly DataItem[] = Object.freeze([
  DI.FORWARD_ACTIVE_TOTAL,
  DI.FORWARD_ACTIVE_TARIFF_1,
  DI.FORWARD_ACTIVE_TARIFF_2,
  DI.FORWARD_ACTIVE_TARIFF_3,
  DI.FORWARD_ACTIVE_TARIFF_4,
  DI.VOLTAGE_A,
  DI.CURRENT_A,
]);

export interface Dlt645Reading {
  /** Values by data identifier, in the item's unit (kWh, V, A, kW, count). */
  readonly values: ReadonlyMap<number, number>;
  /** Identifiers `measure()` asked for that could not be read. */
  readonly failed: readonly number[];
}

export interface Dlt645Config {
  /** What `measure()` reads. */
  items: readonly DataItem[];
}

export interface Dlt645Options extends MeterDriverOptions<Dlt645> {
  /** The meter's address as on its nameplate, 12 digits; "AAAAAAAAAAAA" reads whichever single meter is on the bus. */
  address: string;
  items?: readonly DataItem[];
}

export class Dlt645 implements TriggeredSensor<Dlt645Reading, Dlt645Config> {
  readonly #master: MeterMaster;
  readonly #address: Uint8Array;
  readonly #preamble: number;
  readonly #onSample: (() => void) | undefined;
  #items: readonly DataItem[];
  #pending = 0;
  #values = new Map<number, number>();
  #failed: number[] = [];
  #reading: Dlt645Reading | undefined;
  #closed = false;

  constructor(o: Dlt645Options) {
    this.#address = addressBytes(o.address, ADDRESS_BYTES, "dlt645");
    this.#items = o.items ?? DEFAULT_ITEMS;
    const d = meterDriverParts(this, `dlt645@${addressText(this.#address, 0, ADDRESS_BYTES)}`, o, { shape: DLT645_SHAPE, baud: DLT645_DEFAULT_BAUD, replyTimeoutMs: DLT645_REPLY_TIMEOUT_MS });
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

  /** Worst case for `measure()` with every retry, ms. */
  get conversionMs(): number {
    let ms = 0;
    for (const it of this.#items) ms += this.#master.worstCaseMs(this.#preamble + 16, replyBytes(it));
    return ms;
  }

  get busy(): boolean {
    return this.#pending > 0;
  }

  configure(options: Partial<Dlt645Config>): void {
    this.#assertOpen();
    if (options.items !== undefined) {
      if (!Array.isArray(options.items) || options.items.length === 0) throw new RangeError(`${this.part}: items must be a non-empty list of data items`);
      this.#items = options.items;
    }
  }

  measure(): void {
    this.#assertOpen();
    if (this.#pending > 0) return;
    const items = this.#items;
    this.#values = new Map();
    this.#failed = [];
    this.#pending = items.length;
    for (const it of items) {
      this.read(it, (error, value) => {
        if (error) this.#failed.push(it.di);
        else this.#values.set(it.di, value!);
        if (--this.#pending === 0) {
          this.#reading = { values: this.#values, failed: this.#failed };
          this.#onSample?.();
        }
      });
    }
  }

  sample(): Dlt645Reading | undefined {
    this.#assertOpen();
    return this.#reading;
  }

  /** Read one item; `done` runs later with its value in the item's unit, or the fault after the retries. */
  read(it: DataItem, done: (error: MeterError | undefined, value: number | undefined) => void): void {
    this.#assertOpen();
    const what = `read ${diText(it.di)} (${it.name})`;
    this.#master.exchange({
      request: encodeRead(this.#address, it.di, this.#preamble),
      replyBytes: replyBytes(it),
      what,
      check: (frame) => this.#check(frame, it),
      done: (error, frame) => {
        if (error || !frame) done(error, undefined);
        else done(undefined, decodeValue(it, frameData(frame), 4));
      },
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#master.close();
  }

  #check(frame: Uint8Array, it: DataItem): { fault: "address" | "control" | "length" | "identifier" | "value" | "exception"; message: string; final?: boolean } | undefined {
    if (!addressMatches(this.#address, 0, frame.subarray(1, 1 + ADDRESS_BYTES))) {
      return { fault: "address", message: `from address ${addressText(frame, 1, ADDRESS_BYTES)}, not ${addressText(this.#address, 0, ADDRESS_BYTES)}` };
    }
    const c = frameControl(frame);
    const n = frameDataLength(frame);
    if (c === CONTROL.READ_ABNORMAL) {
      if (n !== 1) return { fault: "length", message: `abnormal reply (C 0xD1) with ${n} data bytes, not the 1 error-status byte` };
      return { fault: "exception", message: `the meter answered abnormally: ${errName(dataByte(frame, 0))}`, final: true };
    }
    if (c !== CONTROL.READ_REPLY && c !== (CONTROL.READ_REPLY | CONTROL.FOLLOW_UP)) {
      return { fault: "control", message: `control code 0x${c.toString(16).padStart(2, "0").toUpperCase()}, not 0x91 (read reply) or 0xD1 (abnormal reply)` };
    }
    if (n !== 4 + it.bytes) return { fault: "length", message: `${n} data bytes, not the 4 of the identifier and the ${it.bytes} of the value` };
    const data = frameData(frame);
    const di = getDi(data, 0);
    if (di !== it.di) return { fault: "identifier", message: `carries data identifier ${diText(di)}, not ${diText(it.di)}` };
    if (Number.isNaN(decodeValue(it, data, 4))) return { fault: "value", message: `value bytes are not BCD (${Array.from(data.subarray(4), (b) => b.toString(16).padStart(2, "0")).join(" ")})` };
    return undefined;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`${this.part}: closed`);
  }
}

/** A reply's bytes on the wire at most: 4 FE, 12 of frame, the identifier and the value. */
function replyBytes(it: DataItem): number {
  return 4 + 12 + 4 + it.bytes;
}
