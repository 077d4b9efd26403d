/**
 * The Semtech UDP packet-forwarder protocol (GWMP, "gateway messaging protocol"), as Lora-net/packet_forwarder's
 * PROTOCOL.TXT describes it, protocol version 2: the gateway side used by the simulated gateways and the server side
 * used by the embedded network server, so `--lns udp://host:1700` can swap in a real network server (ChirpStack's
 * gateway bridge, TTN) without anything else changing.
 *
 *   byte 0 version (2) | 1–2 random token | 3 identifier | 4–11 gateway EUI (upstream only) | JSON (some types)
 *
 *   PUSH_DATA 0x00 gw→server  rxpk[] and/or stat        PUSH_ACK 0x01 server→gw  same token
 *   PULL_DATA 0x02 gw→server  keep-alive / route open    PULL_ACK 0x04 server→gw  same token
 *   PULL_RESP 0x03 server→gw  txpk to emit               TX_ACK   0x05 gw→server  txpk_ack.error ("NONE" = sent)
 *
 * Portable (runs in XS): no Buffer; JSON text is UTF-8.
 */
import { utf8Decode, utf8Encode } from "../../../runtime/utf8.js";

export const PROTOCOL_VERSION = 2;
export const PUSH_DATA = 0x00;
export const PUSH_ACK = 0x01;
export const PULL_DATA = 0x02;
export const PULL_RESP = 0x03;
export const PULL_ACK = 0x04;
export const TX_ACK = 0x05;

/** One received RF packet (PROTOCOL.TXT §4, upstream JSON). */
export interface Rxpk {
  /** UTC of reception, ISO 8601 compact, µs precision. */
  time?: string;
  /** Concentrator counter (µs, 32-bit wrapping) at the end of reception. */
  tmst: number;
  /** MHz. */
  freq: number;
  chan: number;
  rfch: number;
  /** CRC: 1 ok, -1 bad, 0 none. */
  stat: 1 | -1 | 0;
  modu: "LORA";
  /** "SF7BW125". */
  datr: string;
  /** "4/5". */
  codr: string;
  rssi: number;
  lsnr: number;
  size: number;
  /** Base64 PHYPayload. */
  data: string;
}

/** One packet to emit (PROTOCOL.TXT §6, downstream JSON). */
export interface Txpk {
  imme?: boolean;
  /** Emit when the concentrator counter reaches this value (µs). */
  tmst?: number;
  freq: number;
  rfch: number;
  powe: number;
  modu: "LORA";
  datr: string;
  codr: string;
  /** Inverted IQ: true for LoRaWAN downlinks. */
  ipol: boolean;
  prea?: number;
  size: number;
  data: string;
  ncrc?: boolean;
}

export interface GatewayStat {
  time: string;
  rxnb: number;
  rxok: number;
  rxfw: number;
  ackr: number;
  dwnb: number;
  txnb: number;
}

export type GwmpPacket =
  | { type: "PUSH_DATA"; token: number; gateway: string; rxpk: Rxpk[]; stat?: GatewayStat }
  | { type: "PUSH_ACK"; token: number }
  | { type: "PULL_DATA"; token: number; gateway: string }
  | { type: "PULL_ACK"; token: number }
  | { type: "PULL_RESP"; token: number; txpk: Txpk }
  | { type: "TX_ACK"; token: number; gateway: string; error: string };

export class GwmpError extends Error {}

const NAMES = ["PUSH_DATA", "PUSH_ACK", "PULL_DATA", "PULL_RESP", "PULL_ACK", "TX_ACK"] as const;

function eui(bytes: Uint8Array, at: number): string {
  let s = "";
  for (let i = at; i < at + 8; i++) s += bytes[i]!.toString(16).padStart(2, "0");
  return s;
}

function euiBytes(hex: string, out: Uint8Array, at: number): void {
  if (!/^[0-9a-fA-F]{16}$/.test(hex)) throw new GwmpError(`gateway EUI must be 16 hex digits, got "${hex}"`);
  for (let i = 0; i < 8; i++) out[at + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
}

function frame(id: number, token: number, gateway: string | undefined, json: unknown): Uint8Array {
  const body = json === undefined ? new Uint8Array(0) : utf8Encode(JSON.stringify(json));
  const head = gateway === undefined ? 4 : 12;
  const out = new Uint8Array(head + body.length);
  out[0] = PROTOCOL_VERSION;
  out[1] = (token >>> 8) & 0xff;
  out[2] = token & 0xff;
  out[3] = id;
  if (gateway !== undefined) euiBytes(gateway, out, 4);
  out.set(body, head);
  return out;
}

export function encodeGwmp(p: GwmpPacket): Uint8Array {
  switch (p.type) {
    case "PUSH_DATA":
      return frame(PUSH_DATA, p.token, p.gateway, p.stat ? { rxpk: p.rxpk, stat: p.stat } : { rxpk: p.rxpk });
    case "PUSH_ACK":
      return frame(PUSH_ACK, p.token, undefined, undefined);
    case "PULL_DATA":
      return frame(PULL_DATA, p.token, p.gateway, undefined);
    case "PULL_ACK":
      return frame(PULL_ACK, p.token, undefined, undefined);
    case "PULL_RESP":
      return frame(PULL_RESP, p.token, undefined, { txpk: p.txpk });
    case "TX_ACK":
      return frame(TX_ACK, p.token, p.gateway, { txpk_ack: { error: p.error } });
  }
}

function json(bytes: Uint8Array, at: number, what: string): Record<string, unknown> {
  const text = utf8Decode(bytes, at, bytes.length);
  if (text === undefined) throw new GwmpError(`${what}: JSON body is not UTF-8`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new GwmpError(`${what}: JSON body does not parse (${text.length} characters)`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new GwmpError(`${what}: JSON body is not an object`);
  return v as Record<string, unknown>;
}

/** Decode one datagram; throws a GwmpError naming what is wrong (length, version, identifier, JSON). */
export function decodeGwmp(bytes: Uint8Array): GwmpPacket {
  if (bytes.length < 4) throw new GwmpError(`datagram of ${bytes.length} bytes is shorter than the 4-byte header`);
  const version = bytes[0]!;
  if (version !== 1 && version !== 2) throw new GwmpError(`protocol version ${version} (expected 1 or 2)`);
  const token = (bytes[1]! << 8) | bytes[2]!;
  const id = bytes[3]!;
  const name = NAMES[id];
  if (name === undefined) throw new GwmpError(`unknown identifier 0x${id.toString(16).padStart(2, "0")}`);
  const needsEui = id === PUSH_DATA || id === PULL_DATA || id === TX_ACK;
  if (needsEui && bytes.length < 12) throw new GwmpError(`${name} of ${bytes.length} bytes has no gateway EUI`);
  switch (id) {
    case PUSH_DATA: {
      const body = json(bytes, 12, name);
      const rxpk = body.rxpk === undefined ? [] : body.rxpk;
      if (!Array.isArray(rxpk)) throw new GwmpError(`${name}: "rxpk" is not an array`);
      const p: GwmpPacket = { type: "PUSH_DATA", token, gateway: eui(bytes, 4), rxpk: rxpk as Rxpk[] };
      if (body.stat !== undefined) p.stat = body.stat as GatewayStat;
      return p;
    }
    case PUSH_ACK:
      return { type: "PUSH_ACK", token };
    case PULL_DATA:
      return { type: "PULL_DATA", token, gateway: eui(bytes, 4) };
    case PULL_ACK:
      return { type: "PULL_ACK", token };
    case PULL_RESP: {
      const body = json(bytes, 4, name);
      const txpk = body.txpk;
      if (txpk === null || typeof txpk !== "object") throw new GwmpError(`${name}: no "txpk" object`);
      return { type: "PULL_RESP", token, txpk: txpk as Txpk };
    }
    default: {
      // TX_ACK: the JSON body is optional (no body or "NONE" means the packet was scheduled).
      let error = "NONE";
      if (bytes.length > 12) {
        const ack = json(bytes, 12, name).txpk_ack as { error?: unknown } | undefined;
        if (ack && typeof ack.error === "string") error = ack.error;
      }
      return { type: "TX_ACK", token, gateway: eui(bytes, 4), error };
    }
  }
}

/** "SF7BW125" ↔ spreading factor and bandwidth in Hz. */
export function loraDatr(sf: number, bandwidthHz: number): string {
  return `SF${sf}BW${bandwidthHz / 1000}`;
}

export function parseDatr(datr: string): { sf: number; bandwidthHz: number } {
  const m = /^SF(\d{1,2})BW(\d{3})$/.exec(datr);
  if (!m) throw new GwmpError(`datr "${datr}" is not a LoRa data rate like SF7BW125`);
  return { sf: Number(m[1]), bandwidthHz: Number(m[2]) * 1000 };
}
