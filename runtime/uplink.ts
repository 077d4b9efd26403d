/**
 * The uplink queue: frames wait here, most urgent first, until the link acknowledges them.
 *
 * It owns every frame from `enqueue` until the acknowledgement (for QoS 1, the broker's PUBACK), and hands the link
 * only a small window at a time, so an alarm queued behind a backlog still goes out next. When the queue is full,
 * the oldest frame of the lowest priority present is dropped (and counted), never an alarm to make room for routine
 * telemetry. Frames the link gives back (the link closed before acknowledging them) go back to the head of their
 * priority.
 */
import type { Clock } from "../hal/host.js";

export type Priority = 0 | 1 | 2;
export const ROUTINE: Priority = 0;
export const EVENT: Priority = 1;
export const ALARM: Priority = 2;

/** The part of an MQTT client (runtime/mqtt/client.ts) the queue drives. */
export interface UplinkLink {
  publish(
    topic: string,
    payload: Uint8Array,
    options: { qos?: 0 | 1; retain?: boolean; done?: (error: Error | undefined, token: number) => void },
  ): number;
}

export interface UplinkFrame {
  readonly seq: number;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly priority: Priority;
  readonly qos: 0 | 1;
  /** Clock ticks when queued. */
  readonly queuedAt: number;
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
  link: UplinkLink;
  clock: Clock;
  /** Frames held at most (RAM budget). */
  capacity: number;
  /** Frames handed to the link at once (match the client's in-flight window). */
  window?: number;
  /** Called when a frame is acknowledged (store-and-forward can then release it). */
  onAcked?: (frame: UplinkFrame) => void;
  onDropped?: (frame: UplinkFrame) => void;
}

export class UplinkQueue {
  readonly stats: UplinkStats = { offered: 0, queued: 0, sent: 0, acked: 0, dropped: 0, requeued: 0, maxDepth: 0, maxLatencyMs: 0, bytesAcked: 0 };
  readonly #o: UplinkOptions;
  readonly #window: number;
  /** One FIFO per priority; index = priority. */
  readonly #lanes: UplinkFrame[][] = [[], [], []];
  #inLink = 0;
  #seq = 0;

  constructor(options: UplinkOptions) {
    if (!(options.capacity >= 1)) throw new RangeError(`uplink capacity must be ≥ 1, got ${options.capacity}`);
    this.#o = options;
    this.#window = options.window ?? 4;
  }

  /** Frames waiting plus frames with the link. */
  get depth(): number {
    return this.#lanes[0]!.length + this.#lanes[1]!.length + this.#lanes[2]!.length + this.#inLink;
  }

  get inLink(): number {
    return this.#inLink;
  }

  /** Queue a frame; returns its sequence number. May drop an older, less urgent frame to make room. */
  enqueue(topic: string, payload: Uint8Array, priority: Priority = ROUTINE, qos: 0 | 1 = 1): number {
    const frame: UplinkFrame = { seq: ++this.#seq, topic, payload, priority, qos, queuedAt: this.#o.clock.ticks() };
    this.stats.offered++;
    if (this.depth >= this.#o.capacity && !this.#makeRoom(priority)) {
      this.stats.dropped++;
      this.#o.onDropped?.(frame);
      return frame.seq;
    }
    this.#lanes[priority]!.push(frame);
    this.stats.queued++;
    if (this.depth > this.stats.maxDepth) this.stats.maxDepth = this.depth;
    this.pump();
    return frame.seq;
  }

  /** The standard accounting keys (UPLINK_MADE …) for the device's `stats()`; the queue drops only when full. */
  counters(): Record<string, number> {
    return {
      [UPLINK_MADE]: this.stats.offered,
      [UPLINK_DELIVERED]: this.stats.acked,
      [UPLINK_HELD]: this.depth,
      [UPLINK_DROPPED + "queue-full"]: this.stats.dropped,
    };
  }

  /** Drop the oldest waiting frame of priority ≤ `priority`; false if there is none. */
  #makeRoom(priority: Priority): boolean {
    for (let p = 0; p <= priority; p++) {
      const lane = this.#lanes[p]!;
      if (lane.length > 0) {
        const victim = lane.shift()!;
        this.stats.dropped++;
        this.#o.onDropped?.(victim);
        return true;
      }
    }
    return false;
  }

  /** Hand frames to the link while the window has room. Call after (re)connecting; acks call it too. */
  pump(): void {
    while (this.#inLink < this.#window) {
      const frame = this.#next();
      if (!frame) return;
      this.#inLink++;
      this.stats.sent++;
      try {
        this.#o.link.publish(frame.topic, frame.payload, { qos: frame.qos, done: (error) => this.#done(frame, error) });
      } catch {
        // The link refused it (its own queue full): keep the frame and try again on the next pump.
        this.#inLink--;
        this.stats.sent--;
        this.#lanes[frame.priority]!.unshift(frame);
        return;
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

  #done(frame: UplinkFrame, error: Error | undefined): void {
    this.#inLink--;
    if (error) {
      this.stats.requeued++;
      this.#lanes[frame.priority]!.unshift(frame);
      return;
    }
    this.stats.acked++;
    this.stats.bytesAcked += frame.payload.length;
    const latency = this.#o.clock.ticks() - frame.queuedAt;
    if (latency > this.stats.maxLatencyMs) this.stats.maxLatencyMs = latency;
    this.#o.onAcked?.(frame);
    this.pump();
  }
}
