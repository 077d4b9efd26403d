/**
 * What a parking sensor sends and when: an event for every change of the bay's state, as soon as it happens, and a
 * heartbeat when nothing has been sent for `heartbeatMs` (the reference notes: heartbeat every 1–24 h with battery,
 * temperature and baseline), so the platform can tell a quiet bay from a dead sensor.
 *
 * Events wait in a small ring until the device takes them; each carries a sequence number, so the platform sees
 * a gap when the ring overflowed (the oldest are dropped and counted: the newest state is the one that matters).
 * Any message sent, event or heartbeat, restarts the heartbeat's silence (runtime/filters Heartbeat).
 * No allocation per event.
 */
import { Heartbeat } from "../../runtime/filters/heartbeat.js";

export const MessageKind = Object.freeze({ NONE: 0, EVENT: 1, HEARTBEAT: 2 });

export interface ParkingEvent {
  seq: number;
  state: number;
  reason: number;
  /** When the detector decided, ms (the device's clock). */
  atMs: number;
  deviationUt: number;
}

export class ParkingReporter {
  readonly heartbeat: Heartbeat;
  dropped = 0;
  readonly #capacity: number;
  readonly #state: Float64Array;
  #head = 0;
  #count = 0;
  #seq = 0;

  constructor(o: { heartbeatMs?: number; capacity?: number } = {}) {
    this.heartbeat = new Heartbeat(o.heartbeatMs ?? 6 * 3_600_000);
    this.#capacity = o.capacity ?? 8;
    if (!Number.isInteger(this.#capacity) || this.#capacity < 1) throw new RangeError(`parking reporter: capacity must be a whole number ≥ 1, got ${o.capacity}`);
    this.#state = new Float64Array(5 * this.#capacity);
  }

  /** Events waiting. */
  get pending(): number {
    return this.#count;
  }

  /** A change of state (ParkingDetector.onChange). */
  change(state: number, reason: number, atMs: number, deviationUt: number): void {
    if (this.#count === this.#capacity) {
      this.#head = (this.#head + 1) % this.#capacity;
      this.#count--;
      this.dropped++;
    }
    const at = 5 * ((this.#head + this.#count) % this.#capacity);
    const s = this.#state;
    s[at] = this.#seq;
    s[at + 1] = state;
    s[at + 2] = reason;
    s[at + 3] = atMs;
    s[at + 4] = deviationUt;
    this.#seq = (this.#seq + 1) >>> 0;
    this.#count++;
  }

  /** What to send now: an event if one waits, else a heartbeat if it is due, else nothing. */
  due(nowMs: number): number {
    if (this.#count > 0) return MessageKind.EVENT;
    return this.heartbeat.due(nowMs) ? MessageKind.HEARTBEAT : MessageKind.NONE;
  }

  /** Move the oldest waiting event into `out`; false when none waits. */
  takeEvent(out: ParkingEvent): boolean {
    if (this.#count === 0) return false;
    const at = 5 * this.#head;
    const s = this.#state;
    out.seq = s[at]!;
    out.state = s[at + 1]!;
    out.reason = s[at + 2]!;
    out.atMs = s[at + 3]!;
    out.deviationUt = s[at + 4]!;
    this.#head = (this.#head + 1) % this.#capacity;
    this.#count--;
    return true;
  }

  /** Events numbered so far (the next event's sequence number). */
  get sequence(): number {
    return this.#seq;
  }

  /** Continue numbering from `seq` (after a deep sleep: no event waits then). */
  restoreSequence(seq: number): void {
    this.#seq = seq >>> 0;
  }

  /** A message (event or heartbeat) went out at `nowMs`. */
  sent(nowMs: number): void {
    this.heartbeat.sent(nowMs);
  }
}
