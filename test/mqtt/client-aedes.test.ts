/**
 * The device MQTT client against a real broker (aedes 1.2.0 on node:net), observed by an independent MQTT.js
 * 5.16 client: QoS 1 uplink delivery with exact payload bytes, downlink subscriptions, last will, keep-alive and a
 * broker restart mid-run.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MqttClient, type MqttClientOptions } from "../../runtime/mqtt/client.js";
import { createRealtimeHost, type RealtimeHost } from "../helpers/realtime-host.js";
import { AedesBroker, observer, sleep, waitFor, deviceClient } from "./support.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function payloadFor(i: number): Uint8Array {
  // Binary payloads with every byte value somewhere, lengths 0…~1 KB, a token number in the first 2 bytes.
  const n = i === 0 ? 2 : 2 + ((i * 131) % 1000);
  const b = new Uint8Array(n);
  b[0] = i >> 8;
  b[1] = i & 0xff;
  for (let k = 2; k < n; k++) b[k] = (k * 7 + i) & 0xff;
  return b;
}

function device(host: RealtimeHost, port: number, extra: Partial<MqttClientOptions> = {}): { client: MqttClient; errors: Error[] } {
  return deviceClient(host, port, cleanups, extra);
}

describe("MQTT client against aedes", () => {
  it("delivers QoS 1 publishes with exact payload bytes, each acknowledged once", async () => {
    const broker = await AedesBroker.start();
    cleanups.push(() => broker.close());
    const obs = await observer(broker.port, ["ganzhi/ws-0001/up"]);
    cleanups.push(() => obs.client.endAsync(true));
    const host = createRealtimeHost({ seed: 1 });
    const { client, errors } = device(host, broker.port, { maxInflight: 8 });
    const acked: number[] = [];
    let maxInflight = 0;
    client.start();
    const N = 60;
    const tokens: number[] = [];
    for (let i = 0; i < N; i++) {
      tokens.push(
        client.publish("ganzhi/ws-0001/up", payloadFor(i), {
          qos: 1,
          done: (err, token) => {
            expect(err).toBeUndefined();
            acked.push(token);
          },
        }),
      );
      maxInflight = Math.max(maxInflight, client.inflight);
    }
    const probe = setInterval(() => (maxInflight = Math.max(maxInflight, client.inflight)), 1);
    cleanups.push(() => clearInterval(probe));
    await waitFor(() => acked.length === N, 5000, "all PUBACKs");
    await waitFor(() => obs.received.length >= N, 5000, "MQTT.js to receive every message");
    expect(tokens).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect([...acked].sort((a, b) => a - b)).toEqual(tokens);
    expect(obs.received.map((r) => r.payload.toString("hex"))).toEqual(
      Array.from({ length: N }, (_, i) => Buffer.from(payloadFor(i)).toString("hex")),
    );
    expect(obs.received.every((r) => r.topic === "ganzhi/ws-0001/up")).toBe(true);
    expect(maxInflight).toBeLessThanOrEqual(8);
    expect(client.stats).toMatchObject({ connects: 1, publishesSent: N, publishesAcked: N, retransmits: 0, protocolErrors: 0, strayAcks: 0 });
    const payloadBytes = Array.from({ length: N }, (_, i) => payloadFor(i).length).reduce((a, b) => a + b, 0);
    expect(client.stats.bytesOut).toBeGreaterThan(payloadBytes);
    expect(client.stats.bytesIn).toBe(4 + 4 * N); // CONNACK + one PUBACK per publish
    expect(errors).toEqual([]);
    expect(host.faults).toEqual([]);
  });

  it("QoS 0 publishes arrive too and complete when written", async () => {
    const broker = await AedesBroker.start();
    cleanups.push(() => broker.close());
    const obs = await observer(broker.port, ["ganzhi/ws-0001/q0"]);
    cleanups.push(() => obs.client.endAsync(true));
    const host = createRealtimeHost();
    const { client } = device(host, broker.port);
    const done: number[] = [];
    client.start();
    for (let i = 0; i < 10; i++) client.publish("ganzhi/ws-0001/q0", `m${i} °C`, { done: (e, t) => !e && done.push(t) });
    await waitFor(() => obs.received.length === 10, 3000, "10 QoS 0 messages");
    expect(obs.received.map((r) => r.payload.toString("utf8"))).toEqual(Array.from({ length: 10 }, (_, i) => `m${i} °C`));
    expect(obs.received.every((r) => r.qos === 0)).toBe(true);
    expect(done).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(client.stats.publishesAcked).toBe(0);
  });

  it("receives downlink messages on its subscription and acknowledges QoS 1 ones", async () => {
    const broker = await AedesBroker.start();
    cleanups.push(() => broker.close());
    // aedes reports the original packet with its 'ack' event for persistent sessions, hence clean: false here.
    const acksFromDevice: string[] = [];
    broker.aedes.on("ack", (packet, c) => {
      if (c?.id === "ws-0001" && packet && packet.cmd === "publish") acksFromDevice.push(packet.topic);
    });
    const host = createRealtimeHost();
    const got: { topic: string; payload: string; qos: number }[] = [];
    const granted: [string, number][] = [];
    const { client, errors } = device(host, broker.port, {
      onMessage: (topic, payload, info) => got.push({ topic, payload: Buffer.from(payload).toString("hex"), qos: info.qos }),
      onSubscribe: (topic, code) => granted.push([topic, code]),
      clean: false,
    });
    client.subscribe("ganzhi/ws-0001/cmd/#", 1);
    client.subscribe("ganzhi/all/time", 0);
    client.start();
    await waitFor(() => granted.length === 2, 3000, "two SUBACKs");
    expect(granted).toEqual([
      ["ganzhi/ws-0001/cmd/#", 1],
      ["ganzhi/all/time", 0],
    ]);
    const sender = await observer(broker.port, []);
    cleanups.push(() => sender.client.endAsync(true));
    await sender.client.publishAsync("ganzhi/ws-0001/cmd/interval", Buffer.from([0x00, 0x3c, 0xff]), { qos: 1 });
    await sender.client.publishAsync("ganzhi/all/time", Buffer.from("1764160000"), { qos: 1 });
    await sender.client.publishAsync("ganzhi/ws-0002/cmd/interval", Buffer.from("not mine"), { qos: 1 });
    await waitFor(() => got.length === 2 && acksFromDevice.length === 1, 3000, "two deliveries and the device's PUBACK");
    expect(got).toEqual([
      { topic: "ganzhi/ws-0001/cmd/interval", payload: "003cff", qos: 1 },
      { topic: "ganzhi/all/time", payload: Buffer.from("1764160000").toString("hex"), qos: 0 },
    ]);
    await sleep(50);
    expect(got).toHaveLength(2);
    expect(acksFromDevice).toEqual(["ganzhi/ws-0001/cmd/interval"]);
    expect(client.stats.messagesReceived).toBe(2);
    expect(errors).toEqual([]);
    expect(host.faults).toEqual([]);
  });

  it("last will is published when the socket dies, not on a clean close", async () => {
    const broker = await AedesBroker.start();
    cleanups.push(() => broker.close());
    const obs = await observer(broker.port, ["ganzhi/ws-0001/status"]);
    cleanups.push(() => obs.client.endAsync(true));
    const host = createRealtimeHost();
    let connects = 0;
    const disconnects: Error[] = [];
    const { client, errors } = device(host, broker.port, {
      will: { topic: "ganzhi/ws-0001/status", payload: "offline", qos: 1, retain: false },
      onConnect: () => connects++,
      onDisconnect: (e) => disconnects.push(e),
    });
    client.start();
    await waitFor(() => connects === 1, 3000, "connect");
    host.dropSockets(); // link loss: no DISCONNECT reaches the broker
    await waitFor(() => obs.received.length === 1, 3000, "the will");
    expect(obs.received[0]).toMatchObject({ topic: "ganzhi/ws-0001/status", qos: 1 });
    expect(obs.received[0]!.payload.toString()).toBe("offline");
    expect(disconnects).toHaveLength(1);
    expect(errors).toHaveLength(1);
    await waitFor(() => connects === 2, 3000, "reconnect after the link loss");
    client.close(); // DISCONNECT: the broker must discard the will
    await sleep(150);
    expect(obs.received).toHaveLength(1);
    expect(host.faults).toEqual([]);
  });

  it("keeps an idle connection alive with PINGREQ (keep-alive 1 s, broker limit 1.5 s)", async () => {
    const broker = await AedesBroker.start();
    cleanups.push(() => broker.close());
    const host = createRealtimeHost();
    const { client, errors } = device(host, broker.port, { keepAlive: 1, responseTimeout: 500 });
    client.start();
    await sleep(2300);
    expect(client.state).toBe("connected");
    expect(client.stats.pingsSent).toBeGreaterThanOrEqual(2);
    expect(client.stats).toMatchObject({ connects: 1, disconnects: 0, timeouts: 0 });
    expect(errors).toEqual([]);
  });

  it("survives a broker restart: every acknowledged publish is received, queued ones go out after reconnect", async () => {
    const broker = await AedesBroker.start();
    cleanups.push(() => broker.close());
    // A persistent-session observer (clean: false), so the broker keeps its subscription and queue while it is away.
    const obs = await observer(broker.port, ["ganzhi/ws-0001/up"], { clientId: "city-ingest", clean: false });
    cleanups.push(() => obs.client.endAsync(true));
    const host = createRealtimeHost({ seed: 7 });
    let connects = 0;
    const { client, errors } = device(host, broker.port, { maxInflight: 4, onConnect: () => connects++ });
    client.start();
    await waitFor(() => connects === 1, 3000, "connect");

    const acked = new Map<number, string>();
    const failed: number[] = [];
    const sent = new Map<number, string>();
    const publish = (i: number): void => {
      const p = payloadFor(i);
      const token = client.publish("ganzhi/ws-0001/up", p, {
        qos: 1,
        done: (err, t) => (err ? failed.push(t) : acked.set(t, Buffer.from(p).toString("hex"))),
      });
      sent.set(token, Buffer.from(p).toString("hex"));
    };
    // A steady stream, every 5 ms, across the outage.
    let i = 0;
    const stream = setInterval(() => {
      if (i < 60) publish(i++);
    }, 5);
    cleanups.push(() => clearInterval(stream));
    await waitFor(() => i >= 20, 2000, "20 publishes");
    await broker.down();
    const ackedBeforeRestart = new Map(acked);
    await waitFor(() => client.state === "waiting" || client.state === "connecting", 2000, "the client to notice");
    await sleep(250); // publishes keep queueing while the broker is away; reconnect attempts fail
    const attemptsWhileDown = client.stats.connectAttempts;
    await broker.up();
    await waitFor(() => i === 60 && acked.size === 60, 8000, "all 60 publishes acknowledged");
    await waitFor(() => [...acked.values()].every((hex) => obs.received.some((r) => r.payload.toString("hex") === hex)), 5000, "the observer to hold every acknowledged message");

    expect(failed).toEqual([]);
    expect(ackedBeforeRestart.size).toBeGreaterThan(0);
    expect(connects).toBeGreaterThanOrEqual(2);
    expect(attemptsWhileDown).toBeGreaterThan(2); // it kept trying, with backoff, while the port was closed
    // Every acknowledged publish reached the subscriber with its exact bytes (duplicates allowed: at least once).
    const receivedHex = new Set(obs.received.map((r) => r.payload.toString("hex")));
    for (const [token, hex] of acked) expect(receivedHex.has(hex), `token ${token}`).toBe(true);
    expect(receivedHex.size).toBe(60);
    expect(client.stats.publishesAcked).toBe(60);
    expect(client.inflight + client.queued).toBe(0);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(host.faults).toEqual([]);
  });
});
