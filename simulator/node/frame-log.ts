/**
 * Every uplink PUBLISH a node sent, as seen on the wire by the MQTT tap, marked acknowledged when its PUBACK comes
 * back, with SenML payloads decoded by an independent CBOR library. This is what `--out run.jsonl` writes and
 * what the run summary counts.
 */
import type mqttPacket from "mqtt-packet";
import type { MqttTap } from "./mqtt-tap.js";
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

export class FrameLog {
  /** In virtual-time order (µs), then by node: a fleet's nodes run in windows, not in step (loop.ts). */
  readonly frames: Frame[] = [];
  /** Each frame's virtual µs, beside `frames`. */
  readonly #atUs: number[] = [];
  pubacks = 0;
  /** node → packet id → frames waiting for that id's PUBACK, oldest first. */
  readonly #unacked = new Map<string, Map<number, Frame[]>>();
  readonly #isSenml: (topic: string) => boolean;

  constructor(tap: MqttTap, isSenml: (topic: string) => boolean) {
    this.#isSenml = isSenml;
    tap.listen(({ node, dir, packet, at }) => (dir === "tx" ? this.#sent(node, packet, at) : this.#received(node, packet, at)));
  }

  #sent(node: string, p: mqttPacket.Packet, atUs: number): void {
    if (p.cmd !== "publish") return;
    const payload = typeof p.payload === "string" ? new TextEncoder().encode(p.payload) : new Uint8Array(p.payload);
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
    this.#insert(frame, atUs);
    if (p.qos > 0 && p.messageId !== undefined) {
      let byId = this.#unacked.get(node);
      if (!byId) this.#unacked.set(node, (byId = new Map()));
      const list = byId.get(p.messageId) ?? [];
      list.push(frame);
      byId.set(p.messageId, list);
    }
  }

  /** Put `frame` after every frame before it in (time, node) order: mostly at the end. */
  #insert(frame: Frame, atUs: number): void {
    const frames = this.frames;
    const times = this.#atUs;
    let i = frames.length;
    while (i > 0 && (times[i - 1]! > atUs || (times[i - 1] === atUs && frames[i - 1]!.node > frame.node))) i--;
    if (i === frames.length) {
      frames.push(frame);
      times.push(atUs);
    } else {
      frames.splice(i, 0, frame);
      times.splice(i, 0, atUs);
    }
  }

  #received(node: string, p: mqttPacket.Packet, atUs: number): void {
    if (p.cmd !== "puback") return;
    this.pubacks++;
    const byId = this.#unacked.get(node);
    const list = byId?.get(p.messageId ?? -1);
    if (!byId || !list || list.length === 0) return;
    // A PUBACK acknowledges the message: every transmission of it (the first and any DUP resends).
    for (const f of list) f.acked = Math.round(atUs / 1000);
    byId.delete(p.messageId!);
  }

  toJsonl(): string {
    return this.frames.map((f) => JSON.stringify(f)).join("\n") + (this.frames.length ? "\n" : "");
  }
}
