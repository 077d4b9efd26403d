/**
 * The runtime's MQTT 3.1.1 codec against bytes made by the independent mqtt-packet library (fixtures/mqtt-vectors.ts,
 * kept honest by mqtt-vectors.test.ts), and its UTF-8 against the WHATWG Encoding standard's bytes. Portable: it
 * runs under vitest on V8 and, through the XS test harness, on XS (test/xs/unit.test.ts), where mqtt-packet cannot.
 */
import { describe, expect, it } from "vitest";
import { encodePacket, MqttDecoder, setPublishDup, setPublishPacketId, type MqttPacket } from "../../runtime/mqtt/packet.js";
import { utf8Decode, utf8Encode, utf8Length } from "../../runtime/utf8.js";
import { MQTT_VECTORS } from "./fixtures/mqtt-vectors.js";
import type { JsonPacket } from "./mqtt-vector-types.js";

const HEX = "0123456789abcdef";
/** Hex, pushed and joined (filling a `new Array(n)` by index is quadratic on XS). */
function hex(b: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < b.length; i++) parts.push(HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!);
  return parts.join("");
}
/** Hex to bytes with one pass of the string iterator: indexing a string is linear per call on XS (UTF-8). */
function bytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length >> 1);
  let i = 0;
  let hi = -1;
  for (const c of h) {
    const n = HEX.indexOf(c);
    if (hi < 0) hi = n;
    else {
      out[i++] = (hi << 4) | n;
      hi = -1;
    }
  }
  return out;
}

/** The vector's packet in the codec's own shape (byte fields as Uint8Array). */
function ours(p: JsonPacket): MqttPacket {
  if (p.type === 1) {
    return {
      type: 1,
      clientId: p.clientId,
      clean: p.clean,
      keepAlive: p.keepAlive,
      ...(p.will ? { will: { ...p.will, payload: bytes(p.will.payload) } } : {}),
      ...(p.username !== undefined ? { username: p.username } : {}),
      ...(p.password !== undefined ? { password: bytes(p.password) } : {}),
    } as MqttPacket;
  }
  if (p.type === 3) return { ...p, payload: bytes(p.payload) } as MqttPacket;
  return p as MqttPacket;
}

/** A decoded packet, comparable with `ours` (the decoder adds the protocol name and level of a CONNECT). */
function comparable(p: MqttPacket): unknown {
  if (p.type !== 1) return p;
  const { protocolName: _n, protocolLevel: _l, ...rest } = p;
  return rest;
}

describe("MQTT codec: mqtt-packet's bytes", () => {
  it.each(MQTT_VECTORS.map((v) => [v.name, v] as const))("%s: encodes to them and decodes from them", (_name, v) => {
    expect(hex(encodePacket(ours(v.packet)))).toBe(v.hex);
    const decoded = new MqttDecoder({ maxPacketSize: 1 << 20 }).decode(bytes(v.hex));
    expect(decoded.map(comparable)).toEqual([ours(v.packet)]);
  });

  it("decodes every vector fed one byte at a time, then all of them in one stream of uneven chunks", () => {
    const d = new MqttDecoder({ maxPacketSize: 1 << 20 });
    for (const v of MQTT_VECTORS.slice(0, 40)) {
      const b = bytes(v.hex);
      const got: MqttPacket[] = [];
      for (let i = 0; i < b.length; i++) {
        let at = 0;
        const one = b.subarray(i, i + 1);
        while (at < one.length) {
          at = d.consume(one, at);
          const p = d.take();
          if (p) got.push(p);
        }
      }
      expect(got.map(comparable), v.name).toEqual([ours(v.packet)]);
    }
    const all = bytes(MQTT_VECTORS.map((v) => v.hex).join(""));
    const got: unknown[] = [];
    let size = 1;
    for (let i = 0; i < all.length; i += size, size = (size * 7 + 3) % 97 + 1) {
      const chunk = all.subarray(i, i + size);
      let at = 0;
      while (at < chunk.length) {
        at = d.consume(chunk, at);
        const p = d.take();
        if (p) got.push(comparable(p));
      }
    }
    expect(got).toEqual(MQTT_VECTORS.map((v) => ours(v.packet)));
  });

  it("patching packet id and DUP of an encoded QoS 1 PUBLISH gives mqtt-packet's bytes for the patched packet", () => {
    const base = MQTT_VECTORS.find((v) => v.name === "PUBLISH QoS 1, DUP, retain, id 65535")!;
    const p = ours(base.packet) as Extract<MqttPacket, { type: 3 }>;
    const encoded = encodePacket({ ...p, dup: false, packetId: 1 });
    setPublishPacketId(encoded, 65535);
    setPublishDup(encoded);
    expect(hex(encoded)).toBe(base.hex);
  });
});

describe("UTF-8 on this engine: the WHATWG Encoding standard's bytes", () => {
  const cases: [string, string][] = [
    ["a", "61"],
    ["\u00fc", "c3bc"],
    ["\u6c34", "e6b0b4"],
    ["感知", "e6849fe79fa5"],
    ["\u{1F600}", "f09f9880"],
    ["a\u{10151}z", "61f09085917a"],
    ["\u{10FFFF}", "f48fbfbf"],
    ["\uFFFF", "efbfbf"],
    ["a\ud800b", "61efbfbd62"],
    ["\udc00", "efbfbd"],
    ["\ude00\ud83d", "efbfbdefbfbd"],
  ];
  it.each(cases)("%j encodes to %s", (s, h) => {
    expect(hex(utf8Encode(s))).toBe(h);
    expect(utf8Length(s)).toBe(h.length / 2);
  });
  it("decodes what it encodes (well-formed text)", () => {
    for (const [s, h] of cases.slice(0, 8)) expect(utf8Decode(bytes(h), 0, h.length / 2)).toBe(s);
  });
  it("joins a surrogate pair built by concatenation into one 4-byte character", () => {
    const s = String.fromCharCode(0xd83d) + String.fromCharCode(0xde00);
    expect(hex(utf8Encode(s))).toBe("f09f9880");
  });
});
