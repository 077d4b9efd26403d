/**
 * LoRaWAN class A as a `Link` (runtime/link/link.ts): the uplink queue sees a link that joins on `start`, takes one
 * frame at a time (a class A transaction owns the radio until its last receive window), sizes frames by the data
 * rate ADR chose, and reports each frame delivered (acknowledged, for confirmed ones) or failed.
 */
import type { Link, LinkHandlers, LinkStats, SendDone, SendOptions } from "../link.js";
import { LorawanMac, type LorawanMacOptions } from "./mac.js";

export class LorawanLink implements Link {
  readonly kind = "lorawan";
  readonly stats: LinkStats = { framesOut: 0, delivered: 0, failed: 0, bytesOut: 0, bytesIn: 0 };
  readonly mac: LorawanMac;
  #handlers: LinkHandlers = {};
  #closed = false;
  #txBefore = 0;

  constructor(options: LorawanMacOptions) {
    this.mac = new LorawanMac(options);
  }

  get maxPayload(): number {
    return this.mac.maxPayload;
  }

  get largestPayload(): number {
    return this.mac.largestPayload;
  }

  get ready(): boolean {
    return !this.#closed && this.mac.joined && !this.mac.busy;
  }

  send(payload: Uint8Array, options: SendOptions, done: SendDone): void {
    const port = options.port;
    if (port === undefined) throw new RangeError("lorawan: send needs a port (FPort 1…223)");
    const max = this.maxPayload;
    if (payload.length > max) throw new RangeError(`lorawan: frame of ${payload.length} bytes exceeds maxPayload ${max} (DR${this.mac.dataRate})`);
    if (!this.ready) throw new Error(`lorawan: not ready (${this.#closed ? "closed" : !this.mac.joined ? "not joined" : "uplink in progress"})`);
    this.#txBefore = this.mac.stats.uplinks + this.mac.stats.retransmissions;
    this.mac.send(port, payload, options.confirmed, (failure) => {
      const sent = this.mac.stats.uplinks + this.mac.stats.retransmissions - this.#txBefore;
      this.stats.framesOut += sent;
      this.stats.bytesOut += sent * payload.length;
      if (failure) this.stats.failed++;
      else this.stats.delivered++;
      done(failure);
      if (!this.#closed) this.#handlers.onReady?.();
    });
  }

  start(handlers: LinkHandlers): void {
    this.#handlers = handlers;
    this.mac.start({
      onJoined: () => handlers.onReady?.(),
      onDownlink: (port, payload) => {
        this.stats.bytesIn += payload.length;
        handlers.onDownlink?.({ port, payload });
      },
      onError: (error) => handlers.onError?.(error),
    });
  }

  close(): void {
    this.#closed = true;
    this.mac.close();
  }
}
