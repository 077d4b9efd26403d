/**
 * MQTT 3.1.1 test vectors made by the independent `mqtt-packet` library (MQTT.js's and aedes's codec), for the
 * codec suite that runs on V8 and on XS (mqtt-codec.test.ts), where mqtt-packet itself cannot run (it needs Node's
 * Buffer and streams). Each vector is a packet in the runtime's shape and the bytes mqtt-packet generates for it.
 *
 * The vectors are committed (fixtures/mqtt-vectors.ts); mqtt-vectors.test.ts regenerates them and fails when the
 * committed file differs, so they are always mqtt-packet's output, never the runtime codec's read back.
 * Regenerate: `npx tsc -b && node out/test/xs/mqtt-vectors-gen.js`.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import mqttPacket from "mqtt-packet";
import { mulberry32, randomTopic } from "../helpers/random.js";
import type { JsonPacket, MqttVector } from "./mqtt-vector-types.js";

const MQTT_PACKET_VERSION = (createRequire(import.meta.url)("mqtt-packet/package.json") as { version: string }).version;

const buf = (hex: string) => Buffer.from(hex, "hex");
const utf8hex = (s: string) => Buffer.from(s, "utf8").toString("hex");

function theirs(p: JsonPacket): mqttPacket.Packet {
  switch (p.type) {
    case 1:
      return {
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clientId: p.clientId,
        clean: p.clean,
        keepalive: p.keepAlive,
        ...(p.will ? { will: { topic: p.will.topic, payload: buf(p.will.payload), qos: p.will.qos, retain: p.will.retain } } : {}),
        ...(p.username !== undefined ? { username: p.username } : {}),
        ...(p.password !== undefined ? { password: buf(p.password) } : {}),
      };
    case 2:
      return { cmd: "connack", returnCode: p.returnCode, sessionPresent: p.sessionPresent };
    case 3:
      return { cmd: "publish", topic: p.topic, payload: buf(p.payload), qos: p.qos, dup: p.dup, retain: p.retain, ...(p.qos > 0 ? { messageId: p.packetId } : {}) };
    case 4:
      return { cmd: "puback", messageId: p.packetId };
    case 5:
      return { cmd: "pubrec", messageId: p.packetId };
    case 6:
      return { cmd: "pubrel", messageId: p.packetId };
    case 7:
      return { cmd: "pubcomp", messageId: p.packetId };
    case 8:
      return { cmd: "subscribe", messageId: p.packetId, subscriptions: p.subscriptions.map((s) => ({ topic: s.topic, qos: s.qos })) };
    case 9:
      return { cmd: "suback", messageId: p.packetId, granted: p.returnCodes };
    case 10:
      return { cmd: "unsubscribe", messageId: p.packetId, unsubscriptions: p.topics };
    case 11:
      return { cmd: "unsuback", messageId: p.packetId } as mqttPacket.IUnsubackPacket;
    case 12:
      return { cmd: "pingreq" };
    case 13:
      return { cmd: "pingresp" };
    case 14:
      return { cmd: "disconnect" };
  }
}

function randomHex(r: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(r() * 256).toString(16).padStart(2, "0");
  return s;
}

function packets(): [string, JsonPacket][] {
  const list: [string, JsonPacket][] = [
    ["CONNECT clean, keep-alive 60", { type: 1, clientId: "ws-0001", clean: true, keepAlive: 60 }],
    ["CONNECT empty client id, keep-alive off", { type: 1, clientId: "", clean: true, keepAlive: 0 }],
    [
      "CONNECT with will, user, password, UTF-8 ids",
      {
        type: 1,
        clientId: "buoy-湖-07",
        clean: false,
        keepAlive: 65535,
        will: { topic: "ganzhi/buoy-湖-07/status", payload: "6f666600ff", qos: 1, retain: true },
        username: "üser",
        password: "000102fa",
      },
    ],
    ["CONNECT empty will payload", { type: 1, clientId: "m", clean: true, keepAlive: 30, will: { topic: "w", payload: "", qos: 0, retain: false } }],
    ["CONNECT username only", { type: 1, clientId: "m", clean: true, keepAlive: 30, username: "only-user" }],
    ["CONNECT astral client id", { type: 1, clientId: "node-😀", clean: true, keepAlive: 120 }],
    ["CONNACK accepted", { type: 2, sessionPresent: false, returnCode: 0 }],
    ["CONNACK session present", { type: 2, sessionPresent: true, returnCode: 0 }],
    ...[1, 2, 3, 4, 5].map((c): [string, JsonPacket] => [`CONNACK refused ${c}`, { type: 2, sessionPresent: false, returnCode: c }]),
    ["PUBLISH QoS 0, empty payload", { type: 3, topic: "a", payload: "", qos: 0, dup: false, retain: false, packetId: 0 }],
    ["PUBLISH QoS 1, DUP, retain, id 65535", { type: 3, topic: "city/湖/temp", payload: utf8hex("21.5 °C"), qos: 1, dup: true, retain: true, packetId: 65535 }],
    ["PUBLISH QoS 2", { type: 3, topic: "q2", payload: "010203", qos: 2, dup: false, retain: false, packetId: 1 }],
    ["PUBLISH astral topic", { type: 3, topic: "kunming/🌊/senml", payload: "82a1", qos: 1, dup: false, retain: false, packetId: 2 }],
    ["PUBACK 1", { type: 4, packetId: 1 }],
    ["PUBACK 0x1234", { type: 4, packetId: 0x1234 }],
    ["PUBREC", { type: 5, packetId: 7 }],
    ["PUBREL", { type: 6, packetId: 8 }],
    ["PUBCOMP", { type: 7, packetId: 9 }],
    [
      "SUBSCRIBE three filters",
      {
        type: 8,
        packetId: 42,
        subscriptions: [
          { topic: "ganzhi/ws-0001/cmd/#", qos: 1 },
          { topic: "+/status", qos: 0 },
          { topic: "#", qos: 2 },
        ],
      },
    ],
    ["SUBACK with a failure", { type: 9, packetId: 42, returnCodes: [1, 0, 0x80, 2] }],
    ["UNSUBSCRIBE", { type: 10, packetId: 43, topics: ["a/+/c", "d"] }],
    ["UNSUBACK", { type: 11, packetId: 43 }],
    ["PINGREQ", { type: 12 }],
    ["PINGRESP", { type: 13 }],
    ["DISCONNECT", { type: 14 }],
  ];
  // Remaining length on both sides of the 1/2/3-byte boundaries (127/128, 16383/16384).
  for (const body of [127, 128, 16383, 16384]) {
    const topic = "t";
    const n = body - 2 - topic.length - 2; // topic length field + topic + packet id
    list.push([`PUBLISH remaining length ${body}`, { type: 3, topic, payload: "5a".repeat(n), qos: 1, dup: false, retain: false, packetId: 3 }]);
  }
  const r = mulberry32(20260601);
  for (let i = 0; i < 60; i++) {
    if (r() < 0.6) {
      const qos = Math.floor(r() * 3) as 0 | 1 | 2;
      list.push([
        `random PUBLISH ${i}`,
        {
          type: 3,
          topic: randomTopic(r, 24),
          payload: randomHex(r, Math.floor(r() * 300)),
          qos,
          dup: qos > 0 && r() < 0.3,
          retain: r() < 0.3,
          packetId: qos > 0 ? 1 + Math.floor(r() * 65535) : 0,
        },
      ]);
    } else {
      const n = 1 + Math.floor(r() * 4);
      const subscriptions = Array.from({ length: n }, () => ({ topic: randomTopic(r, 16), qos: Math.floor(r() * 3) as 0 | 1 | 2 }));
      list.push([`random SUBSCRIBE ${i}`, { type: 8, packetId: 1 + Math.floor(r() * 65535), subscriptions }]);
    }
  }
  return list;
}

export function generateVectors(): MqttVector[] {
  return packets().map(([name, packet]) => ({ name, packet, hex: mqttPacket.generate(theirs(packet)).toString("hex") }));
}

export const VECTOR_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "mqtt-vectors.ts");

export function vectorModule(vectors: readonly MqttVector[]): string {
  return [
    `// Generated by test/xs/mqtt-vectors-gen.ts from mqtt-packet ${MQTT_PACKET_VERSION}: do not edit.`,
    `// test/xs/mqtt-vectors.test.ts checks that this is exactly what mqtt-packet generates.`,
    `import type { MqttVector } from "../mqtt-vector-types.js";`,
    ``,
    `export const MQTT_VECTORS: readonly MqttVector[] = [`,
    ...vectors.map((v) => `  ${JSON.stringify(v)},`),
    `];`,
    ``,
  ].join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Run from out/: write the source fixture next to the source file.
  const target = VECTOR_FILE.replace(`${path.sep}out${path.sep}`, path.sep);
  writeFileSync(target, vectorModule(generateVectors()));
  console.log(`wrote ${target}`);
}
