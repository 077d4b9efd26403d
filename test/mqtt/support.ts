/**
 * Test support for the MQTT client: an embedded aedes broker that can go down and come back on the same port, an
 * MQTT.js observer, raw `node:net` peers speaking through mqtt-packet, and a polling wait.
 */
import { Aedes } from "aedes";
import { connectAsync, type IClientOptions, type MqttClient as MqttJsClient } from "mqtt";
import mqttPacket from "mqtt-packet";
import net from "node:net";
import { MqttClient, type MqttClientOptions } from "../../runtime/mqtt/client.js";
import type { RealtimeHost } from "../helpers/realtime-host.js";

export type Cleanup = () => Promise<void> | void;

/**
 * The device's MQTT client on a real-time host, dialling 127.0.0.1:`port` as node "ws-0001", with fast backoff for
 * tests; errors collected; closed (with its host) by `cleanups`.
 */
export function deviceClient(
  host: RealtimeHost,
  port: number,
  cleanups: Cleanup[],
  extra: Partial<MqttClientOptions> = {},
): { client: MqttClient; errors: Error[] } {
  const errors: Error[] = [];
  const client = new MqttClient({
    host,
    address: "127.0.0.1",
    port,
    clientId: "ws-0001",
    keepAlive: 30,
    backoff: { min: 40, max: 300, factor: 2, jitter: 0.25 },
    onError: (e) => errors.push(e),
    ...extra,
  });
  cleanups.push(() => {
    client.close();
    host.dispose();
  });
  return { client, errors };
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * aedes on a `node:net` server at 127.0.0.1. `down()` closes the listener and destroys every client connection
 * (the aedes instance and its in-memory persistence stay, as a broker with persistence would); `up()` listens
 * again on the same port.
 */
export class AedesBroker {
  readonly aedes: Aedes;
  port = 0;
  #server: net.Server | undefined;
  readonly #conns = new Set<net.Socket>();

  private constructor(aedes: Aedes) {
    this.aedes = aedes;
  }

  static async start(): Promise<AedesBroker> {
    const b = new AedesBroker(await Aedes.createBroker());
    await b.up();
    return b;
  }

  async up(): Promise<void> {
    const server = net.createServer((socket) => {
      this.#conns.add(socket);
      socket.on("close", () => this.#conns.delete(socket));
      this.aedes.handle(socket);
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
  }

  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const c of this.#conns) c.destroy();
    await closed;
  }

  async close(): Promise<void> {
    await this.down();
    await new Promise<void>((r) => this.aedes.close(() => r()));
  }
}

export interface Received {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
}

/** An MQTT.js client that records what it receives. */
export async function observer(port: number, topics: string[], options: IClientOptions = {}): Promise<{ client: MqttJsClient; received: Received[] }> {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, reconnectPeriod: 50, connectTimeout: 2000, ...options });
  const received: Received[] = [];
  client.on("message", (topic, payload, packet) => received.push({ topic, payload: Buffer.from(payload), qos: packet.qos, retain: packet.retain }));
  if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
  return { client, received };
}

/** One connection to a raw peer, reading with mqtt-packet. */
export interface PeerConnection {
  socket: net.Socket;
  packets: mqttPacket.Packet[];
  send(p: mqttPacket.Packet): void;
  sendRaw(bytes: number[] | Uint8Array): void;
}

/**
 * A raw TCP peer at 127.0.0.1 that parses what the client sends with mqtt-packet and lets the test answer.
 * `onPacket` runs for every parsed packet.
 */
export class RawPeer {
  readonly server: net.Server;
  readonly connections: PeerConnection[] = [];
  port = 0;
  readonly parseErrors: Error[] = [];

  private constructor(onPacket: (c: PeerConnection, p: mqttPacket.Packet) => void) {
    this.server = net.createServer((socket) => {
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      const conn: PeerConnection = {
        socket,
        packets: [],
        send: (p) => {
          if (!socket.destroyed) socket.write(mqttPacket.generate(p));
        },
        sendRaw: (bytes) => {
          if (!socket.destroyed) socket.write(Buffer.from(bytes));
        },
      };
      this.connections.push(conn);
      parser.on("packet", (p) => {
        conn.packets.push(p);
        onPacket(conn, p);
      });
      parser.on("error", (e: Error) => this.parseErrors.push(e));
      socket.on("data", (d) => parser.parse(d));
      socket.on("error", () => {});
    });
  }

  static async start(onPacket: (c: PeerConnection, p: mqttPacket.Packet) => void): Promise<RawPeer> {
    const peer = new RawPeer(onPacket);
    await new Promise<void>((r) => peer.server.listen(0, "127.0.0.1", () => r()));
    peer.port = (peer.server.address() as net.AddressInfo).port;
    return peer;
  }

  /** Every packet of a command received on every connection, in order. */
  all(cmd: string): mqttPacket.Packet[] {
    return this.connections.flatMap((c) => c.packets.filter((p) => p.cmd === cmd));
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
