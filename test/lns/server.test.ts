/**
 * The embedded network server over real UDP, driven by a test gateway speaking the Semtech protocol. Frames here
 * are built with lora-packet; the device's own MAC meets this server in test/sim (two codebases on either side).
 */
import dgram from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { decodeGwmp, encodeGwmp } from "../../simulator/core/radio/semtech-udp.js";
import type { GwmpPacket, Rxpk, Txpk } from "../../simulator/core/radio/semtech-udp.js";
import { CN470 } from "../../simulator/node/lns/cn470.js";
import { loraPacket } from "../../simulator/node/lns/lora-packet.js";
import { EmbeddedLns } from "../../simulator/node/lns/server.js";

const APP_KEY = "2b7e151628aed2a6abf7158809cf4f3c";
const DEV_EUI = "70b3d57ed0000001";
const JOIN_EUI = "70b3d57ed0000000";
const GW = "0016c001ff10a235";

class TestGateway {
  readonly socket = dgram.createSocket("udp4");
  readonly inbox: GwmpPacket[] = [];
  #waiters: (() => void)[] = [];
  constructor(readonly port: number) {
    this.socket.on("message", (m) => {
      this.inbox.push(decodeGwmp(new Uint8Array(m)));
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  send(p: GwmpPacket): void {
    this.socket.send(encodeGwmp(p), this.port, "127.0.0.1");
  }
  async next(type: GwmpPacket["type"]): Promise<GwmpPacket> {
    for (;;) {
      const i = this.inbox.findIndex((p) => p.type === type);
      if (i >= 0) return this.inbox.splice(i, 1)[0]!;
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }
  close(): void {
    this.socket.close();
  }
}

function rxpk(phy: Buffer, tmst: number, lsnr = 5, chan = 0): Rxpk {
  return { time: "2026-06-01T00:00:00.000000Z", tmst, freq: 470.3 + 0.2 * chan, chan, rfch: 0, stat: 1, modu: "LORA", datr: "SF12BW125", codr: "4/5", rssi: -90, lsnr, size: phy.length, data: phy.toString("base64") };
}

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(): Promise<{ lns: EmbeddedLns; gw: TestGateway; events: { topic: string; event: Record<string, unknown> }[] }> {
  const events: { topic: string; event: Record<string, unknown> }[] = [];
  const lns = new EmbeddedLns({ region: CN470, applicationId: "app-1", channels: [0, 1, 2, 3, 4, 5, 6, 7], onEvent: (topic, event) => events.push({ topic, event }) });
  await lns.start();
  lns.addDevice({ devEui: DEV_EUI, joinEui: JOIN_EUI, appKey: APP_KEY, name: "ws-0001" });
  const gw = new TestGateway(lns.port);
  cleanup.push(() => lns.close(), () => gw.close());
  gw.send({ type: "PULL_DATA", token: 7, gateway: GW });
  expect(await gw.next("PULL_ACK")).toEqual({ type: "PULL_ACK", token: 7 });
  return { lns, gw, events };
}

function joinRequest(devNonce: number, key = APP_KEY): Buffer {
  return loraPacket
    .fromFields({ MType: "Join Request", AppEUI: Buffer.from(JOIN_EUI, "hex"), DevEUI: Buffer.from(DEV_EUI, "hex"), DevNonce: Buffer.from([devNonce >> 8, devNonce & 0xff]) }, undefined, undefined, Buffer.from(key, "hex"))
    .getPHYPayload()!;
}

async function push(gw: TestGateway, lns: EmbeddedLns, phy: Buffer, tmst: number): Promise<void> {
  gw.send({ type: "PUSH_DATA", token: tmst & 0xffff, gateway: GW, rxpk: [rxpk(phy, tmst)] });
  await gw.next("PUSH_ACK");
  lns.flush();
}

describe("embedded LoRaWAN network server", () => {
  it("accepts a join, answers in RX1 five seconds after the uplink, and the device decodes the JoinAccept", async () => {
    const { lns, gw, events } = await setup();
    await push(gw, lns, joinRequest(1), 1_000_000);
    const resp = (await gw.next("PULL_RESP")) as Extract<GwmpPacket, { type: "PULL_RESP" }>;
    const tx: Txpk = resp.txpk;
    expect(tx.tmst).toBe(6_000_000);
    expect(tx.freq).toBeCloseTo(500.3, 6);
    expect(tx.datr).toBe("SF12BW125");
    expect(tx.ipol).toBe(true);
    const accept = loraPacket.fromWire(loraPacket.decryptJoinAccept(loraPacket.fromWire(Buffer.from(tx.data, "base64")), Buffer.from(APP_KEY, "hex")));
    expect(loraPacket.verifyMIC(accept, undefined, Buffer.from(APP_KEY, "hex"))).toBe(true);
    expect(accept.DevAddr!.toString("hex")).toBe(lns.session(DEV_EUI)!.devAddr);
    expect(events.map((e) => e.topic)).toEqual([`application/app-1/device/${DEV_EUI}/event/join`]);
    gw.send({ type: "TX_ACK", token: resp.token, gateway: GW, error: "NONE" });
  });

  it("ignores a JoinRequest with a bad MIC and a DevNonce that did not increase", async () => {
    const { lns, gw } = await setup();
    await push(gw, lns, joinRequest(5, "00000000000000000000000000000000"), 1_000_000);
    expect(lns.stats.micErrors).toBe(1);
    await push(gw, lns, joinRequest(5), 2_000_000);
    expect(lns.stats.joins).toBe(1);
    await push(gw, lns, joinRequest(5), 3_000_000);
    await push(gw, lns, joinRequest(4), 4_000_000);
    expect(lns.stats.joins).toBe(1);
    expect(lns.stats.joinRejected).toBe(3);
  });

  it("sets the channel mask in the JoinAccept's CFList, decrypts an uplink into a ChirpStack v4 up event, ACKs it, rejects a replay", async () => {
    const { lns, gw, events } = await setup();
    await push(gw, lns, joinRequest(1), 1_000_000);
    const join = (await gw.next("PULL_RESP")) as Extract<GwmpPacket, { type: "PULL_RESP" }>;
    const accept = loraPacket.fromWire(loraPacket.decryptJoinAccept(loraPacket.fromWire(Buffer.from(join.txpk.data, "base64")), Buffer.from(APP_KEY, "hex")));
    // CN470 CFList type 1: ChMask0 = 0x00ff (channels 0–7), ChMask1…5 = 0, 3 RFU bytes, CFListType 1.
    expect(accept.CFList!.toString("hex")).toBe("ff000000000000000000000000000001");
    const s = lns.session(DEV_EUI)!;
    const up = (fcnt: number, confirmed = false, lsnrPayload = "hello") =>
      loraPacket
        .fromFields(
          { MType: confirmed ? "Confirmed Data Up" : "Unconfirmed Data Up", DevAddr: Buffer.from(s.devAddr, "hex"), FCtrl: { ADR: true }, FCnt: fcnt, FPort: 2, payload: Buffer.from(lsnrPayload) },
          Buffer.from(s.appSKey, "hex"),
          Buffer.from(s.nwkSKey, "hex"),
        )
        .getPHYPayload()!;
    await push(gw, lns, up(0, true), 10_000_000);
    const ev = events.find((e) => e.topic.endsWith("/event/up"))!.event;
    expect(Buffer.from(ev.data as string, "base64").toString()).toBe("hello");
    expect(ev).toMatchObject({ fCnt: 0, fPort: 2, confirmed: true, dr: 0, devAddr: s.devAddr });
    const resp = (await gw.next("PULL_RESP")) as Extract<GwmpPacket, { type: "PULL_RESP" }>;
    expect(resp.txpk.tmst).toBe(11_000_000);
    const down = loraPacket.fromWire(Buffer.from(resp.txpk.data, "base64"));
    expect(down.getFCtrlACK()).toBe(true);
    expect(down.getFPort()).toBe(null); // an ACK alone: no port, no payload (§4.3.2)
    expect(loraPacket.verifyMIC(down, Buffer.from(s.nwkSKey, "hex"))).toBe(true);
    await push(gw, lns, up(1), 20_000_000);
    await push(gw, lns, up(0), 30_000_000);
    expect(lns.stats.replays).toBe(1);
    expect(events.filter((e) => e.topic.endsWith("/event/up")).length).toBe(2);
  });

  it("raises the data rate with LinkADRReq once 20 uplinks show the margin (ChirpStack's default algorithm)", async () => {
    const { lns, gw } = await setup();
    await push(gw, lns, joinRequest(1), 1_000_000);
    await gw.next("PULL_RESP");
    const s = lns.session(DEV_EUI)!;
    for (let f = 0; f < 20; f++) {
      const phy = loraPacket
        .fromFields({ MType: "Unconfirmed Data Up", DevAddr: Buffer.from(s.devAddr, "hex"), FCtrl: { ADR: true }, FCnt: f, FPort: 2, payload: Buffer.from([f]) }, Buffer.from(s.appSKey, "hex"), Buffer.from(s.nwkSKey, "hex"))
        .getPHYPayload()!;
      // SNR 7 dB at SF12: 7 − (−20) − 10 = 17 dB of margin → 5 steps of 3 dB → DR5, nothing left for power.
      gw.send({ type: "PUSH_DATA", token: f, gateway: GW, rxpk: [rxpk(phy, 10_000_000 + f * 1_000_000, 7)] });
      await gw.next("PUSH_ACK");
      lns.flush();
    }
    const resp = (await gw.next("PULL_RESP")) as Extract<GwmpPacket, { type: "PULL_RESP" }>;
    const down = loraPacket.fromWire(Buffer.from(resp.txpk.data, "base64"));
    const mac = down.getFPort() === 0 ? loraPacket.decrypt(down, Buffer.from(s.appSKey, "hex"), Buffer.from(s.nwkSKey, "hex")) : down.FOpts!;
    // The last LinkADRReq of the block carries DR and power: DR5 (0x5_), TXPower 0.
    expect(mac[mac.length - 5]).toBe(0x03);
    expect(mac[mac.length - 4]).toBe(0x50);
    expect(lns.session(DEV_EUI)!.dr).toBe(5);
    expect(lns.stats.adrChanges).toBe(1);
  });
});
