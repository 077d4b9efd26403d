/**
 * A CJ/T 188-2004 cold-water meter on RS-485, as the master hears one: it answers read-metering frames (C 0x01,
 * DI 90 1F) for its type and address (or the AA wildcard) with the accumulated volume, the volume at the last
 * settlement day (00:00 local time on `settlementDay` of the month), its clock and status; an abnormal reply
 * (C 0xC1 with SER and ST) for other identifiers; silence for other addresses. Its register follows the
 * household's water use; a magnet held against it and reverse flow set the maker's status bits, a low battery
 * and the valve set the standard's. Faults come from ../rs485/model.ts.
 */
import type { Engine, Micros } from "../../simulator/core/engine.js";
import { civilFromDays, lastBillingBoundary, localDay, localMidnight } from "../../devices/smart-meter/calendar.js";
import { sealFrame } from "../rs485/assembler.js";
import { addressBytes, addressMatches, putBcd } from "../rs485/bcd.js";
import { type Framing, MeterModel, type ModelReply, type Rs485Bus } from "../rs485/model.js";
import { ADDRESS_BYTES, AT, CJT188_SHAPE, CONTROL, DI_METERING, encodeFrame, METER_TYPE, METERING_REPLY_LENGTH, ST, UNIT_M3 } from "./frame.js";

/** Water through the meter, as a function of virtual time. */
export interface WaterSupply {
  /** Net volume since the world began, litres (falls while water flows backwards). */
  volumeLitres(t: Micros): number;
}

export interface Cjt188MeterOptions {
  engine: Engine;
  bus: Rs485Bus;
  /** Nameplate address, up to 14 digits. */
  address: string;
  supply: WaterSupply;
  /** Wall time (ms since the Unix epoch) at virtual time 0: the meter's clock. */
  epochMs: number;
  /** Default 0x10, cold water. */
  type?: number;
  framing?: Framing;
  /** The register when the run starts, m³. */
  initialM3?: number;
  /** Day of the month whose 00:00 is the settlement instant (default 1; 1…28, as the meter's calendar takes it). */
  settlementDay?: number;
  replyDelayMs?: number;
  preamble?: number;
}

export class Cjt188MeterModel extends MeterModel {
  readonly address: Uint8Array;
  readonly type: number;
  valve: "open" | "closed" | "abnormal" = "open";
  batteryLow = false;
  magnet = false;
  readonly #o: Cjt188MeterOptions;
  readonly #start: number;
  #lastRegister: number;

  constructor(o: Cjt188MeterOptions) {
    super({ engine: o.engine, bus: o.bus, framing: o.framing ?? { baud: 2400, parity: "even" }, shape: CJT188_SHAPE, replyDelayMs: o.replyDelayMs ?? 50, preamble: o.preamble ?? 4 });
    this.#o = o;
    this.type = o.type ?? METER_TYPE.COLD_WATER;
    this.address = addressBytes(o.address, ADDRESS_BYTES, "CJ/T 188 meter model");
    this.#start = o.supply.volumeLitres(o.engine.now) - (o.initialM3 ?? 0) * 1000;
    this.#lastRegister = this.registerM3(o.engine.now);
  }

  /** The register at virtual time `t`, m³. */
  registerM3(t: Micros): number {
    return (this.#o.supply.volumeLitres(t) - this.#start) / 1000;
  }

  /** Virtual time of the last settlement instant at or before `t` (before the run: the run's start). */
  settlementAt(t: Micros): Micros {
    const ms = lastBillingBoundary(this.#o.epochMs + t / 1000, this.#o.settlementDay ?? 1) - this.#o.epochMs;
    return Math.max(0, ms * 1000);
  }

  protected answer(frame: Uint8Array): ModelReply | undefined {
    const c = frame[AT.CONTROL]!;
    if (c & CONTROL.REPLY || (frame[AT.TYPE] !== this.type && frame[AT.TYPE] !== 0xaa) || !addressMatches(frame, AT.ADDRESS, this.address)) {
      this.stats.ignored++;
      return undefined;
    }
    this.stats.requests++;
    const n = frame[AT.LENGTH]!;
    const ser = n >= 3 ? frame[AT.DATA + 2]! : 0;
    const di = n >= 2 ? frame[AT.DATA]! | (frame[AT.DATA + 1]! << 8) : -1;
    const st = this.#status();
    if (c !== CONTROL.READ || di !== DI_METERING) {
      this.stats.exceptions++;
      return this.#reply(CONTROL.READ_ABNORMAL, Uint8Array.of(ser, st & 0xff, st >> 8), -1);
    }
    const t = this.engine.now;
    const data = new Uint8Array(METERING_REPLY_LENGTH);
    data[0] = DI_METERING & 0xff;
    data[1] = DI_METERING >> 8;
    data[2] = ser;
    putBcd(data, 3, 4, hundredths(this.registerM3(t)));
    data[7] = UNIT_M3;
    putBcd(data, 8, 4, hundredths(this.registerM3(this.settlementAt(t))));
    data[12] = UNIT_M3;
    const unixMs = this.#o.epochMs + Math.floor(t / 1000);
    const day = localDay(unixMs);
    const ymd = civilFromDays(day);
    const sec = Math.floor((unixMs - localMidnight(day)) / 1000);
    putBcd(data, 13, 1, sec % 60);
    putBcd(data, 14, 1, Math.floor(sec / 60) % 60);
    putBcd(data, 15, 1, Math.floor(sec / 3600));
    putBcd(data, 16, 1, ymd % 100);
    putBcd(data, 17, 1, Math.floor(ymd / 100) % 100);
    putBcd(data, 18, 2, Math.floor(ymd / 10000));
    data[20] = st & 0xff;
    data[21] = st >> 8;
    return this.#reply(CONTROL.READ_REPLY, data, AT.DATA);
  }

  protected reseal(frame: Uint8Array): void {
    sealFrame(CJT188_SHAPE, frame, 0);
  }

  #reply(control: number, data: Uint8Array, identifierAt: number): ModelReply {
    return { frame: encodeFrame(this.type, this.address, control, data, 0), addressAt: AT.ADDRESS, controlAt: AT.CONTROL, identifierAt };
  }

  #status(): number {
    const now = this.registerM3(this.engine.now);
    const reverse = now < this.#lastRegister;
    this.#lastRegister = now;
    let st = this.valve === "open" ? ST.VALVE_OPEN : this.valve === "closed" ? ST.VALVE_CLOSED : ST.VALVE_ABNORMAL;
    if (this.batteryLow) st |= ST.BATTERY_LOW;
    if (this.magnet) st |= ST.MAGNET;
    if (reverse) st |= ST.REVERSE_FLOW;
    return st;
  }
}

/** Registers count in 0.01 m³ and roll over past 999999.99. */
function hundredths(m3: number): number {
  return Math.floor(Math.max(0, m3) * 100 + 1e-9) % 100_000_000;
}
