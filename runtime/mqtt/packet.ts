/**
 * MQTT 3.1.1 (OASIS, protocol level 4) control packets: encoders and a streaming decoder. Device code.
 *
 * - Encoders return a new `Uint8Array` of exactly the packet's size (the client keeps QoS 1 PUBLISH bytes for
 *   retransmission, so that copy is the one it needs anyway). Invalid input throws `MqttProtocolError`.
 * - `MqttDecoder` takes TCP bytes in chunks of any size (one byte at a time works) and yields one packet at a time;
 *   its body buffer is allocated once and grows, at most to `maxPacketSize`. Every fault throws
 *   `MqttProtocolError` naming the packet type and the fault; after that the decoder stays failed until `reset()`.
 * - QoS 2 packets (PUBREC/PUBREL/PUBCOMP, QoS 2 PUBLISH) are decoded and encoded for completeness; the client only
 *   uses QoS 0 and 1.
 */
import { utf8Decode, utf8StrictLength as utf8Length, utf8WriteUnchecked } from "../utf8.js";

// ------------------------------------------------------------------------------------------------ constants

export const CONNECT = 1;
export const CONNACK = 2;
export const PUBLISH = 3;
export const PUBACK = 4;
export const PUBREC = 5;
export const PUBREL = 6;
export const PUBCOMP = 7;
export const SUBSCRIBE = 8;
export const SUBACK = 9;
export const UNSUBSCRIBE = 10;
export const UNSUBACK = 11;
export const PINGREQ = 12;
export const PINGRESP = 13;
export const DISCONNECT = 14;

const NAMES: readonly string[] = Object.freeze([
  "packet type 0",
  "CONNECT",
  "CONNACK",
  "PUBLISH",
  "PUBACK",
  "PUBREC",
  "PUBREL",
  "PUBCOMP",
  "SUBSCRIBE",
  "SUBACK",
  "UNSUBSCRIBE",
  "UNSUBACK",
  "PINGREQ",
  "PINGRESP",
  "DISCONNECT",
  "packet type 15",
]);

/** "PUBLISH", "CONNACK", …; "packet type 0"/"packet type 15" for the reserved values. */
export function packetTypeName(type: number): string {
  return NAMES[type & 15]!;
}

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3, table 3.1). */
export const CONNACK_ACCEPTED = 0;
const CONNACK_NAMES: readonly string[] = Object.freeze([
  "connection accepted",
  "unacceptable protocol version",
  "identifier rejected",
  "server unavailable",
  "bad user name or password",
  "not authorized",
]);

/** The name of CONNACK return code `code` (0–5), or "unknown return code N". */
export function connackReturnName(code: number): string {
  return CONNACK_NAMES[code] ?? `unknown return code ${code}`;
}

/** SUBACK return code for a refused subscription. */
export const SUBACK_FAILURE = 0x80;

/** Largest value the 4-byte remaining length can carry (MQTT 3.1.1 §2.2.3). */
export const MAX_REMAINING_LENGTH = 268_435_455;

/** Default largest packet the decoder accepts (fixed header included): 16 KiB, a sensible bound on a device. */
export const DEFAULT_MAX_PACKET_SIZE = 16_384;

export type QoS = 0 | 1 | 2;

// ------------------------------------------------------------------------------------------------ errors

/** A malformed or unexpected MQTT packet, or an encoder input that cannot be sent. */
export class MqttProtocolError extends Error {
  /** The control packet type concerned (0–15). */
  readonly packetType: number;
  /** The fault, without the packet name. */
  readonly fault: string;
  constructor(packetType: number, fault: string) {
    super(`MQTT ${packetTypeName(packetType)}: ${fault}`);
    this.name = "MqttProtocolError";
    this.packetType = packetType;
    this.fault = fault;
  }
}

// ------------------------------------------------------------------------------------------------ packets

export interface WillMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export interface ConnectPacket {
  type: typeof CONNECT;
  /** "MQTT" (level 4) when encoding; the decoder also accepts "MQIsdp" (level 3). */
  protocolName?: string;
  protocolLevel?: number;
  clientId: string;
  clean: boolean;
  /** Seconds, 0–65535; 0 turns keep-alive off. */
  keepAlive: number;
  will?: WillMessage | undefined;
  username?: string | undefined;
  password?: Uint8Array | undefined;
}

export interface ConnackPacket {
  type: typeof CONNACK;
  sessionPresent: boolean;
  returnCode: number;
}

export interface PublishPacket {
  type: typeof PUBLISH;
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  dup: boolean;
  retain: boolean;
  /** 1–65535 when qos > 0; 0 for QoS 0. */
  packetId: number;
}

export interface AckPacket {
  type: typeof PUBACK | typeof PUBREC | typeof PUBREL | typeof PUBCOMP | typeof UNSUBACK;
  packetId: number;
}

export interface Subscription {
  topic: string;
  qos: QoS;
}

export interface SubscribePacket {
  type: typeof SUBSCRIBE;
  packetId: number;
  subscriptions: Subscription[];
}

export interface SubackPacket {
  type: typeof SUBACK;
  packetId: number;
  /** Granted QoS (0–2) or `SUBACK_FAILURE` (0x80), one per requested topic filter. */
  returnCodes: number[];
}

export interface UnsubscribePacket {
  type: typeof UNSUBSCRIBE;
  packetId: number;
  topics: string[];
}

export interface EmptyPacket {
  type: typeof PINGREQ | typeof PINGRESP | typeof DISCONNECT;
}

export type MqttPacket =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | AckPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | EmptyPacket;

// ------------------------------------------------------------------------------------------------ topic checks

/**
 * Why `topic` cannot be a PUBLISH (or will) topic name, or undefined when it can: non-empty, no wildcards, at most
 * 65535 UTF-8 bytes, no U+0000 or lone surrogate (MQTT 3.1.1 §4.7).
 */
export function topicNameFault(topic: string): string | undefined {
  if (topic.length === 0) return "topic is empty";
  const n = utf8Length(topic);
  if (n < 0) return "topic holds a lone surrogate or U+0000";
  if (n > 0xffff) return `topic is ${n} bytes, more than 65535`;
  if (topic.indexOf("+") >= 0 || topic.indexOf("#") >= 0) return `topic "${topic}" contains a wildcard`;
  return undefined;
}

/**
 * Why `filter` cannot be a SUBSCRIBE/UNSUBSCRIBE topic filter, or undefined when it can: non-empty, `+` and `#`
 * only as a whole level, `#` only last (MQTT 3.1.1 §4.7.1).
 */
export function topicFilterFault(filter: string): string | undefined {
  if (filter.length === 0) return "topic filter is empty";
  const n = utf8Length(filter);
  if (n < 0) return "topic filter holds a lone surrogate or U+0000";
  if (n > 0xffff) return `topic filter is ${n} bytes, more than 65535`;
  const len = filter.length;
  for (let i = 0; i < len; i++) {
    const c = filter.charCodeAt(i);
    if (c === 0x23 /* # */) {
      if (i !== len - 1 || (i > 0 && filter.charCodeAt(i - 1) !== 0x2f)) {
        return `topic filter "${filter}": '#' must be the last level on its own`;
      }
    } else if (c === 0x2b /* + */) {
      if ((i > 0 && filter.charCodeAt(i - 1) !== 0x2f) || (i < len - 1 && filter.charCodeAt(i + 1) !== 0x2f)) {
        return `topic filter "${filter}": '+' must be a whole level`;
      }
    }
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------------ encoding

function varIntSize(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

/** A packet buffer with its fixed header written; returns it and the offset where the variable header starts. */
function start(type: number, flags: number, remaining: number): Uint8Array {
  if (remaining > MAX_REMAINING_LENGTH) {
    throw new MqttProtocolError(type, `remaining length ${remaining} exceeds ${MAX_REMAINING_LENGTH}`);
  }
  const out = new Uint8Array(1 + varIntSize(remaining) + remaining);
  out[0] = (type << 4) | flags;
  let n = remaining;
  let o = 1;
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out[o++] = b;
  } while (n > 0);
  return out;
}

/** Offset of the variable header in a packet built by `start`. */
function bodyStart(out: Uint8Array): number {
  let o = 1;
  while (out[o]! & 0x80) o++;
  return o + 1;
}

function stringLength(type: number, what: string, s: string): number {
  const n = utf8Length(s);
  if (n < 0) throw new MqttProtocolError(type, `${what} holds a lone surrogate or U+0000`);
  if (n > 0xffff) throw new MqttProtocolError(type, `${what} is ${n} bytes, more than 65535`);
  return n;
}

function binaryLength(type: number, what: string, b: Uint8Array): number {
  if (b.length > 0xffff) throw new MqttProtocolError(type, `${what} is ${b.length} bytes, more than 65535`);
  return b.length;
}

function checkPacketId(type: number, id: number): void {
  if (!(id >= 1 && id <= 0xffff && (id | 0) === id)) {
    throw new MqttProtocolError(type, `packet identifier ${id} is not an integer in 1…65535`);
  }
}

function putU16(out: Uint8Array, o: number, v: number): number {
  out[o] = v >> 8;
  out[o + 1] = v & 0xff;
  return o + 2;
}

function putString(out: Uint8Array, o: number, s: string, n: number): number {
  out[o] = n >> 8;
  out[o + 1] = n & 0xff;
  return o + 2 + utf8WriteUnchecked(s, out, o + 2);
}

function putBinary(out: Uint8Array, o: number, b: Uint8Array): number {
  out[o] = b.length >> 8;
  out[o + 1] = b.length & 0xff;
  out.set(b, o + 2);
  return o + 2 + b.length;
}

export interface ConnectOptions {
  clientId: string;
  /** Default true. */
  clean?: boolean;
  /** Seconds, 0–65535; default 60. */
  keepAlive?: number;
  will?: { topic: string; payload: Uint8Array; qos?: QoS; retain?: boolean } | undefined;
  username?: string | undefined;
  password?: Uint8Array | undefined;
}

export function encodeConnect(o: ConnectOptions): Uint8Array {
  const keepAlive = o.keepAlive ?? 60;
  if (!(keepAlive >= 0 && keepAlive <= 0xffff && (keepAlive | 0) === keepAlive)) {
    throw new MqttProtocolError(CONNECT, `keep-alive ${keepAlive} s is not an integer in 0…65535`);
  }
  if (o.password !== undefined && o.username === undefined) {
    throw new MqttProtocolError(CONNECT, "a password needs a user name in MQTT 3.1.1");
  }
  const idLen = stringLength(CONNECT, "client identifier", o.clientId);
  let remaining = 10 + 2 + idLen;
  let flags = o.clean === false ? 0 : 0x02;
  let willTopicLen = 0;
  const will = o.will;
  if (will) {
    const fault = topicNameFault(will.topic);
    if (fault !== undefined) throw new MqttProtocolError(CONNECT, `will ${fault}`);
    willTopicLen = utf8Length(will.topic);
    const qos = will.qos ?? 0;
    if (qos !== 0 && qos !== 1 && qos !== 2) throw new MqttProtocolError(CONNECT, `will QoS ${String(qos)} is not 0, 1 or 2`);
    remaining += 2 + willTopicLen + 2 + binaryLength(CONNECT, "will payload", will.payload);
    flags |= 0x04 | (qos << 3) | (will.retain ? 0x20 : 0);
  }
  let userLen = 0;
  if (o.username !== undefined) {
    userLen = stringLength(CONNECT, "user name", o.username);
    remaining += 2 + userLen;
    flags |= 0x80;
  }
  if (o.password !== undefined) {
    remaining += 2 + binaryLength(CONNECT, "password", o.password);
    flags |= 0x40;
  }
  const out = start(CONNECT, 0, remaining);
  let p = bodyStart(out);
  out[p++] = 0;
  out[p++] = 4;
  out[p++] = 0x4d; // M
  out[p++] = 0x51; // Q
  out[p++] = 0x54; // T
  out[p++] = 0x54; // T
  out[p++] = 4; // protocol level 4 = MQTT 3.1.1
  out[p++] = flags;
  p = putU16(out, p, keepAlive);
  p = putString(out, p, o.clientId, idLen);
  if (will) {
    p = putString(out, p, will.topic, willTopicLen);
    p = putBinary(out, p, will.payload);
  }
  if (o.username !== undefined) p = putString(out, p, o.username, userLen);
  if (o.password !== undefined) p = putBinary(out, p, o.password);
  return out;
}

export function encodeConnack(sessionPresent: boolean, returnCode: number): Uint8Array {
  if (!(returnCode >= 0 && returnCode <= 255 && (returnCode | 0) === returnCode)) {
    throw new MqttProtocolError(CONNACK, `return code ${returnCode} is not a byte`);
  }
  const out = start(CONNACK, 0, 2);
  out[2] = sessionPresent ? 1 : 0;
  out[3] = returnCode;
  return out;
}

/**
 * A PUBLISH packet. For QoS > 0, `packetId` may be 0 as a placeholder to be patched later with
 * `setPublishPacketId` (the client numbers a publish only when it enters the in-flight window).
 */
export function encodePublish(
  topic: string,
  payload: Uint8Array,
  qos: QoS = 0,
  retain = false,
  dup = false,
  packetId = 0,
): Uint8Array {
  return encodePublishTo(encodeTopicName(topic), payload, qos, retain, dup, packetId);
}

/**
 * A PUBLISH topic name checked and encoded as the packet carries it (2-byte length, UTF-8), once: a node publishes to
 * the same few topics, and walking a topic's characters costs more than the rest of a small PUBLISH on XS.
 */
export function encodeTopicName(topic: string): Uint8Array {
  const fault = topicNameFault(topic);
  if (fault !== undefined) throw new MqttProtocolError(PUBLISH, fault);
  const n = utf8Length(topic);
  const out = new Uint8Array(2 + n);
  putString(out, 0, topic, n);
  return out;
}

/** Bytes of the PUBLISH `encodePublishTo` makes (a remaining length beyond MQTT's limit: more than any maximum). */
export function publishSize(topicName: Uint8Array, payloadLength: number, qos: QoS): number {
  const remaining = topicName.length + (qos > 0 ? 2 : 0) + payloadLength;
  return remaining > MAX_REMAINING_LENGTH ? Infinity : 1 + varIntSize(remaining) + remaining;
}

/** `encodePublish` to a topic name `encodeTopicName` made. */
export function encodePublishTo(topicName: Uint8Array, payload: Uint8Array, qos: QoS = 0, retain = false, dup = false, packetId = 0): Uint8Array {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new MqttProtocolError(PUBLISH, `QoS ${String(qos)} is not 0, 1 or 2`);
  if (qos === 0 && dup) throw new MqttProtocolError(PUBLISH, "DUP must be 0 for QoS 0");
  if (qos > 0 && packetId !== 0) checkPacketId(PUBLISH, packetId);
  const out = start(PUBLISH, (dup ? 8 : 0) | (qos << 1) | (retain ? 1 : 0), topicName.length + (qos > 0 ? 2 : 0) + payload.length);
  let p = bodyStart(out);
  out.set(topicName, p);
  p += topicName.length;
  if (qos > 0) p = putU16(out, p, packetId);
  out.set(payload, p);
  return out;
}

/** Offset of the packet identifier in an encoded QoS > 0 PUBLISH. */
function publishIdOffset(publish: Uint8Array): number {
  const p = bodyStart(publish);
  return p + 2 + ((publish[p]! << 8) | publish[p + 1]!);
}

/** Write `packetId` into an encoded QoS > 0 PUBLISH, in place. */
export function setPublishPacketId(publish: Uint8Array, packetId: number): void {
  checkPacketId(PUBLISH, packetId);
  if ((publish[0]! & 0x06) === 0) throw new MqttProtocolError(PUBLISH, "a QoS 0 PUBLISH has no packet identifier");
  putU16(publish, publishIdOffset(publish), packetId);
}

/** Set the DUP flag of an encoded QoS > 0 PUBLISH, in place. */
export function setPublishDup(publish: Uint8Array): void {
  if ((publish[0]! & 0x06) === 0) throw new MqttProtocolError(PUBLISH, "DUP must be 0 for QoS 0");
  publish[0] = publish[0]! | 0x08;
}

function encodeIdOnly(type: number, flags: number, packetId: number): Uint8Array {
  checkPacketId(type, packetId);
  const out = start(type, flags, 2);
  putU16(out, 2, packetId);
  return out;
}

export function encodePuback(packetId: number): Uint8Array {
  return encodeIdOnly(PUBACK, 0, packetId);
}

/** Write a PUBACK into a 4-byte buffer (the client keeps one preallocated). */
export function writePuback(out: Uint8Array, packetId: number): void {
  checkPacketId(PUBACK, packetId);
  out[0] = PUBACK << 4;
  out[1] = 2;
  out[2] = packetId >> 8;
  out[3] = packetId & 0xff;
}

export function encodeSubscribe(packetId: number, subscriptions: readonly Subscription[]): Uint8Array {
  checkPacketId(SUBSCRIBE, packetId);
  if (subscriptions.length === 0) throw new MqttProtocolError(SUBSCRIBE, "needs at least one topic filter");
  let remaining = 2;
  const lens: number[] = [];
  for (const s of subscriptions) {
    const fault = topicFilterFault(s.topic);
    if (fault !== undefined) throw new MqttProtocolError(SUBSCRIBE, fault);
    if (s.qos !== 0 && s.qos !== 1 && s.qos !== 2) throw new MqttProtocolError(SUBSCRIBE, `QoS ${String(s.qos)} is not 0, 1 or 2`);
    const n = utf8Length(s.topic);
    lens.push(n);
    remaining += 2 + n + 1;
  }
  const out = start(SUBSCRIBE, 2, remaining);
  let p = putU16(out, bodyStart(out), packetId);
  for (let i = 0; i < subscriptions.length; i++) {
    p = putString(out, p, subscriptions[i]!.topic, lens[i]!);
    out[p++] = subscriptions[i]!.qos;
  }
  return out;
}

export function encodeSuback(packetId: number, returnCodes: readonly number[]): Uint8Array {
  checkPacketId(SUBACK, packetId);
  if (returnCodes.length === 0) throw new MqttProtocolError(SUBACK, "needs at least one return code");
  const out = start(SUBACK, 0, 2 + returnCodes.length);
  let p = putU16(out, bodyStart(out), packetId);
  for (const c of returnCodes) {
    if (c !== 0 && c !== 1 && c !== 2 && c !== SUBACK_FAILURE) {
      throw new MqttProtocolError(SUBACK, `return code ${c} is not 0, 1, 2 or 0x80`);
    }
    out[p++] = c;
  }
  return out;
}

export function encodeUnsubscribe(packetId: number, topics: readonly string[]): Uint8Array {
  checkPacketId(UNSUBSCRIBE, packetId);
  if (topics.length === 0) throw new MqttProtocolError(UNSUBSCRIBE, "needs at least one topic filter");
  let remaining = 2;
  const lens: number[] = [];
  for (const t of topics) {
    const fault = topicFilterFault(t);
    if (fault !== undefined) throw new MqttProtocolError(UNSUBSCRIBE, fault);
    const n = utf8Length(t);
    lens.push(n);
    remaining += 2 + n;
  }
  const out = start(UNSUBSCRIBE, 2, remaining);
  let p = putU16(out, bodyStart(out), packetId);
  for (let i = 0; i < topics.length; i++) p = putString(out, p, topics[i]!, lens[i]!);
  return out;
}

export function encodeUnsuback(packetId: number): Uint8Array {
  return encodeIdOnly(UNSUBACK, 0, packetId);
}

export function encodePingreq(): Uint8Array {
  return start(PINGREQ, 0, 0);
}

export function encodePingresp(): Uint8Array {
  return start(PINGRESP, 0, 0);
}

export function encodeDisconnect(): Uint8Array {
  return start(DISCONNECT, 0, 0);
}

/** Encode any packet (the inverse of `MqttDecoder`). */
export function encodePacket(p: MqttPacket): Uint8Array {
  switch (p.type) {
    case CONNECT:
      if ((p.protocolName !== undefined && p.protocolName !== "MQTT") || (p.protocolLevel !== undefined && p.protocolLevel !== 4)) {
        throw new MqttProtocolError(CONNECT, "only protocol MQTT level 4 (3.1.1) can be encoded");
      }
      return encodeConnect(p);
    case CONNACK:
      return encodeConnack(p.sessionPresent, p.returnCode);
    case PUBLISH:
      return encodePublish(p.topic, p.payload, p.qos, p.retain, p.dup, p.packetId);
    case PUBACK:
    case PUBREC:
    case PUBCOMP:
    case UNSUBACK:
      return encodeIdOnly(p.type, 0, p.packetId);
    case PUBREL:
      return encodeIdOnly(PUBREL, 2, p.packetId);
    case SUBSCRIBE:
      return encodeSubscribe(p.packetId, p.subscriptions);
    case SUBACK:
      return encodeSuback(p.packetId, p.returnCodes);
    case UNSUBSCRIBE:
      return encodeUnsubscribe(p.packetId, p.topics);
    case PINGREQ:
    case PINGRESP:
    case DISCONNECT:
      return start(p.type, 0, 0);
  }
}

// ------------------------------------------------------------------------------------------------ decoding

const S_HEADER = 0;
const S_LENGTH = 1;
const S_BODY = 2;

function hex(n: number): string {
  return "0x" + n.toString(16);
}

export interface DecoderOptions {
  /** Largest packet accepted, fixed header included (default 16 KiB; at most 1 + 4 + 268435455). */
  maxPacketSize?: number;
  /** Initial body buffer; it grows on demand up to `maxPacketSize` and is kept (default 256). */
  initialBufferSize?: number;
}

/**
 * Streaming MQTT 3.1.1 decoder. Feed bytes with `consume`, which stops right after a complete packet; fetch that
 * packet with `take()` before consuming more:
 *
 *     let at = 0;
 *     while (at < chunk.length) {
 *       at = decoder.consume(chunk, at);
 *       const packet = decoder.take();
 *       if (packet) handle(packet);
 *     }
 */
export class MqttDecoder {
  readonly maxPacketSize: number;
  #buf: Uint8Array;
  #state = S_HEADER;
  #first = 0;
  #remaining = 0;
  #lenBytes = 0;
  #multiplier = 1;
  #filled = 0;
  #pos = 0;
  #end = 0;
  #packet: MqttPacket | undefined = undefined;
  #error: MqttProtocolError | undefined = undefined;

  constructor(options: DecoderOptions = {}) {
    const max = options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
    if (!(max >= 2 && max <= 5 + MAX_REMAINING_LENGTH)) throw new RangeError(`maxPacketSize ${max} out of range`);
    this.maxPacketSize = max;
    const initial = options.initialBufferSize ?? 256;
    this.#buf = new Uint8Array(initial < max ? initial : max);
  }

  /** Forget any partial packet and a previous failure (a new connection). Keeps the buffer. */
  reset(): void {
    this.#state = S_HEADER;
    this.#filled = 0;
    this.#packet = undefined;
    this.#error = undefined;
  }

  /** True while part of a packet has been consumed. */
  get partial(): boolean {
    return this.#state !== S_HEADER;
  }

  /** Bytes of body buffer held (it only grows). */
  get bufferSize(): number {
    return this.#buf.length;
  }

  /** The packet completed by the last `consume`, once. */
  take(): MqttPacket | undefined {
    const p = this.#packet;
    this.#packet = undefined;
    return p;
  }

  /**
   * Consume bytes from `chunk[offset, end)` until one packet is complete or the bytes run out; returns the offset
   * of the first byte not consumed. Throws `MqttProtocolError` on a malformed packet.
   */
  consume(chunk: Uint8Array, offset = 0, end = chunk.length): number {
    if (this.#error) throw this.#error;
    if (this.#packet) throw new Error("MqttDecoder: take() the decoded packet before consuming more bytes");
    let i = offset;
    while (i < end) {
      if (this.#state === S_HEADER) {
        const b = chunk[i++]!;
        this.#checkFlags(b);
        this.#first = b;
        this.#remaining = 0;
        this.#lenBytes = 0;
        this.#multiplier = 1;
        this.#state = S_LENGTH;
      } else if (this.#state === S_LENGTH) {
        const b = chunk[i++]!;
        this.#lenBytes++;
        this.#remaining += (b & 0x7f) * this.#multiplier;
        this.#multiplier *= 128;
        if (b & 0x80) {
          if (this.#lenBytes === 4) this.#fail(this.#first >> 4, "remaining length uses more than 4 bytes");
          continue;
        }
        this.#checkLength();
        if (this.#remaining === 0) {
          this.#complete();
          return i;
        }
        if (this.#buf.length < this.#remaining) {
          let size = this.#buf.length * 2;
          if (size < this.#remaining) size = this.#remaining;
          const cap = this.maxPacketSize;
          this.#buf = new Uint8Array(size < cap ? size : cap);
        }
        this.#filled = 0;
        this.#state = S_BODY;
      } else {
        let n = end - i;
        const want = this.#remaining - this.#filled;
        if (n > want) n = want;
        if (n === 1) this.#buf[this.#filled] = chunk[i]!;
        else this.#buf.set(chunk.subarray(i, i + n), this.#filled);
        this.#filled += n;
        i += n;
        if (this.#filled === this.#remaining) {
          this.#complete();
          return i;
        }
      }
    }
    return i;
  }

  /** Decode every packet in `chunk` (convenience for tests and peers; the client uses `consume`/`take`). */
  decode(chunk: Uint8Array): MqttPacket[] {
    const out: MqttPacket[] = [];
    let at = 0;
    while (at < chunk.length) {
      at = this.consume(chunk, at);
      const p = this.take();
      if (p) out.push(p);
    }
    return out;
  }

  #fail(type: number, fault: string): never {
    this.#error = new MqttProtocolError(type, fault);
    this.#state = S_HEADER;
    throw this.#error;
  }

  #checkFlags(b: number): void {
    const type = b >> 4;
    const flags = b & 15;
    switch (type) {
      case 0:
      case 15:
        this.#fail(type, `reserved packet type ${type} (first byte ${hex(b)})`);
        break;
      case PUBLISH:
        if ((flags & 6) === 6) this.#fail(type, `QoS 3 in the fixed header flags (${hex(flags)}) is malformed`);
        break;
      case PUBREL:
      case SUBSCRIBE:
      case UNSUBSCRIBE:
        if (flags !== 2) this.#fail(type, `reserved fixed header flags are ${hex(flags)}, must be 0x2`);
        break;
      default:
        if (flags !== 0) this.#fail(type, `reserved fixed header flags are ${hex(flags)}, must be 0x0`);
    }
  }

  #checkLength(): void {
    const type = this.#first >> 4;
    const r = this.#remaining;
    switch (type) {
      case CONNACK:
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
      case UNSUBACK:
        if (r !== 2) this.#fail(type, `remaining length ${r}, must be 2`);
        return;
      case PINGREQ:
      case PINGRESP:
      case DISCONNECT:
        if (r !== 0) this.#fail(type, `remaining length ${r}, must be 0`);
        return;
    }
    const total = 1 + this.#lenBytes + r;
    if (total > this.maxPacketSize) {
      this.#fail(type, `packet of ${total} bytes exceeds the maximum packet size of ${this.maxPacketSize}`);
    }
  }

  #complete(): void {
    this.#state = S_HEADER;
    this.#pos = 0;
    this.#end = this.#remaining;
    this.#packet = this.#parse(this.#first >> 4, this.#first & 15);
  }

  // ---- body readers (over #buf[#pos, #end)); messages are built only on failure

  #u8(type: number, what: string): number {
    if (this.#pos + 1 > this.#end) this.#fail(type, `truncated ${what}`);
    return this.#buf[this.#pos++]!;
  }

  #u16(type: number, what: string): number {
    if (this.#pos + 2 > this.#end) this.#fail(type, `truncated ${what}`);
    const v = (this.#buf[this.#pos]! << 8) | this.#buf[this.#pos + 1]!;
    this.#pos += 2;
    return v;
  }

  #id(type: number): number {
    const id = this.#u16(type, "packet identifier");
    if (id === 0) this.#fail(type, "packet identifier 0 is not allowed");
    return id;
  }

  #lengthPrefixed(type: number, what: string): number {
    if (this.#pos + 2 > this.#end) this.#fail(type, `truncated ${what} (no length)`);
    const n = (this.#buf[this.#pos]! << 8) | this.#buf[this.#pos + 1]!;
    this.#pos += 2;
    const left = this.#end - this.#pos;
    if (n > left) this.#fail(type, `truncated ${what} (length ${n}, ${left} bytes left)`);
    return n;
  }

  #string(type: number, what: string): string {
    const n = this.#lengthPrefixed(type, what);
    const s = utf8Decode(this.#buf, this.#pos, this.#pos + n);
    if (s === undefined) this.#fail(type, `${what} is not well-formed UTF-8 (or holds U+0000 or a surrogate)`);
    this.#pos += n;
    return s;
  }

  #binary(type: number, what: string): Uint8Array {
    const n = this.#lengthPrefixed(type, what);
    const b = this.#buf.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    return b;
  }

  #done(type: number): void {
    const left = this.#end - this.#pos;
    if (left !== 0) this.#fail(type, `${left} unexpected bytes at the end of the packet`);
  }

  #parse(type: number, flags: number): MqttPacket {
    switch (type) {
      case PUBLISH: {
        const qos = ((flags >> 1) & 3) as QoS;
        const dup = (flags & 8) !== 0;
        const topic = this.#string(type, "topic");
        if (topic.length === 0) this.#fail(type, "topic is empty");
        if (topic.indexOf("+") >= 0 || topic.indexOf("#") >= 0) this.#fail(type, `topic "${topic}" contains a wildcard`);
        const packetId = qos > 0 ? this.#id(type) : 0;
        const payload = this.#buf.slice(this.#pos, this.#end);
        return { type: PUBLISH, topic, payload, qos, dup, retain: (flags & 1) !== 0, packetId };
      }
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
      case UNSUBACK:
        return { type, packetId: this.#id(type) } as AckPacket;
      case CONNACK: {
        const ackFlags = this.#u8(type, "acknowledge flags");
        if (ackFlags & 0xfe) this.#fail(type, `reserved acknowledge flags are ${hex(ackFlags)}, must be 0x0 or 0x1`);
        const returnCode = this.#u8(type, "return code");
        if (returnCode > 5) this.#fail(type, `unknown return code ${returnCode}`);
        if (returnCode !== 0 && ackFlags !== 0) {
          this.#fail(type, `session present set with return code ${returnCode} (${connackReturnName(returnCode)})`);
        }
        return { type: CONNACK, sessionPresent: ackFlags === 1, returnCode };
      }
      case PINGREQ:
      case PINGRESP:
      case DISCONNECT:
        return { type } as EmptyPacket;
      case SUBACK: {
        const packetId = this.#id(type);
        if (this.#pos >= this.#end) this.#fail(type, "no return codes");
        const returnCodes: number[] = [];
        while (this.#pos < this.#end) {
          const c = this.#buf[this.#pos++]!;
          if (c > 2 && c !== SUBACK_FAILURE) this.#fail(type, `return code ${hex(c)} is not 0, 1, 2 or 0x80`);
          returnCodes.push(c);
        }
        return { type: SUBACK, packetId, returnCodes };
      }
      case SUBSCRIBE: {
        const packetId = this.#id(type);
        if (this.#pos >= this.#end) this.#fail(type, "no topic filters");
        const subscriptions: Subscription[] = [];
        while (this.#pos < this.#end) {
          const topic = this.#string(type, "topic filter");
          const fault = topicFilterFault(topic);
          if (fault !== undefined) this.#fail(type, fault);
          const q = this.#u8(type, "requested QoS");
          if (q > 2) this.#fail(type, `requested QoS byte ${hex(q)} is malformed`);
          subscriptions.push({ topic, qos: q as QoS });
        }
        return { type: SUBSCRIBE, packetId, subscriptions };
      }
      case UNSUBSCRIBE: {
        const packetId = this.#id(type);
        if (this.#pos >= this.#end) this.#fail(type, "no topic filters");
        const topics: string[] = [];
        while (this.#pos < this.#end) {
          const topic = this.#string(type, "topic filter");
          const fault = topicFilterFault(topic);
          if (fault !== undefined) this.#fail(type, fault);
          topics.push(topic);
        }
        return { type: UNSUBSCRIBE, packetId, topics };
      }
      case CONNECT:
        return this.#parseConnect();
    }
    return this.#fail(type, "unknown packet type");
  }

  #parseConnect(): ConnectPacket {
    const T = CONNECT;
    const protocolName = this.#string(T, "protocol name");
    const protocolLevel = this.#u8(T, "protocol level");
    if (!((protocolName === "MQTT" && protocolLevel === 4) || (protocolName === "MQIsdp" && protocolLevel === 3))) {
      this.#fail(T, `protocol "${protocolName}" level ${protocolLevel} is not MQTT 3.1.1 (or 3.1)`);
    }
    const f = this.#u8(T, "connect flags");
    if (f & 1) this.#fail(T, "reserved connect flag bit 0 is set");
    const willFlag = (f & 0x04) !== 0;
    const willQos = (f >> 3) & 3;
    const willRetain = (f & 0x20) !== 0;
    if (!willFlag && (willQos !== 0 || willRetain)) this.#fail(T, "will QoS/retain set without the will flag");
    if (willQos === 3) this.#fail(T, "will QoS 3 is malformed");
    if ((f & 0x40) && !(f & 0x80)) this.#fail(T, "password flag set without the user name flag");
    const keepAlive = this.#u16(T, "keep-alive");
    const clientId = this.#string(T, "client identifier");
    let will: WillMessage | undefined;
    if (willFlag) {
      const topic = this.#string(T, "will topic");
      const payload = this.#binary(T, "will payload");
      will = { topic, payload, qos: willQos as QoS, retain: willRetain };
    }
    const username = f & 0x80 ? this.#string(T, "user name") : undefined;
    const password = f & 0x40 ? this.#binary(T, "password") : undefined;
    this.#done(T);
    return { type: CONNECT, protocolName, protocolLevel, clientId, clean: (f & 0x02) !== 0, keepAlive, will, username, password };
  }
}
