/**
 * A CJ/T 188-2004 cold-water meter on RS-485, as the master hears one: it answers read-metering frames (C 0x01,
 * DI 90 1F) for its type and address (or the AA wildcard) with the accumulated volume, the volume at the last
 * settlement day (00:00 local time on `settlementDay` of the month), its clock and status; an abnormal reply
 * (C 0xC1 with SER and ST) for other identifiers; silence for other addresses. Its register follows the
 * household's water use; a magnet held against it and reverse flow set the maker's status bits, a low battery
 * and the valve set the standard's. Faults come from ../rs485/model.ts.
 */
import type { Engine, Micros } from "../../simulator/core/engine.js";
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
  /** Day of the month whose 00:00 is the settlement instant (default 1). */
  settlementDay?: number;
  replyDelayMs?: number;
  preamble?: number;
}

const LOCAL_OFFSET_MS = 8 * 3_600_000;

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
    const day = this.#o.settlementDay ?? 1;
    const local = this.#o.epochMs + t / 1000 + LOCAL_OFFSET_MS;
    const c = civil(Math.floor(local / 86_400_000));
    let y = c.year;
    let m = c.month;
    if (c.day < day) {
      m--;
      if (m === 0) {
        m = 12;
        y--;
      }
    }
    const ms = daysFromCivil(y, m, day) * 86_400_000 - LOCAL_OFFSET_MS - this.#o.epochMs;
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
    const local = this.#o.epochMs + Math.floor(t / 1000) + LOCAL_OFFSET_MS;
    const day = Math.floor(local / 86_400_000);
    const c2 = civil(day);
    const sec = Math.floor((local - day * 86_400_000) / 1000);
    putBcd(data, 13, 1, sec % 60);
    putBcd(data, 14, 1, Math.floor(sec / 60) % 60);
    putBcd(data, 15, 1, Math.floor(sec / 3600));
    putBcd(data, 16, 1, c2.day);
    putBcd(data, 17, 1, c2.month);
    putBcd(data, 18, 2, c2.year);
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

/** Civil date of a day count since 1970-01-01 (H. Hinnant's days-to-civil). */
function civil(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
