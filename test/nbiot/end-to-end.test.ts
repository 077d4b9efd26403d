/**
 * The NB-IoT path end to end: device code (NbiotLink over the BC95 driver) → the modem model on a simulated UART →
 * the core stand-in → real UDP → a real CoAP server → the MQTT broker → a real MQTT subscriber. The CoAP messages
 * the modem sent are decoded by the independent `coap-packet` parser, the SenML by cborg; the server is the
 * embedded one (npm `coap`) or libcoap's coap-server. Virtual time waits for the real sockets, so the same seed
 * gives the same datagrams at the same microseconds.
 */
import { decode } from "cborg";
import coap from "coap";
import { parse } from "coap-packet";
import mqtt from "mqtt";
import type { MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { coapOverhead } from "../../runtime/link/nbiot/link.js";
import { startEmbeddedBroker } from "../../simulator/node/broker.js";
import type { EmbeddedBroker } from "../../simulator/node/broker.js";
import { EmbeddedCoapServer } from "../../simulator/node/nbiot/coap-server.js";
import { freeUdpPort, NbiotNode, pack, PATH, startLibcoapServer } from "./world.js";

let closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function backend(): Promise<{ broker: EmbeddedBroker; server: EmbeddedCoapServer; subscriber: MqttClient; messages: { topic: string; payload: Buffer }[] }> {
  const broker = await startEmbeddedBroker();
  const server = new EmbeddedCoapServer({ brokerUrl: broker.url, topicPrefix: "kunming/weather", clientId: "coap-server-test" });
  await server.start();
  const subscriber = await mqtt.connectAsync(broker.url, { clientId: "platform" });
  const messages: { topic: string; payload: Buffer }[] = [];
  subscriber.on("message", (topic, payload) => messages.push({ topic, payload }));
  await subscriber.subscribeAsync("kunming/weather/+/senml", { qos: 1 });
  closers.push(
    () => broker.close(),
    () => server.close(),
    () => subscriber.endAsync(),
  );
  return { broker, server, subscriber, messages };
}

async function wall(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting on the wall clock");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("NB-IoT end to end", () => {
  it("a SenML pack goes from the node through the modem, the core and the embedded CoAP server to an MQTT subscriber; a queued configuration comes back in the 2.04", async () => {
    const b = await backend();
    const node = new NbiotNode({ seed: 1, server: { address: "127.0.0.1", port: b.server.port } }).start();
    closers.push(() => node.close());
    expect(await node.until(() => node.link.ready, 120)).toBe(true);

    const first = pack(21.5);
    expect(await node.send(first)).toBeUndefined();
    await wall(() => b.messages.length === 1);
    expect(b.messages[0]!.topic).toBe("kunming/weather/ws-0001/senml");
    expect(hex(b.messages[0]!.payload)).toBe(hex(first));
    const records = decode(b.messages[0]!.payload, { useMaps: true }) as Map<number, unknown>[];
    expect(records.map((r) => Object.fromEntries(r))).toEqual([
      { [-2]: "urn:dev:ws-0001:", [-3]: 1_780_272_000, 0: "temperature", 1: "Cel", 2: 21.5 },
      { 0: "humidity", 1: "%RH", 2: 61 },
    ]);

    await b.subscriber.publishAsync("kunming/weather/ws-0001/config", '{"reportS":300}', { qos: 1 });
    await wall(() => b.server.stats.configsQueued === 1);
    expect(await node.send(pack(21.7))).toBeUndefined();
    expect(node.downlinks.map((d) => ({ topic: d.topic, text: Buffer.from(d.payload).toString() }))).toEqual([{ topic: PATH, text: '{"reportS":300}' }]);
    // The node's answer to it goes back on …/config/ack, JSON (Content-Format 50).
    const acks: string[] = [];
    b.subscriber.on("message", (topic, payload) => topic.endsWith("/config/ack") && acks.push(payload.toString()));
    await b.subscriber.subscribeAsync("kunming/weather/+/config/ack", { qos: 1 });
    expect(await node.send(Buffer.from('{"reportS":300}'), "/kunming/weather/ws-0001/config/ack")).toBeUndefined();
    await wall(() => acks.length === 1);
    expect(acks).toEqual(['{"reportS":300}']);

    // What the modem put on the air, read by an independent CoAP parser.
    const out = node.taps.filter((t) => t.dir === "tx").map((t) => ({ t, m: parse(Buffer.from(t.bytes)) }));
    const back = node.taps.filter((t) => t.dir === "rx").map((t) => ({ t, m: parse(Buffer.from(t.bytes)) }));
    expect(out.length).toBe(3);
    for (const { m } of out.slice(0, 2)) {
      expect(m.code).toBe("0.02");
      expect(m.confirmable).toBe(true);
      expect(m.token.length).toBe(4);
      expect(m.options.filter((o) => o.name === "Uri-Path").map((o) => o.value.toString())).toEqual(["kunming", "weather", "ws-0001", "senml"]);
      expect([...m.options.find((o) => o.name === "Content-Format")!.value]).toEqual([112]);
    }
    expect(hex(out[0]!.m.payload)).toBe(hex(first));
    expect([...out[2]!.m.options.find((o) => o.name === "Content-Format")!.value]).toEqual([50]);
    expect(back.map(({ m }) => [m.code, m.ack, m.payload.toString()])).toEqual([
      ["2.04", true, ""],
      ["2.04", true, '{"reportS":300}'],
      ["2.04", true, ""],
    ]);
    back.forEach(({ t, m }, i) => {
      expect(m.messageId).toBe(out[i]!.m.messageId);
      expect(hex(m.token)).toBe(hex(out[i]!.m.token));
      expect(t.at).toBe(out[i]!.t.at); // virtual time waited for the real server
    });
    expect(node.bridge.stats.stalls).toBe(0);
    expect(node.link.stats).toMatchObject({ delivered: 3, failed: 0, responses2xx: 3, framesOut: 3 });
    expect(b.server.stats).toMatchObject({ requests: 3, published: 3, configsDelivered: 1 });
  });

  it("an event (the node skeleton's <topic>/event) goes as SenML-CBOR (Content-Format 112) and is published on …/event", async () => {
    const b = await backend();
    const events: { topic: string; payload: Buffer }[] = [];
    b.subscriber.on("message", (topic, payload) => topic.endsWith("/event") && events.push({ topic, payload }));
    await b.subscriber.subscribeAsync("kunming/weather/+/event", { qos: 1 });
    const node = new NbiotNode({ seed: 1, server: { address: "127.0.0.1", port: b.server.port } }).start();
    closers.push(() => node.close());
    expect(await node.until(() => node.link.ready, 120)).toBe(true);
    const alarm = pack(35.5);
    expect(await node.send(alarm, "/kunming/weather/ws-0001/event")).toBeUndefined();
    await wall(() => events.length === 1);
    expect(events[0]!.topic).toBe("kunming/weather/ws-0001/event");
    expect(hex(events[0]!.payload)).toBe(hex(alarm));
    const sent = node.taps.filter((t) => t.dir === "tx").map((t) => parse(Buffer.from(t.bytes)));
    expect([...sent[0]!.options.find((o) => o.name === "Content-Format")!.value]).toEqual([112]);
    expect(b.server.stats).toMatchObject({ requests: 1, published: 1 });
  });

  it("libcoap's coap-server answers the simulated modem: 2.01 Created, then 2.04 Changed", async () => {
    const lib = await startLibcoapServer();
    closers.push(() => lib.stop());
    const node = new NbiotNode({ seed: 2, server: { address: "127.0.0.1", port: lib.port }, mclDb: 150 }).start();
    closers.push(() => node.close());
    expect(await node.until(() => node.link.ready, 120)).toBe(true);
    expect(await node.send(pack(18))).toBeUndefined();
    expect(await node.send(pack(18.5))).toBeUndefined();
    const back = node.taps.filter((t) => t.dir === "rx").map((t) => parse(Buffer.from(t.bytes)));
    expect(back.map((m) => [m.code, m.ack])).toEqual([
      ["2.01", true],
      ["2.04", true],
    ]);
    expect(back[0]!.options.filter((o) => o.name === "Location-Path").map((o) => o.value.toString())).toEqual(["kunming", "weather", "ws-0001", "senml"]);
    expect(node.bridge.stats.stalls).toBe(0);
    expect(node.rig.driver.status.ceLevel).toBe(1);
  });

  it("sends exactly maxPayload (512 bytes less the CoAP overhead) and refuses one byte more; the server's 4.xx fails a frame for good", async () => {
    const b = await backend();
    const node = new NbiotNode({ seed: 3, server: { address: "127.0.0.1", port: b.server.port } }).start();
    closers.push(() => node.close());
    await node.until(() => node.link.ready, 120);
    // 4 header + 4 token + Uri-Path kunming, weather, ws-0001, senml (8 + 8 + 8 + 6) + Content-Format (2) + 0xFF.
    expect(coapOverhead(PATH)).toBe(41);
    expect(node.link.maxPayload).toBe(471);
    expect(() => node.link.send(new Uint8Array(472), { confirmed: true }, () => undefined)).toThrow(/472 bytes exceeds maxPayload 471/);
    // A SenML pack of exactly 471 bytes, [{0: "n", 3: "xxx…"}]: 1 + 1 + 1 + 2 + 1 + 3 + 462 bytes.
    const t = "x".repeat(462);
    const exact = new Uint8Array(471);
    exact.set([0x81, 0xa2, 0x00, 0x61, 0x6e, 0x03, 0x79, t.length >> 8, t.length & 0xff]);
    exact.set(Buffer.from(t), 9);
    expect(await node.send(exact)).toBeUndefined();
    const sent = node.taps.filter((t) => t.dir === "tx").at(-1)!;
    expect(sent.bytes.length).toBe(512);
    expect(hex(parse(Buffer.from(sent.bytes)).payload)).toBe(hex(exact));
    await wall(() => b.messages.length === 1);

    const failure = await node.send(pack(20), "/kunming/weather/ws-0001/raw/senml");
    expect(failure).toEqual({ reason: "coap 4.04 from the server", retry: false });
    expect(b.server.stats.rejected).toEqual({ "4.04": 1 });
    expect(node.link.stats.responses4xx).toBe(1);
  });

  it("the embedded server refuses a Content-Format other than 112 (4.15) and a payload that is not SenML-CBOR (4.00)", async () => {
    const b = await backend();
    const ask = (format: string, payload: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const req = coap.request({ hostname: "127.0.0.1", port: b.server.port, pathname: "/kunming/weather/ws-0002/senml", method: "POST" });
        req.setOption("Content-Format", format);
        req.on("response", (res) => resolve(res.code));
        req.on("error", reject);
        req.end(payload);
      });
    expect(await ask("application/json", Buffer.from("{}"))).toBe("4.15");
    expect(await ask("application/senml+cbor", Buffer.from([0xa1, 0x00, 0x61, 0x78]))).toBe("4.00"); // a map, not an array
    expect(b.server.stats.rejected).toEqual({ "4.15": 1, "4.00": 1 });
    expect(b.messages).toEqual([]);
  });

  it("a modem that never attaches: the link reports a clear, counted error, is not ready, and refuses frames", async () => {
    const node = new NbiotNode({ seed: 4, server: { address: "127.0.0.1", port: 9 }, mclDb: null, attachTimeoutMs: 30_000 }).start();
    closers.push(() => node.close());
    await node.until(() => node.errors.length > 0, 120);
    expect(node.errors[0]!.message).toMatch(/^bc95: not registered 30 s after AT\+CGATT=1 \(\+CEREG stat 2, searching; CSQ 99 \(no signal\)\)$/);
    expect(node.link.stats.modemErrors).toBe(1);
    expect(node.link.ready).toBe(false);
    expect(() => node.link.send(pack(1), { confirmed: true }, () => undefined)).toThrow(/not ready \(modem not attached\)/);
  });

  it("at the edge of CE2 the link retransmits lost messages and still delivers; a server that never answers fails the frame with retry", async () => {
    const b = await backend();
    const node = new NbiotNode({ seed: 5, server: { address: "127.0.0.1", port: b.server.port }, mclDb: 163.5 }).start();
    closers.push(() => node.close());
    expect(await node.until(() => node.link.ready, 300)).toBe(true);
    expect(node.rig.driver.status.ceLevel).toBe(2);
    for (let i = 0; i < 6; i++) expect(await node.send(pack(10 + i))).toBeUndefined();
    // 0.5 dB from the 164 dB limit a datagram is lost one time in four each way (radio.ts): some must have been.
    expect(node.rig.core.stats.uplinkLost + node.rig.core.stats.downlinkLost).toBeGreaterThan(0);
    expect(node.link.coap.stats.retransmissions).toBeGreaterThan(0);
    expect(b.server.stats.published).toBe(6);

    const silent = await freeUdpPort(); // nothing listens there
    const lone = new NbiotNode({ seed: 6, server: { address: "127.0.0.1", port: silent }, maxWaitMs: 100 }).start();
    closers.push(() => lone.close());
    await lone.until(() => lone.link.ready, 120);
    const failure = await lone.send(pack(1));
    expect(failure).toEqual({ reason: "coap 0.02: no acknowledgement after 4 transmissions", retry: true });
    expect(lone.link.stats).toMatchObject({ failed: 1, exchangeFailures: 1, framesOut: 4 });
    expect(lone.bridge.stats.stalls).toBe(4); // each transmission held virtual time until the wall-clock limit
  });

  it("is deterministic: the same seed gives byte-identical datagrams at the same virtual microseconds, and the same broker payloads", async () => {
    const b = await backend();
    const run = async (seed: number) => {
      const node = new NbiotNode({ seed, server: { address: "127.0.0.1", port: b.server.port }, mclDb: 158 }).start();
      await node.until(() => node.link.ready, 200);
      for (const t of [20.5, 21, 21.5]) expect(await node.send(pack(t))).toBeUndefined();
      node.close();
      return node.taps.map((t) => `${t.at} ${t.dir} ${hex(t.bytes)}`);
    };
    const a = await run(11);
    const again = await run(11);
    const other = await run(12);
    expect(a.length).toBe(6);
    expect(again).toEqual(a);
    expect(other).not.toEqual(a); // another seed: other tokens and message IDs
    await wall(() => b.messages.length === 9);
    expect(b.messages.slice(3, 6).map((m) => hex(m.payload))).toEqual(b.messages.slice(0, 3).map((m) => hex(m.payload)));
  });
});
