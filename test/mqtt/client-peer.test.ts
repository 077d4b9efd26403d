/**
 * The device MQTT client against raw `node:net` peers that read its bytes with mqtt-packet and answer exactly what
 * a test needs: garbage, refusals, withheld or duplicated PUBACKs, dropped connections, silence, byte-at-a-time
 * delivery. Real sockets, real time; nothing here compares wall-clock durations (a loaded machine stretches them):
 * the timing itself (back-off windows, ack and ping timeouts) is tested exactly in virtual time in
 * client-virtual.test.ts, and here through what the client asked of its host.
 */
import mqttPacket from "mqtt-packet";
import { afterEach, describe, expect, it } from "vitest";
import { MqttClient, MqttConnackError, MqttProtocolError, type MqttClientOptions } from "../../runtime/mqtt/client.js";
import { createRealtimeHost, type RealtimeHost, type RealtimeHostOptions } from "../helpers/realtime-host.js";
import { deviceClient, RawPeer, sleep, waitFor, type PeerConnection } from "./support.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function peer(onPacket: (c: PeerConnection, p: mqttPacket.Packet) => void): Promise<RawPeer> {
  const p = await RawPeer.start(onPacket);
  cleanups.push(() => p.close());
  return p;
}

function device(
  port: number,
  extra: Partial<MqttClientOptions> = {},
  hostOptions: RealtimeHostOptions = {},
): { client: MqttClient; host: RealtimeHost; errors: Error[] } {
  const host = createRealtimeHost(hostOptions);
  const { client, errors } = deviceClient(host, port, cleanups, { backoff: { min: 30, max: 200, factor: 2, jitter: 0 }, ...extra });
  return { client, host, errors };
}

const CONNACK_OK: mqttPacket.Packet = { cmd: "connack", returnCode: 0, sessionPresent: false };
const acceptAll = (c: PeerConnection, p: mqttPacket.Packet): void => {
  if (p.cmd === "connect") c.send(CONNACK_OK);
};
const publishes = (peerOrConn: RawPeer | PeerConnection): mqttPacket.IPublishPacket[] =>
  ("all" in peerOrConn ? peerOrConn.all("publish") : peerOrConn.packets.filter((p) => p.cmd === "publish")) as mqttPacket.IPublishPacket[];
const text = (p: mqttPacket.IPublishPacket): string => Buffer.from(p.payload as Buffer).toString();

describe("MQTT client against a misbehaving or scripted peer", () => {
  it("drops the connection on garbage after CONNECT, reports an MqttProtocolError and reconnects, without throwing", async () => {
    const server = await peer((c, p) => {
      if (p.cmd === "connect") c.sendRaw([0xde, 0xad, 0xbe, 0xef]);
    });
    const { client, host, errors } = device(server.port);
    client.start();
    await waitFor(() => errors.length >= 3, 3000, "three protocol errors");
    expect(errors[0]).toBeInstanceOf(MqttProtocolError);
    expect(errors[0]!.message).toBe("MQTT PINGRESP: reserved fixed header flags are 0xe, must be 0x0");
    expect(server.connections.length).toBeGreaterThanOrEqual(3);
    expect(client.stats.protocolErrors).toBeGreaterThanOrEqual(3);
    expect(client.stats.connects).toBe(0);
    expect(host.faults).toEqual([]);
    expect(host.logs.some((l) => l.level === "warn" && l.message.includes("reconnecting in"))).toBe(true);
  });

  it("drops a session on a malformed PUBLISH mid-session and re-sends its unacknowledged publish after reconnect", async () => {
    let conns = 0;
    const server = await peer((c, p) => {
      if (p.cmd === "connect") {
        conns++;
        c.send(CONNACK_OK);
        // First session: a PUBLISH whose topic length runs past the packet.
        if (conns === 1) setTimeout(() => c.sendRaw([0x30, 0x05, 0x00, 0x0a, 0x61, 0x62, 0x63]), 30);
      }
      if (p.cmd === "publish" && conns === 2) c.send({ cmd: "puback", messageId: p.messageId! });
    });
    const done: [Error | undefined, number][] = [];
    const { client, host, errors } = device(server.port, { ackTimeout: 0 });
    client.start();
    client.publish("up", "frame-1", { qos: 1, done: (e, t) => done.push([e, t]) });
    await waitFor(() => done.length === 1, 3000, "the PUBACK on the second connection");
    expect(errors.map((e) => e.message)).toEqual(["MQTT PUBLISH: truncated topic (length 10, 3 bytes left)"]);
    expect(done).toEqual([[undefined, 1]]);
    const [first, again] = publishes(server);
    expect([first!.dup, again!.dup, again!.messageId, text(again!)]).toEqual([false, true, first!.messageId, "frame-1"]);
    expect(client.stats).toMatchObject({ connects: 2, disconnects: 1, protocolErrors: 1, publishesSent: 1, retransmits: 1, publishesAcked: 1 });
    expect(host.faults).toEqual([]);
  });

  it("reports a refused CONNACK by name and backs off min·factor^n up to max", async () => {
    let accepted = 0;
    const server = await peer((c, p) => {
      if (p.cmd === "connect") c.send({ cmd: "connack", returnCode: 5, sessionPresent: false });
    });
    server.server.on("connection", () => accepted++);
    const { client, errors, host } = device(server.port, { backoff: { min: 40, max: 160, factor: 2, jitter: 0 } });
    client.start();
    await waitFor(() => accepted >= 6, 3000, "six attempts");
    client.close();
    expect(errors[0]).toBeInstanceOf(MqttConnackError);
    expect(errors[0]!.message).toBe("MQTT CONNACK: connection refused, return code 5 (not authorized)");
    expect((errors[0] as MqttConnackError).returnCode).toBe(5);
    expect(client.stats.connackRefusals).toBeGreaterThanOrEqual(5);
    expect(client.stats.connects).toBe(0);
    // The waits it chose, in order (that it keeps them is timed exactly in client-virtual.test.ts).
    const waits = host.logs.map((l) => /reconnecting in (\d+) ms$/.exec(l.message)?.[1]).filter((d) => d !== undefined).map(Number);
    expect(waits.slice(0, 5)).toEqual([40, 80, 160, 160, 160]);
  });

  it("keeps at most maxInflight QoS 1 publishes open and reports exactly the acknowledged ones", async () => {
    let autoAck = false;
    const server = await peer((c, p) => {
      if (p.cmd === "connect") c.send(CONNACK_OK);
      if (p.cmd === "publish" && autoAck) c.send({ cmd: "puback", messageId: p.messageId! });
    });
    const { client, errors } = device(server.port, { maxInflight: 4, ackTimeout: 0 });
    const done: number[] = [];
    client.start();
    for (let t = 1; t <= 12; t++) client.publish("up", `p${t}`, { qos: 1, done: (e, tok) => (e ? errors.push(e) : done.push(tok)) });
    await waitFor(() => publishes(server).length === 4, 3000, "four publishes");
    await sleep(100);
    const first = publishes(server);
    expect(first.map(text)).toEqual(["p1", "p2", "p3", "p4"]);
    expect(new Set(first.map((p) => p.messageId)).size).toBe(4);
    expect(client.inflight).toBe(4);
    expect(client.queued).toBe(8);
    expect(done).toEqual([]);

    const conn = server.connections[0]!;
    conn.send({ cmd: "puback", messageId: first[1]!.messageId! }); // ack p2 only
    await waitFor(() => publishes(server).length === 5, 2000, "the fifth publish to enter the window");
    expect(done).toEqual([2]);
    expect(text(publishes(server)[4]!)).toBe("p5");

    conn.send({ cmd: "puback", messageId: 999 }); // an id never used
    conn.send({ cmd: "puback", messageId: first[1]!.messageId! }); // a duplicate
    await sleep(60);
    expect(done).toEqual([2]);
    expect(client.stats.strayAcks).toBe(2);

    autoAck = true;
    for (const p of publishes(server)) if (p.messageId !== first[1]!.messageId) conn.send({ cmd: "puback", messageId: p.messageId! });
    await waitFor(() => done.length === 12, 3000, "all acknowledged");
    expect([...done].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Every token reported done was acknowledged for the PUBLISH that carried its payload.
    const all = publishes(server);
    expect(all.map(text)).toEqual(Array.from({ length: 12 }, (_, i) => `p${i + 1}`));
    expect(errors).toEqual([]);
    expect(client.stats).toMatchObject({ publishesSent: 12, publishesAcked: 12, retransmits: 0 });
  });

  it("re-sends an unacknowledged publish with DUP=1 and the same packet id after ackTimeout", async () => {
    const server = await peer(acceptAll);
    const { client } = device(server.port, { ackTimeout: 150 });
    const done: number[] = [];
    client.start();
    client.publish("up", "slow", { qos: 1, done: (e, t) => !e && done.push(t) });
    await waitFor(() => publishes(server).length === 2, 2000, "a retransmission");
    const [a, b] = publishes(server);
    expect([a!.dup, b!.dup]).toEqual([false, true]);
    expect(b!.messageId).toBe(a!.messageId);
    expect(text(b!)).toBe("slow");
    expect(client.stats.retransmits).toBe(1);
    const conn = server.connections[0]!;
    conn.send({ cmd: "puback", messageId: a!.messageId! }); // ack of the first copy
    await waitFor(() => done.length === 1, 2000, "done");
    // A new publish must not take over the id whose second PUBACK (for the DUP copy) may still be on its way.
    client.publish("up", "next", { qos: 1, done: (e, t) => !e && done.push(t) });
    await waitFor(() => publishes(server).length === 3, 2000, "the next publish");
    const next = publishes(server)[2]!;
    expect(next.messageId).not.toBe(a!.messageId);
    conn.send({ cmd: "puback", messageId: a!.messageId! }); // the broker's ack of the DUP copy, late
    await sleep(50);
    expect(done).toEqual([1]);
    expect(client.stats.strayAcks).toBe(1);
    conn.send({ cmd: "puback", messageId: next.messageId! });
    await waitFor(() => done.length === 2, 2000, "the next one acknowledged");
    expect(done).toEqual([1, 2]);
    expect(client.stats).toMatchObject({ retransmits: 1, publishesAcked: 2, strayAcks: 1 });
  });

  it("after a reconnect re-sends every unacknowledged publish (DUP=1, same ids) first, then re-subscribes, then the queue", async () => {
    let conns = 0;
    const server = await peer((c, p) => {
      if (p.cmd === "connect") {
        conns++;
        c.send(CONNACK_OK);
      }
      if (p.cmd === "subscribe") c.send({ cmd: "suback", messageId: p.messageId!, granted: p.subscriptions.map((s) => s.qos) });
      if (p.cmd === "publish" && conns === 2) c.send({ cmd: "puback", messageId: p.messageId! });
    });
    const granted: string[] = [];
    const { client, host } = device(server.port, { ackTimeout: 0, onSubscribe: (t, q) => granted.push(`${t}:${q}`) });
    const done: number[] = [];
    client.subscribe("ganzhi/ws-0001/cmd/#");
    client.start();
    for (let i = 1; i <= 3; i++) client.publish("up", `u${i}`, { qos: 1, done: (e, t) => !e && done.push(t) });
    await waitFor(() => publishes(server).length === 3 && granted.length === 1, 2000, "three publishes and a SUBACK");
    server.connections[0]!.socket.destroy(); // the broker side goes away without acking
    await waitFor(() => client.state === "waiting", 2000, "the drop");
    client.publish("up", "u4", { qos: 1, done: (e, t) => !e && done.push(t) });
    await waitFor(() => done.length === 4, 3000, "all four acknowledged on the second connection");
    const first = server.connections[0]!.packets;
    const second = server.connections[1]!.packets;
    expect(second.map((p) => p.cmd)).toEqual(["connect", "publish", "publish", "publish", "subscribe", "publish"]);
    const resent = publishes(server.connections[1]!);
    const original = publishes(server.connections[0]!);
    expect(resent.slice(0, 3).map((p) => [p.messageId, p.dup, text(p)])).toEqual(original.map((p) => [p.messageId, true, text(p)]));
    expect([resent[3]!.dup, text(resent[3]!)]).toEqual([false, "u4"]);
    expect((second[4] as mqttPacket.ISubscribePacket).subscriptions).toEqual([{ topic: "ganzhi/ws-0001/cmd/#", qos: 1 }]);
    expect(first.filter((p) => p.cmd === "subscribe")).toHaveLength(1);
    expect(done.sort()).toEqual([1, 2, 3, 4]);
    expect(granted).toEqual(["ganzhi/ws-0001/cmd/#:1", "ganzhi/ws-0001/cmd/#:1"]);
    expect(client.stats).toMatchObject({ connects: 2, disconnects: 1, publishesSent: 4, retransmits: 3, publishesAcked: 4 });
    expect(host.faults).toEqual([]);
  });

  it("unsubscribes, reports a refused subscription (0x80), and re-subscribes only what is still wanted", async () => {
    let conns = 0;
    const server = await peer((c, p) => {
      if (p.cmd === "connect") {
        conns++;
        c.send(CONNACK_OK);
      }
      if (p.cmd === "subscribe") {
        c.send({ cmd: "suback", messageId: p.messageId!, granted: p.subscriptions.map((s) => (s.topic.startsWith("forbidden") ? 0x80 : s.qos)) });
      }
      if (p.cmd === "unsubscribe") c.send({ cmd: "unsuback", messageId: p.messageId! } as mqttPacket.IUnsubackPacket);
    });
    const granted: string[] = [];
    const { client, errors } = device(server.port, { onSubscribe: (t, q) => granted.push(`${t}:${q}`) });
    client.subscribe("a/#", 1);
    client.subscribe("forbidden/x", 0);
    client.subscribe("b/+", 0);
    client.start();
    await waitFor(() => granted.length === 3, 2000, "SUBACK");
    expect(granted).toEqual(["a/#:1", "forbidden/x:128", "b/+:0"]);
    expect(errors.map((e) => e.message)).toEqual(['MQTT SUBACK: subscription to "forbidden/x" refused (0x80)']);
    client.unsubscribe("a/#");
    await waitFor(() => server.all("unsubscribe").length === 1, 2000, "UNSUBSCRIBE");
    expect((server.all("unsubscribe")[0] as mqttPacket.IUnsubscribePacket).unsubscriptions).toEqual(["a/#"]);
    await sleep(30);
    server.connections[0]!.socket.destroy();
    await waitFor(() => conns === 2 && server.all("subscribe").length === 2, 2000, "re-subscribe");
    const again = server.all("subscribe")[1] as mqttPacket.ISubscribePacket;
    expect(again.subscriptions).toEqual([
      { topic: "forbidden/x", qos: 0 },
      { topic: "b/+", qos: 0 },
    ]);
    expect(() => client.subscribe("a/#/b")).toThrow("MQTT SUBSCRIBE: topic filter \"a/#/b\": '#' must be the last level on its own");
  });

  it("sends PINGREQ after keep-alive idle time and drops the connection when nothing answers", async () => {
    const server = await peer(acceptAll); // never answers PINGREQ
    const { client, errors } = device(server.port, { keepAlive: 1, responseTimeout: 200 });
    client.start();
    await waitFor(() => errors.length === 1, 3000, "the ping timeout");
    expect(errors[0]!.message).toBe("MQTT: no PINGRESP within 200 ms");
    expect(server.all("pingreq")).toHaveLength(1);
    expect(client.stats).toMatchObject({ pingsSent: 1, timeouts: 1, disconnects: 1 });
    await waitFor(() => server.connections.length === 2, 2000, "a reconnect");
  });

  it("gives up on a peer that never sends CONNACK after connectTimeout", async () => {
    const server = await peer(() => {});
    const { client, errors } = device(server.port, { connectTimeout: 150 });
    client.start();
    await waitFor(() => errors.length === 1, 2000, "the connect timeout");
    expect(errors[0]!.message).toBe("MQTT: no CONNACK within 150 ms");
    expect(server.all("connect")).toHaveLength(1);
    expect(client.stats.timeouts).toBe(1);
  });

  it("decodes a peer that writes one byte at a time, while itself writing through a 5-byte send buffer", async () => {
    // Every packet the peer sends goes out one byte per event-loop turn, packets strictly one after another.
    let chain: Promise<void> = Promise.resolve();
    const dribble = (c: PeerConnection, p: mqttPacket.Packet): void => {
      const bytes = mqttPacket.generate(p);
      chain = chain.then(async () => {
        c.socket.setNoDelay(true);
        for (const b of bytes) {
          c.sendRaw([b]);
          await new Promise((r) => setImmediate(r));
        }
      });
    };
    const downlink = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 13) & 0xff));
    const server = await peer((c, p) => {
      if (p.cmd === "connect") dribble(c, CONNACK_OK);
      if (p.cmd === "subscribe") {
        dribble(c, { cmd: "suback", messageId: p.messageId!, granted: [1] });
        dribble(c, { cmd: "publish", topic: "cmd/x", payload: downlink, qos: 1, messageId: 77, dup: false, retain: false });
      }
      if (p.cmd === "publish") dribble(c, { cmd: "puback", messageId: p.messageId! });
    });
    const got: Buffer[] = [];
    const done: number[] = [];
    const { client, host, errors } = device(server.port, { onMessage: (_t, payload) => got.push(Buffer.from(payload)) }, { sendBuffer: 5 });
    client.subscribe("cmd/#");
    client.start();
    const big = (i: number): Buffer => Buffer.alloc(200, i);
    for (let i = 1; i <= 3; i++) client.publish("up/big", big(i), { qos: 1, done: (e, t) => !e && done.push(t) });
    await waitFor(() => got.length === 1 && done.length === 3 && server.all("puback").length === 1, 5000, "downlink, uplink and acks");
    expect(got[0]!.equals(downlink)).toBe(true);
    expect(server.all("puback")).toMatchObject([{ messageId: 77 }]);
    expect(publishes(server).map((p) => Buffer.from(p.payload as Buffer).equals(big(publishes(server).indexOf(p) + 1)))).toEqual([true, true, true]);
    expect(server.parseErrors).toEqual([]);
    expect(errors).toEqual([]);
    expect(client.stats).toMatchObject({ connects: 1, publishesAcked: 3, retransmits: 0, messagesReceived: 1 });
    expect(host.faults).toEqual([]);
  });

  it("keeps going when application callbacks throw, and still acknowledges the message", async () => {
    const server = await peer((c, p) => {
      if (p.cmd === "connect") {
        c.send(CONNACK_OK);
        c.send({ cmd: "publish", topic: "cmd/a", payload: Buffer.from("x"), qos: 1, messageId: 5, dup: false, retain: false });
      }
    });
    const { client, host } = device(server.port, {
      onMessage: () => {
        throw new Error("app bug");
      },
      onConnect: () => {
        throw new Error("another app bug");
      },
    });
    client.start();
    await waitFor(() => server.all("puback").length === 1, 2000, "the PUBACK");
    expect(server.all("puback")).toMatchObject([{ messageId: 5 }]);
    expect(client.state).toBe("connected");
    expect(host.logs.filter((l) => l.message.includes("callback threw")).map((l) => l.message)).toEqual([
      "MQTT client callback threw: another app bug",
      "MQTT client callback threw: app bug",
    ]);
    expect(host.faults).toEqual([]);
  });

  it("close() sends DISCONNECT and fails what is not acknowledged; nothing is reported acknowledged", async () => {
    const server = await peer(acceptAll);
    const { client } = device(server.port);
    const results: [string, number][] = [];
    client.start();
    for (let i = 0; i < 3; i++) client.publish("up", `c${i}`, { qos: 1, done: (e, t) => results.push([e ? e.message : "ok", t]) });
    await waitFor(() => publishes(server).length === 3, 2000, "three publishes");
    client.close();
    await waitFor(() => server.all("disconnect").length === 1, 2000, "DISCONNECT");
    expect(results).toEqual([1, 2, 3].map((t) => ["MQTT client closed before the publish was acknowledged", t]));
    expect(() => client.publish("up", "late")).toThrow("MQTT client is closed");
    expect(client.state).toBe("closed");
  });
});
