/**
 * Sensirion SHT3x-DIS as an I2C target: a command decoder driven by virtual time.
 *
 * - Single shot without clock stretching (0x2400/0x240B/0x2416): the measurement runs for the repeatability's
 *   duration; until it is done the sensor NACKs every header (reads and writes), as the datasheet describes for
 *   stretching disabled. The result is read once; a second read NACKs (no data present).
 * - Single shot with clock stretching (0x2C06/0x2C0D/0x2C10): a read during the measurement is acknowledged and the
 *   sensor "stretches" until it is done. A synchronous simulated bus cannot hold virtual time, so the model returns
 *   the value as measured at the end of the conversion and adds the stretch to `stretchedUs`.
 * - Periodic mode (Table 10, ART) with fetch data (0xE000) and break (0x3093); soft reset (0x30A2); heater on/off;
 *   read status (0xF32D) and clear status (0x3041). Anything else is NACKed and sets the "command failed" bit.
 *
 * Readings come from the true air state at the instant the conversion ends: S = round(...) inverts the datasheet's
 * conversion formulas (§4.13) exactly, so a driver recovers the air state to within one code
 * (175/65535 °C, 100/65535 %RH). Each word is followed by its CRC-8; `fault = "crc"` corrupts the temperature CRC
 * of every result until cleared. Bus-level NACKs are injected with `I2CBusSim.injectNack`.
 */
import type { Micros } from "../../simulator/core/engine.js";
import type { I2CTarget } from "../../simulator/core/buses/i2c.js";
import type { AirState } from "../../simulator/core/environment/types.js";
import { crc8Sensirion } from "../crc/crc8.js";
import {
  CMD_ART,
  CMD_BREAK,
  CMD_CLEAR_STATUS,
  CMD_FETCH_DATA,
  CMD_HEATER_OFF,
  CMD_HEATER_ON,
  CMD_PERIODIC,
  CMD_READ_STATUS,
  CMD_SINGLE_SHOT,
  CMD_SINGLE_SHOT_STRETCH,
  CMD_SOFT_RESET,
  MEASURE_MAX_US,
  MEASURE_TYP_US,
  STATUS_ALERT_PENDING,
  STATUS_COMMAND_FAILED,
  STATUS_HEATER_ON,
  STATUS_RESET_DETECTED,
  STATUS_RH_ALERT,
  STATUS_T_ALERT,
  type Repeatability,
} from "./registers.js";

export type SHT3xChannel = "temperature" | "humidity";
export type SHT3xFault = "crc" | undefined;

export interface SHT3xModelOptions {
  /** Virtual time in µs. */
  now: () => Micros;
  /** The true air around the sensor at time t. */
  air: (t: Micros) => AirState;
  /** Measurement duration: the datasheet's typical (default) or maximum figure. */
  timing?: "typical" | "max";
  /** How long the sensor is busy after a soft reset, µs (default 1000, inside the datasheet maximum of 1.5 ms). */
  resetUs?: number;
  /** Optional additive noise in physical units (°C, %RH); must be deterministic (seeded) to keep runs replayable. */
  noise?: (channel: SHT3xChannel, t: Micros, repeatability: Repeatability) => number;
}

interface Measurement {
  end: Micros;
  repeatability: Repeatability;
  stretch: boolean;
}

interface Periodic {
  start: Micros;
  periodUs: Micros;
  repeatability: Repeatability;
  /** Index of the last measurement handed out by fetch, −1 for none. */
  fetched: number;
}

const POWER_UP_STATUS = STATUS_ALERT_PENDING | STATUS_RESET_DETECTED;

export class SHT3xModel implements I2CTarget {
  readonly #o: SHT3xModelOptions;
  fault: SHT3xFault;
  #status = POWER_UP_STATUS;
  #resetUntil: Micros = -1;
  #measurement: Measurement | undefined;
  #periodic: Periodic | undefined;
  /** Bytes waiting for the next read header (a result or the status word). */
  #out: Uint8Array | undefined;

  /** Results produced (single shot and periodic). */
  measurements = 0;
  /** Read headers NACKed because no data was ready (measuring, nothing requested, already read). */
  nackedReads = 0;
  /** Write headers or commands NACKed (busy, unknown command, wrong length). */
  nackedWrites = 0;
  /** Total virtual time a clock-stretching read would have held SCL low. */
  stretchedUs = 0;
  /** The last command accepted, for tests and traces. */
  lastCommand: number | undefined;

  constructor(options: SHT3xModelOptions) {
    this.#o = options;
  }

  /** Status register as a read would return it (without consuming anything). */
  get status(): number {
    return this.#status;
  }

  get heater(): boolean {
    return (this.#status & STATUS_HEATER_ON) !== 0;
  }

  write(bytes: Uint8Array, _stop: boolean): boolean {
    const now = this.#o.now();
    if (this.#busy(now)) return this.#nackWrite();
    this.#settle(now);
    if (bytes.length !== 2) {
      // Write commands with data (alert limits) are not modelled; a lone byte is an incomplete command.
      this.#status |= STATUS_COMMAND_FAILED;
      return this.#nackWrite();
    }
    const cmd = (bytes[0]! << 8) | bytes[1]!;
    if (!this.#execute(cmd, now)) {
      this.#status |= STATUS_COMMAND_FAILED;
      return this.#nackWrite();
    }
    // The command-status bit tells about the last command before the status read, so reading it keeps it.
    if (cmd !== CMD_READ_STATUS) this.#status &= ~STATUS_COMMAND_FAILED;
    this.lastCommand = cmd;
    return true;
  }

  read(count: number, _stop: boolean): Uint8Array | null {
    const now = this.#o.now();
    if (now < this.#resetUntil) return this.#nackRead();
    const m = this.#measurement;
    if (m && now < m.end) {
      if (!m.stretch) return this.#nackRead();
      this.stretchedUs += m.end - now;
      this.#measurement = undefined;
      this.#out = this.#result(m.end, m.repeatability);
    }
    this.#settle(now);
    const out = this.#out;
    if (!out) return this.#nackRead();
    this.#out = undefined;
    const bytes = new Uint8Array(count).fill(0xff); // past the last byte the bus floats high
    bytes.set(count < out.length ? out.subarray(0, count) : out);
    return bytes;
  }

  /** A single shot without stretching NACKs everything until done; a reset NACKs until the sensor is back. */
  #busy(now: Micros): boolean {
    if (now < this.#resetUntil) return true;
    const m = this.#measurement;
    return m !== undefined && now < m.end;
  }

  /** Move a finished single-shot result to the output. */
  #settle(now: Micros): void {
    const m = this.#measurement;
    if (m && now >= m.end) {
      this.#measurement = undefined;
      this.#out = this.#result(m.end, m.repeatability);
    }
  }

  #execute(cmd: number, now: Micros): boolean {
    // Commands that are accepted in either mode.
    switch (cmd) {
      case CMD_SOFT_RESET:
        this.#status = POWER_UP_STATUS;
        this.#measurement = undefined;
        this.#periodic = undefined;
        this.#out = undefined;
        this.#resetUntil = now + (this.#o.resetUs ?? 1000);
        return true;
      case CMD_BREAK:
        this.#periodic = undefined;
        this.#out = undefined;
        return true;
      case CMD_HEATER_ON:
        this.#status |= STATUS_HEATER_ON;
        return true;
      case CMD_HEATER_OFF:
        this.#status &= ~STATUS_HEATER_ON;
        return true;
      case CMD_READ_STATUS: {
        const s = this.#status;
        const out = new Uint8Array(3);
        out[0] = s >> 8;
        out[1] = s & 0xff;
        out[2] = crc8Sensirion(out, 0, 2);
        this.#out = out;
        return true;
      }
      case CMD_CLEAR_STATUS:
        this.#status &= ~(STATUS_ALERT_PENDING | STATUS_RH_ALERT | STATUS_T_ALERT | STATUS_RESET_DETECTED);
        return true;
      case CMD_FETCH_DATA:
        return this.#fetch(now);
    }
    if (this.#periodic) return false; // a measurement command in periodic mode needs a break first
    for (const r of REPEATABILITIES) {
      if (cmd === CMD_SINGLE_SHOT[r] || cmd === CMD_SINGLE_SHOT_STRETCH[r]) {
        this.#out = undefined;
        this.#measurement = { end: now + this.#duration(r), repeatability: r, stretch: cmd === CMD_SINGLE_SHOT_STRETCH[r] };
        return true;
      }
    }
    if (cmd === CMD_ART) return this.#startPeriodic(now, 4, "high");
    for (const [mps, high, medium, low] of CMD_PERIODIC) {
      if (cmd === high) return this.#startPeriodic(now, mps, "high");
      if (cmd === medium) return this.#startPeriodic(now, mps, "medium");
      if (cmd === low) return this.#startPeriodic(now, mps, "low");
    }
    return false;
  }

  #startPeriodic(now: Micros, mps: number, repeatability: Repeatability): boolean {
    this.#out = undefined;
    this.#periodic = { start: now, periodUs: Math.round(1_000_000 / mps), repeatability, fetched: -1 };
    return true;
  }

  /** Fetch data: the newest finished periodic result not yet fetched, or nothing (the read header is NACKed). */
  #fetch(now: Micros): boolean {
    const p = this.#periodic;
    this.#out = undefined;
    if (!p) return true;
    const duration = this.#duration(p.repeatability);
    if (now < p.start + duration) return true;
    const k = Math.floor((now - p.start - duration) / p.periodUs);
    if (k > p.fetched) {
      p.fetched = k;
      this.#out = this.#result(p.start + k * p.periodUs + duration, p.repeatability);
    }
    return true;
  }

  #duration(r: Repeatability): Micros {
    return this.#o.timing === "max" ? MEASURE_MAX_US[r] : MEASURE_TYP_US[r];
  }

  #result(t: Micros, r: Repeatability): Uint8Array {
    this.measurements++;
    const air = this.#o.air(t);
    const noise = this.#o.noise;
    const temperature = air.temperature + (noise ? noise("temperature", t, r) : 0);
    const humidity = air.humidity + (noise ? noise("humidity", t, r) : 0);
    // Inverse of §4.13: S_T = (T + 45)·65535/175, S_RH = RH·65535/100, rounded to the nearest code.
    const sT = toCode(((temperature + 45) * 65535) / 175);
    const sRH = toCode((humidity * 65535) / 100);
    const out = new Uint8Array(6);
    out[0] = sT >> 8;
    out[1] = sT & 0xff;
    out[2] = crc8Sensirion(out, 0, 2);
    out[3] = sRH >> 8;
    out[4] = sRH & 0xff;
    out[5] = crc8Sensirion(out, 3, 2);
    if (this.fault === "crc") out[2] ^= 0x5a;
    return out;
  }

  #nackRead(): null {
    this.nackedReads++;
    return null;
  }

  #nackWrite(): false {
    this.nackedWrites++;
    return false;
  }
}

const REPEATABILITIES: readonly Repeatability[] = Object.freeze(["high", "medium", "low"] as const);

function toCode(x: number): number {
  if (!(x > 0)) return 0;
  if (x >= 65535) return 65535;
  return Math.round(x);
}
