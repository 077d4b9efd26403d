/**
 * A CoAP client for one server over a datagram socket (RFC 7252), for sleepy nodes that POST telemetry.
 *
 * - Confirmable requests are retransmitted with exponential back-off (§4.2): the first timeout is uniform in
 *   [ACK_TIMEOUT, ACK_TIMEOUT·ACK_RANDOM_FACTOR], doubling each time, at most MAX_RETRANSMIT retransmissions; then
 *   the exchange fails. Defaults are §4.8's (2 s, 1.5, 4); NB-IoT in deep coverage needs a longer ACK_TIMEOUT, which
 *   §4.8.1 allows.
 * - NSTART = 1 (§4.7): one exchange outstanding, others wait in order.
 * - Responses: piggybacked in the ACK, or an empty ACK then a separate response matched by token (§5.2.2), which is
 *   acknowledged if confirmable; duplicates (same message ID) are acknowledged again and otherwise ignored (§4.5).
 *   A Reset fails the exchange.
 * - Message IDs start at a random value and count up; tokens are 4 random bytes (§5.3.1), from `random()` (the
 *   host's RNG), so a simulated run is reproducible.
 */
import type { Timers, TimerHandle } from "../../hal/host.js";
import { ACK, CON, CoapFormatError, codeText, decodeCoap, EMPTY, encodeCoap, NON, OPTION_CONTENT_FORMAT, RST, uintOption, uriPathOptions } from "./message.js";
import type { CoapMessage, CoapOption } from "./message.js";

export interface CoapTiming {
  /** ms (default 2000). */
  ackTimeout?: number;
  /** default 1.5 */
  ackRandomFactor?: number;
  /** default 4 */
  maxRetransmit?: number;
  /** ms to wait for a separate response after an empty ACK (default 60000). */
  responseTimeout?: number;
}

export interface CoapResponse {
  code: number;
  payload: Uint8Array;
  options: CoapOption[];
}

export interface CoapClientStats {
  requests: number;
  transmissions: number;
  retransmissions: number;
  responses: number;
  failures: number;
  malformed: number;
  resets: number;
}

export interface CoapClientOptions {
  send(bytes: Uint8Array): void;
  timer: Timers;
  random(): number;
  timing?: CoapTiming;
}

export type CoapDone = (error: Error | undefined, response: CoapResponse | undefined) => void;

interface Exchange {
  message: CoapMessage;
  bytes: Uint8Array;
  done: CoapDone;
  retransmits: number;
  timeoutMs: number;
  /** An empty ACK came: waiting for the separate response. */
  acked: boolean;
}

export class CoapClient {
  readonly stats: CoapClientStats = { requests: 0, transmissions: 0, retransmissions: 0, responses: 0, failures: 0, malformed: 0, resets: 0 };
  readonly #o: CoapClientOptions;
  readonly #t: Required<CoapTiming>;
  readonly #queue: Exchange[] = [];
  #current: Exchange | undefined;
  #timer: TimerHandle | undefined;
  #mid: number;
  /** Message IDs of separate responses already acknowledged, to re-ACK duplicates. */
  readonly #seen: number[] = [];

  constructor(options: CoapClientOptions) {
    this.#o = options;
    this.#t = { ackTimeout: 2000, ackRandomFactor: 1.5, maxRetransmit: 4, responseTimeout: 60_000, ...options.timing };
    this.#mid = Math.floor(options.random() * 0x10000) & 0xffff;
  }

  /** Exchanges waiting or in progress. */
  get pending(): number {
    return this.#queue.length + (this.#current ? 1 : 0);
  }

  #token(): Uint8Array {
    const t = new Uint8Array(4);
    for (let i = 0; i < 4; i++) t[i] = Math.floor(this.#o.random() * 256) & 0xff;
    return t;
  }

  /** Send a request; `done` runs once, with the response or why there is none. */
  request(method: number, path: string, payload: Uint8Array, options: { contentFormat?: number; confirmable?: boolean }, done: CoapDone): void {
    const opts = uriPathOptions(path);
    if (options.contentFormat !== undefined) opts.push({ number: OPTION_CONTENT_FORMAT, value: uintOption(options.contentFormat) });
    this.#mid = (this.#mid + 1) & 0xffff;
    const message: CoapMessage = { type: options.confirmable === false ? NON : CON, code: method, messageId: this.#mid, token: this.#token(), options: opts, payload };
    const first = this.#t.ackTimeout * (1 + (this.#t.ackRandomFactor - 1) * this.#o.random());
    this.#queue.push({ message, bytes: encodeCoap(message), done, retransmits: 0, timeoutMs: first, acked: false });
    this.stats.requests++;
    this.#next();
  }

  #next(): void {
    if (this.#current) return;
    const x = this.#queue.shift();
    if (!x) return;
    this.#current = x;
    this.#transmit(x);
  }

  #transmit(x: Exchange): void {
    this.stats.transmissions++;
    this.#o.send(x.bytes);
    this.#arm(x.message.type === CON ? x.timeoutMs : this.#t.responseTimeout);
  }

  #arm(ms: number): void {
    this.#o.timer.clear(this.#timer);
    this.#timer = this.#o.timer.set(() => this.#timeout(), ms);
  }

  #timeout(): void {
    this.#timer = undefined;
    const x = this.#current;
    if (!x) return;
    if (x.message.type === CON && !x.acked && x.retransmits < this.#t.maxRetransmit) {
      x.retransmits++;
      x.timeoutMs *= 2;
      this.stats.retransmissions++;
      this.#transmit(x);
      return;
    }
    const why = x.acked ? `no separate response within ${this.#t.responseTimeout} ms` : x.message.type === CON ? `no acknowledgement after ${x.retransmits + 1} transmissions` : "no response";
    this.#finish(new Error(`coap ${codeText(x.message.code)}: ${why}`), undefined);
  }

  #finish(error: Error | undefined, response: CoapResponse | undefined): void {
    const x = this.#current!;
    this.#o.timer.clear(this.#timer);
    this.#timer = undefined;
    this.#current = undefined;
    if (error) this.stats.failures++;
    else this.stats.responses++;
    x.done(error, response);
    this.#next();
  }

  #ackEmpty(messageId: number): void {
    this.#o.send(encodeCoap({ type: ACK, code: EMPTY, messageId, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) }));
  }

  /** A datagram from the server. Malformed ones are counted and dropped (§4.2: silently ignored). */
  receive(bytes: Uint8Array): void {
    let m: CoapMessage;
    try {
      m = decodeCoap(bytes);
    } catch (e) {
      if (!(e instanceof CoapFormatError)) throw e;
      this.stats.malformed++;
      return;
    }
    const x = this.#current;
    const sameToken = (t: Uint8Array): boolean => !!x && t.length === x.message.token.length && t.every((b, i) => b === x.message.token[i]);
    if (m.type === RST) {
      if (x && m.messageId === x.message.messageId) {
        this.stats.resets++;
        this.#finish(new Error(`coap ${codeText(x.message.code)}: reset by the server`), undefined);
      }
      return;
    }
    if (m.type === ACK) {
      if (!x || m.messageId !== x.message.messageId || x.acked) return; // late or duplicate ACK
      if (m.code === EMPTY) {
        x.acked = true;
        this.#arm(this.#t.responseTimeout);
        return;
      }
      if (!sameToken(m.token)) return;
      this.#finish(undefined, { code: m.code, payload: m.payload, options: m.options });
      return;
    }
    // A separate response (CON or NON) or a request we do not serve.
    if (m.type === CON) {
      if (this.#seen.indexOf(m.messageId) >= 0 || !sameToken(m.token)) {
        this.#ackEmpty(m.messageId);
        return;
      }
      this.#ackEmpty(m.messageId);
      this.#seen.push(m.messageId);
      if (this.#seen.length > 8) this.#seen.shift();
    }
    if (x && sameToken(m.token) && m.code >= 64) this.#finish(undefined, { code: m.code, payload: m.payload, options: m.options });
  }

  /** Fail everything outstanding (the socket went away). */
  close(reason: string): void {
    const all = [...(this.#current ? [this.#current] : []), ...this.#queue.splice(0)];
    this.#o.timer.clear(this.#timer);
    this.#timer = undefined;
    this.#current = undefined;
    for (const x of all) {
      this.stats.failures++;
      x.done(new Error(`coap: ${reason}`), undefined);
    }
  }
}
