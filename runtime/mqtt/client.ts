/**
 * MQTT 3.1.1 client for device code, over the host's ECMA-419 TCP socket (`host.io.TCP`). QoS 0 and 1.
 *
 * Lifecycle
 *
 *   idle ──start()──▶ connecting ──onWritable (TCP up)──▶ handshake: CONNECT (keep-alive, will, credentials) sent
 *   handshake ──CONNACK 0──▶ connected: re-send every unacknowledged QoS 1 PUBLISH (same packet id, DUP=1), then
 *        (re-)SUBSCRIBE every remembered topic filter, then move queued publishes into the in-flight window
 *   handshake ──CONNACK refused / connectTimeout / socket error──▶ waiting
 *   connected ──socket error or close / no packet within responseTimeout of a PINGREQ / malformed or unexpected
 *        packet──▶ waiting (socket closed, `onError`, then `onDisconnect`)
 *   waiting ──backoff delay──▶ connecting. The delay starts at `backoff.min`, is multiplied by `backoff.factor` after
 *        each attempt that does not lead to a session lasting `backoff.stable` ms (capped at `backoff.max`), and is
 *        shortened by up to `backoff.jitter` × delay using `host.random()`.
 *   any ──close()──▶ closed: DISCONNECT sent if connected (so the broker drops the will), socket closed, every
 *        publish not yet acknowledged completes with an error. Terminal.
 *
 * Publishes
 *   `publish()` encodes at once (so a bad topic throws there) and queues (at most `maxQueued`). A QoS 1 publish
 *   gets its packet id when it enters the in-flight window (at most `maxInflight`); its `done(undefined, token)`
 *   runs only when the PUBACK carrying that id arrives on the connection it was sent on, so nothing unacknowledged
 *   is reported acknowledged and nothing acknowledged is forgotten. Packet ids are handed out in sequence (1…65535,
 *   wrapping, skipping ids in use), so a late duplicate PUBACK for a retransmitted copy cannot be mistaken for the
 *   ack of a newer publish. While connected, a QoS 1 publish whose PUBACK has not come `ackTimeout` ms after it
 *   was written is re-sent with DUP=1 (allowed, if discouraged, by 3.1.1 §4.4; 0 turns it off). QoS 0 publishes
 *   complete when their bytes are handed to the socket.
 *
 * Nothing here throws out of a socket or timer callback: faults become `onError` calls and a reconnect. All timing
 * goes through `host.timer` and `host.clock`; one timer serves connect, keep-alive, ack and backoff deadlines.
 */
import type { Clock, LogLevel, Timers, TimerHandle } from "../../hal/host.js";
import type { TCP, TCPClass } from "../../hal/io.js";
import {
  CONNACK,
  CONNACK_ACCEPTED,
  DEFAULT_MAX_PACKET_SIZE,
  MqttDecoder,
  MqttProtocolError,
  PINGRESP,
  PUBACK,
  PUBLISH,
  SUBACK,
  SUBACK_FAILURE,
  SUBSCRIBE,
  UNSUBACK,
  connackReturnName,
  encodeConnect,
  encodeDisconnect,
  encodePingreq,
  encodePublishTo,
  encodeTopicName,
  publishSize,
  encodeSubscribe,
  encodeUnsubscribe,
  setPublishDup,
  setPublishPacketId,
  topicFilterFault,
  writePuback,
} from "./packet.js";
import type { MqttPacket, PublishPacket, QoS, Subscription } from "./packet.js";
import { utf8Encode } from "../utf8.js";
import type { Job, WorkQueue } from "../work-queue.js";

/** The host pieces the client uses (a full `Host` satisfies it). */
export interface MqttHost {
  readonly io: { readonly TCP: TCPClass };
  readonly timer: Timers;
  readonly clock: Clock;
  random(): number;
  log(level: LogLevel, message: string): void;
}

export type Payload = Uint8Array | ArrayBuffer | string;

export interface MqttWill {
  topic: string;
  payload: Payload;
  qos?: 0 | 1;
  retain?: boolean;
}

export interface MqttBackoff {
  /** First reconnect delay, ms (default 1000). */
  min?: number;
  /** Largest delay, ms (default 120000). */
  max?: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
  /** Fraction 0…1 of the delay removed at random (default 0.5: the delay is uniform in [d/2, d]). */
  jitter?: number;
  /** A session that lasted this many ms resets the delay to `min` (default 10000). */
  stable?: number;
}

export interface MessageInfo {
  qos: QoS;
  retain: boolean;
  dup: boolean;
}

export interface MqttClientOptions {
  host: MqttHost;
  /** Numeric IP address of the broker (ECMA-419 TCP resolves no names). */
  address: string;
  /** Default 1883. */
  port?: number;
  clientId: string;
  /** Clean session (default true). */
  clean?: boolean;
  /** Keep-alive in seconds as sent in CONNECT (default 60; 0 = off). */
  keepAlive?: number;
  username?: string;
  password?: Payload;
  will?: MqttWill;
  /** QoS 1 publishes awaiting PUBACK at once (default 8). */
  maxInflight?: number;
  /** Publishes waiting for the window or a connection (default 64); `publish` throws beyond it. */
  maxQueued?: number;
  /** ms after which an unacknowledged QoS 1 publish is re-sent with DUP=1 while connected (default 20000; 0 = never). */
  ackTimeout?: number;
  /** ms allowed from opening the socket to CONNACK (default 10000). */
  connectTimeout?: number;
  /** ms allowed for any packet to arrive after a PINGREQ before the connection is dropped (default 10000). */
  responseTimeout?: number;
  backoff?: MqttBackoff;
  /** Largest packet sent or accepted, bytes (default 16384). */
  maxPacketSize?: number;
  /**
   * Write a publish to the socket in a piece of work of its own (runtime/work-queue.ts), after the one that
   * encoded it, rather than inside `publish` (default).
   */
  work?: WorkQueue;
  onConnect?: (sessionPresent: boolean) => void;
  /** An established session ended (after `onError` with the same error). */
  onDisconnect?: (error: Error) => void;
  /** Incoming application message; for QoS 1 the PUBACK is sent after this returns. */
  onMessage?: (topic: string, payload: Uint8Array, info: MessageInfo) => void;
  /** SUBACK for `topic`: granted QoS 0/1/2, or 0x80 when the broker refused it. */
  onSubscribe?: (topic: string, granted: number) => void;
  /** Every fault: socket errors, refused CONNACK (`MqttConnackError`), timeouts, `MqttProtocolError`. */
  onError?: (error: Error) => void;
}

export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
  /**
   * Completion: `(undefined, token)` once a QoS 1 publish is acknowledged by PUBACK (QoS 0: written to the socket);
   * `(error, token)` only if the client is closed first. Called at most once.
   */
  done?: (error: Error | undefined, token: number) => void;
}

export type MqttState = "idle" | "connecting" | "handshake" | "connected" | "waiting" | "closed";

/** Counters; the object is live and updated in place. */
export interface MqttStats {
  /** TCP connection attempts. */
  connectAttempts: number;
  /** Sessions established (CONNACK 0). */
  connects: number;
  /** CONNACKs with a non-zero return code. */
  connackRefusals: number;
  /** Established sessions that ended other than by `close()`. */
  disconnects: number;
  /** PUBLISH packets written for the first time. */
  publishesSent: number;
  /** QoS 1 publishes acknowledged by PUBACK. */
  publishesAcked: number;
  /** PUBLISH packets re-sent with DUP=1 (ack timeout or reconnect). */
  retransmits: number;
  /** PUBACKs for a packet id not in flight (late duplicates), ignored. */
  strayAcks: number;
  /** Application messages received. */
  messagesReceived: number;
  pingsSent: number;
  bytesIn: number;
  bytesOut: number;
  /** Malformed or unexpected packets from the peer. */
  protocolErrors: number;
  /** Connections dropped for a timeout (connect, ping). */
  timeouts: number;
}

/** The broker refused the connection (CONNACK return code 1–5). */
export class MqttConnackError extends Error {
  readonly returnCode: number;
  constructor(returnCode: number) {
    super(`MQTT CONNACK: connection refused, return code ${returnCode} (${connackReturnName(returnCode)})`);
    this.name = "MqttConnackError";
    this.returnCode = returnCode;
  }
}

/** Encoded topic names a client keeps. */
const TOPIC_NAMES_KEPT = 8;

class Outgoing {
  readonly token: number;
  readonly qos: 0 | 1;
  /** What its PUBLISH is made of, until `bytes` has made it (then dropped). */
  #topicName: Uint8Array | undefined;
  #payload: Uint8Array | undefined;
  readonly #retain: boolean;
  #bytes: Uint8Array | undefined;
  done: ((error: Error | undefined, token: number) => void) | undefined;
  packetId = 0;
  /** Clock ticks when its bytes were last fully written. */
  sentAt = 0;
  /** Fully written on the current connection and not yet acknowledged (the ack timer runs). */
  onWire = false;
  /** Some of its bytes have reached a socket at least once. */
  touched = false;
  /** Times fully written. */
  sends = 0;
  /** Copies of it sitting in the output queue. */
  queued = 0;
  constructor(token: number, qos: 0 | 1, topicName: Uint8Array, payload: Uint8Array, retain: boolean, done: Outgoing["done"]) {
    this.token = token;
    this.qos = qos;
    this.#topicName = topicName;
    this.#payload = payload;
    this.#retain = retain;
    this.done = done;
  }

  /** The PUBLISH, encoded the first time it is asked for (packet id 0 until the window assigns one). */
  get bytes(): Uint8Array {
    let b = this.#bytes;
    if (b === undefined) {
      b = encodePublishTo(this.#topicName!, this.#payload!, this.qos, this.#retain, false, 0);
      this.#bytes = b;
      this.#topicName = undefined;
      this.#payload = undefined;
    }
    return b;
  }
}

function toBytes(p: Payload): Uint8Array {
  if (typeof p === "string") return utf8Encode(p);
  if (p instanceof Uint8Array) return p;
  return new Uint8Array(p);
}

function positive(name: string, v: number | undefined, dflt: number, allowZero = false): number {
  const x = v ?? dflt;
  if (!(typeof x === "number" && x === x && (allowZero ? x >= 0 : x > 0) && x !== Infinity)) {
    throw new RangeError(`MQTT client option ${name} must be a ${allowZero ? "non-negative" : "positive"} number, got ${String(v)}`);
  }
  return x;
}

export class MqttClient {
  readonly stats: MqttStats = {
    connectAttempts: 0,
    connects: 0,
    connackRefusals: 0,
    disconnects: 0,
    publishesSent: 0,
    publishesAcked: 0,
    retransmits: 0,
    strayAcks: 0,
    messagesReceived: 0,
    pingsSent: 0,
    bytesIn: 0,
    bytesOut: 0,
    protocolErrors: 0,
    timeouts: 0,
  };

  readonly #o: MqttClientOptions;
  readonly #host: MqttHost;
  readonly #port: number;
  readonly #connectBytes: Uint8Array;
  readonly #pingreq = encodePingreq();
  readonly #keepAliveMs: number;
  readonly #maxInflight: number;
  readonly #maxQueued: number;
  readonly #ackTimeout: number;
  readonly #connectTimeout: number;
  readonly #responseTimeout: number;
  readonly #maxPacketSize: number;
  readonly #bMin: number;
  readonly #bMax: number;
  readonly #bFactor: number;
  readonly #bJitter: number;
  readonly #bStable: number;
  readonly #decoder: MqttDecoder;

  #state: MqttState = "idle";
  /** Bumped whenever a socket is abandoned; callbacks from older sockets are ignored. */
  #gen = 0;
  #socket: TCP | undefined = undefined;
  #writable = 0;
  // Output queue: packets (whole or partly written at the head) for the current socket.
  readonly #outBytes: Uint8Array[] = [];
  readonly #outRec: (Outgoing | undefined)[] = [];
  #outOffset = 0;
  #outQueuedBytes = 0;

  readonly #pending: Outgoing[] = [];
  readonly #inflight: Outgoing[] = [];
  #nextToken = 1;
  #nextId = 1;
  /** Topic filter → QoS, re-subscribed after every reconnect. */
  readonly #subs = new Map<string, QoS>();
  /**
   * With `work`: topic names published to, checked and encoded once (a node publishes to a few fixed topics), and
   * the deferred publishes' encoding, then their write, queued at most once at a time. Made only then: without it
   * the client holds what it always did.
   */
  #topicNames: Map<string, Uint8Array> | undefined;
  #pumpJob: Job | undefined;
  #pumpQueued = false;
  #pumpPiece = 0;
  /** Topic filters unsubscribed but not yet acknowledged (re-sent after a reconnect). */
  readonly #unsubs = new Set<string>();
  /** SUBSCRIBE/UNSUBSCRIBE packet id → topics. */
  readonly #subPending = new Map<number, string[]>();
  readonly #unsubPending = new Map<number, string[]>();

  #connectStart = 0;
  #connectedAt = 0;
  #lastSent = 0;
  #lastRecv = 0;
  #pingOutstanding = false;
  #pingSentAt = 0;
  #reconnectAt = 0;
  #backoff: number;

  #timer: TimerHandle | undefined = undefined;
  #timerDue = Infinity;
  readonly #onTimer: () => void;
  readonly #pubackScratch = new Uint8Array(4);

  constructor(options: MqttClientOptions) {
    this.#o = options;
    this.#host = options.host;
    if (typeof options.address !== "string" || options.address.length === 0) {
      throw new TypeError("MQTT client option address must be a numeric IP address string");
    }
    this.#port = options.port ?? 1883;
    if (!(this.#port >= 1 && this.#port <= 65535 && (this.#port | 0) === this.#port)) {
      throw new RangeError(`MQTT client option port must be 1…65535, got ${String(options.port)}`);
    }
    const keepAlive = positive("keepAlive", options.keepAlive, 60, true);
    this.#keepAliveMs = keepAlive * 1000;
    this.#maxInflight = Math.floor(positive("maxInflight", options.maxInflight, 8));
    this.#maxQueued = Math.floor(positive("maxQueued", options.maxQueued, 64));
    this.#ackTimeout = positive("ackTimeout", options.ackTimeout, 20_000, true);
    this.#connectTimeout = positive("connectTimeout", options.connectTimeout, 10_000);
    this.#responseTimeout = positive("responseTimeout", options.responseTimeout, 10_000);
    this.#maxPacketSize = Math.floor(positive("maxPacketSize", options.maxPacketSize, DEFAULT_MAX_PACKET_SIZE));
    const b = options.backoff ?? {};
    this.#bMin = positive("backoff.min", b.min, 1000);
    this.#bMax = positive("backoff.max", b.max, 120_000);
    if (this.#bMax < this.#bMin) throw new RangeError("MQTT client option backoff.max must be >= backoff.min");
    this.#bFactor = positive("backoff.factor", b.factor, 2);
    if (this.#bFactor < 1) throw new RangeError("MQTT client option backoff.factor must be >= 1");
    this.#bJitter = positive("backoff.jitter", b.jitter, 0.5, true);
    if (this.#bJitter > 1) throw new RangeError("MQTT client option backoff.jitter must be within 0…1");
    this.#bStable = positive("backoff.stable", b.stable, 10_000, true);
    this.#backoff = this.#bMin;

    const will = options.will;
    if (will && will.qos !== undefined && will.qos !== 0 && will.qos !== 1) {
      throw new RangeError(`MQTT will QoS must be 0 or 1, got ${String(will.qos)}`);
    }
    // Encoded once: a CONNECT is the same on every reconnect (throws here on a bad will topic or client id).
    this.#connectBytes = encodeConnect({
      clientId: options.clientId,
      clean: options.clean ?? true,
      keepAlive,
      will: will ? { topic: will.topic, payload: toBytes(will.payload), qos: will.qos ?? 0, retain: will.retain ?? false } : undefined,
      username: options.username,
      password: options.password === undefined ? undefined : toBytes(options.password),
    });
    this.#decoder = new MqttDecoder({ maxPacketSize: this.#maxPacketSize });
    this.#onTimer = () => {
      this.#timer = undefined;
      this.#timerDue = Infinity;
      this.#guard(() => this.#service());
    };
  }

  // ---------------------------------------------------------------------------------------------- public API

  get state(): MqttState {
    return this.#state;
  }
  /** QoS 1 publishes sent and awaiting PUBACK. */
  get inflight(): number {
    return this.#inflight.length;
  }
  /** Publishes waiting for the window or a connection. */
  get queued(): number {
    return this.#pending.length;
  }
  /** Room left in the publish queue. */
  get capacity(): number {
    return this.#maxQueued - this.#pending.length;
  }

  /** Start connecting (idempotent). */
  start(): void {
    if (this.#state !== "idle") return;
    this.#open();
  }

  /**
   * Queue a publish; returns its token (1, 2, 3, … in call order). Throws on an invalid topic, a packet larger than
   * `maxPacketSize`, a full queue or a closed client: never silently drops.
   */
  publish(topic: string, payload: Payload, options: PublishOptions = {}): number {
    if (this.#state === "closed") throw new Error("MQTT client is closed");
    const qos = options.qos ?? 0;
    if (qos !== 0 && qos !== 1) throw new RangeError(`MQTT publish QoS must be 0 or 1, got ${String(qos)}`);
    if (this.#pending.length >= this.#maxQueued) {
      throw new RangeError(`MQTT publish queue is full (${this.#maxQueued} waiting)`);
    }
    const name = this.#topicName(topic);
    const body = toBytes(payload);
    const size = publishSize(name, body.length, qos);
    if (size > this.#maxPacketSize) {
      throw new MqttProtocolError(PUBLISH, `packet of ${size} bytes exceeds the maximum packet size of ${this.#maxPacketSize}`);
    }
    const rec = new Outgoing(this.#nextToken++, qos, name, body, options.retain ?? false, options.done);
    this.#pending.push(rec);
    const work = this.#o.work;
    if (work === undefined) {
      void rec.bytes; // encoded at once
      if (this.#state === "connected") this.#guard(() => this.#pump());
    } else if (!this.#pumpQueued) {
      // Encoded in one piece of work, written in the next (or at the next connect).
      this.#pumpQueued = true;
      this.#pumpPiece = 0;
      work.add((this.#pumpJob ??= this.#makePumpJob()));
    }
    return rec.token;
  }

  /**
   * Check and encode a topic this client will publish to, now rather than at its first publish (walking a topic's
   * characters costs more than the rest of a small PUBLISH on XS; kept only with `work`). Throws on a topic no
   * PUBLISH may carry.
   */
  prepareTopic(topic: string): void {
    this.#topicName(topic);
  }

  #topicName(topic: string): Uint8Array {
    if (this.#o.work === undefined) return encodeTopicName(topic);
    const names = (this.#topicNames ??= new Map<string, Uint8Array>());
    let name = names.get(topic);
    if (name === undefined) {
      name = encodeTopicName(topic);
      // Bounded: a device that publishes to ever new topics pays the encoding each time, and no more RAM.
      if (names.size >= TOPIC_NAMES_KEPT) names.clear();
      names.set(topic, name);
    }
    return name;
  }

  #makePumpJob(): Job {
    return {
      step: () => {
        if (this.#pumpPiece++ === 0) {
          for (const rec of this.#pending) void rec.bytes;
          return true;
        }
        this.#pumpQueued = false;
        if (this.#state === "connected") this.#guard(() => this.#pump());
        return false;
      },
    };
  }

  /** Subscribe to `filter` now if connected, and again after every reconnect. Throws on an invalid filter. */
  subscribe(filter: string, qos: 0 | 1 = 1): void {
    if (this.#state === "closed") throw new Error("MQTT client is closed");
    const fault = topicFilterFault(filter);
    if (fault !== undefined) throw new MqttProtocolError(SUBSCRIBE, fault);
    if (qos !== 0 && qos !== 1) throw new RangeError(`MQTT subscribe QoS must be 0 or 1, got ${String(qos)}`);
    this.#subs.set(filter, qos);
    this.#unsubs.delete(filter);
    if (this.#state === "connected") this.#guard(() => this.#sendSubscribe([{ topic: filter, qos }]));
  }

  /** Stop the subscription to `filter` (and stop re-subscribing it). */
  unsubscribe(filter: string): void {
    if (this.#state === "closed") throw new Error("MQTT client is closed");
    if (!this.#subs.delete(filter)) return;
    this.#unsubs.add(filter);
    if (this.#state === "connected") this.#guard(() => this.#sendUnsubscribe([filter]));
  }

  /**
   * Disconnect for good: DISCONNECT if connected (the broker then discards the will), close the socket, and complete
   * every publish not yet acknowledged with an error.
   */
  close(): void {
    if (this.#state === "closed") return;
    const wasConnected = this.#state === "connected";
    if (wasConnected && this.#socket) {
      try {
        this.#enqueue(encodeDisconnect(), undefined);
      } catch {
        // The socket is going away anyway.
      }
    }
    this.#state = "closed";
    this.#closeSocket();
    this.#clearTimer();
    const error = new Error("MQTT client closed before the publish was acknowledged");
    const fail = this.#inflight.concat(this.#pending);
    this.#inflight.length = 0;
    this.#pending.length = 0;
    for (const rec of fail) this.#complete(rec, error);
  }

  // ---------------------------------------------------------------------------------------------- connection

  #now(): number {
    return this.#host.clock.ticks();
  }

  #open(): void {
    const gen = ++this.#gen;
    this.#state = "connecting";
    this.#connectStart = this.#now();
    this.#writable = 0;
    this.#pingOutstanding = false;
    this.#decoder.reset();
    this.stats.connectAttempts++;
    const self = this;
    let socket: TCP;
    try {
      socket = new this.#host.io.TCP({
        address: this.#o.address,
        port: this.#port,
        nodelay: true,
        onWritable(bytes: number) {
          if (gen === self.#gen) self.#guard(() => self.#onWritable(bytes));
        },
        onReadable() {
          if (gen === self.#gen) self.#guard(() => self.#onReadable(gen));
        },
        onError(error?: Error) {
          if (gen === self.#gen) self.#guard(() => self.#drop(error ?? new Error("MQTT: connection closed")));
        },
      });
    } catch (e) {
      this.#drop(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.#socket = socket;
    this.#arm(this.#connectTimeout);
  }

  #onWritable(bytes: number): void {
    this.#writable = bytes;
    if (this.#state === "connecting") {
      this.#state = "handshake";
      this.#lastRecv = this.#now();
      this.#enqueue(this.#connectBytes, undefined);
      return;
    }
    this.#flush();
    if (this.#state === "connected") this.#pump();
  }

  #onReadable(gen: number): void {
    const socket = this.#socket;
    if (!socket) return;
    for (;;) {
      const data = socket.read();
      if (data === undefined || data.byteLength === 0) return;
      const chunk = new Uint8Array(data);
      this.stats.bytesIn += chunk.length;
      let at = 0;
      while (at < chunk.length) {
        try {
          at = this.#decoder.consume(chunk, at);
        } catch (e) {
          if (e instanceof MqttProtocolError) {
            this.stats.protocolErrors++;
            this.#drop(e);
            return;
          }
          throw e;
        }
        const packet = this.#decoder.take();
        if (packet) {
          this.#onPacket(packet);
          if (gen !== this.#gen) return; // the connection went away while handling it
        }
      }
    }
  }

  #protocolError(type: number, fault: string): void {
    this.stats.protocolErrors++;
    this.#drop(new MqttProtocolError(type, fault));
  }

  #onPacket(p: MqttPacket): void {
    this.#lastRecv = this.#now();
    this.#pingOutstanding = false; // any packet proves the peer alive
    if (this.#state === "handshake") {
      if (p.type !== CONNACK) return this.#protocolError(p.type, "received before CONNACK");
      if (p.returnCode !== CONNACK_ACCEPTED) {
        this.stats.connackRefusals++;
        return this.#drop(new MqttConnackError(p.returnCode));
      }
      return this.#onConnected(p.sessionPresent);
    }
    switch (p.type) {
      case PUBACK:
        return this.#onPuback(p.packetId);
      case PUBLISH:
        return this.#onPublish(p);
      case SUBACK: {
        const topics = this.#subPending.get(p.packetId);
        if (!topics) return this.#protocolError(SUBACK, `packet identifier ${p.packetId} matches no SUBSCRIBE`);
        if (topics.length !== p.returnCodes.length) {
          return this.#protocolError(SUBACK, `${p.returnCodes.length} return codes for ${topics.length} topic filters`);
        }
        this.#subPending.delete(p.packetId);
        for (let i = 0; i < topics.length; i++) {
          const code = p.returnCodes[i]!;
          if (code === SUBACK_FAILURE) {
            this.#host.log("warn", `MQTT: subscription to "${topics[i]}" refused`);
            this.#call(() => this.#o.onError?.(new Error(`MQTT SUBACK: subscription to "${topics[i]}" refused (0x80)`)));
          }
          this.#call(() => this.#o.onSubscribe?.(topics[i]!, code));
        }
        return;
      }
      case UNSUBACK: {
        const topics = this.#unsubPending.get(p.packetId);
        if (!topics) return this.#protocolError(UNSUBACK, `packet identifier ${p.packetId} matches no UNSUBSCRIBE`);
        this.#unsubPending.delete(p.packetId);
        for (const t of topics) if (!this.#subs.has(t)) this.#unsubs.delete(t);
        return;
      }
      case PINGRESP:
        return;
      case CONNACK:
        return this.#protocolError(CONNACK, "received twice on one connection");
      default:
        return this.#protocolError(p.type, `not expected from a server by this QoS 0/1 client`);
    }
  }

  #onConnected(sessionPresent: boolean): void {
    this.#state = "connected";
    this.#connectedAt = this.#now();
    this.stats.connects++;
    this.#clearTimer();
    // Unacknowledged QoS 1 publishes first, with their packet ids, flagged as duplicates.
    for (const rec of this.#inflight) {
      if (rec.touched) setPublishDup(rec.bytes);
      this.#enqueue(rec.bytes, rec);
    }
    if (this.#state !== "connected") return; // a write failed and the connection is gone again
    if (this.#subs.size > 0) {
      const subs: Subscription[] = [];
      this.#subs.forEach((qos, topic) => subs.push({ topic, qos }));
      this.#sendSubscribe(subs);
    }
    if (this.#unsubs.size > 0 && this.#state === "connected") this.#sendUnsubscribe(Array.from(this.#unsubs));
    this.#pump();
    if (this.#state !== "connected") return;
    this.#service();
    if (this.#state === "connected") this.#call(() => this.#o.onConnect?.(sessionPresent));
  }

  #onPuback(id: number): void {
    const list = this.#inflight;
    for (let i = 0; i < list.length; i++) {
      const rec = list[i]!;
      if (rec.packetId !== id) continue;
      list.splice(i, 1);
      if (rec.queued > 0) this.#unqueue(rec);
      this.stats.publishesAcked++;
      this.#complete(rec, undefined);
      if (this.#state === "connected") this.#pump();
      return;
    }
    this.stats.strayAcks++;
  }

  #onPublish(p: PublishPacket): void {
    if (p.qos === 2) return this.#protocolError(PUBLISH, "QoS 2 delivery, but this client subscribes with QoS 0 or 1 only");
    this.stats.messagesReceived++;
    const gen = this.#gen;
    this.#call(() => this.#o.onMessage?.(p.topic, p.payload, { qos: p.qos, retain: p.retain, dup: p.dup }));
    if (p.qos === 1 && gen === this.#gen) {
      writePuback(this.#pubackScratch, p.packetId);
      if (this.#outBytes.length === 0 && this.#writable >= 4 && this.#socket) {
        this.#writeNow(this.#pubackScratch); // the common case: no copy (the socket copies what it is given)
      } else {
        this.#enqueue(this.#pubackScratch.slice(), undefined);
      }
    }
  }

  /** Abandon the current socket and schedule a reconnect. */
  #drop(error: Error): void {
    if (this.#state === "closed" || this.#state === "waiting" || this.#state === "idle") return;
    const wasConnected = this.#state === "connected";
    const now = this.#now();
    if (wasConnected) {
      this.stats.disconnects++;
      if (now - this.#connectedAt >= this.#bStable) this.#backoff = this.#bMin;
    }
    this.#closeSocket();
    // Put QoS 0 publishes not fully written back at the head of the queue, in order.
    const requeue: Outgoing[] = [];
    for (const rec of this.#outRec) if (rec && rec.qos === 0) requeue.push(rec);
    this.#clearOut();
    if (requeue.length > 0) this.#pending.unshift(...requeue);
    for (const rec of this.#inflight) rec.onWire = false;
    this.#subPending.clear();
    this.#unsubPending.clear();
    this.#pingOutstanding = false;
    this.#clearTimer();
    this.#state = "waiting";
    const base = this.#backoff;
    const delay = Math.round(base * (1 - this.#bJitter * this.#host.random()));
    const next = base * this.#bFactor;
    this.#backoff = next < this.#bMax ? next : this.#bMax;
    this.#reconnectAt = now + delay;
    this.#arm(delay);
    this.#host.log("warn", `MQTT: ${error.message}; reconnecting in ${delay} ms`);
    const gen = this.#gen;
    this.#call(() => this.#o.onError?.(error));
    if (wasConnected && gen === this.#gen && this.#state === "waiting") this.#call(() => this.#o.onDisconnect?.(error));
  }

  #closeSocket(): void {
    this.#gen++;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    }
    this.#writable = 0;
  }

  // ---------------------------------------------------------------------------------------------- sending

  #pump(): void {
    const pending = this.#pending;
    while (pending.length > 0 && this.#state === "connected") {
      const rec = pending[0]!;
      if (rec.qos === 1) {
        if (this.#inflight.length >= this.#maxInflight) return;
        rec.packetId = this.#allocateId();
        setPublishPacketId(rec.bytes, rec.packetId);
        this.#inflight.push(rec);
      } else if (this.#outQueuedBytes > this.#maxPacketSize) {
        return; // QoS 0 backpressure: wait for the socket to drain
      }
      pending.shift();
      this.#enqueue(rec.bytes, rec);
    }
  }

  #idInUse(id: number): boolean {
    for (const rec of this.#inflight) if (rec.packetId === id) return true;
    return this.#subPending.has(id) || this.#unsubPending.has(id);
  }

  #allocateId(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id === 0xffff ? 1 : id + 1;
      if (!this.#idInUse(id)) return id;
    }
  }

  #sendSubscribe(subs: Subscription[]): void {
    if (this.#state !== "connected") return;
    const id = this.#allocateId();
    this.#subPending.set(
      id,
      subs.map((s) => s.topic),
    );
    this.#enqueue(encodeSubscribe(id, subs), undefined);
  }

  #sendUnsubscribe(topics: string[]): void {
    if (this.#state !== "connected") return;
    const id = this.#allocateId();
    this.#unsubPending.set(id, topics);
    this.#enqueue(encodeUnsubscribe(id, topics), undefined);
  }

  /** Write a small packet straight to the socket (the caller checked that the queue is empty and it fits). */
  #writeNow(bytes: Uint8Array): void {
    try {
      this.#socket!.write(bytes);
    } catch (e) {
      this.#drop(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.#writable -= bytes.length;
    this.stats.bytesOut += bytes.length;
    this.#lastSent = this.#now();
  }

  #enqueue(bytes: Uint8Array, rec: Outgoing | undefined): void {
    if (!this.#socket) return; // no connection: nothing may linger for the next one
    this.#outBytes.push(bytes);
    this.#outRec.push(rec);
    this.#outQueuedBytes += bytes.length;
    if (rec) {
      rec.queued++;
      rec.onWire = false;
    }
    this.#flush();
  }

  /** Drop queued copies of `rec` that have not started to go out (it was acknowledged meanwhile). */
  #unqueue(rec: Outgoing): void {
    for (let i = this.#outRec.length - 1; i >= 0; i--) {
      if (this.#outRec[i] !== rec) continue;
      if (i === 0 && this.#outOffset > 0) continue; // half written: it has to finish
      this.#outQueuedBytes -= this.#outBytes[i]!.length;
      this.#outBytes.splice(i, 1);
      this.#outRec.splice(i, 1);
      rec.queued--;
    }
  }

  #clearOut(): void {
    for (const rec of this.#outRec) if (rec) rec.queued = 0;
    this.#outBytes.length = 0;
    this.#outRec.length = 0;
    this.#outOffset = 0;
    this.#outQueuedBytes = 0;
  }

  #flush(): void {
    const socket = this.#socket;
    if (!socket || this.#state === "connecting") return;
    const gen = this.#gen;
    while (this.#outBytes.length > 0 && this.#writable > 0) {
      const bytes = this.#outBytes[0]!;
      const rest = bytes.length - this.#outOffset;
      const n = rest <= this.#writable ? rest : this.#writable;
      const rec = this.#outRec[0];
      if (rec) rec.touched = true;
      try {
        socket.write(this.#outOffset === 0 && n === bytes.length ? bytes : bytes.subarray(this.#outOffset, this.#outOffset + n));
      } catch (e) {
        this.#drop(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      this.#writable -= n;
      this.#outQueuedBytes -= n;
      this.stats.bytesOut += n;
      this.#lastSent = this.#now();
      if (n < rest) {
        this.#outOffset += n;
        return;
      }
      this.#outOffset = 0;
      this.#outBytes.shift();
      this.#outRec.shift();
      if (rec) {
        this.#written(rec);
        if (gen !== this.#gen) return;
      }
    }
  }

  #written(rec: Outgoing): void {
    rec.queued--;
    if (rec.sends === 0) this.stats.publishesSent++;
    else this.stats.retransmits++;
    rec.sends++;
    if (rec.qos === 0) {
      this.#complete(rec, undefined);
      return;
    }
    if (rec.queued > 0) return;
    rec.sentAt = this.#lastSent;
    rec.onWire = true;
    if (this.#ackTimeout > 0) this.#arm(this.#ackTimeout);
  }

  #complete(rec: Outgoing, error: Error | undefined): void {
    const done = rec.done;
    if (!done) return;
    rec.done = undefined;
    this.#call(() => done(error, rec.token));
  }

  // ---------------------------------------------------------------------------------------------- time

  /** Make sure the timer fires within `ms`. */
  #arm(ms: number): void {
    const due = this.#now() + (ms > 0 ? ms : 0);
    if (this.#timer !== undefined && this.#timerDue <= due) return;
    this.#clearTimer();
    this.#timerDue = due;
    this.#timer = this.#host.timer.set(this.#onTimer, ms > 0 ? ms : 0);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#host.timer.clear(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Infinity;
  }

  /** Check every deadline of the current state; act on the due ones; re-arm for the next. */
  #service(): void {
    const now = this.#now();
    switch (this.#state) {
      case "connecting":
      case "handshake": {
        const left = this.#connectStart + this.#connectTimeout - now;
        if (left <= 0) {
          this.stats.timeouts++;
          const what = this.#state === "connecting" ? "TCP connection" : "CONNACK";
          this.#drop(new Error(`MQTT: no ${what} within ${this.#connectTimeout} ms`));
          return;
        }
        this.#arm(left);
        return;
      }
      case "waiting": {
        const left = this.#reconnectAt - now;
        if (left <= 0) this.#open();
        else this.#arm(left);
        return;
      }
      case "connected":
        break;
      default:
        return;
    }
    let wait = Infinity;
    if (this.#pingOutstanding) {
      const left = this.#pingSentAt + this.#responseTimeout - now;
      if (left <= 0) {
        this.stats.timeouts++;
        this.#drop(new Error(`MQTT: no PINGRESP within ${this.#responseTimeout} ms`));
        return;
      }
      wait = left;
    } else if (this.#keepAliveMs > 0) {
      const idleSince = this.#lastSent < this.#lastRecv ? this.#lastSent : this.#lastRecv;
      const left = idleSince + this.#keepAliveMs - now;
      if (left <= 0) {
        this.#pingOutstanding = true;
        this.#pingSentAt = now;
        this.stats.pingsSent++;
        const gen = this.#gen;
        this.#enqueue(this.#pingreq, undefined);
        if (gen !== this.#gen) return;
        wait = this.#responseTimeout;
      } else {
        wait = left;
      }
    }
    if (this.#ackTimeout > 0) {
      const gen = this.#gen;
      for (const rec of this.#inflight) {
        if (!rec.onWire) continue;
        let left = rec.sentAt + this.#ackTimeout - now;
        if (left <= 0) {
          setPublishDup(rec.bytes);
          this.#enqueue(rec.bytes, rec);
          if (gen !== this.#gen) return;
          left = this.#ackTimeout;
        }
        if (left < wait) wait = left;
      }
    }
    if (wait !== Infinity) this.#arm(wait);
  }

  // ---------------------------------------------------------------------------------------------- safety

  /** Run client work from a callback: nothing escapes; an unexpected exception drops the connection. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.#host.log("error", `MQTT client fault: ${error.message}`);
      try {
        this.#drop(error);
      } catch {
        // Nothing more to do.
      }
    }
  }

  /** Call user code: its exceptions are logged, never propagated into the client or the socket. */
  #call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.#host.log("error", `MQTT client callback threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

export { MqttProtocolError };
