/**
 * The link contract: what the uplink queue (runtime/uplink.ts) needs from any way out of the node, so queueing,
 * priorities and retries live in one place above MQTT over TCP, LoRaWAN class A and CoAP over NB-IoT.
 *
 * A link moves opaque byte frames. It says how large a frame may be *now* (LoRaWAN's limit changes with the data
 * rate ADR picks), whether it can take a frame at this moment, and later, per frame, whether it was delivered
 * (acknowledged end to end where the link can tell: PUBACK, a LoRaWAN ACK bit, a CoAP ACK) or failed (and whether
 * trying again could help). Downlinks arrive as bytes with the port or topic they came on.
 */

/** Where a frame goes: an MQTT topic, a LoRaWAN FPort (1…223) or a CoAP URI path. */
export interface LinkAddress {
  /** MQTT topic (MQTT link) or CoAP path (NB-IoT link). */
  readonly topic?: string;
  /** LoRaWAN application port, 1…223. */
  readonly port?: number;
}

export interface SendOptions extends LinkAddress {
  /** Ask for an end-to-end acknowledgement (MQTT QoS 1, LoRaWAN confirmed uplink, CoAP CON). */
  readonly confirmed: boolean;
}

/** Why a frame did not get through; `retry` says whether sending the same bytes later could succeed. */
export interface LinkFailure {
  readonly reason: string;
  readonly retry: boolean;
}

/** Per-frame completion: `undefined` on delivery, a failure otherwise. Called exactly once per accepted frame. */
export type SendDone = (failure: LinkFailure | undefined) => void;

export interface Downlink extends LinkAddress {
  readonly payload: Uint8Array;
}

export interface LinkStats {
  /** Frames handed to the air or the socket, retransmissions included. */
  framesOut: number;
  /** Frames delivered (acknowledged, or sent for unconfirmed ones). */
  delivered: number;
  failed: number;
  bytesOut: number;
  bytesIn: number;
}

export interface Link {
  /** A short name for logs and summaries: "mqtt", "lorawan", "nbiot-coap". */
  readonly kind: string;
  /** Largest frame `send` accepts at this moment, bytes (it may change: LoRaWAN data rate, MQTT packet size). */
  readonly maxPayload: number;
  /**
   * Largest frame the link may take once its conditions allow (LoRaWAN: at its fastest data rate), when that is more
   * than `maxPayload`: a SenML record too large for now waits for it rather than being dropped.
   */
  readonly largestPayload?: number;
  /** True when `send` would accept a frame now (joined, connected, window free). */
  readonly ready: boolean;
  readonly stats: LinkStats;
  /** The link's own counters for a run summary (e.g. MQTT connects and retransmissions), beside `stats`. */
  counters?(): Readonly<Record<string, number>>;
  /**
   * Take a frame. Throws a RangeError naming the sizes when `payload` exceeds `maxPayload` (the caller splits
   * before sending; a link never truncates) and an Error when the link cannot take it now (`ready` false).
   */
  send(payload: Uint8Array, options: SendOptions, done: SendDone): void;
  /** Start joining/connecting; downlinks and readiness changes arrive through the handlers below. */
  start(handlers: LinkHandlers): void;
  /** Stop: frames not yet delivered complete with a failure (retry true). */
  close(): void;
}

export interface LinkHandlers {
  /** The link became ready (joined, connected): the queue pumps. */
  onReady?: () => void;
  /** An application downlink. */
  onDownlink?: (downlink: Downlink) => void;
  /** A fault worth logging (counted by the link too); the link keeps running. */
  onError?: (error: Error) => void;
}
