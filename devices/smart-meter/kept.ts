/**
 * What the meter keeps across a power loss besides its snapshots: the interval in progress (its start boundary, the
 * readings there and its flags so far) and the clock offset a downlink set, in the power-fail-safe record log
 * (runtime/flash-records.ts) on two blocks of the "storage" partition after the snapshot logs.
 *
 * Flash, not retained words: a meter node must come back from a battery change or a brown-out with its load profile
 * whole, and retained RAM survives deep sleep and resets but not a power loss (the S0 count, kept in retained words
 * because it changes with every pulse, is the one thing that may be lost; the interval then says PULSES_LOST). Both
 * records change rarely — the interval one at each 15-minute boundary, 96 a day, which at 63 slots to a 4 KB block
 * erases each of the two blocks about every day and a half, some 2,700 times in ten years against the nRF52840's
 * 10,000 cycles; the clock one at each downlink that sets the time — so the log's wear is small.
 *
 * Order matters at a boundary: the new interval's start is kept before the closed interval is reported (meter.ts),
 * so a power cut between the two loses the report in RAM but never lets the next start reach back over an interval
 * already sent; the record after the restart covers both (GAP), and energy is conserved.
 *
 * The clock offset is kept against the host's wall time, so it is only meaningful where that time ran through the
 * power loss (an RTC with its own supply); where the host comes up without wall time the meter clock stays unset
 * (MeterClock.now is NaN) until a downlink sets it, as before.
 */
import type { FlashPartition } from "../../hal/host.js";
import { FlashRecordLog } from "../../runtime/flash-records.js";
import { getU16, getU32, putU16, putU32 } from "../../runtime/le.js";

const KIND_INTERVAL = 1;
const KIND_CLOCK = 2;
const INTERVAL_BYTES = 14;
const CLOCK_BYTES = 8;
const NONE = 0xffffffff;
const TWO_32 = 4_294_967_296;

export interface KeptInterval {
  /** Start boundary, Unix ms on the meter clock. */
  startMs: number;
  /** Readings at the start (NaN: none). */
  registerWh: number;
  pulses: number;
  /** IntervalFlag bits gathered so far. */
  flags: number;
}

export class MeterKeeper {
  readonly #log: FlashRecordLog;
  readonly #buf: Uint8Array;
  /** What is in flash now, to write only changes. */
  readonly #interval = new Uint8Array(INTERVAL_BYTES);
  #hasInterval = false;

  constructor(flash: FlashPartition, firstBlock: number, blocks: number, slotBytes: number) {
    this.#log = new FlashRecordLog(flash, { firstBlock, blocks, slotBytes, name: "meter state" });
    this.#buf = new Uint8Array(this.#log.maxPayload);
    if (this.#log.latest(KIND_INTERVAL, this.#buf) === INTERVAL_BYTES) {
      this.#interval.set(this.#buf.subarray(0, INTERVAL_BYTES));
      this.#hasInterval = true;
    }
  }

  /** The interval in progress when the node last kept it, or undefined. */
  interval(into: KeptInterval): KeptInterval | undefined {
    if (!this.#hasInterval) return undefined;
    const b = this.#interval;
    into.startMs = getU32(b, 0) * 60_000;
    into.registerWh = orNaN(getU32(b, 4));
    into.pulses = orNaN(getU32(b, 8));
    into.flags = getU16(b, 12);
    return into;
  }

  /** Keep the interval in progress (written only when it differs from what is kept). */
  keepInterval(startMs: number, registerWh: number, pulses: number, flags: number): void {
    const b = this.#buf;
    putU32(b, 0, Math.floor(startMs / 60_000));
    putU32(b, 4, whole(registerWh));
    putU32(b, 8, whole(pulses));
    putU16(b, 12, flags);
    if (this.#hasInterval) {
      let same = true;
      for (let i = 0; i < INTERVAL_BYTES; i++) if (b[i] !== this.#interval[i]) same = false;
      if (same) return;
    }
    this.#log.append(KIND_INTERVAL, b, 0, INTERVAL_BYTES);
    this.#interval.set(b.subarray(0, INTERVAL_BYTES));
    this.#hasInterval = true;
  }

  /** The clock offset last kept, ms (0 when none was). */
  clockOffsetMs(): number {
    const b = this.#buf;
    if (this.#log.latest(KIND_CLOCK, b) !== CLOCK_BYTES) return 0;
    const hi = getU32(b, 4);
    return (hi & 0x80000000 ? hi - TWO_32 : hi) * TWO_32 + getU32(b, 0);
  }

  keepClockOffset(ms: number): void {
    const b = this.#buf;
    const hi = Math.floor(ms / TWO_32);
    putU32(b, 0, ms - hi * TWO_32);
    putU32(b, 4, hi);
    this.#log.append(KIND_CLOCK, b, 0, CLOCK_BYTES);
  }
}

function whole(v: number): number {
  if (!(v >= 0)) return NONE;
  const r = Math.floor(v + 0.5);
  return r >= NONE ? NONE - 1 : r;
}

function orNaN(v: number): number {
  return v === NONE ? NaN : v;
}
