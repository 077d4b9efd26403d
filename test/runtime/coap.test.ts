/**
 * CoAP (RFC 7252) against the RFC's own example, the independent coap-packet codec (what the npm `coap` server
 * parses with), a real `coap` server over UDP, and the retransmission schedule of §4.2 in virtual time.
 */
import dgram from "node:dgram";
import coap from "coap";
import { generate, parse } from "coap-packet";
import { afterEach, describe, expect, it } from "vitest";
import type { Timers, TimerHandle } from "../../hal/host.js";
import { CoapClient } from "../../runtime/coap/client.js";
import { ACK, CHANGED, CON, CoapFormatError, decodeCoap, encodeCoap, FORMAT_SENML_CBOR, GET, OPTION_CONTENT_FORMAT, POST, RST, uintOption, uriPathOptions } from "../../runtime/coap/message.js";
import type { CoapMessage } from "../../runtime/coap/message.js";
import { Engine } from "../../simulator/core/engine.js";
import { EngineTimers } from "../../simulator/core/timers.js";

const bytes = (...b: number[]) => Uint8Array.from(b);
const ascii = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));

describe("CoAP messages", () => {
  it("encodes RFC 7252 Appendix A's first example: CON GET /temperature, MID 0x7d34", () => {
    const m = encodeCoap({ type: CON, code: GET, messageId: 0x7d34, token: new Uint8Array(0), options: uriPathOptions("/temperature"), payload: new Uint8Array(0) });
    expect([...m]).toEqual([0x40, 0x01, 0x7d, 0x34, 0xbb, ...ascii("temperature")]);
  });

  it("agrees with coap-packet both ways, including extended option deltas and lengths", () => {
    const longValue = new Uint8Array(300).fill(7);
    const msg: CoapMessage = {
      type: CON,
      code: POST,
      messageId: 4242,
      token: bytes(1, 2, 3, 4, 5, 6, 7, 8),
      options: [...uriPathOptions("/kunming/ws-0001/senml"), { number: OPTION_CONTENT_FORMAT, value: uintOption(FORMAT_SENML_CBOR) }, { number: 2049, value: longValue }],
      payload: bytes(0x81, 0xa2, 0x00, 0x61, 0x74, 0x02, 0x18, 0x2a),
    };
    const ours = encodeCoap(msg);
    const theirs = parse(Buffer.from(ours));
    expect(theirs.code).toBe("0.02");
    expect(theirs.confirmable).toBe(true);
    expect(theirs.messageId).toBe(4242);
    expect([...theirs.token]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(theirs.options.filter((o) => o.name === "Uri-Path").map((o) => o.value.toString())).toEqual(["kunming", "ws-0001", "senml"]);
    expect(theirs.options.find((o) => o.name === "Content-Format")!.value.readUInt8(0)).toBe(112);
    // Option 2049 is OCF-Accept-Content-Format-Version in the CoAP option registry: a two-byte delta and length.
    expect(theirs.options.find((o) => o.name === "OCF-Accept-Content-Format-Version")!.value.length).toBe(300);
    expect([...theirs.payload]).toEqual([...msg.payload]);

    const generated = generate({ code: "2.04", ack: true, messageId: 4242, token: Buffer.from([9, 9]), payload: Buffer.from('{"reportS":300}'), options: [{ name: "Content-Format", value: Buffer.from([50]) }] });
    const back = decodeCoap(new Uint8Array(generated));
    expect(back.type).toBe(ACK);
    expect(back.code).toBe(CHANGED);
    expect([...back.token]).toEqual([9, 9]);
    expect(back.options).toEqual([{ number: OPTION_CONTENT_FORMAT, value: bytes(50) }]);
    expect(String.fromCharCode(...back.payload)).toBe('{"reportS":300}');
  });

  it("refuses message format errors with where they are", () => {
    expect(() => decodeCoap(bytes(0x40, 0x01))).toThrow(/shorter than the 4-byte header/);
    expect(() => decodeCoap(bytes(0x80, 0x01, 0, 1))).toThrow(/version 2/);
    expect(() => decodeCoap(bytes(0x49, 0x01, 0, 1))).toThrow(/token length 9 is reserved/);
    expect(() => decodeCoap(bytes(0x40, 0x01, 0, 1, 0xff))).toThrow(/payload marker with no payload/);
    expect(() => decodeCoap(bytes(0x40, 0x01, 0, 1, 0xf1, 0))).toThrow(/nibble 15 is reserved/);
    expect(() => decodeCoap(bytes(0x40, 0x01, 0, 1, 0xb5, 0x61))).toThrow(/runs past the end/);
    expect(() => decodeCoap(bytes(0x41, 0x00, 0, 1, 9))).toThrow(/Empty message/);
    expect(() => decodeCoap(bytes(0x40, 0x01, 0, 1, 0xd1))).toThrow(CoapFormatError);
  });
});

function nodeTimers(): Timers & { dispose(): void } {
  const live = new Set<NodeJS.Timeout>();
  return {
    set(cb, delay) {
      const t = setTimeout(() => {
        live.delete(t);
        cb();
      }, delay);
      live.add(t);
      return t as unknown as TimerHandle;
    },
    clear(h) {
      if (h) {
        clearTimeout(h as unknown as NodeJS.Timeout);
        live.delete(h as unknown as NodeJS.Timeout);
      }
    },
    dispose() {
      for (const t of live) clearTimeout(t);
    },
  };
}

let closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

describe("CoAP client", () => {
  it("POSTs SenML-CBOR to a real coap server (npm coap) and gets its 2.04 with a payload", async () => {
    const received: { url: string; format: unknown; payload: Buffer }[] = [];
    const server = coap.createServer((req, res) => {
      received.push({ url: req.url, format: req.headers["Content-Format"], payload: req.payload });
      res.code = "2.04";
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server as unknown as { _sock: dgram.Socket })._sock.address().port;
    const sock = dgram.createSocket("udp4");
    const timers = nodeTimers();
    closers.push(() => new Promise<void>((r) => server.close(() => r())), () => sock.close(), () => timers.dispose());
    let seed = 1;
    const client = new CoapClient({ send: (b) => sock.send(b, port, "127.0.0.1"), timer: timers, random: () => ((seed = (seed * 16807) % 2147483647) / 2147483647) });
    sock.on("message", (m) => client.receive(new Uint8Array(m)));
    const response = await new Promise<{ code: number; payload: Uint8Array }>((resolve, reject) =>
      client.request(POST, "/kunming/ws-0001/senml", bytes(0x81, 0xa1, 0x02, 0x01), { contentFormat: FORMAT_SENML_CBOR }, (e, r) => (e ? reject(e) : resolve(r!))),
    );
    expect(response.code).toBe(CHANGED);
    expect(String.fromCharCode(...response.payload)).toBe("ok");
    expect(received).toEqual([{ url: "/kunming/ws-0001/senml", format: "application/senml+cbor", payload: Buffer.from([0x81, 0xa1, 0x02, 0x01]) }]);
  });

  function virtual(random = () => 0.5) {
    const engine = new Engine();
    const timers = new EngineTimers(engine);
    const sent: { at: number; m: ReturnType<typeof decodeCoap> }[] = [];
    const client = new CoapClient({ send: (b) => sent.push({ at: engine.now, m: decodeCoap(b) }), timer: timers, random });
    return { engine, client, sent };
  }

  it("retransmits a confirmable request at 2.5, 7.5, 17.5 and 37.5 s and gives up at 77.5 s (ACK_TIMEOUT 2 s, factor 1.5 drawn at 0.5)", () => {
    const { engine, client, sent } = virtual();
    let error: Error | undefined;
    client.request(POST, "/t", bytes(1), {}, (e) => (error = e));
    engine.runUntil(200_000_000);
    expect(sent.map((s) => s.at / 1e6)).toEqual([0, 2.5, 7.5, 17.5, 37.5]);
    expect(new Set(sent.map((s) => s.m.messageId)).size).toBe(1);
    expect(error?.message).toMatch(/no acknowledgement after 5 transmissions/);
    expect(client.stats).toMatchObject({ transmissions: 5, retransmissions: 4, failures: 1 });
  });

  it("takes a separate response after an empty ACK, acknowledges it once, ignores its duplicate, and fails on RST", () => {
    const { engine, client, sent } = virtual();
    const results: string[] = [];
    client.request(POST, "/a", bytes(1), {}, (e, r) => results.push(e ? e.message : `ok ${r!.code}`));
    client.request(POST, "/b", bytes(2), {}, (e, r) => results.push(e ? e.message : `ok ${r!.code}`));
    expect(sent.length).toBe(1); // NSTART = 1
    const first = sent[0]!.m;
    client.receive(encodeCoap({ type: ACK, code: 0, messageId: first.messageId, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) }));
    engine.runUntil(10_000_000); // no retransmission once acknowledged
    expect(sent.length).toBe(1);
    const separate = encodeCoap({ type: CON, code: CHANGED, messageId: 999, token: first.token, options: [], payload: new Uint8Array(0) });
    client.receive(separate);
    client.receive(separate);
    expect(sent.filter((s) => s.m.type === ACK && s.m.messageId === 999).length).toBe(2);
    expect(results).toEqual(["ok 68"]);
    const second = sent.find((s) => s.m.type === CON && s.m.messageId !== first.messageId)!.m;
    client.receive(encodeCoap({ type: RST, code: 0, messageId: second.messageId, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) }));
    expect(results[1]).toMatch(/reset by the server/);
    client.receive(bytes(0x40, 0x01));
    expect(client.stats.malformed).toBe(1);
  });
});
