/**
 * LorawanLink (runtime/link/lorawan/link.ts) as the uplink queue sees it: the `Link` contract of
 * runtime/link/link.ts over the class A MAC, with lora-packet on the network side and the scripted radio.
 */
import { testCiphers } from "../helpers/ciphers.js";
import { describe, expect, it } from "vitest";
import loraPacketModule from "lora-packet";
import { Engine, SECOND } from "../../simulator/core/engine.js";
import { LorawanLink } from "../../runtime/link/lorawan/link.js";
import { RetainedLorawanStore } from "../../runtime/link/lorawan/store.js";
import type { Downlink, LinkFailure } from "../../runtime/link/link.js";
import { ScriptedRadio, Words, type Transmission } from "./lorawan-radio.js";

const loraPacket =
  (loraPacketModule as { default?: typeof loraPacketModule.default }).default ?? (loraPacketModule as unknown as typeof loraPacketModule.default);

const NWK = Buffer.from("44024241ed4ce9a68c6a8bc055233fd3", "hex");
const APP = Buffer.from("ec925802ae430ca77fd3dd73cb2cc588", "hex");
const DEV_ADDR = 0x49be7df1;
const rx1Hz = (upHz: number) => 500_300_000 + 200_000 * (Math.round((upHz - 470_300_000) / 200_000) % 48);

function setup(dataRate = 0) {
  const engine = new Engine();
  const radio = new ScriptedRadio(engine);
  let x = 0x9e3779b9;
  const link = new LorawanLink({
    radio,
    timer: radio.timers,
    clock: radio.clock,
    cipher: testCiphers(),
    random: () => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return x / 4294967296;
    },
    store: new RetainedLorawanStore(new Words(), 4, 20),
    abp: { devAddr: DEV_ADDR, nwkSKey: NWK, appSKey: APP },
    dataRate,
  });
  const events = { ready: 0, downlinks: [] as Downlink[], errors: [] as string[] };
  const run = (s: number) => engine.runUntil(engine.now + s * SECOND);
  return { engine, radio, link, events, run };
}

function down(fCnt: number, port: number, payload: number[], ack = false) {
  return new Uint8Array(
    loraPacket
      .fromFields({ MType: "Unconfirmed Data Down", DevAddr: Buffer.from("49be7df1", "hex"), FCtrl: { ACK: ack }, FCnt: fCnt, FPort: port, payload: Buffer.from(payload) }, APP, NWK)
      .getPHYPayload()!,
  );
}

function decode(tx: Transmission) {
  const p = loraPacket.fromWire(Buffer.from(tx.payload));
  return { mic: loraPacket.verifyMIC(p, NWK), port: p.getFPort(), payload: Array.from(loraPacket.decrypt(p, APP, NWK)), confirmed: p.isConfirmed() };
}

describe("LorawanLink implements Link", () => {
  it("is ready after start (ABP), takes one frame at a time and calls onReady again when the frame is done", () => {
    const { link, radio, events, run } = setup(5);
    expect(link.kind).toBe("lorawan");
    expect(link.ready).toBe(false);
    link.start({ onReady: () => events.ready++ });
    expect(link.ready).toBe(true);
    expect(events.ready).toBe(1);
    const results: (LinkFailure | undefined)[] = [];
    link.send(new Uint8Array([1, 2, 3]), { port: 5, confirmed: false }, (f) => results.push(f));
    expect(link.ready).toBe(false);
    expect(() => link.send(new Uint8Array([4]), { port: 5, confirmed: false }, () => {})).toThrow("lorawan: not ready (uplink in progress)");
    run(10);
    expect(results).toEqual([undefined]);
    expect(events.ready).toBe(2);
    expect(link.ready).toBe(true);
    expect(decode(radio.sent[0]!)).toEqual({ mic: true, port: 5, payload: [1, 2, 3], confirmed: false });
    expect(link.stats).toEqual({ framesOut: 1, delivered: 1, failed: 0, bytesOut: 3, bytesIn: 0 });
  });

  it("maxPayload follows the data rate (51 bytes at DR0–DR2, 222 at DR5) less the MAC answers waiting for FOpts", () => {
    const { link, radio, run } = setup(0);
    link.start({});
    expect(link.maxPayload).toBe(51);
    // The network moves the device to DR5 with a LinkADRReq; its LinkADRAns (2 bytes) then waits for FOpts.
    radio.onTransmit = (tx) =>
      radio.downlink(
        tx.endUs + SECOND,
        rx1Hz(tx.params.frequencyHz),
        12,
        new Uint8Array(loraPacket.fromFields({ MType: "Unconfirmed Data Down", DevAddr: Buffer.from("49be7df1", "hex"), FCnt: 0, FPort: 0, payload: Buffer.from("0350ffff61", "hex") }, APP, NWK).getPHYPayload()!),
      );
    link.send(new Uint8Array(51), { port: 1, confirmed: false }, () => {});
    run(10);
    expect(link.mac.dataRate).toBe(5);
    expect(link.maxPayload).toBe(222 - 2);
    radio.onTransmit = () => {};
    link.send(new Uint8Array(220), { port: 1, confirmed: false }, () => {});
    run(10);
    expect(link.maxPayload).toBe(222);
  });

  it("refuses a frame over maxPayload or without a port, naming the sizes, and loses nothing", () => {
    const { link, run } = setup(0);
    link.start({});
    expect(() => link.send(new Uint8Array(52), { port: 1, confirmed: false }, () => {})).toThrow("lorawan: frame of 52 bytes exceeds maxPayload 51 (DR0)");
    expect(() => link.send(new Uint8Array(5), { confirmed: false }, () => {})).toThrow("lorawan: send needs a port (FPort 1…223)");
    expect(() => link.send(new Uint8Array(5), { port: 224, confirmed: false }, () => {})).toThrow("FPort must be 1…223, got 224");
    expect(link.ready).toBe(true);
    let done = false;
    link.send(new Uint8Array(51), { port: 1, confirmed: false }, () => (done = true));
    run(10);
    expect(done).toBe(true);
  });

  it("delivers downlinks with their port, reports a confirmed frame without ACK as a failure to retry, keeps running after bad frames", () => {
    const { link, radio, events, run } = setup(5);
    link.start({ onDownlink: (d) => events.downlinks.push(d), onError: (e) => events.errors.push(e.message) });
    const frames = [down(1, 17, [0xca, 0xfe]), down(1, 17, [0xca, 0xfe]), undefined];
    let i = 0;
    radio.onTransmit = (tx) => {
      const f = frames[i++];
      if (f) radio.downlink(tx.endUs + SECOND, rx1Hz(tx.params.frequencyHz), 7, f);
    };
    const results: (LinkFailure | undefined)[] = [];
    for (let k = 0; k < 3; k++) {
      link.send(new Uint8Array([k]), { port: 2, confirmed: k === 2 }, (f) => results.push(f));
      run(10);
    }
    expect(events.downlinks.map((d) => [d.port, Array.from(d.payload)])).toEqual([[17, [0xca, 0xfe]]]);
    expect(events.errors).toEqual(["LoRaWAN: downlink FCnt 1 replayed (last accepted 1); ignored"]);
    expect(results).toEqual([undefined, undefined, { reason: "no ACK after 1 transmission(s)", retry: true }]);
    expect(link.stats).toMatchObject({ framesOut: 3, delivered: 2, failed: 1, bytesIn: 2 });
    expect(link.ready).toBe(true);
  });

  it("close() fails the frame in flight with retry true and stops the radio", () => {
    const { link, radio, run } = setup(0);
    link.start({});
    const results: (LinkFailure | undefined)[] = [];
    link.send(new Uint8Array([1]), { port: 1, confirmed: true }, (f) => results.push(f));
    run(0.5);
    link.close();
    expect(results).toEqual([{ reason: "LoRaWAN link closed", retry: true }]);
    expect(link.ready).toBe(false);
    const windows = radio.windows.length;
    run(30);
    expect(radio.windows.length).toBe(windows);
  });
});
