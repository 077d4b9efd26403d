/**
 * MQTT 3.1.1 over TCP as a `Link` (runtime/link/link.ts), for Wi-Fi boards: a frame is a PUBLISH to the topic the
 * sender names, confirmed = QoS 1 (delivered at PUBACK), unconfirmed = QoS 0 (delivered when written). The node's
 * presence is MQTT's own business and stays here: `online` is published retained on `status` at every connect and
 * the broker publishes `offline` (the will) when the node vanishes. Downlinks are the messages of the subscribed
 * topics, handed up with their topic.
 */
import type { Link, LinkHandlers, LinkStats, SendDone, SendOptions } from "../link.js";
import { MqttClient } from "../../mqtt/client.js";
import type { MqttClientOptions } from "../../mqtt/client.js";

/** Bytes of a PUBLISH that are not payload, for a topic of at most MAX_TOPIC bytes: header 1, length ≤ 4, topic
 * length 2, packet id 2. */
const MAX_TOPIC = 128;
const PUBLISH_OVERHEAD = 1 + 4 + 2 + MAX_TOPIC + 2;

export interface MqttLinkOptions extends Omit<MqttClientOptions, "will" | "onConnect" | "onMessage" | "onError"> {
  /** Retained presence: "online" on connect, "offline" as the will. */
  status?: string;
  /** Topic filters to subscribe for downlinks. */
  subscribe?: readonly string[];
  /** Topics the node publishes to, checked and encoded once here (`MqttClient.prepareTopic`). */
  publishTo?: readonly string[];
  /** Largest packet (the client's `maxPacketSize`, default 16384). */
  maxPacketSize?: number;
}

export class MqttLink implements Link {
  readonly kind = "mqtt";
  readonly stats: LinkStats = { framesOut: 0, delivered: 0, failed: 0, bytesOut: 0, bytesIn: 0 };

  /** The client's counters: its bytes are the whole protocol's (CONNECT, PINGREQ, PUBACK…), not only payloads. */
  counters(): Readonly<Record<string, number>> {
    const m = this.client.stats;
    return { mqttConnects: m.connects, mqttRetransmits: m.retransmits, mqttProtocolErrors: m.protocolErrors, bytesOut: m.bytesOut, bytesIn: m.bytesIn };
  }
  readonly client: MqttClient;
  readonly #maxPacket: number;
  #handlers: LinkHandlers = {};
  #started = false;

  constructor(options: MqttLinkOptions) {
    const status = options.status;
    this.#maxPacket = options.maxPacketSize ?? 16384;
    this.client = new MqttClient({
      ...options,
      ...(status ? { will: { topic: status, payload: "offline", qos: 1, retain: true } } : {}),
      onConnect: () => {
        if (status) this.client.publish(status, "online", { qos: 1, retain: true });
        this.#handlers.onReady?.();
      },
      onMessage: (topic, payload) => {
        this.stats.bytesIn += payload.length;
        this.#handlers.onDownlink?.({ topic, payload });
      },
      onError: (e) => this.#handlers.onError?.(e),
    });
    for (const f of options.subscribe ?? []) this.client.subscribe(f, 1);
    for (const t of options.publishTo ?? []) this.client.prepareTopic(t);
  }

  get maxPayload(): number {
    return this.#maxPacket - PUBLISH_OVERHEAD;
  }

  /** The client queues while disconnected; the uplink queue keeps whatever does not fit its queue. */
  get ready(): boolean {
    return this.#started && this.client.state !== "closed" && this.client.capacity > 0;
  }

  send(payload: Uint8Array, options: SendOptions, done: SendDone): void {
    const topic = options.topic;
    if (topic === undefined) throw new RangeError("mqtt: send needs a topic");
    if (payload.length > this.maxPayload) throw new RangeError(`mqtt: frame of ${payload.length} bytes exceeds maxPayload ${this.maxPayload}`);
    this.client.publish(topic, payload, {
      qos: options.confirmed ? 1 : 0,
      done: (error) => {
        if (error) {
          this.stats.failed++;
          done({ reason: error.message, retry: true });
        } else {
          this.stats.framesOut++;
          this.stats.bytesOut += payload.length;
          this.stats.delivered++;
          done(undefined);
        }
      },
    });
  }

  start(handlers: LinkHandlers): void {
    this.#handlers = handlers;
    this.#started = true;
    this.client.start();
  }

  close(): void {
    this.client.close();
  }
}
