/**
 * Daily (日冻结, 00:00 local, UTC+8) and settlement-day (结算日) snapshots of the meter's registers, kept in flash
 * through the power-fail-safe record log (runtime/flash-records.ts), one log per kind so that daily records never
 * push the year of settlement records out.
 *
 * A snapshot is the first reading at or after its boundary on the meter's clock; when it comes more than
 * `lateToleranceMs` after the boundary it is flagged LATE (the registers moved since the boundary), and when whole
 * boundaries went by without a reading (the node was off) the next snapshot says how many were missed rather than
 * inventing them. A keeper that finds no snapshot of a kind in flash writes its first reading as INITIAL and freezes
 * the boundaries after it. A boundary is frozen at most once: after a clock step back the keeper waits for the next one.
 * On start-up the last snapshot of each kind is read back from flash, so a reset neither repeats nor skips one.
 *
 * Record payload (little-endian, 36 bytes): boundary in minutes since the epoch (u32), delay of the reading after
 * the boundary in s (u32), forward-active total in Wh (u32, 0xFFFFFFFF none), pulse count (u32, same), flags
 * (u16), boundaries missed before this one (u16), tariffs 1…4 in Wh (4 × u32, 0xFFFFFFFF none).
 */
import type { FlashRecordLog } from "../../runtime/flash-records.js";
import { getU16, getU32, putU16, putU32 } from "../../runtime/le.js";
import { DAY_MS, lastBillingBoundary, LOCAL_OFFSET_MS } from "./calendar.js";

export const SnapshotKind = Object.freeze({ DAILY: 1, BILLING: 2 });

export const SnapshotFlag = Object.freeze({
  /** Read more than the tolerance after the boundary. */
  LATE: 1,
  /** The meter clock was stepped between the previous reading and this one. */
  CLOCK_STEP: 2,
  /** The keeper's first reading, for the boundary that passed before it started: not a freeze of that boundary. */
  INITIAL: 4,
});

export interface Snapshot {
  kind: number;
  /** The boundary frozen, Unix ms (00:00 local). */
  boundaryMs: number;
  /** When the reading was taken, Unix ms (meter clock). */
  readAtMs: number;
  registerWh: number;
  pulses: number;
  /** Tariffs 1…4, Wh (NaN when not read). */
  readonly tariffWh: Float64Array;
  flags: number;
  /** Boundaries of this kind that passed with no reading before this one. */
  missed: number;
}

export const SNAPSHOT_BYTES = 36;
const NONE = 0xffffffff;

export function newSnapshot(): Snapshot {
  return { kind: 0, boundaryMs: NaN, readAtMs: NaN, registerWh: NaN, pulses: NaN, tariffWh: new Float64Array(4).fill(NaN), flags: 0, missed: 0 };
}

export function encodeSnapshot(s: Readonly<Snapshot>, out: Uint8Array): number {
  putU32(out, 0, Math.floor(s.boundaryMs / 60_000));
  putU32(out, 4, Math.floor((s.readAtMs - s.boundaryMs) / 1000));
  putU32(out, 8, wh(s.registerWh));
  putU32(out, 12, wh(s.pulses));
  putU16(out, 16, s.flags);
  putU16(out, 18, s.missed > 0xffff ? 0xffff : s.missed);
  for (let i = 0; i < 4; i++) putU32(out, 20 + 4 * i, wh(s.tariffWh[i]!));
  return SNAPSHOT_BYTES;
}

export function decodeSnapshot(kind: number, b: Uint8Array, offset: number, length: number, into: Snapshot): Snapshot {
  if (length !== SNAPSHOT_BYTES) throw new RangeError(`snapshot record of ${length} bytes, expected ${SNAPSHOT_BYTES}`);
  into.kind = kind;
  into.boundaryMs = getU32(b, offset) * 60_000;
  into.readAtMs = into.boundaryMs + getU32(b, offset + 4) * 1000;
  into.registerWh = orNaN(getU32(b, offset + 8));
  into.pulses = orNaN(getU32(b, offset + 12));
  into.flags = getU16(b, offset + 16);
  into.missed = getU16(b, offset + 18);
  for (let i = 0; i < 4; i++) into.tariffWh[i] = orNaN(getU32(b, offset + 20 + 4 * i));
  return into;
}

export interface SnapshotKeeperOptions {
  daily: FlashRecordLog;
  billing: FlashRecordLog;
  /** Settlement day of the month, 1…28 (default 1). */
  billingDay?: number;
  /** Default 60 s. */
  lateToleranceMs?: number;
  /** Each snapshot once it is in flash (the object is reused). */
  onSnapshot?: (s: Readonly<Snapshot>) => void;
}

export class SnapshotKeeper {
  readonly billingDay: number;
  readonly #o: SnapshotKeeperOptions;
  readonly #tolerance: number;
  readonly #snap = newSnapshot();
  readonly #buf = new Uint8Array(SNAPSHOT_BYTES);
  readonly #read: Uint8Array;
  /** Last boundary frozen, per kind (NaN: none in flash). */
  #lastDaily = NaN;
  #lastBilling = NaN;
  #stepped = false;

  constructor(o: SnapshotKeeperOptions) {
    const day = o.billingDay ?? 1;
    if (!Number.isInteger(day) || day < 1 || day > 28) throw new RangeError(`snapshots: billingDay must be 1…28, got ${day}`);
    for (const log of [o.daily, o.billing]) {
      if (log.maxPayload < SNAPSHOT_BYTES) throw new RangeError(`snapshots: a record log with ${log.maxPayload}-byte records cannot hold a ${SNAPSHOT_BYTES}-byte snapshot (use slotBytes ≥ 64)`);
    }
    this.billingDay = day;
    this.#o = o;
    this.#tolerance = o.lateToleranceMs ?? 60_000;
    this.#read = new Uint8Array(Math.max(o.daily.maxPayload, o.billing.maxPayload));
    this.#lastDaily = this.#lastBoundaryIn(o.daily, SnapshotKind.DAILY);
    this.#lastBilling = this.#lastBoundaryIn(o.billing, SnapshotKind.BILLING);
  }

  /** The last boundary frozen of a kind, Unix ms (NaN when none). */
  lastBoundary(kind: number): number {
    return kind === SnapshotKind.DAILY ? this.#lastDaily : this.#lastBilling;
  }

  /** The meter clock was stepped: the next snapshot is flagged. */
  clockStepped(): void {
    this.#stepped = true;
  }

  /**
   * A reading at meter time `meterMs` (registers in Wh, NaN for what was not read; `tariffWh` may be omitted).
   * Freezes each boundary passed since the last one of its kind.
   */
  observe(meterMs: number, registerWh: number, pulses: number, tariffWh?: ArrayLike<number>): void {
    if (!(meterMs === meterMs)) return;
    const daily = Math.floor((meterMs + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS;
    const billing = lastBillingBoundary(meterMs, this.billingDay);
    // A keeper with nothing of a kind in flash writes its first reading as an INITIAL record for the boundary just
    // past (which went by before it was installed) and freezes the boundaries after it; a reset before that record
    // is durable simply writes it again.
    if (this.#lastDaily !== this.#lastDaily) {
      this.#freeze(this.#o.daily, SnapshotKind.DAILY, daily, meterMs, registerWh, pulses, tariffWh, 0, SnapshotFlag.INITIAL);
      this.#lastDaily = daily;
    }
    if (this.#lastBilling !== this.#lastBilling) {
      this.#freeze(this.#o.billing, SnapshotKind.BILLING, billing, meterMs, registerWh, pulses, tariffWh, 0, SnapshotFlag.INITIAL);
      this.#lastBilling = billing;
    }
    if (daily > this.#lastDaily) {
      const missed = Math.round((daily - this.#lastDaily) / DAY_MS) - 1;
      this.#freeze(this.#o.daily, SnapshotKind.DAILY, daily, meterMs, registerWh, pulses, tariffWh, missed);
      this.#lastDaily = daily;
    }
    if (billing > this.#lastBilling) {
      const missed = monthsBetween(this.#lastBilling, billing) - 1;
      this.#freeze(this.#o.billing, SnapshotKind.BILLING, billing, meterMs, registerWh, pulses, tariffWh, missed);
      this.#lastBilling = billing;
    }
    this.#stepped = false;
  }

  /** Visit the snapshots of a kind in flash, oldest first (the object passed is reused). */
  forEach(kind: number, visit: (s: Readonly<Snapshot>) => void): void {
    const log = kind === SnapshotKind.DAILY ? this.#o.daily : this.#o.billing;
    const s = newSnapshot();
    log.forEach((k, _seq, data, offset, length) => {
      if (k === kind && length === SNAPSHOT_BYTES) visit(decodeSnapshot(k, data, offset, length, s));
    });
  }

  #freeze(
    log: FlashRecordLog,
    kind: number,
    boundary: number,
    at: number,
    registerWh: number,
    pulses: number,
    tariffWh: ArrayLike<number> | undefined,
    missed: number,
    initial = 0,
  ): void {
    const s = this.#snap;
    s.kind = kind;
    s.boundaryMs = boundary;
    s.readAtMs = at;
    s.registerWh = registerWh;
    s.pulses = pulses;
    for (let i = 0; i < 4; i++) s.tariffWh[i] = tariffWh ? tariffWh[i]! : NaN;
    s.flags = initial || (at - boundary > this.#tolerance ? SnapshotFlag.LATE : 0) | (this.#stepped ? SnapshotFlag.CLOCK_STEP : 0);
    s.missed = missed;
    const n = encodeSnapshot(s, this.#buf);
    log.append(kind, this.#buf, 0, n);
    // What went to flash is what the platform will see: report it as decoded (whole Wh, whole seconds).
    this.#o.onSnapshot?.(decodeSnapshot(kind, this.#buf, 0, n, s));
  }

  #lastBoundaryIn(log: FlashRecordLog, kind: number): number {
    const n = log.latest(kind, this.#read);
    if (n !== SNAPSHOT_BYTES) return NaN;
    return getU32(this.#read, 0) * 60_000;
  }
}

function monthsBetween(a: number, b: number): number {
  // Settlement boundaries are 28–31 days apart: the count of months is the day span over the mean month, rounded.
  return Math.round((b - a) / (30.436875 * DAY_MS));
}

function wh(x: number): number {
  if (!(x >= 0)) return NONE;
  const v = Math.floor(x + 0.5);
  return v >= NONE ? NONE - 1 : v;
}

function orNaN(v: number): number {
  return v === NONE ? NaN : v;
}
