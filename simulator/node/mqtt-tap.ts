/**
 * Watches the MQTT conversation on each bridged connection with an independent parser (mqtt-packet), for two
 * users: the frame log (what was published and acknowledged) and the bridge's virtual-time gate, which must know
 * when the device is waiting for the broker. A request that the protocol answers (CONNECT, a QoS 1 PUBLISH,
 * SUBSCRIBE, UNSUBSCRIBE, PINGREQ) is outstanding until its answer arrives, so virtual time holds still exactly
 * as long as a real reply is owed, however slow the machine is.
 */
import mqttPacket from "mqtt-packet";
import type { BridgeTap } from "./tcp-bridge.js";

export type PacketListener = (ev: { node: string; connection: number; dir: "tx" | "rx"; packet: mqttPacket.Packet; at: number }) => void;

interface Conn {
  node: string;
  tx: ReturnType<typeof mqttPacket.parser>;
  rx: ReturnType<typeof mqttPacket.parser>;
  at: number;
  /** Answers owed by the broker, by kind ("connack", "pingresp", "puback:7", "suback:3", …). */
  owed: Map<string, number>;
  outstanding: number;
}

function owe(c: Conn, key: string, delta: 1 | -1): void {
  const n = c.owed.get(key) ?? 0;
  if (delta < 0 && n === 0) return; // an answer nobody asked for (a stray duplicate PUBACK)
  c.owed.set(key, n + delta);
  c.outstanding += delta;
}

function requestKey(p: mqttPacket.Packet): string | undefined {
  switch (p.cmd) {
    case "connect":
      return "connack";
    case "pingreq":
      return "pingresp";
    case "publish":
      return p.qos === 1 ? `puback:${p.messageId}` : undefined;
    case "subscribe":
      return `suback:${p.messageId}`;
    case "unsubscribe":
      return `unsuback:${p.messageId}`;
    default:
      return undefined;
  }
}

function answerKey(p: mqttPacket.Packet): string | undefined {
  switch (p.cmd) {
    case "connack":
      return "connack";
    case "pingresp":
      return "pingresp";
    case "puback":
      return `puback:${p.messageId}`;
    case "suback":
      return `suback:${p.messageId}`;
    case "unsuback":
      return `unsuback:${p.messageId}`;
    default:
      return undefined;
  }
}

export class MqttTap {
  readonly #conns = new Map<number, Conn>();
  readonly #listeners: PacketListener[] = [];
  readonly protocolErrors: string[] = [];

  listen(fn: PacketListener): void {
    this.#listeners.push(fn);
  }

  /** Answers the broker still owes on `connection`. */
  outstanding(connection: number): number {
    return this.#conns.get(connection)?.outstanding ?? 0;
  }

  /** The connection is gone: nothing more will be answered on it. */
  closed(connection: number): void {
    this.#conns.delete(connection);
  }

  readonly tap: BridgeTap = (ev) => {
    let c = this.#conns.get(ev.connection);
    if (!c) {
      const conn: Conn = {
        node: ev.node,
        tx: mqttPacket.parser({ protocolVersion: 4 }),
        rx: mqttPacket.parser({ protocolVersion: 4 }),
        at: ev.at,
        owed: new Map(),
        outstanding: 0,
      };
      const emit = (dir: "tx" | "rx", packet: mqttPacket.Packet): void => {
        const key = dir === "tx" ? requestKey(packet) : answerKey(packet);
        if (key) owe(conn, key, dir === "tx" ? 1 : -1);
        for (const l of this.#listeners) l({ node: conn.node, connection: ev.connection, dir, packet, at: conn.at });
      };
      conn.tx.on("packet", (p) => emit("tx", p));
      conn.rx.on("packet", (p) => emit("rx", p));
      conn.tx.on("error", (e) => this.protocolErrors.push(`${ev.node} sent a malformed packet: ${e.message}`));
      conn.rx.on("error", (e) => this.protocolErrors.push(`${ev.node} received a malformed packet: ${e.message}`));
      this.#conns.set(ev.connection, conn);
      c = conn;
    }
    c.at = ev.at;
    const buf = Buffer.from(ev.bytes.buffer, ev.bytes.byteOffset, ev.bytes.byteLength);
    (ev.dir === "tx" ? c.tx : c.rx).parse(buf);
  };
}
