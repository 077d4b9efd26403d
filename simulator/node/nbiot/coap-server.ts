/**
 * The embedded CoAP server the NB-IoT core delivers to by default (as `ganzhi sim` embeds aedes for MQTT): the
 * npm `coap` server on a loopback UDP port, in front of the MQTT broker.
 *
 * A node POSTs SenML-CBOR to `/<topic prefix>/<node id>/senml` (telemetry) and `…/event` (alarms, state changes;
 * RFC 7252 §5.8.2), and the JSON answer to a
 * configuration downlink to `/<topic prefix>/<node id>/config/ack` (docs/downlinks.md). The server
 * - refuses other methods (4.05), other paths (4.04), a Content-Format other than 112 for SenML (RFC 8428 §12.3)
 *   or 50 for the answer (4.15), and a payload that is not a SenML pack (decoded with cborg, not the device's
 *   encoder) or not JSON (4.00);
 * - publishes the payload as it came, QoS 1, on the topic its path names (`<topic prefix>/<node id>/senml`,
 *   `…/event`, `…/config/ack`), the topics MQTT-linked nodes use;
 * - answers 2.04 once the broker has acknowledged it (5.03 when it has not), piggybacked on the ACK, with the
 *   oldest configuration queued for the node as the payload: MQTT `<topic prefix>/<node id>/config` queues one.
 *
 * The answer always rides the ACK (a piggyback window of a minute), so its bytes and timing do not depend on how
 * quickly the broker answered on the wall clock. A duplicate of a request that was answered (a retransmission whose
 * ACK was lost) is answered from the `coap` package's message cache, as RFC 7252 §4.5 asks, and not published
 * again.
 */
import dgram from "node:dgram";
import coap from "coap";
import mqtt from "mqtt";
import type { MqttClient } from "mqtt";
import { decodeSenml } from "../senml-decode.js";
import { bindUdp } from "../udp.js";

export interface CoapServerOptions {
  brokerUrl: string;
  /** Topic prefix, also the path prefix, e.g. "kunming/weather". */
  topicPrefix: string;
  clientId?: string;
  onWarning?: (message: string) => void;
  /** What it published and for which node, once the broker acknowledged it (the run's frame log). */
  onPublished?: (node: string, topic: string, payload: Uint8Array) => void;
}

export interface CoapServerStats {
  requests: number;
  published: number;
  /** Requests refused, by CoAP code ("4.15"). */
  rejected: Record<string, number>;
  publishFailures: number;
  configsQueued: number;
  configsDelivered: number;
  /** Configurations dropped because 8 were already waiting for the node. */
  configsDropped: number;
}

const MAX_QUEUED_CONFIGS = 8;

/**
 * What a node may POST, by the path after its id, published on the same topic: telemetry, and the answers to
 * configuration downlinks (docs/downlinks.md). Each with the Content-Format it must carry and a check that says
 * what is wrong with a payload (undefined: fine).
 */
const senmlPack = {
  format: "application/senml+cbor",
  check: (payload: Uint8Array): string | undefined => {
    try {
      decodeSenml(payload);
      return undefined;
    } catch (e) {
      return `not a SenML-CBOR pack: ${(e as Error).message}`;
    }
  },
};
const RESOURCES: Readonly<Record<string, { format: string; check: (payload: Uint8Array) => string | undefined }>> = Object.freeze({
  senml: senmlPack,
  event: senmlPack,
  "config/ack": { format: "application/json", check: (payload) => (isJson(payload) ? undefined : "not JSON") },
});

export class EmbeddedCoapServer {
  readonly stats: CoapServerStats = { requests: 0, published: 0, rejected: {}, publishFailures: 0, configsQueued: 0, configsDelivered: 0, configsDropped: 0 };
  readonly #o: CoapServerOptions;
  readonly #prefix: string[];
  readonly #socket = dgram.createSocket("udp4");
  readonly #server: ReturnType<typeof coap.createServer>;
  readonly #configs = new Map<string, Uint8Array[]>();
  #mqtt: MqttClient | undefined;
  #port = 0;

  constructor(options: CoapServerOptions) {
    this.#o = options;
    this.#prefix = options.topicPrefix.split("/").filter((s) => s.length > 0);
    if (this.#prefix.length === 0 || this.#prefix.some((s) => /[+#]/.test(s))) throw new Error(`coap server: topic prefix ${JSON.stringify(options.topicPrefix)} must be MQTT topic levels without wildcards`);
    this.#server = coap.createServer({ piggybackReplyMs: 60_000 }, (req, res) => this.#request(req, res));
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `coap://127.0.0.1:${this.#port}`;
  }

  async start(port = 0, address = "127.0.0.1"): Promise<void> {
    const client = mqtt.connect(this.#o.brokerUrl, { clientId: this.#o.clientId ?? `ganzhi-coap-${process.pid}`, reconnectPeriod: 1000, connectTimeout: 5000 });
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => reject(new Error(`coap server: cannot reach the broker at ${this.#o.brokerUrl}: ${e.message}`));
      client.once("connect", () => {
        client.off("error", fail);
        resolve();
      });
      client.once("error", fail);
    });
    client.on("error", (e) => this.#warn(`coap server: broker: ${e.message}`));
    client.on("message", (topic, payload) => this.#config(topic, new Uint8Array(payload)));
    await client.subscribeAsync(`${this.#prefix.join("/")}/+/config`, { qos: 1 });
    this.#mqtt = client;
    this.#port = await bindUdp(this.#socket, port, address);
    await new Promise<void>((resolve) => this.#server.listen(this.#socket, () => resolve()));
  }

  #warn(message: string): void {
    this.#o.onWarning?.(message);
  }

  /** Queue a configuration for a node's next response (what `<prefix>/<id>/config` does). */
  queueConfig(nodeId: string, payload: Uint8Array): void {
    const q = this.#configs.get(nodeId) ?? [];
    if (q.length >= MAX_QUEUED_CONFIGS) {
      q.shift();
      this.stats.configsDropped++;
      this.#warn(`coap server: more than ${MAX_QUEUED_CONFIGS} configurations waiting for ${nodeId}; dropped the oldest`);
    }
    q.push(payload);
    this.#configs.set(nodeId, q);
    this.stats.configsQueued++;
  }

  #config(topic: string, payload: Uint8Array): void {
    const levels = topic.split("/");
    const id = levels[this.#prefix.length];
    if (levels.length !== this.#prefix.length + 2 || !id || levels[levels.length - 1] !== "config") return;
    this.queueConfig(id, payload);
  }

  #reject(res: coap.OutgoingMessage, code: string, why: string): void {
    this.stats.rejected[code] = (this.stats.rejected[code] ?? 0) + 1;
    res.code = code;
    res.end(why);
  }

  #request(req: coap.IncomingMessage, res: coap.OutgoingMessage): void {
    this.stats.requests++;
    const segments = req.url.split("?")[0]!.split("/").filter((s) => s.length > 0);
    const n = this.#prefix.length;
    const id = segments[n];
    const resource = segments.slice(n + 1).join("/");
    if (segments.slice(0, n).some((s, i) => s !== this.#prefix[i]) || !id || /[+#]/.test(id) || !(resource in RESOURCES)) {
      return this.#reject(res, "4.04", `no resource ${req.url}: POST to /${this.#prefix.join("/")}/<node id>/${Object.keys(RESOURCES).join(" or …/")}`);
    }
    if (req.method !== "POST") return this.#reject(res, "4.05", "POST only");
    const expected = RESOURCES[resource]!;
    const format = req.headers["Content-Format"];
    if (format !== expected.format) return this.#reject(res, "4.15", `Content-Format ${String(format ?? "missing")}: ${resource} takes ${expected.format}`);
    const payload = new Uint8Array(req.payload);
    const bad = expected.check(payload);
    if (bad) return this.#reject(res, "4.00", bad);
    const client = this.#mqtt;
    if (!client) return this.#reject(res, "5.03", "no broker");
    const topic = `${this.#prefix.join("/")}/${id}/${resource}`;
    client.publish(topic, Buffer.from(payload), { qos: 1 }, (error) => {
      if (error) {
        this.stats.publishFailures++;
        this.#warn(`coap server: publish for ${id} failed: ${error.message}`);
        return this.#reject(res, "5.03", "the broker did not take it");
      }
      this.stats.published++;
      this.#o.onPublished?.(id, topic, payload);
      const config = this.#configs.get(id)?.shift();
      res.code = "2.04";
      if (!config) return res.end();
      this.stats.configsDelivered++;
      res.setOption("Content-Format", isJson(config) ? "application/json" : "application/octet-stream");
      res.end(Buffer.from(config));
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
    await this.#mqtt?.endAsync();
  }
}

function isJson(bytes: Uint8Array): boolean {
  try {
    JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return true;
  } catch {
    return false;
  }
}
