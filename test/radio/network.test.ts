/**
 * The network side end to end in virtual time: a frame on the simulated air, heard by gateways, forwarded over real
 * UDP (Semtech protocol) to the embedded network server, de-duplicated, and its class A answer transmitted by the
 * best gateway at exactly the uplink's end + 5 s (JoinAccept) on the RX1 channel, while virtual time waits for
 * the real sockets. Frames are lora-packet's; the device MAC meets this path in test/sim.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../../simulator/core/engine.js";
import { RadioChannel } from "../../simulator/core/radio/channel.js";
import type { LoraAirFrame, Position, RadioReceiver, Reception } from "../../simulator/core/radio/channel.js";
import { SimGateway } from "../../simulator/core/radio/gateway.js";
import { CN470 } from "../../simulator/node/lns/cn470.js";
import { loraPacket } from "../../simulator/node/lns/lora-packet.js";
import { EmbeddedLns } from "../../simulator/node/lns/server.js";
import { runEngine } from "../../simulator/node/loop.js";
import { UdpBridge } from "../../simulator/node/udp-bridge.js";
import { airtimeMicros } from "../../runtime/link/lorawan/airtime.js";

const APP_KEY = "000102030405060708090a0b0c0d0e0f";
const DEV_EUI = "0102030405060708";
const JOIN_EUI = "a1a2a3a4a5a6a7a8";
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => 470_300_000 + 200_000 * n);

class Listener implements RadioReceiver {
  readonly noiseFigureDb = 6;
  readonly heard: Reception[] = [];
  constructor(
    readonly name: string,
    readonly position: Position,
  ) {}
  onFrameEnd(r: Reception): void {
    if (r.frame.invertIq) this.heard.push(r);
  }
}

let closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function world(gatewayPositions: Position[]) {
  const engine = new Engine();
  const radio = new RadioChannel(engine, { seed: 11, shadowingDb: 0, fadingDb: 0 });
  const lns = new EmbeddedLns({ region: CN470, applicationId: "kunming", channels: [0, 1, 2, 3, 4, 5, 6, 7] });
  await lns.start();
  lns.addDevice({ devEui: DEV_EUI, joinEui: JOIN_EUI, appKey: APP_KEY, name: "node-1" });
  const bridge = new UdpBridge(engine, { lns });
  const gateways = gatewayPositions.map(
    (position, i) =>
      new SimGateway({
        eui: `00800000a0000${String(i + 1).padStart(3, "0")}`,
        position,
        channels: CHANNELS,
        txRangeHz: [500_000_000, 510_000_000],
        engine,
        radio,
        network: bridge,
        server: { address: "127.0.0.1", port: lns.port },
        epochMs: Date.UTC(2026, 5, 1),
        tmstOffset: 123_456_789 * (i + 1),
      }),
  );
  const node = new Listener("node-1", { x: 0, y: 0, height: 2 });
  radio.listen(node);
  closers.push(() => bridge.closeAll(), () => lns.close());
  return { engine, radio, lns, bridge, gateways, node };
}

function uplink(payload: Uint8Array, startUs: number, frequencyHz = CHANNELS[3]!, sf = 12): LoraAirFrame {
  const endUs = startUs + airtimeMicros({ sf, bandwidthHz: 125_000, codingRate: 5, preamble: 8, payloadBytes: payload.length, explicitHeader: true, crc: true });
  return { sender: "node-1", payload, frequencyHz, sf, bandwidthHz: 125_000, codingRate: 5, preamble: 8, invertIq: false, crc: true, powerDbm: 14, startUs, endUs };
}

const joinRequest = (devNonce: number) =>
  loraPacket
    .fromFields({ MType: "Join Request", AppEUI: Buffer.from(JOIN_EUI, "hex"), DevEUI: Buffer.from(DEV_EUI, "hex"), DevNonce: Buffer.from([0, devNonce]) }, undefined, undefined, Buffer.from(APP_KEY, "hex"))
    .getPHYPayload()!;

describe("radio channel, gateways and the embedded network server", () => {
  it("answers a join through the nearest gateway, exactly JOIN_ACCEPT_DELAY1 after the uplink ends, on the RX1 channel", async () => {
    const w = await world([
      { x: 800, y: 0, height: 30 },
      { x: 0, y: 2500, height: 30 },
    ]);
    const frame = uplink(joinRequest(1), 2_000_000);
    w.engine.at(2_000_000, () => w.radio.transmit(frame));
    await runEngine(w.engine, w.bridge, 20_000_000);
    expect(w.lns.stats.uplinks).toBe(1);
    expect(w.lns.stats.duplicates).toBe(1); // both gateways heard it
    expect(w.lns.stats.joins).toBe(1);
    expect(w.node.heard.length).toBe(1);
    const down = w.node.heard[0]!;
    expect(down.frame.startUs).toBe(frame.endUs + 5_000_000);
    expect(down.frame.frequencyHz).toBe(500_300_000 + 200_000 * 3);
    expect(down.frame.sf).toBe(12);
    expect(down.frame.sender).toBe(w.gateways[0]!.name);
    expect(down.decodable).toBe(true);
    const accept = loraPacket.fromWire(loraPacket.decryptJoinAccept(loraPacket.fromWire(Buffer.from(down.frame.payload)), Buffer.from(APP_KEY, "hex")));
    expect(loraPacket.verifyMIC(accept, undefined, Buffer.from(APP_KEY, "hex"))).toBe(true);
  });

  it("loses both frames of a same-channel, same-SF collision of equal strength, and keeps a different SF", async () => {
    const w = await world([{ x: 500, y: 0, height: 30 }]);
    w.radio.place("node-2", { x: 0, y: 0, height: 2 });
    w.radio.place("node-3", { x: 0, y: 0, height: 2 });
    const a = uplink(joinRequest(1), 1_000_000);
    const b = { ...uplink(joinRequest(2), 1_500_000), sender: "node-2" };
    const c = { ...uplink(joinRequest(3), 1_200_000, CHANNELS[3]!, 9), sender: "node-3" };
    for (const f of [a, b, c]) w.engine.at(f.startUs, () => w.radio.transmit(f));
    await runEngine(w.engine, w.bridge, 4_000_000);
    expect(w.radio.stats.lostCollision).toBeGreaterThanOrEqual(2);
    expect(w.gateways[0]!.stats.collisions).toBe(2);
    expect(w.gateways[0]!.stats.forwarded).toBe(1);
  });

  it("does not hear a node beyond the SF12 floor", async () => {
    const w = await world([{ x: 40_000, y: 0, height: 30 }]);
    const f = uplink(joinRequest(1), 1_000_000);
    w.engine.at(f.startUs, () => w.radio.transmit(f));
    await runEngine(w.engine, w.bridge, 4_000_000);
    expect(w.gateways[0]!.stats.crcOrSnrLost).toBe(1);
    expect(w.lns.stats.uplinks).toBe(0);
  });
});
