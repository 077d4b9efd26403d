/**
 * A single-phase DL/T 645-2007 electricity meter on RS-485, as the master hears one: it answers read-data (0x11)
 * frames for its own address or the AA wildcard with a normal reply (0x91: the identifier and the value, +0x33), an
 * abnormal reply (0xD1, ERR "no requested data") for an identifier it does not keep, a read-address (0x13) with
 * its address, and stays silent for other addresses, broadcasts and other meters' replies.
 *
 * Its registers integrate the household's energy: forward active energy by tariff, switched by the meter's own
 * time-of-use table in local time (UTC+8), the total being their sum; voltage from the supply, current from power,
 * voltage and power factor. Tamper events (cover opened, a constant magnet) count up in its event registers.
 * Faults (../rs485/model.ts `inject`) corrupt, misaddress, delay, cut short or silence its replies.
 */
import type { Engine, Micros } from "../../simulator/core/engine.js";
import { addressBytes, addressMatches } from "../rs485/bcd.js";
import { sealFrame } from "../rs485/assembler.js";
import { type Framing, MeterModel, type ModelReply, type Rs485Bus } from "../rs485/model.js";
import {
  ADDRESS_BYTES,
  CONTROL,
  type DataItem,
  DI,
  DLT645_SHAPE,
  dataByte,
  encodeFrame,
  encodeValue,
  ERR,
  frameControl,
  frameDataLength,
  putDi,
  TARIFF_ITEMS,
} from "./frame.js";

/** What flows through the meter, as functions of virtual time. */
export interface ElectricitySupply {
  /** Forward active energy since the world began, Wh (non-decreasing): registers and pulses come from it. */
  energyWh(t: Micros): number;
  /** Active power, W. */
  powerW(t: Micros): number;
  /** Phase voltage, V RMS. */
  voltageV(t: Micros): number;
}

/** A tariff switch in the meter's time-of-use table: from this minute of the local day, tariff 1…4. */
export interface TariffSwitch {
  readonly fromMinute: number;
  readonly tariff: 1 | 2 | 3 | 4;
}

/**
 * Sharp (1), peak (2), flat (3) and valley (4) periods as a Chinese residential time-of-use table lays them out;
 * an example table, not any utility's.
 */
export const EXAMPLE_TARIFFS: readonly TariffSwitch[] = Object.freeze([
  Object.freeze({ fromMinute: 0, tariff: 4 as const }),
  Object.freeze({ fromMinute: 7 * 60, tariff: 3 as const }),
  Object.freeze({ fromMinute: 10 * 60, tariff: 2 as const }),
  Object.freeze({ fromMinute: 12 * 60, tariff: 3 as const }),
  Object.freeze({ fromMinute: 18 * 60, tariff: 1 as const }),
  Object.freeze({ fromMinute: 20 * 60, tariff: 2 as const }),
  Object.freeze({ fromMinute: 23 * 60, tariff: 4 as const }),
]);

export interface Dlt645MeterOptions {
  engine: Engine;
  bus: Rs485Bus;
  /** Nameplate address, up to 12 digits. */
  address: string;
  supply: ElectricitySupply;
  /** Wall time (ms since the Unix epoch) at virtual time 0: the meter's clock for its tariffs. */
  epochMs: number;
  /** Default 2400 baud 8E1. */
  framing?: Framing;
  tariffs?: readonly TariffSwitch[];
  /** Register readings when the run starts, kWh, tariffs 1…4. */
  initialKwh?: readonly [number, number, number, number];
  /** Default 0.95: current = P / (V · PF). */
  powerFactor?: number;
  /** Default 50 ms. */
  replyDelayMs?: number;
  /** FE bytes before each reply, default 4. */
  preamble?: number;
}

const LOCAL_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export class Dlt645MeterModel extends MeterModel {
  readonly address: Uint8Array;
  coverOpenings = 0;
  magneticEvents = 0;
  readonly #o: Dlt645MeterOptions;
  readonly #tariffs: readonly TariffSwitch[];
  /** Wh per tariff 1…4 (index 0 unused). */
  readonly #registers = new Float64Array(5);
  #integratedTo: Micros;
  #energyAt: number;

  constructor(o: Dlt645MeterOptions) {
    super({ engine: o.engine, bus: o.bus, framing: o.framing ?? { baud: 2400, parity: "even" }, shape: DLT645_SHAPE, replyDelayMs: o.replyDelayMs ?? 50, preamble: o.preamble ?? 4 });
    this.#o = o;
    this.address = addressBytes(o.address, ADDRESS_BYTES, "DL/T 645 meter model");
    const tariffs = o.tariffs ?? EXAMPLE_TARIFFS;
    if (tariffs.length === 0 || tariffs[0]!.fromMinute !== 0) throw new RangeError("DL/T 645 meter model: the tariff table must start at minute 0");
    this.#tariffs = tariffs;
    const initial = o.initialKwh ?? [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) this.#registers[i + 1] = initial[i]! * 1000;
    this.#integratedTo = o.engine.now;
    this.#energyAt = o.supply.energyWh(o.engine.now);
  }

  /** Open the meter cover (an event the meter counts). */
  openCover(): void {
    this.coverOpenings++;
  }

  /** A constant magnet held against the meter (an event the meter counts). */
  applyMagnet(): void {
    this.magneticEvents++;
  }

  /** Tariff in force at virtual time `t`. */
  tariffAt(t: Micros): 1 | 2 | 3 | 4 {
    const minute = Math.floor(this.#localMs(t) / 60_000);
    let tariff = this.#tariffs[0]!.tariff;
    for (const s of this.#tariffs) if (s.fromMinute <= minute) tariff = s.tariff;
    return tariff;
  }

  /** The forward active registers now, kWh: total and tariffs 1…4. */
  registersKwh(): { total: number; tariffs: [number, number, number, number] } {
    this.#integrate(this.engine.now);
    const r = this.#registers;
    const tariffs: [number, number, number, number] = [r[1]! / 1000, r[2]! / 1000, r[3]! / 1000, r[4]! / 1000];
    return { total: (r[1]! + r[2]! + r[3]! + r[4]!) / 1000, tariffs };
  }

  protected answer(frame: Uint8Array): ModelReply | undefined {
    const c = frameControl(frame);
    if (c & CONTROL.REPLY) {
      this.stats.ignored++;
      return undefined;
    }
    if (!addressMatches(frame, 1, this.address)) {
      this.stats.ignored++;
      return undefined;
    }
    this.stats.requests++;
    if (c === CONTROL.READ_ADDRESS) return this.#reply(CONTROL.READ_ADDRESS | CONTROL.REPLY, this.address, -1);
    if (c !== CONTROL.READ || frameDataLength(frame) < 4) return this.#exception(c, ERR.OTHER);
    const di = (dataByte(frame, 0) | (dataByte(frame, 1) << 8) | (dataByte(frame, 2) << 16) | (dataByte(frame, 3) << 24)) >>> 0;
    const it = itemFor(di);
    if (!it) return this.#exception(c, ERR.NO_DATA);
    const data = new Uint8Array(4 + it.bytes);
    putDi(data, 0, di);
    encodeValue(it, this.#value(it), data, 4);
    return this.#reply(CONTROL.READ_REPLY, data, 10);
  }

  protected reseal(frame: Uint8Array): void {
    sealFrame(DLT645_SHAPE, frame, 0);
  }

  #reply(control: number, data: Uint8Array, identifierAt: number): ModelReply {
    return { frame: encodeFrame(this.address, control, data, 0), addressAt: 1, controlAt: 8, identifierAt };
  }

  #exception(control: number, err: number): ModelReply {
    this.stats.exceptions++;
    return this.#reply(control | CONTROL.REPLY | CONTROL.ABNORMAL, Uint8Array.of(err), -1);
  }

  #value(it: DataItem): number {
    const t = this.engine.now;
    const s = this.#o.supply;
    switch (it.di) {
      case DI.FORWARD_ACTIVE_TOTAL.di:
      case DI.COMBINED_ACTIVE_TOTAL.di:
        return this.registersKwh().total;
      case DI.REVERSE_ACTIVE_TOTAL.di:
        return 0;
      case DI.VOLTAGE_A.di:
        return s.voltageV(t);
      case DI.CURRENT_A.di: {
        const v = s.voltageV(t);
        return v > 0 ? s.powerW(t) / (v * (this.#o.powerFactor ?? 0.95)) : 0;
      }
      case DI.ACTIVE_POWER_TOTAL.di:
        return s.powerW(t) / 1000;
      case DI.COVER_OPENINGS.di:
        return this.coverOpenings;
      case DI.MAGNETIC_EVENTS.di:
        return this.magneticEvents;
      default: {
        const tariff = TARIFF_ITEMS.indexOf(it) + 1;
        return this.registersKwh().tariffs[tariff - 1]!;
      }
    }
  }

  #localMs(t: Micros): number {
    const ms = (this.#o.epochMs + t / 1000 + LOCAL_OFFSET_MS) % DAY_MS;
    return ms < 0 ? ms + DAY_MS : ms;
  }

  /** Add the energy since the last reading to the tariff registers, split at each tariff switch. */
  #integrate(to: Micros): void {
    let t = this.#integratedTo;
    while (t < to) {
      const minute = Math.floor(this.#localMs(t) / 60_000);
      let next = 24 * 60;
      for (const s of this.#tariffs) {
        if (s.fromMinute > minute) {
          next = s.fromMinute;
          break;
        }
      }
      const untilSwitchUs = Math.ceil((next * 60_000 - this.#localMs(t)) * 1000);
      const end = Math.min(to, t + Math.max(1, untilSwitchUs));
      const e = this.#o.supply.energyWh(end);
      this.#registers[this.tariffAt(t)]! += e - this.#energyAt;
      this.#energyAt = e;
      t = end;
    }
    this.#integratedTo = to;
  }
}

const ITEMS: readonly DataItem[] = Object.freeze(Object.values(DI));

function itemFor(di: number): DataItem | undefined {
  for (const it of ITEMS) if (it.di === di) return it;
  return undefined;
}
