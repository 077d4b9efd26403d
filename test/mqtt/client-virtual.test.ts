/**
 * The device MQTT client on the simulator's virtual time (discrete-event engine, host timers and clock), with a
 * scripted ECMA-419 TCP peer that reads the client's bytes with mqtt-packet. Exact timing checks: the backoff
 * schedule against its documented formula, the stable-session reset, keep-alive spacing and the ping deadline.
 */
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import type { ByteBuffer, TCP, TCPOptions } from "../../hal/io.js";
import { MqttClient, type MqttClientOptions } from "../../runtime/mqtt/client.js";
import { Engine, MS } from "../../simulator/core/engine.js";
import { EngineClock, EngineTimers } from "../../simulator/core/timers.js";
import { mulberry32 } from "../helpers/random.js";
import { WorkQueue } from "../../runtime/work-queue.js";


interface Session {
  opened: number;
  packets: mqttPacket.Packet[];
  /** Virtual ms at which each packet was written by the client. */
  at: number[];
}

/** What the scripted broker does; times in ms of virtual time. */
interface Script {
  /** Refuse the TCP connection (onError after 2 ms). */
  refuse?: (attempt: number) => boolean;
  /** Answer PINGREQ? */
  pong?: (now: number) => boolean;
  /** Kill the n-th session (0-based) after this many ms. */
  lifetime?: (n: number) => number | undefined;
  /** Answer a QoS 1 PUBLISH with PUBACK? */
  ack?: (now: number, p: mqttPacket.IPublishPacket) => boolean;
}

class ScriptedSocket implements TCP {
  readonly remoteAddress = "10.0.0.1";
  readonly remotePort = 1883;
  #inbox: Uint8Array[] = [];
  #closed = false;
  readonly #o: TCPOptions;
  readonly #world: World;
  readonly #parser = mqttPacket.parser({ protocolVersion: 4 });
  readonly session: Session;

  constructor(o: TCPOptions, world: World) {
    this.#o = o;
    this.#world = world;
    const attempt = world.attempts.push(world.now()) - 1;
    this.session = { opened: world.now(), packets: [], at: [] };
    if (world.script.refuse?.(attempt)) {
      world.after(2, () => this.#fail("ECONNREFUSED"));
      return;
    }
    world.sessions.push(this.session);
    const n = world.sessions.length - 1;
    this.#parser.on("packet", (p) => this.#onPacket(p));
    world.after(2, () => !this.#closed && o.onWritable?.call(this, 1460));
    const life = world.script.lifetime?.(n);
    if (life !== undefined) world.after(life, () => this.#fail("ECONNRESET"));
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.onError?.call(this, new Error(reason));
  }

  #send(p: mqttPacket.Packet): void {
    this.#world.after(5, () => {
      if (this.#closed) return;
      this.#inbox.push(new Uint8Array(mqttPacket.generate(p)));
      this.#o.onReadable?.call(this, 1);
    });
  }

  #onPacket(p: mqttPacket.Packet): void {
    const now = this.#world.now();
    this.session.packets.push(p);
    this.session.at.push(now);
    if (p.cmd === "connect") this.#send({ cmd: "connack", returnCode: 0, sessionPresent: false });
    if (p.cmd === "pingreq" && (this.#world.script.pong?.(now) ?? true)) this.#send({ cmd: "pingresp" });
    if (p.cmd === "publish" && p.qos === 1 && (this.#world.script.ack?.(now, p) ?? true)) this.#send({ cmd: "puback", messageId: p.messageId! });
  }

  read(): ArrayBuffer | undefined {
    const b = this.#inbox.shift();
    return b?.buffer as ArrayBuffer | undefined;
  }

  write(buffer: ByteBuffer): void {
    if (this.#closed) throw new Error("write after close");
    const b = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer as ArrayBuffer);
    this.#parser.parse(Buffer.from(b));
    // Stay writable: report the room again on the next turn, as lwIP does after an ack.
    this.#world.after(1, () => !this.#closed && this.#o.onWritable?.call(this, 1460));
  }

  close(): void {
    this.#closed = true;
  }
}

class World {
  readonly engine = new Engine();
  readonly timers = new EngineTimers(this.engine);
  readonly clock = new EngineClock(this.engine, 1_764_000_000_000);
  readonly attempts: number[] = [];
  readonly sessions: Session[] = [];
  readonly randoms: number[] = [];
  readonly logs: string[] = [];
  readonly script: Script;
  readonly #rand: () => number;

  constructor(script: Script, seed = 42) {
    this.script = script;
    this.#rand = mulberry32(seed);
  }

  now(): number {
    return this.clock.ticks();
  }

  after(ms: number, fn: () => void): void {
    this.engine.after(ms * MS, fn);
  }

  client(options: Partial<MqttClientOptions>): MqttClient {
    const world = this;
    const TCPClass = function (this: unknown, o: TCPOptions) {
      return new ScriptedSocket(o, world);
    } as unknown as MqttClientOptions["host"]["io"]["TCP"];
    return new MqttClient({
      host: {
        io: { TCP: TCPClass },
        timer: this.timers,
        clock: this.clock,
        random: () => {
          const r = this.#rand();
          this.randoms.push(r);
          return r;
        },
        log: (_level, message) => this.logs.push(message),
      },
      address: "10.0.0.1",
      clientId: "ws-0001",
      ...options,
    });
  }

  run(ms: number): void {
    this.engine.runUntil(this.engine.now + ms * MS);
  }
}

describe("MQTT client in virtual time", () => {
  it("spaces reconnect attempts by round(min(max, min·factor^n) · (1 − jitter·random()))", () => {
    const world = new World({ refuse: () => true }, 2025);
    const client = world.client({ backoff: { min: 1000, max: 30_000, factor: 2, jitter: 0.5 } });
    client.start();
    world.run(10 * 60_000);
    const expected = [0];
    const check = mulberry32(2025); // the same sequence the host handed the client
    for (let n = 0; expected.length < world.attempts.length; n++) {
      const base = Math.min(30_000, 1000 * Math.pow(2, n));
      const delay = Math.round(base * (1 - 0.5 * check()));
      expected.push(expected[expected.length - 1]! + 2 + delay); // refused 2 ms after each attempt
    }
    expect(world.attempts.length).toBeGreaterThan(20);
    expect(world.attempts).toEqual(expected);
    // Every delay lies in [base/2, base]; after five doublings it sits at the cap.
    const gaps = world.attempts.slice(1).map((t, i) => t - world.attempts[i]! - 2);
    expect(gaps.slice(6).every((g) => g >= 15_000 && g <= 30_000)).toBe(true);
    expect(client.stats.connectAttempts).toBe(world.attempts.length);
    expect(world.timers.active).toBeLessThanOrEqual(1);
    client.close();
    expect(world.timers.active).toBe(0);
  });

  it("resets the backoff after a session that lasted `stable` ms, and only then", () => {
    const lives = [100, 100, 6000, 100, 100];
    const world = new World({ lifetime: (n) => lives[n] ?? 1_000_000 });
    const client = world.client({ backoff: { min: 1000, max: 60_000, factor: 2, jitter: 0, stable: 5000 }, keepAlive: 0 });
    client.start();
    world.run(60_000);
    // Session k opens, lives lives[k] (from its open), then the client waits: 1000, 2000, reset→1000, 2000, 4000.
    const opened = world.sessions.map((s) => s.opened);
    const waits = opened.slice(1).map((t, i) => t - opened[i]! - lives[i]!);
    expect(waits).toEqual([1000, 2000, 1000, 2000, 4000]);
    expect(client.stats).toMatchObject({ connects: 6, disconnects: 5 });
    client.close();
  });

  it("pings every keep-alive period on an idle link and drops exactly responseTimeout after an unanswered PINGREQ", () => {
    const world = new World({ pong: (now) => now < 300_000 });
    const errors: string[] = [];
    const client = world.client({
      keepAlive: 60,
      responseTimeout: 5000,
      backoff: { min: 1000, jitter: 0 },
      onError: (e) => errors.push(`${world.now()}: ${e.message}`),
    });
    client.start();
    let maxTimers = 0;
    for (let t = 0; t < 330; t++) {
      world.run(1000);
      maxTimers = Math.max(maxTimers, world.timers.active);
    }
    const s0 = world.sessions[0]!;
    // TCP up and CONNECT written at 2 ms, CONNACK in at 7 ms; then a PINGREQ 60 s after the last packet written,
    // answered 5 ms later, until the peer goes quiet at 300 s.
    expect(s0.packets.map((p) => p.cmd)).toEqual(["connect", "pingreq", "pingreq", "pingreq", "pingreq", "pingreq"]);
    expect(s0.at).toEqual([2, 60_002, 120_002, 180_002, 240_002, 300_002]);
    expect(errors).toEqual(["305002: MQTT: no PINGRESP within 5000 ms"]);
    expect(world.sessions[1]!.opened).toBe(306_002); // the session was stable: backoff back at min, no jitter
    expect(client.stats).toMatchObject({ pingsSent: 5, timeouts: 1, disconnects: 1, connects: 2 });
    expect(maxTimers).toBe(1);
    client.close();
  });

  it("retransmits with DUP=1 exactly ackTimeout after the write and completes on the PUBACK", () => {
    const world = new World({ ack: (now) => now >= 3000 });
    const done: [number, number][] = [];
    const client = world.client({ ackTimeout: 3000, keepAlive: 60 });
    client.start();
    world.run(10);
    client.publish("up", "a", { qos: 1, done: (e, t) => !e && done.push([t, world.now()]) });
    world.run(10_000);
    const s0 = world.sessions[0]!;
    const pubs = s0.packets.map((p, i) => [p, s0.at[i]] as const).filter(([p]) => p.cmd === "publish");
    expect(pubs.map(([p, at]) => [at, (p as mqttPacket.IPublishPacket).dup, (p as mqttPacket.IPublishPacket).messageId])).toEqual([
      [10, false, 1],
      [3010, true, 1],
    ]);
    expect(done).toEqual([[1, 3015]]);
    expect(client.stats).toMatchObject({ publishesSent: 1, retransmits: 1, publishesAcked: 1 });
    client.close();
  });

  it("with a work queue, writes a publish in a piece of work after the one that encoded it; the bytes are the same", () => {
    const publishes = (withWork: boolean) => {
      const world = new World({});
      const work = new WorkQueue(world.timers);
      const client = world.client({ keepAlive: 0, ...(withWork ? { work } : {}) });
      client.prepareTopic("kunming/bridge/s1/senml");
      client.start();
      world.run(100);
      const before = world.sessions[0]!.packets.length;
      client.publish("kunming/bridge/s1/senml", new Uint8Array([1, 2, 3]), { qos: 1 });
      client.publish("kunming/bridge/s1/event", new Uint8Array([4]), { qos: 1 });
      // The socket write (the scripted broker parses it at once) is not inside publish() with a work queue.
      const inside = world.sessions[0]!.packets.length - before;
      expect(work.pending).toBe(withWork ? 1 : 0);
      world.run(100);
      const sent = world.sessions[0]!.packets.slice(before) as mqttPacket.IPublishPacket[];
      client.close();
      return { inside, sent: sent.map((p) => [p.topic, p.messageId, [...(p.payload as Buffer)]]) };
    };
    const inline = publishes(false);
    const pieces = publishes(true);
    expect(inline.inside).toBe(2);
    expect(pieces.inside).toBe(0);
    expect(pieces.sent).toEqual(inline.sent);
    expect(pieces.sent.map((p) => p[0])).toEqual(["kunming/bridge/s1/senml", "kunming/bridge/s1/event"]);
  });

  it("refuses a topic no PUBLISH may carry when it is prepared, naming it", () => {
    const client = new World({}).client({});
    expect(() => client.prepareTopic("kunming/+/senml")).toThrow(/kunming\/\+\/senml.*wildcard/);
    expect(() => client.prepareTopic("")).toThrow(/empty/);
  });
});
