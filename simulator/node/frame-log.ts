/**
 * A passive protocol tap on the bridge: parses what each node sent and received with an independent MQTT parser
 * (mqtt-packet), and keeps every uplink PUBLISH as a frame, marked acknowledged when its PUBACK comes back.
 * This is what `--out run.jsonl` writes and what the run summary counts.
 */
import mqttPacket from "mqtt-packet";
import type { BridgeTap } from "./tcp-bridge.js";
import { decodeSenml, resolveSenml } from "./senml-decode.js";
import type { ResolvedRecord, SenmlRecord } from "./senml-decode.js";

export interface Frame {
  /** Virtual ms since the run started. */
  t: number;
  node: string;
  topic: string;
  qos: number;
  dup: boolean;
  retain: boolean;
  id: number | null;
  bytes: number;
  hex: string;
  /** SenML pack (labels named), or the payload as text for non-SenML topics. */
  decoded: SenmlRecord[] | string;
  records?: ResolvedRecord[];
  /** Virtual ms of the PUBACK, or null (QoS 0, or never acknowledged). */
  acked: number | null;
}

interface ConnState {
  tx: ReturnType<typeof mqttPacket.parser>;
  rx: ReturnType<typeof mqttPacket.parser>;
  at: number;
}

export class FrameLog {
  readonly frames: Frame[] = [];
  readonly protocolErrors: string[] = [];
  pubacks = 0;
  readonly #conns = new Map<number, ConnState>();
  /** node → packet id → frames waiting for that id's PUBACK, oldest first. */
  readonly #unacked = new Map<string, Map<number, Frame[]>>();
  readonly #isSenml: (topic: string) => boolean;

  constructor(isSenml: (topic: string) => boolean) {
    this.#isSenml = isSenml;
  }

  readonly tap: BridgeTap = (ev) => {
    let c = this.#conns.get(ev.connection);
    if (!c) {
      c = { tx: mqttPacket.parser({ protocolVersion: 4 }), rx: mqttPacket.parser({ protocolVersion: 4 }), at: ev.at };
      const state = c;
      state.tx.on("packet", (p) => this.#sent(ev.node, p, state.at));
      state.rx.on("packet", (p) => this.#received(ev.node, p, state.at));
      state.tx.on("error", (e) => this.protocolErrors.push(`${ev.node} tx: ${e.message}`));
      state.rx.on("error", (e) => this.protocolErrors.push(`${ev.node} rx: ${e.message}`));
      this.#conns.set(ev.connection, c);
    }
    c.at = ev.at;
    const buf = Buffer.from(ev.bytes.buffer, ev.bytes.byteOffset, ev.bytes.byteLength);
    (ev.dir === "tx" ? c.tx : c.rx).parse(buf);
  };

  #sent(node: string, p: mqttPacket.Packet, atUs: number): void {
    if (p.cmd !== "publish") return;
    const payload = p.payload instanceof Uint8Array ? new Uint8Array(p.payload) : new TextEncoder().encode(String(p.payload));
    let decoded: SenmlRecord[] | string;
    let records: ResolvedRecord[] | undefined;
    if (this.#isSenml(p.topic)) {
      try {
        decoded = decodeSenml(payload);
        records = resolveSenml(decoded);
      } catch (e) {
        decoded = `undecodable SenML: ${(e as Error).message}`;
      }
    } else {
      decoded = new TextDecoder().decode(payload);
    }
    const frame: Frame = {
      t: Math.round(atUs / 1000),
      node,
      topic: p.topic,
      qos: p.qos,
      dup: p.dup,
      retain: p.retain,
      id: p.messageId ?? null,
      bytes: payload.length,
      hex: Buffer.from(payload).toString("hex"),
      decoded,
      acked: null,
    };
    if (records) frame.records = records;
    this.frames.push(frame);
    if (p.qos > 0 && p.messageId !== undefined) {
      let byId = this.#unacked.get(node);
      if (!byId) this.#unacked.set(node, (byId = new Map()));
      const list = byId.get(p.messageId) ?? [];
      list.push(frame);
      byId.set(p.messageId, list);
    }
  }

  #received(node: string, p: mqttPacket.Packet, atUs: number): void {
    if (p.cmd !== "puback") return;
    this.pubacks++;
    const list = this.#unacked.get(node)?.get(p.messageId ?? -1);
    if (!list || list.length === 0) return;
    // A PUBACK acknowledges the message: every transmission of it (the first and any DUP resends).
    for (const f of list) f.acked = Math.round(atUs / 1000);
    this.#unacked.get(node)!.delete(p.messageId!);
  }

  toJsonl(): string {
    return this.frames.map((f) => JSON.stringify(f)).join("\n") + (this.frames.length ? "\n" : "");
  }
}
