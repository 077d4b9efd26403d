/**
 * The device MQTT client against Mosquitto (Debian's package), each test with its own broker process on a free
 * port of 127.0.0.1, observed by MQTT.js. Without the binary this file FAILS with the install hint; set
 * GANZHI_SKIP_MOSQUITTO=1 to skip it instead (test/helpers/mosquitto.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { MqttClient, type MqttClientOptions } from "../../runtime/mqtt/client.js";
import { MOSQUITTO_MISSING, Mosquitto, mosquittoBinary, skipMosquitto } from "../helpers/mosquitto.js";
import { createRealtimeHost, type RealtimeHost } from "../helpers/realtime-host.js";
import { observer, sleep, waitFor, deviceClient } from "./support.js";

const skip = skipMosquitto();

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function broker(): Promise<Mosquitto> {
  const m = await Mosquitto.start({ persistence: true });
  cleanups.push(() => m.dispose());
  return m;
}

function payloadFor(i: number): Uint8Array {
  const n = 2 + ((i * 197) % 1500);
  const b = new Uint8Array(n);
  b[0] = i >> 8;
  b[1] = i & 0xff;
  for (let k = 2; k < n; k++) b[k] = (k * 31 + i * 3) & 0xff;
  return b;
}

function device(host: RealtimeHost, port: number, extra: Partial<MqttClientOptions> = {}): { client: MqttClient; errors: Error[] } {
  return deviceClient(host, port, cleanups, extra);
}

describe("GANZHI_SKIP_MOSQUITTO", () => {
  it("means the same in every file: 1 skips, unset, empty or 0 runs, anything else is an error", () => {
    expect(skipMosquitto({ GANZHI_SKIP_MOSQUITTO: "1" })).toBe(true);
    for (const v of [undefined, "", "0"]) expect(skipMosquitto({ GANZHI_SKIP_MOSQUITTO: v })).toBe(false);
    expect(() => skipMosquitto({ GANZHI_SKIP_MOSQUITTO: "yes" })).toThrow('GANZHI_SKIP_MOSQUITTO must be 1 (skip the Mosquitto tests) or 0 (run them), got "yes"');
  });
});

describe.skipIf(skip)("MQTT client against Mosquitto", () => {
  it("the mosquitto binary is installed", () => {
    if (!mosquittoBinary()) throw new Error(MOSQUITTO_MISSING);
  });

  it("delivers QoS 1 publishes with exact payload bytes and receives downlink on its subscription", async () => {
    const m = await broker();
    const obs = await observer(m.port, ["ganzhi/ws-0001/up"]);
    cleanups.push(() => obs.client.endAsync(true));
    const host = createRealtimeHost({ seed: 3 });
    const got: string[] = [];
    const granted: number[] = [];
    const { client, errors } = device(host, m.port, {
      onMessage: (topic, payload, info) => got.push(`${topic} ${Buffer.from(payload).toString("hex")} q${info.qos}`),
      onSubscribe: (_t, code) => granted.push(code),
    });
    client.subscribe("ganzhi/ws-0001/cmd/+", 1);
    client.start();
    const N = 60;
    const acked: number[] = [];
    for (let i = 0; i < N; i++) client.publish("ganzhi/ws-0001/up", payloadFor(i), { qos: 1, done: (e, t) => !e && acked.push(t) });
    await waitFor(() => acked.length === N, 5000, "all PUBACKs from Mosquitto");
    await waitFor(() => obs.received.length >= N, 5000, "MQTT.js to receive every message");
    expect(obs.received.map((r) => r.payload.toString("hex"))).toEqual(Array.from({ length: N }, (_, i) => Buffer.from(payloadFor(i)).toString("hex")));
    expect(obs.received.every((r) => r.qos === 1)).toBe(true);

    await waitFor(() => granted.length === 1, 2000, "SUBACK");
    expect(granted).toEqual([1]);
    await obs.client.publishAsync("ganzhi/ws-0001/cmd/reboot", Buffer.from([0xca, 0xfe]), { qos: 1 });
    await waitFor(() => got.length === 1, 2000, "downlink");
    expect(got).toEqual(["ganzhi/ws-0001/cmd/reboot cafe q1"]);
    expect(client.stats).toMatchObject({ connects: 1, publishesAcked: N, retransmits: 0, protocolErrors: 0 });
    expect(errors).toEqual([]);
    expect(host.faults).toEqual([]);
  });

  it("survives a Mosquitto restart: every acknowledged publish is received, queued ones go out after reconnect", async () => {
    const m = await broker();
    const obs = await observer(m.port, ["ganzhi/ws-0001/up"], { clientId: "city-ingest", clean: false });
    cleanups.push(() => obs.client.endAsync(true));
    const host = createRealtimeHost({ seed: 11 });
    let connects = 0;
    const { client, errors } = device(host, m.port, { maxInflight: 4, onConnect: () => connects++ });
    client.start();
    await waitFor(() => connects === 1, 3000, "connect");

    const acked = new Map<number, string>();
    const failed: number[] = [];
    let i = 0;
    const stream = setInterval(() => {
      if (i >= 60) return;
      const p = payloadFor(i++);
      client.publish("ganzhi/ws-0001/up", p, { qos: 1, done: (e, t) => (e ? failed.push(t) : acked.set(t, Buffer.from(p).toString("hex"))) });
    }, 5);
    cleanups.push(() => clearInterval(stream));
    await waitFor(() => i >= 20, 2000, "20 publishes");
    await m.stop(); // SIGTERM: Mosquitto writes its persistence file and exits
    const ackedBefore = acked.size;
    await waitFor(() => client.state === "waiting" || client.state === "connecting", 2000, "the client to notice");
    await sleep(250);
    await m.restart();
    await waitFor(() => i === 60 && acked.size === 60, 8000, "all 60 publishes acknowledged");
    await waitFor(
      () => [...acked.values()].every((hex) => obs.received.some((r) => r.payload.toString("hex") === hex)),
      5000,
      "the observer to hold every acknowledged message",
    );
    expect(ackedBefore).toBeGreaterThan(0);
    expect(failed).toEqual([]);
    expect(connects).toBeGreaterThanOrEqual(2);
    const receivedHex = new Set(obs.received.map((r) => r.payload.toString("hex")));
    expect(receivedHex.size).toBe(60);
    expect(client.stats.publishesAcked).toBe(60);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(host.faults).toEqual([]);
  });
});
