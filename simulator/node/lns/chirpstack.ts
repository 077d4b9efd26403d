/**
 * What the embedded network server publishes, in ChirpStack v4's MQTT integration shape, so a city platform written
 * against ChirpStack consumes the simulation unchanged (integration.proto, JSON mapping: camelCase names, bytes as
 * base64, enums by name, 64-bit EUIs as hex strings):
 *
 *   application/<applicationId>/device/<devEui>/event/up      UplinkEvent
 *   application/<applicationId>/device/<devEui>/event/join    JoinEvent
 *   application/<applicationId>/device/<devEui>/event/ack     AckEvent (a confirmed downlink acknowledged or not)
 *   application/<applicationId>/device/<devEui>/event/txack   TxAckEvent
 *   application/<applicationId>/device/<devEui>/event/status  StatusEvent (DevStatusAns)
 *   application/<applicationId>/device/<devEui>/event/log     LogEvent (MIC errors, replays, …)
 *   application/<applicationId>/device/<devEui>/command/down  ← DownlinkCommand {devEui, confirmed, fPort, data}
 */
import { createHash } from "node:crypto";

export interface DeviceInfo {
  tenantId: string;
  tenantName: string;
  applicationId: string;
  applicationName: string;
  deviceProfileId: string;
  deviceProfileName: string;
  deviceName: string;
  devEui: string;
  deviceClassEnabled: "CLASS_A";
  tags: Record<string, string>;
}

export interface UplinkRxInfo {
  gatewayId: string;
  uplinkId: number;
  time: string;
  rssi: number;
  snr: number;
  channel: number;
  rfChain: number;
  context: string;
  crcStatus: "CRC_OK";
}

export interface LoraTxInfo {
  frequency: number;
  modulation: { lora: { bandwidth: number; spreadingFactor: number; codeRate: string } };
}

export type IntegrationEvent = "up" | "join" | "ack" | "txack" | "status" | "log";

/** A deterministic UUID (RFC 9562 version 8 layout) from the given parts: runs with one seed give the same ids. */
export function deterministicUuid(...parts: (string | number)[]): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function eventTopic(applicationId: string, devEui: string, event: IntegrationEvent): string {
  return `application/${applicationId}/device/${devEui}/event/${event}`;
}

/** `application/<id>/device/+/command/down` for one application. */
export function commandTopicFilter(applicationId: string): string {
  return `application/${applicationId}/device/+/command/down`;
}

/** LoRa coding rate "4/5" → the proto enum name "CR_4_5". */
export function codeRateName(codr: string): string {
  return `CR_${codr.replace("/", "_")}`;
}

export interface DownlinkCommand {
  devEui: string;
  confirmed: boolean;
  fPort: number;
  data: Uint8Array;
}

/** Parse a `command/down` payload; throws naming the field at fault. */
export function parseDownlinkCommand(topic: string, payload: Uint8Array): DownlinkCommand {
  const m = /^application\/[^/]+\/device\/([0-9a-fA-F]{16})\/command\/down$/.exec(topic);
  if (!m) throw new Error(`${topic}: not a command/down topic`);
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch {
    throw new Error(`${topic}: payload is not JSON`);
  }
  if (v === null || typeof v !== "object") throw new Error(`${topic}: payload is not a JSON object`);
  const o = v as Record<string, unknown>;
  const devEui = (typeof o.devEui === "string" ? o.devEui : m[1]!).toLowerCase();
  if (devEui !== m[1]!.toLowerCase()) throw new Error(`${topic}: devEui ${String(o.devEui)} differs from the topic's`);
  const fPort = o.fPort;
  if (typeof fPort !== "number" || !Number.isInteger(fPort) || fPort < 1 || fPort > 223) throw new Error(`${topic}: fPort must be an integer 1…223`);
  if (typeof o.data !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.data)) throw new Error(`${topic}: data must be base64`);
  return { devEui, confirmed: o.confirmed === true, fPort, data: new Uint8Array(Buffer.from(o.data, "base64")) };
}
