/**
 * MQTT 3.1.1 codec, cross-checked both ways against the independent `mqtt-packet` library (the codec MQTT.js and
 * aedes use): our bytes must equal its `generate` output and parse with its parser; its bytes must decode with
 * ours. Malformed inputs carry the clause of the spec they break, and where mqtt-packet also rejects them, that is
 * asserted too.
 */
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import {
  CONNACK,
  CONNECT,
  DISCONNECT,
  MqttDecoder,
  MqttProtocolError,
  PINGREQ,
  PINGRESP,
  PUBACK,
  PUBCOMP,
  PUBLISH,
  PUBREC,
  PUBREL,
  SUBACK,
  SUBSCRIBE,
  UNSUBACK,
  UNSUBSCRIBE,
  connackReturnName,
  encodePacket,
  encodePublish,
  setPublishDup,
  setPublishPacketId,
  type MqttPacket,
} from "../../runtime/mqtt/packet.js";
import { utf8Decode, utf8Encode, utf8StrictLength as utf8Length } from "../../runtime/utf8.js";
import { mulberry32, randomTopic } from "../helpers/random.js";

// ------------------------------------------------------------------------------------------------ helpers

/** Our packet → mqtt-packet's object shape. */
function toTheirs(p: MqttPacket): mqttPacket.Packet {
  switch (p.type) {
    case CONNECT:
      return {
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clientId: p.clientId,
        clean: p.clean,
        keepalive: p.keepAlive,
        ...(p.will
          ? { will: { topic: p.will.topic, payload: Buffer.from(p.will.payload), qos: p.will.qos, retain: p.will.retain } }
          : {}),
        ...(p.username !== undefined ? { username: p.username } : {}),
        ...(p.password !== undefined ? { password: Buffer.from(p.password) } : {}),
      };
    case CONNACK:
      return { cmd: "connack", returnCode: p.returnCode, sessionPresent: p.sessionPresent };
    case PUBLISH:
      return {
        cmd: "publish",
        topic: p.topic,
        payload: Buffer.from(p.payload),
        qos: p.qos,
        dup: p.dup,
        retain: p.retain,
        ...(p.qos > 0 ? { messageId: p.packetId } : {}),
      };
    case PUBACK:
      return { cmd: "puback", messageId: p.packetId };
    case PUBREC:
      return { cmd: "pubrec", messageId: p.packetId };
    case PUBREL:
      return { cmd: "pubrel", messageId: p.packetId };
    case PUBCOMP:
      return { cmd: "pubcomp", messageId: p.packetId };
    case SUBSCRIBE:
      return { cmd: "subscribe", messageId: p.packetId, subscriptions: p.subscriptions.map((s) => ({ topic: s.topic, qos: s.qos })) };
    case SUBACK:
      return { cmd: "suback", messageId: p.packetId, granted: p.returnCodes };
    case UNSUBSCRIBE:
      return { cmd: "unsubscribe", messageId: p.packetId, unsubscriptions: p.topics };
    case UNSUBACK:
      return { cmd: "unsuback", messageId: p.packetId } as mqttPacket.IUnsubackPacket; // its typings demand MQTT 5 reason codes
    case PINGREQ:
      return { cmd: "pingreq" };
    case PINGRESP:
      return { cmd: "pingresp" };
    case DISCONNECT:
      return { cmd: "disconnect" };
  }
}

/** Parse with mqtt-packet (protocol 3.1.1); throws its error. */
function theirParse(bytes: Uint8Array): mqttPacket.Packet[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const out: mqttPacket.Packet[] = [];
  let error: Error | undefined;
  parser.on("packet", (p) => out.push(p));
  parser.on("error", (e: Error) => (error ??= e));
  parser.parse(Buffer.from(bytes));
  if (error) throw error;
  return out;
}

/** The fields of a parsed mqtt-packet packet that a 3.1.1 packet defines, for comparison with `toTheirs`. */
function essential(p: mqttPacket.Packet): Record<string, unknown> {
  const r: Record<string, unknown> = { cmd: p.cmd };
  const any = p as unknown as Record<string, unknown>;
  const keys: Record<string, string[]> = {
    connect: ["clientId", "clean", "keepalive", "username"],
    connack: ["returnCode"],
    publish: ["topic", "qos", "dup", "retain"],
    suback: ["granted"],
    unsubscribe: ["unsubscriptions"],
  };
  for (const k of keys[p.cmd] ?? []) {
    if (any[k] !== undefined && any[k] !== null) r[k] = any[k];
  }
  if (p.cmd === "publish") {
    r.payload = Buffer.from(p.payload as Buffer).toString("hex");
    if (p.qos > 0) r.messageId = p.messageId;
  } else if (any.messageId !== undefined) {
    r.messageId = any.messageId;
  }
  if (p.cmd === "connect") {
    r.protocolId = p.protocolId;
    r.protocolVersion = p.protocolVersion;
    if (p.will) r.will = { topic: p.will.topic, payload: Buffer.from(p.will.payload as Buffer).toString("hex"), qos: p.will.qos, retain: p.will.retain };
    if (p.password) r.password = Buffer.from(p.password).toString("hex");
  }
  if (p.cmd === "subscribe") r.subscriptions = p.subscriptions.map((s) => ({ topic: s.topic, qos: s.qos }));
  if (p.cmd === "connack") r.sessionPresent = !!p.sessionPresent;
  return r;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function decodeAll(bytes: Uint8Array, options?: ConstructorParameters<typeof MqttDecoder>[0]): MqttPacket[] {
  return new MqttDecoder(options).decode(bytes);
}

/** Our decoded packet, normalised for comparison with the packet that was encoded. */
function norm(p: MqttPacket): unknown {
  const r: Record<string, unknown> = { ...p };
  for (const [k, v] of Object.entries(r)) {
    if (v instanceof Uint8Array) r[k] = hex(v);
    if (v === undefined) delete r[k];
  }
  if (p.type === CONNECT) {
    delete r.protocolName;
    delete r.protocolLevel;
    if (p.will) r.will = { ...p.will, payload: hex(p.will.payload) };
  }
  if (p.type === PUBLISH && p.qos === 0) r.packetId = 0;
  return r;
}

const rng = mulberry32;


function randomBytes(r: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

// ------------------------------------------------------------------------------------------------ fixtures

const fixtures: MqttPacket[] = [
  { type: CONNECT, clientId: "ws-0001", clean: true, keepAlive: 60 },
  { type: CONNECT, clientId: "", clean: true, keepAlive: 0 },
  {
    type: CONNECT,
    clientId: "buoy-湖-07",
    clean: false,
    keepAlive: 65535,
    will: { topic: "ganzhi/buoy-湖-07/status", payload: new Uint8Array([0x6f, 0x66, 0x66, 0x00, 0xff]), qos: 1, retain: true },
    username: "üser",
    password: new Uint8Array([0, 1, 2, 250]),
  },
  { type: CONNECT, clientId: "m", clean: true, keepAlive: 30, will: { topic: "w", payload: new Uint8Array(0), qos: 0, retain: false } },
  { type: CONNECT, clientId: "m", clean: true, keepAlive: 30, username: "only-user" },
  { type: CONNACK, sessionPresent: false, returnCode: 0 },
  { type: CONNACK, sessionPresent: true, returnCode: 0 },
  ...[1, 2, 3, 4, 5].map((returnCode): MqttPacket => ({ type: CONNACK, sessionPresent: false, returnCode })),
  { type: PUBLISH, topic: "a", payload: new Uint8Array(0), qos: 0, dup: false, retain: false, packetId: 0 },
  { type: PUBLISH, topic: "city/湖/temp", payload: utf8Encode("21.5 °C"), qos: 1, dup: true, retain: true, packetId: 65535 },
  { type: PUBLISH, topic: "q2", payload: new Uint8Array([1, 2, 3]), qos: 2, dup: false, retain: false, packetId: 1 },
  { type: PUBACK, packetId: 1 },
  { type: PUBACK, packetId: 0x1234 },
  { type: PUBREC, packetId: 7 },
  { type: PUBREL, packetId: 8 },
  { type: PUBCOMP, packetId: 9 },
  {
    type: SUBSCRIBE,
    packetId: 42,
    subscriptions: [
      { topic: "ganzhi/ws-0001/cmd/#", qos: 1 },
      { topic: "+/status", qos: 0 },
      { topic: "#", qos: 2 },
    ],
  },
  { type: SUBACK, packetId: 42, returnCodes: [1, 0, 0x80, 2] },
  { type: UNSUBSCRIBE, packetId: 43, topics: ["a/+/c", "d"] },
  { type: UNSUBACK, packetId: 43 },
  { type: PINGREQ },
  { type: PINGRESP },
  { type: DISCONNECT },
];

// ------------------------------------------------------------------------------------------------ tests

describe("MQTT codec against mqtt-packet", () => {
  it.each(fixtures.map((p, i) => [i, p.type, p] as const))("fixture %i (type %i): same bytes, decodes both ways", (_i, _t, p) => {
    const ours = encodePacket(p);
    const theirs = mqttPacket.generate(toTheirs(p));
    expect(hex(ours)).toBe(theirs.toString("hex"));
    // Their parser reads our bytes back to the same fields.
    const parsed = theirParse(ours);
    expect(parsed).toHaveLength(1);
    expect(essential(parsed[0]!)).toEqual(essential({ ...toTheirs(p) } as mqttPacket.Packet));
    // Our decoder reads their bytes back to the packet.
    const decoded = decodeAll(new Uint8Array(theirs));
    expect(decoded).toHaveLength(1);
    expect(norm(decoded[0]!)).toEqual(norm(p));
  });

  it("CONNACK return codes have their 3.1.1 names", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(connackReturnName)).toEqual([
      "connection accepted",
      "unacceptable protocol version",
      "identifier rejected",
      "server unavailable",
      "bad user name or password",
      "not authorized",
      "unknown return code 6",
    ]);
  });

  it("remaining length across every 1/2/3/4-byte boundary matches mqtt-packet", () => {
    // PUBLISH topic "t" QoS 0: remaining = 3 + payload length.
    for (const remaining of [3, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152]) {
      const payload = new Uint8Array(remaining - 3).fill(0x5a);
      const ours = encodePublish("t", payload, 0);
      const theirs = mqttPacket.generate({ cmd: "publish", topic: "t", payload: Buffer.from(payload), qos: 0, dup: false, retain: false });
      expect(hex(ours.subarray(0, 8))).toBe(theirs.subarray(0, 8).toString("hex"));
      expect(ours.length).toBe(theirs.length);
      expect(Buffer.from(ours).equals(theirs)).toBe(true);
      const d = decodeAll(new Uint8Array(theirs), { maxPacketSize: 3_000_000 });
      expect(d).toHaveLength(1);
      expect((d[0] as { payload: Uint8Array }).payload.length).toBe(remaining - 3);
    }
  });

  it("600 random PUBLISH/SUBSCRIBE packets with multi-byte UTF-8 match mqtt-packet both ways", () => {
    const r = rng(20251126);
    for (let i = 0; i < 600; i++) {
      let p: MqttPacket;
      if (i % 3 === 2) {
        const n = 1 + Math.floor(r() * 4);
        const subscriptions = [];
        for (let k = 0; k < n; k++) subscriptions.push({ topic: randomTopic(r, 20), qos: Math.floor(r() * 3) as 0 | 1 | 2 });
        p = { type: SUBSCRIBE, packetId: 1 + Math.floor(r() * 65535), subscriptions };
      } else {
        const qos = Math.floor(r() * 3) as 0 | 1 | 2;
        const size = r() < 0.1 ? Math.floor(r() * 20_000) : Math.floor(r() * 300);
        p = {
          type: PUBLISH,
          topic: randomTopic(r, 40),
          payload: randomBytes(r, size),
          qos,
          dup: qos > 0 && r() < 0.5,
          retain: r() < 0.5,
          packetId: qos > 0 ? 1 + Math.floor(r() * 65535) : 0,
        };
      }
      const ours = encodePacket(p);
      const theirs = mqttPacket.generate(toTheirs(p));
      expect(hex(ours)).toBe(theirs.toString("hex"));
      expect(essential(theirParse(ours)[0]!)).toEqual(essential(toTheirs(p)));
      expect(norm(decodeAll(new Uint8Array(theirs), { maxPacketSize: 65_536 })[0]!)).toEqual(norm(p));
    }
  });

  it("patching the packet id and DUP of an encoded PUBLISH gives what mqtt-packet generates", () => {
    const bytes = encodePublish("ganzhi/ws-0001/up", new Uint8Array([9, 8, 7]), 1, true, false, 0);
    setPublishPacketId(bytes, 513);
    expect(hex(bytes)).toBe(
      mqttPacket.generate({ cmd: "publish", topic: "ganzhi/ws-0001/up", payload: Buffer.from([9, 8, 7]), qos: 1, dup: false, retain: true, messageId: 513 }).toString("hex"),
    );
    setPublishDup(bytes);
    const p = theirParse(bytes)[0] as mqttPacket.IPublishPacket;
    expect([p.dup, p.messageId, p.retain, p.qos]).toEqual([true, 513, true, 1]);
  });

  it("encoder refuses what may not be sent, naming the packet", () => {
    expect(() => encodePublish("a/+/c", new Uint8Array(0))).toThrow('MQTT PUBLISH: topic "a/+/c" contains a wildcard');
    expect(() => encodePublish("", new Uint8Array(0))).toThrow("MQTT PUBLISH: topic is empty");
    expect(() => encodePublish("x".repeat(65_536), new Uint8Array(0))).toThrow("MQTT PUBLISH: topic is 65536 bytes, more than 65535");
    expect(() => encodePublish("a\u0000b", new Uint8Array(0))).toThrow("MQTT PUBLISH: topic holds a lone surrogate or U+0000");
    expect(() => encodePublish("a\ud800", new Uint8Array(0))).toThrow(MqttProtocolError);
    expect(() => encodePacket({ type: PUBACK, packetId: 0 })).toThrow("MQTT PUBACK: packet identifier 0 is not an integer in 1…65535");
    expect(() => encodePacket({ type: SUBSCRIBE, packetId: 1, subscriptions: [{ topic: "a/#/b", qos: 1 }] })).toThrow(
      "MQTT SUBSCRIBE: topic filter \"a/#/b\": '#' must be the last level on its own",
    );
    expect(() => encodePacket({ type: SUBSCRIBE, packetId: 1, subscriptions: [{ topic: "a+", qos: 1 }] })).toThrow("'+' must be a whole level");
    expect(() => encodePacket({ type: CONNECT, clientId: "x", clean: true, keepAlive: 70_000 })).toThrow("MQTT CONNECT: keep-alive 70000 s");
  });
});

describe("streaming decoder", () => {
  const stream: MqttPacket[] = [];
  {
    const r = rng(7);
    for (let i = 0; i < 60; i++) {
      stream.push(fixtures[i % fixtures.length]!);
      if (i % 7 === 0) {
        stream.push({ type: PUBLISH, topic: randomTopic(r, 10), payload: randomBytes(r, i * 97), qos: 1, dup: false, retain: false, packetId: i + 1 });
      }
    }
  }
  const bytes = Buffer.concat(stream.map((p) => mqttPacket.generate(toTheirs(p))));
  const expected = stream.map(norm);

  it("decodes mqtt-packet bytes fed one byte at a time", () => {
    const d = new MqttDecoder();
    const out: unknown[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const one = bytes.subarray(i, i + 1);
      expect(d.consume(one)).toBe(1);
      const p = d.take();
      if (p) out.push(norm(p));
    }
    expect(d.partial).toBe(false);
    expect(out).toEqual(expected);
  });

  it("decodes the same bytes in random chunk sizes and all at once", () => {
    const r = rng(99);
    for (let round = 0; round < 20; round++) {
      const d = new MqttDecoder({ initialBufferSize: 8 });
      const out: unknown[] = [];
      let at = 0;
      while (at < bytes.length) {
        const n = 1 + Math.floor(r() * 700);
        const chunk = new Uint8Array(bytes.subarray(at, at + n));
        at += chunk.length;
        for (const p of d.decode(chunk)) out.push(norm(p));
      }
      expect(out).toEqual(expected);
    }
    expect(decodeAll(new Uint8Array(bytes)).map(norm)).toEqual(expected);
  });

  it("grows its body buffer once, up to the largest packet seen", () => {
    const d = new MqttDecoder({ initialBufferSize: 16 });
    d.decode(new Uint8Array(mqttPacket.generate({ cmd: "publish", topic: "t", payload: Buffer.alloc(5000), qos: 0, dup: false, retain: false })));
    expect(d.bufferSize).toBeGreaterThanOrEqual(5003);
    expect(d.bufferSize).toBeLessThanOrEqual(16_384);
  });

  it("a payload handed out is a copy, not a view of the reused buffer", () => {
    const d = new MqttDecoder();
    const [a] = d.decode(encodePublish("t", new Uint8Array([1, 2, 3])));
    d.decode(encodePublish("t", new Uint8Array([7, 7, 7])));
    expect(Array.from((a as { payload: Uint8Array }).payload)).toEqual([1, 2, 3]);
  });
});

describe("malformed input", () => {
  /** bytes, decoder options, expected message, whether mqtt-packet also rejects it */
  const cases: [string, number[], number | undefined, string, boolean][] = [
    ["remaining length of 5 bytes (§2.2.3)", [0x30, 0xff, 0xff, 0xff, 0xff, 0x7f], undefined, "MQTT PUBLISH: remaining length uses more than 4 bytes", true],
    ["packet larger than the maximum", [0x30, 0xd0, 0x0f], 1024, "MQTT PUBLISH: packet of 2003 bytes exceeds the maximum packet size of 1024", false],
    ["PUBACK with reserved flag bit set (§2.2.2)", [0x41, 0x02, 0x00, 0x01], undefined, "MQTT PUBACK: reserved fixed header flags are 0x1, must be 0x0", true],
    ["SUBSCRIBE without its 0x2 flags (§3.8.1)", [0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x01], undefined, "MQTT SUBSCRIBE: reserved fixed header flags are 0x0, must be 0x2", true],
    ["PINGRESP with flags", [0xd1, 0x00], undefined, "MQTT PINGRESP: reserved fixed header flags are 0x1, must be 0x0", true],
    ["PUBLISH with QoS 3 (§3.3.1.2)", [0x36, 0x03, 0x00, 0x01, 0x61], undefined, "MQTT PUBLISH: QoS 3 in the fixed header flags (0x6) is malformed", true],
    ["reserved packet type 0", [0x00, 0x00], undefined, "MQTT packet type 0: reserved packet type 0 (first byte 0x0)", true],
    ["reserved packet type 15", [0xf0, 0x00], undefined, "MQTT packet type 15: reserved packet type 15 (first byte 0xf0)", true],
    ["truncated topic", [0x30, 0x05, 0x00, 0x0a, 0x61, 0x62, 0x63], undefined, "MQTT PUBLISH: truncated topic (length 10, 3 bytes left)", true],
    ["PUBLISH without even a topic length", [0x30, 0x01, 0x00], undefined, "MQTT PUBLISH: truncated topic (no length)", true],
    ["overlong UTF-8 in topic (§1.5.3)", [0x30, 0x04, 0x00, 0x02, 0xc0, 0x80], undefined, "MQTT PUBLISH: topic is not well-formed UTF-8 (or holds U+0000 or a surrogate)", false],
    ["UTF-16 surrogate encoded in topic [MQTT-1.5.3-1]", [0x30, 0x05, 0x00, 0x03, 0xed, 0xa0, 0x80], undefined, "MQTT PUBLISH: topic is not well-formed UTF-8", false],
    ["U+0000 in topic [MQTT-1.5.3-2]", [0x30, 0x03, 0x00, 0x01, 0x00], undefined, "MQTT PUBLISH: topic is not well-formed UTF-8", false],
    ["wildcard in a PUBLISH topic [MQTT-3.3.2-2]", [0x30, 0x05, 0x00, 0x03, 0x61, 0x2f, 0x2b], undefined, 'MQTT PUBLISH: topic "a/+" contains a wildcard', false],
    ["QoS 1 PUBLISH with packet id 0 [MQTT-2.3.1-1]", [0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00], undefined, "MQTT PUBLISH: packet identifier 0 is not allowed", false],
    ["QoS 1 PUBLISH cut inside its packet id", [0x32, 0x04, 0x00, 0x01, 0x61, 0x00], undefined, "MQTT PUBLISH: truncated packet identifier", false],
    ["PUBACK with remaining length 3", [0x40, 0x03, 0x00, 0x01, 0x00], undefined, "MQTT PUBACK: remaining length 3, must be 2", false],
    ["PINGRESP with a body", [0xd0, 0x01, 0x00], undefined, "MQTT PINGRESP: remaining length 1, must be 0", false],
    ["CONNACK return code 6", [0x20, 0x02, 0x00, 0x06], undefined, "MQTT CONNACK: unknown return code 6", false],
    ["CONNACK reserved acknowledge flags (§3.2.2.1)", [0x20, 0x02, 0x02, 0x00], undefined, "MQTT CONNACK: reserved acknowledge flags are 0x2, must be 0x0 or 0x1", true],
    ["CONNACK session present with a refusal [MQTT-3.2.2-4]", [0x20, 0x02, 0x01, 0x05], undefined, "MQTT CONNACK: session present set with return code 5 (not authorized)", false],
    ["SUBACK return code 3 (§3.9.3)", [0x90, 0x03, 0x00, 0x01, 0x03], undefined, "MQTT SUBACK: return code 0x3 is not 0, 1, 2 or 0x80", true],
    ["SUBACK without return codes", [0x90, 0x02, 0x00, 0x01], undefined, "MQTT SUBACK: no return codes", false],
    ["CONNECT reserved flag [MQTT-3.1.2-3]", [0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x03, 0x00, 0x3c, 0x00, 0x01, 0x61], undefined, "MQTT CONNECT: reserved connect flag bit 0 is set", true],
    ["CONNECT password without user name [MQTT-3.1.2-22]", [0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x42, 0x00, 0x3c, 0x00, 0x01, 0x61], undefined, "MQTT CONNECT: password flag set without the user name flag", true],
    ["CONNECT of MQTT 5", [0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x3c, 0x00, 0x01, 0x61], undefined, 'MQTT CONNECT: protocol "MQTT" level 5 is not MQTT 3.1.1 (or 3.1)', false],
  ];

  it.each(cases)("%s", (_name, bytes, max, message, theyRejectToo) => {
    const input = new Uint8Array(bytes);
    const opts = max === undefined ? undefined : { maxPacketSize: max };
    // All at once.
    let caught: unknown;
    try {
      decodeAll(input, opts);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MqttProtocolError);
    expect((caught as Error).message).toContain(message);
    // One byte at a time: same error, raised at the same point.
    const d = new MqttDecoder(opts);
    expect(() => {
      for (let i = 0; i < input.length; i++) {
        d.consume(input, i, i + 1);
        d.take();
      }
    }).toThrow(message);
    // The decoder stays failed until reset.
    expect(() => d.consume(new Uint8Array([0xd0, 0x00]))).toThrow(message);
    d.reset();
    expect(d.decode(new Uint8Array([0xd0, 0x00]))).toEqual([{ type: PINGRESP }]);
    if (theyRejectToo) expect(() => theirParse(input)).toThrow();
  });

  it("rejects an oversized packet as soon as its header is in, before buffering the body", () => {
    const d = new MqttDecoder({ maxPacketSize: 100 });
    expect(() => d.consume(new Uint8Array([0x30, 0xe8, 0x07]))).toThrow("MQTT PUBLISH: packet of 1003 bytes exceeds the maximum packet size of 100");
    expect(d.bufferSize).toBeLessThanOrEqual(100);
  });

  it("errors carry the packet type", () => {
    try {
      decodeAll(new Uint8Array([0x41, 0x02, 0x00, 0x01]));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MqttProtocolError);
      expect((e as MqttProtocolError).packetType).toBe(PUBACK);
      expect((e as MqttProtocolError).name).toBe("MqttProtocolError");
    }
  });
});

describe("UTF-8 helper against Node's encoder", () => {
  it("encodes and decodes 2000 random strings exactly like Buffer", () => {
    const r = rng(3);
    for (let i = 0; i < 2000; i++) {
      const s = randomTopic(r, 50);
      const ours = utf8Encode(s);
      expect(hex(ours)).toBe(Buffer.from(s, "utf8").toString("hex"));
      expect(utf8Length(s)).toBe(Buffer.byteLength(s, "utf8"));
      expect(utf8Decode(ours, 0, ours.length)).toBe(s);
    }
    const long = "长".repeat(5000) + "x".repeat(5000);
    const enc = utf8Encode(long);
    expect(utf8Decode(enc, 0, enc.length)).toBe(long);
  });

  it("rejects what TextDecoder in fatal mode rejects", () => {
    const fatal = new TextDecoder("utf-8", { fatal: true });
    const bad = [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xe4, 0xb8], [0xff]];
    for (const b of bad) {
      const u = new Uint8Array(b);
      expect(() => fatal.decode(u)).toThrow();
      expect(utf8Decode(u, 0, u.length)).toBeUndefined();
    }
    expect(utf8Length("\ud800x")).toBe(-1);
    expect(utf8Length("\udc00")).toBe(-1);
  });
});
