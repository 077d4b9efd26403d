/**
 * The uplink queue: reports wait here, most urgent first, until the link delivers them, whatever the link is
 * (MQTT, LoRaWAN, CoAP over NB-IoT: runtime/link/link.ts).
 *
 * It owns every report from `enqueue` until the link says it was delivered (for a confirmed frame, acknowledged end
 * to end), and hands the link only a small window at a time, so an alarm queued behind a backlog still goes out
 * next. When the queue is full, the oldest report of the lowest priority present is dropped (and counted), never an
 * alarm to make room for routine telemetry. A report larger than the link takes at that moment is split at SenML
 * record boundaries (runtime/senml-split.ts), never truncated; it counts as delivered when every piece is. A record
 * too large for the link now but not for the link at its best (LoRaWAN at DR0 takes 51 bytes, at DR5 222) waits,
 * beside the lanes, until the link can take it (ADR raising the data rate) or `waitForRoomMs` has passed. A frame
 * the link fails to deliver goes back to the head of its priority when trying again can help, after a back-off
 * (doubling from `retry.minMs` to `retry.maxMs`, with jitter), and is dropped with the link's reason otherwise.
 */
import type { Clock, Timers, TimerHandle } from "../hal/host.js";
import type { Link, LinkFailure } from "./link/link.js";
import { splitSenmlPack } from "./senml-split.js";
import type { Job, WorkQueue } from "./work-queue.js";

export type Priority = 0 | 1 | 2;
export const ROUTINE: Priority = 0;
export const EVENT: Priority = 1;
export const ALARM: Priority = 2;

export interface UplinkFrame {
  /** The report this frame carries (pieces of one split report share it). */
  readonly seq: number;
  readonly payload: Uint8Array;
  /** MQTT topic / CoAP path, or LoRaWAN FPort: each link reads what it needs. */
  readonly topic: string | undefined;
  readonly port: number | undefined;
  readonly confirmed: boolean;
  readonly priority: Priority;
  /** A SenML-CBOR pack, which the queue may split at record boundaries to fit the link. */
  readonly senml: boolean;
  /** Clock ticks when queued. */
  readonly queuedAt: number;
}

export interface EnqueueOptions {
  topic?: string;
  port?: number;
  /** Ask the link for an end-to-end acknowledgement (default true). */
  confirmed?: boolean;
  priority?: Priority;
  /** The payload is a SenML-CBOR pack (default false). */
  senml?: boolean;
  /** Count it among the node's reports (default true); an acknowledgement of a downlink is not a report. */
  report?: boolean;
}

/**
 * The keys under which a device's `stats()` accounts for its reports, whatever the device: run summaries read these
 * and nothing device-specific. At any moment every report made is delivered, held, or dropped for one reason
 * (`uplink.dropped.<reason>`): made = delivered + held + the dropped.
 */
export const UPLINK_MADE = "uplink.made";
export const UPLINK_DELIVERED = "uplink.delivered";
export const UPLINK_HELD = "uplink.held";
export const UPLINK_DROPPED = "uplink.dropped.";

export interface UplinkStats {
  /** Frames offered to `enqueue`, accepted or not. */
  offered: number;
  queued: number;
  sent: number;
  acked: number;
  dropped: number;
  requeued: number;
  /** Deepest the queue has been. */
  maxDepth: number;
  /** Largest queue-to-acknowledgement time seen, ms. */
  maxLatencyMs: number;
  bytesAcked: number;
}

export interface UplinkOptions {
  link: Link;
  clock: Clock;
  /** Frames held at most (RAM budget). */
  capacity: number;
  /** Frames handed to the link at once (match the client's in-flight window). */
  window?: number;
  /** Back-off after a failed delivery (needs `timer`); default 5 s doubling to 10 min. */
  retry?: { minMs: number; maxMs: number };
  timer?: Timers;
  random?: () => number;
  /** Called when a frame is acknowledged (store-and-forward can then release it). */
  onAcked?: (frame: UplinkFrame) => void;
  onDropped?: (frame: UplinkFrame) => void;
  /** How long a frame with a record too large for the link now may wait for it to take more, ms (default 6 h). */
  waitForRoomMs?: number;
  /**
   * Hand a queued frame to the link on a turn of this queue's own (a piece of work), not inside `enqueue`: the
   * link's encoding and its socket or radio work then run after the caller's piece, with the device's samples
   * between them. Default: inside `enqueue`.
   */
  work?: WorkQueue;
}

const DEFAULT_WAIT_FOR_ROOM_MS = 6 * 3_600_000;

interface ReportState {
  /** Pieces not yet delivered or dropped. */
  open: number;
  /** Why a piece was dropped, if one was. */
  dropped: string | undefined;
}

export class UplinkQueue {
  readonly stats: UplinkStats = { offered: 0, queued: 0, sent: 0, acked: 0, dropped: 0, requeued: 0, maxDepth: 0, maxLatencyMs: 0, bytesAcked: 0 };
  readonly #o: UplinkOptions;
  readonly #window: number;
  /** One FIFO per priority; index = priority. */
  readonly #lanes: UplinkFrame[][] = [[], [], []];
  /** Frames with a record the link cannot take now but can at its best, oldest first. */
  readonly #waiting: UplinkFrame[] = [];
  /** Reports not yet settled, by sequence number. */
  readonly #reports = new Map<number, ReportState>();
  /** Reports settled: delivered whole, or dropped (by the reason of their first dropped piece). */
  #delivered = 0;
  readonly #droppedBy: Record<string, number> = {};
  #inLink = 0;
  #seq = 0;
  #failures = 0;
  #hold: TimerHandle | undefined;
  /** The deferred pump (with `work`), queued at most once at a time. */
  #pumpJob: Job | undefined;
  #pumpQueued = false;

  constructor(options: UplinkOptions) {
    if (!(options.capacity >= 1)) throw new RangeError(`uplink capacity must be ≥ 1, got ${options.capacity}`);
    this.#o = options;
    this.#window = options.window ?? 4;
  }

  /** Frames waiting plus frames with the link. */
  get depth(): number {
    return this.#lanes[0]!.length + this.#lanes[1]!.length + this.#lanes[2]!.length + this.#waiting.length + this.#inLink;
  }

  get inLink(): number {
    return this.#inLink;
  }

  /** Queue a report; returns its sequence number. May drop an older, less urgent report's frame to make room. */
  enqueue(payload: Uint8Array, options: EnqueueOptions = {}): number {
    const frame: UplinkFrame = {
      seq: ++this.#seq,
      payload,
      topic: options.topic,
      port: options.port,
      confirmed: options.confirmed ?? true,
      priority: options.priority ?? ROUTINE,
      senml: options.senml ?? false,
      queuedAt: this.#o.clock.ticks(),
    };
    if (options.report !== false) {
      this.stats.offered++;
      this.#reports.set(frame.seq, { open: 1, dropped: undefined });
    }
    if (this.depth >= this.#o.capacity && !this.#makeRoom(frame.priority)) {
      this.#drop(frame, "queue-full");
      return frame.seq;
    }
    this.#lanes[frame.priority]!.push(frame);
    this.stats.queued++;
    if (this.depth > this.stats.maxDepth) this.stats.maxDepth = this.depth;
    const work = this.#o.work;
    if (work === undefined) this.pump();
    else if (!this.#pumpQueued) {
      this.#pumpQueued = true;
      work.add(
        (this.#pumpJob ??= {
          step: () => {
            this.#pumpQueued = false;
            this.pump();
            return false;
          },
        }),
      );
    }
    return frame.seq;
  }

  /** The standard accounting keys (UPLINK_MADE …) for the device's `stats()`, counted in reports. */
  counters(): Record<string, number> {
    const out: Record<string, number> = {
      [UPLINK_MADE]: this.stats.offered,
      [UPLINK_DELIVERED]: this.#delivered,
      [UPLINK_HELD]: this.#reports.size,
    };
    out[UPLINK_DROPPED + "queue-full"] = this.#droppedBy["queue-full"] ?? 0;
    for (const why of Object.keys(this.#droppedBy)) out[UPLINK_DROPPED + why] = this.#droppedBy[why]!;
    return out;
  }

  #drop(frame: UplinkFrame, why: string): void {
    this.stats.dropped++;
    this.#o.onDropped?.(frame);
    const r = this.#reports.get(frame.seq);
    if (!r) return;
    if (r.dropped === undefined) r.dropped = why;
    this.#settle(frame.seq, r);
  }

  #settle(seq: number, r: ReportState): void {
    if (--r.open > 0) return;
    this.#reports.delete(seq);
    if (r.dropped === undefined) this.#delivered++;
    else this.#droppedBy[r.dropped] = (this.#droppedBy[r.dropped] ?? 0) + 1;
  }

  /** Drop the oldest waiting frame of priority ≤ `priority`; false if there is none. */
  #makeRoom(priority: Priority): boolean {
    const w = this.#waiting.findIndex((f) => f.priority <= priority);
    if (w >= 0) {
      this.#drop(this.#waiting.splice(w, 1)[0]!, "queue-full");
      return true;
    }
    for (let p = 0; p <= priority; p++) {
      const lane = this.#lanes[p]!;
      if (lane.length > 0) {
        this.#drop(lane.shift()!, "queue-full");
        return true;
      }
    }
    return false;
  }

  /** Hand frames to the link while it is ready and the window has room. The link's onReady should call this. */
  pump(): void {
    const link = this.#o.link;
    this.#recallWaiting(link.maxPayload);
    while (this.#inLink < this.#window && this.#hold === undefined && link.ready) {
      const frame = this.#next();
      if (!frame) return;
      if (frame.payload.length > link.maxPayload && !this.#fit(frame, link.maxPayload)) continue;
      this.#inLink++;
      this.stats.sent++;
      try {
        link.send(frame.payload, { topic: frame.topic, port: frame.port, confirmed: frame.confirmed }, (failure) => this.#done(frame, failure));
      } catch {
        // The link refused it after all (its own queue full, a state change): keep it for the next pump.
        this.#inLink--;
        this.stats.sent--;
        this.#lanes[frame.priority]!.unshift(frame);
        return;
      }
    }
  }

  /** Replace a frame too large for the link by its pieces (at the lane's head); false when it was dropped. */
  #fit(frame: UplinkFrame, max: number): boolean {
    let why = "too-large";
    if (frame.senml) {
      let split;
      try {
        split = splitSenmlPack(frame.payload, max);
      } catch {
        split = undefined;
      }
      if (split && "error" in split && this.#mayWait(frame)) {
        this.#waiting.push(frame);
        return false;
      }
      if (split && "packs" in split) {
        const lane = this.#lanes[frame.priority]!;
        for (let i = split.packs.length - 1; i >= 1; i--) lane.unshift({ ...frame, payload: split.packs[i]! });
        const r = this.#reports.get(frame.seq);
        if (r) r.open += split.packs.length - 1;
        this.stats.queued += split.packs.length - 1;
        (frame as { payload: Uint8Array }).payload = split.packs[0]!;
        return true;
      }
      if (split) why = "record-too-large";
    }
    this.#drop(frame, why);
    return false;
  }

  /** A frame whose records would fit the link at its best, not waited for too long yet. */
  #mayWait(frame: UplinkFrame): boolean {
    const best = this.#o.link.largestPayload;
    if (best === undefined || best <= this.#o.link.maxPayload) return false;
    if (this.#o.clock.ticks() - frame.queuedAt > (this.#o.waitForRoomMs ?? DEFAULT_WAIT_FOR_ROOM_MS)) return false;
    try {
      return "packs" in splitSenmlPack(frame.payload, best);
    } catch {
      return false;
    }
  }

  /** Put back at the head of their lanes the waiting frames the link can take now; drop those that waited too long. */
  #recallWaiting(max: number): void {
    if (this.#waiting.length === 0) return;
    const limit = this.#o.waitForRoomMs ?? DEFAULT_WAIT_FOR_ROOM_MS;
    const now = this.#o.clock.ticks();
    for (let i = this.#waiting.length - 1; i >= 0; i--) {
      const frame = this.#waiting[i]!;
      let fits = false;
      try {
        fits = "packs" in splitSenmlPack(frame.payload, max);
      } catch {
        fits = false;
      }
      if (fits) {
        this.#waiting.splice(i, 1);
        this.#lanes[frame.priority]!.unshift(frame);
      } else if (now - frame.queuedAt > limit) {
        this.#waiting.splice(i, 1);
        this.#drop(frame, "record-too-large");
      }
    }
  }

  #next(): UplinkFrame | undefined {
    for (let p = 2; p >= 0; p--) {
      const lane = this.#lanes[p]!;
      if (lane.length > 0) return lane.shift();
    }
    return undefined;
  }

  #done(frame: UplinkFrame, failure: LinkFailure | undefined): void {
    this.#inLink--;
    if (failure) {
      if (!failure.retry) {
        this.#drop(frame, failure.reason);
        this.pump();
        return;
      }
      this.stats.requeued++;
      this.#lanes[frame.priority]!.unshift(frame);
      this.#backOff();
      return;
    }
    this.#failures = 0;
    this.stats.acked++;
    this.stats.bytesAcked += frame.payload.length;
    const latency = this.#o.clock.ticks() - frame.queuedAt;
    if (latency > this.stats.maxLatencyMs) this.stats.maxLatencyMs = latency;
    this.#o.onAcked?.(frame);
    const r = this.#reports.get(frame.seq);
    if (r) this.#settle(frame.seq, r);
    this.pump();
  }

  /** After a failure: wait before handing the link anything again (without a timer, until the next pump). */
  #backOff(): void {
    const timer = this.#o.timer;
    if (!timer || this.#hold !== undefined) return;
    const { minMs, maxMs } = this.#o.retry ?? { minMs: 5000, maxMs: 600_000 };
    const base = Math.min(maxMs, minMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    const jitter = this.#o.random ? this.#o.random() : 0.5;
    this.#hold = timer.set(() => {
      this.#hold = undefined;
      this.pump();
    }, base / 2 + (base / 2) * jitter);
  }
}
