/**
 * NB-IoT as a `Link` (runtime/link/link.ts): each frame is a CoAP POST (RFC 7252) over the modem's UDP socket to
 * one server, on a path per node (the link's `topic`): SenML-CBOR (Content-Format 112, RFC 8428 §12.3) on
 * …/senml and …/event, JSON (50) elsewhere (the answer to a configuration), or as `contentFormat` says.
 *
 * - Delivery is the server's 2.xx response (piggybacked or separate); the response's payload, if any, is a
 *   downlink on the same path. 4.xx fails the frame for good (the server will not take these bytes); 5.xx, a
 *   Reset and no answer after the retransmissions fail it with `retry` (the uplink queue above tries again).
 *   Non-confirmable frames count as delivered once the modem has taken the datagram.
 * - One exchange at a time (NSTART 1, §4.7): `ready` is false while one is outstanding, as for LoRaWAN.
 * - `maxPayload` is what fits one AT+NSOST (512 bytes) after the CoAP header, a 4-byte token, the Uri-Path
 *   options of the path and Content-Format: a frame is never fragmented or truncated.
 * - Release assistance: a confirmable request goes with "release after the reply", anything else (an ACK of a
 *   separate response, a non-confirmable request) with "release after sending", so the modem's radio
 *   connection ends when the exchange does instead of after the network's inactivity timer.
 * - Timers: RFC 7252 §4.8.1 lets ACK_TIMEOUT grow for slow links; NB-IoT in deep coverage takes seconds each
 *   way (radio.ts: CE2), so the default is 12 s, and 3 retransmissions (the uplink queue retries whole frames).
 * - The modem attaching, losing the network and coming back are the modem's business; the link reports them
 *   through `onReady` and `onError` and counts them, and the node keeps running.
 */
import type { Timers } from "../../../hal/host.js";
import { CoapClient } from "../../coap/client.js";
import type { CoapTiming } from "../../coap/client.js";
import { CON, codeText, encodeCoap, FORMAT_JSON, FORMAT_SENML_CBOR, OPTION_CONTENT_FORMAT, POST, uintOption, uriPathOptions } from "../../coap/message.js";
import type { Link, LinkHandlers, LinkStats, SendDone, SendOptions } from "../link.js";
import type { DatagramModem } from "./modem.js";
import { isSenmlTopic } from "../../node/topics.js";

export interface NbiotLinkOptions {
  modem: DatagramModem;
  /** The CoAP server: a numeric IPv4 address (the modem resolves no names) and its UDP port (CoAP: 5683). */
  server: { address: string; port: number };
  /** CoAP path frames go to unless `send` names another (`topic`), e.g. "/kunming/weather/ws-0001/senml". */
  path: string;
  timer: Timers;
  /** The host's RNG (tokens, message IDs, retransmission jitter). */
  random(): number;
  coap?: CoapTiming;
  /**
   * The Content-Format of a frame by its path (default: 112 SenML-CBOR for paths ending in /senml or /event, 50 JSON for
   * the others, such as the answer to a configuration on …/config/ack).
   */
  contentFormat?: (path: string) => number;
}

export interface NbiotLinkStats extends LinkStats {
  /** Responses by class. */
  responses2xx: number;
  responses4xx: number;
  responses5xx: number;
  /** Exchanges that ended without a response (retransmissions used up, reset, link closed). */
  exchangeFailures: number;
  /** Datagrams the modem refused (no network, uplink busy) or that came while it was not ready. */
  modemRefusals: number;
  /** Faults the modem reported (a failed bring-up, no registration before the deadline). */
  modemErrors: number;
  /** Times the modem went from ready to not ready (deregistered, rebooted). */
  modemDowns: number;
  /** Datagrams from somewhere other than the server. */
  strays: number;
}

const TOKEN_BYTES = 4;

const defaultFormat = (path: string): number => (isSenmlTopic(path) ? FORMAT_SENML_CBOR : FORMAT_JSON);

/** Bytes a CoAP POST to `path` with a Content-Format costs besides its payload (with the 0xFF marker). */
export function coapOverhead(path: string, format = FORMAT_SENML_CBOR): number {
  const options = [...uriPathOptions(path), { number: OPTION_CONTENT_FORMAT, value: uintOption(format) }];
  return encodeCoap({ type: CON, code: POST, messageId: 0, token: new Uint8Array(TOKEN_BYTES), options, payload: new Uint8Array(0) }).length + 1;
}

export class NbiotLink implements Link {
  readonly kind = "nbiot-coap";
  readonly stats: NbiotLinkStats = {
    framesOut: 0,
    delivered: 0,
    failed: 0,
    bytesOut: 0,
    bytesIn: 0,
    responses2xx: 0,
    responses4xx: 0,
    responses5xx: 0,
    exchangeFailures: 0,
    modemRefusals: 0,
    modemErrors: 0,
    modemDowns: 0,
    strays: 0,
  };
  readonly coap: CoapClient;
  readonly #o: NbiotLinkOptions;
  readonly #maxPayload: number;
  readonly #format: (path: string) => number;
  #handlers: LinkHandlers = {};
  #closed = false;
  /** A non-confirmable frame's completion, run when the modem takes its datagram. */
  #onHandedOver: ((error: Error | undefined) => void) | undefined;

  constructor(options: NbiotLinkOptions) {
    this.#o = options;
    this.#format = options.contentFormat ?? defaultFormat;
    this.#maxPayload = options.modem.maxDatagram - coapOverhead(options.path, this.#format(options.path));
    if (this.#maxPayload <= 0) throw new RangeError(`nbiot-coap: path ${options.path} leaves no room in a ${options.modem.maxDatagram}-byte datagram`);
    this.coap = new CoapClient({
      send: (bytes) => this.#transmit(bytes),
      timer: options.timer,
      random: options.random,
      timing: { ackTimeout: 12_000, maxRetransmit: 3, ...options.coap },
    });
  }

  get maxPayload(): number {
    return this.#maxPayload;
  }

  get ready(): boolean {
    return !this.#closed && this.#o.modem.ready && this.coap.pending === 0;
  }

  #transmit(bytes: Uint8Array): void {
    // A confirmable request's answer is the last thing the radio waits for; anything else can go right away.
    const release = bytes.length >= 4 && ((bytes[0]! >> 4) & 3) === CON && bytes[1]! !== 0 ? "after-reply" : "after-send";
    const handedOver = this.#onHandedOver;
    this.#onHandedOver = undefined;
    const refuse = (error: Error) => {
      this.stats.modemRefusals++;
      handedOver?.(error);
    };
    const modem = this.#o.modem;
    if (!modem.ready) return refuse(new Error("nbiot-coap: the modem is not attached"));
    this.stats.framesOut++;
    try {
      modem.send(this.#o.server.address, this.#o.server.port, bytes, (error) => {
        if (error) return refuse(error);
        this.stats.bytesOut += bytes.length;
        handedOver?.(undefined);
      }, release);
    } catch (e) {
      refuse(e as Error);
    }
  }

  send(payload: Uint8Array, options: SendOptions, done: SendDone): void {
    const path = options.topic ?? this.#o.path;
    const format = this.#format(path);
    const max = path === this.#o.path ? this.#maxPayload : this.#o.modem.maxDatagram - coapOverhead(path, format);
    if (payload.length > max) throw new RangeError(`nbiot-coap: frame of ${payload.length} bytes exceeds maxPayload ${max} (a ${this.#o.modem.maxDatagram}-byte datagram less the CoAP header, token and options of ${path})`);
    if (!this.ready) throw new Error(`nbiot-coap: not ready (${this.#closed ? "closed" : !this.#o.modem.ready ? "modem not attached" : "exchange in progress"})`);
    let settled = false;
    const finish = (failure: { reason: string; retry: boolean } | undefined) => {
      if (settled) return;
      settled = true;
      if (failure) this.stats.failed++;
      else this.stats.delivered++;
      done(failure);
    };
    if (!options.confirmed) this.#onHandedOver = (error) => finish(error ? { reason: error.message, retry: true } : undefined);
    this.coap.request(POST, path, payload, { contentFormat: format, confirmable: options.confirmed }, (error, response) => {
      if (error || !response) {
        this.stats.exchangeFailures++;
        finish({ reason: error ? error.message : "no response", retry: true });
      } else {
        const cls = response.code >> 5;
        if (cls === 2) {
          this.stats.responses2xx++;
          finish(undefined);
          if (response.payload.length > 0 && !this.#closed) {
            this.stats.bytesIn += response.payload.length;
            this.#handlers.onDownlink?.({ topic: path, payload: response.payload });
          }
        } else {
          if (cls === 4) this.stats.responses4xx++;
          else this.stats.responses5xx++;
          finish({ reason: `coap ${codeText(response.code)} from the server`, retry: cls !== 4 });
        }
      }
      if (!this.#closed && this.ready) this.#handlers.onReady?.();
    });
  }

  start(handlers: LinkHandlers): void {
    this.#handlers = handlers;
    this.#o.modem.start({
      onReady: () => {
        if (!this.#closed && this.ready) handlers.onReady?.();
      },
      onDown: (reason) => {
        this.stats.modemDowns++;
        handlers.onError?.(new Error(`nbiot-coap: modem down: ${reason}`));
      },
      onDatagram: (address, port, payload) => {
        if (address !== this.#o.server.address || port !== this.#o.server.port) {
          this.stats.strays++;
          return;
        }
        this.coap.receive(payload);
      },
      onError: (error) => {
        this.stats.modemErrors++;
        handlers.onError?.(error);
      },
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.coap.close("link closed");
    this.#o.modem.close();
  }
}
