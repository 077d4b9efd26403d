/**
 * The LoRaWAN class A MAC (runtime/link/lorawan/) against an independent implementation: every frame the device
 * builds is decoded, MIC-checked and decrypted by lora-packet@0.9.3 with keys lora-packet derives itself, and every
 * downlink and Join-Accept the device reads is built by lora-packet. Timing runs on the simulator's engine and host
 * timers with a scripted transceiver (lorawan-radio.ts) that only hands over a downlink if a window is listening
 * when its preamble goes by. Expected channels, data rates and delays are written from RP001-1.0.3revA §2.7 and
 * TS001-1.0.4 here, not taken from the module.
 */
import { testCiphers } from "../helpers/ciphers.js";
import { describe, expect, it } from "vitest";
import loraPacketModule from "lora-packet";
import { Engine, SECOND } from "../../simulator/core/engine.js";
import { LorawanMac, type LorawanMacOptions } from "../../runtime/link/lorawan/mac.js";
import { RetainedLorawanStore } from "../../runtime/link/lorawan/store.js";
import { ScriptedRadio, Words, symbolUs, type Transmission } from "./lorawan-radio.js";
import { VECTORS as V } from "./lorawan-vectors.js";

// lora-packet is CommonJS with `exports.default`: Node's ESM loader hands over module.exports, vitest the default.
const loraPacket =
  (loraPacketModule as { default?: typeof loraPacketModule.default }).default ?? (loraPacketModule as unknown as typeof loraPacketModule.default);

const APP_KEY = Buffer.from("2b7e151628aed2a6abf7158809cf4f3c", "hex");
const DEV_EUI = Buffer.from("70b3d57ed0001234", "hex");
const JOIN_EUI = Buffer.from("70b3d57ed0000001", "hex");
const NET_ID = Buffer.from("000013", "hex");
const DEV_ADDR = 0x26011bda;
const SETUP_US = 3_300;
/** SF of CN470 DR0…DR5 (RP §2.7.3). */
const SF = [12, 11, 10, 9, 8, 7];

const upChannel = (hz: number) => Math.round((hz - 470_300_000) / 200_000);
const rx1Hz = (upHz: number) => 500_300_000 + 200_000 * (upChannel(upHz) % 48);
const be32 = (v: number) => Buffer.from([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);

interface Rig {
  engine: Engine;
  radio: ScriptedRadio;
  mac: LorawanMac;
  words: Words;
  errors: string[];
  downlinks: { port: number; payload: Uint8Array }[];
  joined: number[];
  start(): void;
  run(seconds: number): void;
}

function rig(options: Partial<LorawanMacOptions> = {}, words = new Words(), seed = 1): Rig {
  const engine = new Engine();
  const radio = new ScriptedRadio(engine, SETUP_US);
  let s = seed;
  const random = () => {
    // xorshift32: deterministic channel choice for the test
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const mac = new LorawanMac({
    radio,
    timer: radio.timers,
    clock: radio.clock,
    cipher: testCiphers(),
    random,
    store: new RetainedLorawanStore(words, 0, 20),
    otaa: options.abp ? undefined : { devEui: DEV_EUI, joinEui: JOIN_EUI, appKey: APP_KEY },
    ...options,
  });
  const r: Rig = {
    engine,
    radio,
    mac,
    words,
    errors: [],
    downlinks: [],
    joined: [],
    start: () =>
      mac.start({
        onError: (e) => r.errors.push(e.message),
        onDownlink: (port, payload) => r.downlinks.push({ port, payload }),
        onJoined: () => r.joined.push(engine.now),
      }),
    run: (seconds) => {
      engine.runUntil(engine.now + seconds * SECOND);
    },
  };
  return r;
}

/** What lora-packet makes of a Join-Request: MIC under the AppKey, fields. */
function readJoinRequest(tx: Transmission) {
  const p = loraPacket.fromWire(Buffer.from(tx.payload));
  return { packet: p, micOk: loraPacket.verifyMIC(p, undefined as unknown as Buffer, APP_KEY), devNonce: p.DevNonce!.readUInt16BE(0) };
}

function joinAccept(devNonce: number, opts: { appNonce?: string; dlSettings?: number; rxDelay?: number; cfList?: Buffer; key?: Buffer } = {}) {
  const appNonce = Buffer.from(opts.appNonce ?? "a1b2c3", "hex");
  const packet = loraPacket.fromFields(
    {
      MType: "Join Accept",
      AppNonce: appNonce,
      NetID: NET_ID,
      DevAddr: be32(DEV_ADDR),
      DLSettings: Buffer.from([opts.dlSettings ?? 0]),
      RxDelay: Buffer.from([opts.rxDelay ?? 1]),
      CFList: opts.cfList ?? Buffer.alloc(0),
    },
    undefined,
    undefined,
    opts.key ?? APP_KEY,
  );
  const nonce = Buffer.alloc(2);
  nonce.writeUInt16BE(devNonce);
  const keys = loraPacket.generateSessionKeys(APP_KEY, NET_ID, appNonce, nonce);
  return { wire: new Uint8Array(packet.getPHYPayload()!), keys };
}

type Keys = { AppSKey: Buffer; NwkSKey: Buffer };

function readUplink(tx: Transmission, keys: Keys) {
  const p = loraPacket.fromWire(Buffer.from(tx.payload));
  const fCnt = p.getFCnt()!;
  return {
    packet: p,
    micOk: loraPacket.verifyMIC(p, keys.NwkSKey),
    fCnt,
    port: p.getFPort(),
    payload: p.FRMPayload && p.FRMPayload.length > 0 ? new Uint8Array(loraPacket.decrypt(p, keys.AppSKey, keys.NwkSKey)) : new Uint8Array(0),
    fOpts: new Uint8Array(p.FOpts ?? Buffer.alloc(0)),
  };
}

function dataDown(keys: Keys, o: { fCnt: number; port?: number; payload?: Uint8Array; fOpts?: Uint8Array; ack?: boolean; confirmed?: boolean; devAddr?: number }) {
  // lora-packet puts these two bytes into B0 and A_i right after the 16-bit FCnt as given: little endian.
  const msb = Buffer.alloc(2);
  msb.writeUInt16LE((o.fCnt >>> 16) & 0xffff);
  const p = loraPacket.fromFields(
    {
      MType: o.confirmed ? "Confirmed Data Down" : "Unconfirmed Data Down",
      DevAddr: be32(o.devAddr ?? DEV_ADDR),
      FCtrl: { ACK: o.ack ?? false },
      FCnt: o.fCnt & 0xffff,
      FOpts: Buffer.from(o.fOpts ?? new Uint8Array(0)),
      FPort: o.port ?? 1,
      payload: Buffer.from(o.payload ?? new Uint8Array(0)),
    },
    keys.AppSKey,
    keys.NwkSKey,
    undefined,
    msb,
  );
  return new Uint8Array(p.getPHYPayload()!);
}

/** Join with the network answering the first Join-Request in RX1; returns the session keys lora-packet derived. */
function joined(r: Rig, accept: Parameters<typeof joinAccept>[1] = {}): Keys {
  let keys: Keys | undefined;
  r.radio.onTransmit = (tx) => {
    if (keys) return;
    const { devNonce } = readJoinRequest(tx);
    const a = joinAccept(devNonce, accept);
    keys = a.keys;
    r.radio.downlink(tx.endUs + 5 * SECOND, rx1Hz(tx.params.frequencyHz), tx.params.sf, a.wire);
  };
  r.start();
  r.run(10);
  expect(r.mac.joined).toBe(true);
  r.radio.onTransmit = () => {};
  return keys!;
}

function send(r: Rig, payload: number[], port = 1, confirmed = false) {
  const result: { failure?: { reason: string; retry: boolean }; done: boolean } = { done: false };
  r.mac.send(port, new Uint8Array(payload), confirmed, (f) => {
    result.done = true;
    result.failure = f;
  });
  return result;
}

describe("join (OTAA, TS001-1.0.4 §6.2)", () => {
  it("sends a Join-Request lora-packet verifies under the AppKey, with the EUIs as printed and DevNonce 0, 1, 2 …", () => {
    const r = rig();
    r.start();
    r.run(600);
    expect(r.radio.sent.length).toBeGreaterThanOrEqual(3);
    r.radio.sent.forEach((tx, i) => {
      const j = readJoinRequest(tx);
      expect(j.micOk).toBe(true);
      expect(j.packet.getMType()).toBe("Join Request");
      expect(j.packet.DevEUI!.toString("hex")).toBe(DEV_EUI.toString("hex"));
      expect(j.packet.AppEUI!.toString("hex")).toBe(JOIN_EUI.toString("hex"));
      expect(j.devNonce).toBe(i);
      expect(tx.payload.length).toBe(23);
    });
  });

  it("opens the join windows at txEnd + 5 s and + 6 s less the radio's setup time, on the RP §2.7.7 channels", () => {
    const r = rig({ dataRate: 2 });
    r.start();
    r.run(8);
    const tx = r.radio.sent[0]!;
    expect(tx.params.sf).toBe(SF[2]);
    expect(tx.params.invertIq).toBe(false);
    expect(tx.params.crc).toBe(true);
    expect(tx.params.preamble).toBe(8);
    expect(upChannel(tx.params.frequencyHz)).toBeGreaterThanOrEqual(0);
    expect(upChannel(tx.params.frequencyHz)).toBeLessThan(96);
    expect(tx.params.frequencyHz).toBe(470_300_000 + 200_000 * upChannel(tx.params.frequencyHz));
    const [rx1, rx2] = r.radio.windows;
    // The engine runs timers to the microsecond: the only error allowed is the ms→µs rounding of the delay.
    expect(Math.abs(rx1!.listenUs - (tx.endUs + 5 * SECOND))).toBeLessThanOrEqual(1);
    expect(Math.abs(rx2!.listenUs - (tx.endUs + 6 * SECOND))).toBeLessThanOrEqual(1);
    expect(rx1!.params.frequencyHz).toBe(rx1Hz(tx.params.frequencyHz));
    expect(rx1!.params.sf).toBe(SF[2]); // RX1DROffset 0 before the join
    expect(rx2!.params.frequencyHz).toBe(505_300_000);
    expect(rx2!.params.sf).toBe(12);
    for (const w of [rx1!, rx2!]) {
      expect(w.params.invertIq).toBe(true);
      expect(w.params.crc).toBe(false);
      // At least 6 symbols to lock, plus the 1 ms timer error on both sides, in symbols of that data rate.
      expect(w.params.timeoutSymbols).toBe(6 + Math.ceil(2000 / symbolUs(w.params)));
    }
  });

  it("accepts a Join-Accept built by lora-packet, derives the same session keys and applies DLSettings, RxDelay and CFList", () => {
    const r = rig({ dataRate: 3 });
    const cfList = Buffer.alloc(16);
    cfList.writeUInt16LE(0x00ff, 0); // channels 0–7 only
    cfList[15] = 1; // CFListType 1: channel masks (RP §2.7.4)
    const keys = joined(r, { dlSettings: (2 << 4) | 3, rxDelay: 3, cfList });
    expect(r.joined.length).toBe(1);
    expect(r.mac.devAddr).toBe(DEV_ADDR);
    expect(r.mac.channelMask.count()).toBe(8);
    expect(r.radio.windows.length).toBe(1); // RX1 had it: no RX2 (§3.3.2)
    const s = send(r, [1, 2, 3]);
    r.run(10);
    expect(s.done).toBe(true);
    const tx = r.radio.sent.at(-1)!;
    const up = readUplink(tx, keys);
    expect(up.micOk).toBe(true);
    expect(Array.from(up.payload)).toEqual([1, 2, 3]);
    expect(upChannel(tx.params.frequencyHz)).toBeLessThan(8);
    const [rx1, rx2] = r.radio.windows.slice(-2);
    // RxDelay 3: RX1 at +3 s, RX2 at +4 s; RX1DROffset 2 from DR3 gives DR1; RX2 at DR3.
    expect(Math.abs(rx1!.listenUs - (tx.endUs + 3 * SECOND))).toBeLessThanOrEqual(1);
    expect(Math.abs(rx2!.listenUs - (tx.endUs + 4 * SECOND))).toBeLessThanOrEqual(1);
    expect(rx1!.params.sf).toBe(SF[1]);
    expect(rx2!.params.sf).toBe(SF[3]);
  });

  it("rejects a Join-Accept with a bad MIC, counts it, still opens RX2 and joins on a later attempt with a new DevNonce", () => {
    // DR3: the 17-byte Join-Accept in RX1 ends before RX2 is due (at DR0 it lasts 1.2 s and RX2 would be missed).
    const r = rig({ dataRate: 3 });
    const nonces: number[] = [];
    let keys: Keys | undefined;
    r.radio.onTransmit = (tx) => {
      const { devNonce } = readJoinRequest(tx);
      nonces.push(devNonce);
      const good = nonces.length > 1;
      const a = joinAccept(devNonce, good ? {} : { key: Buffer.from("000102030405060708090a0b0c0d0e0f", "hex") });
      if (good) keys = a.keys;
      r.radio.downlink(tx.endUs + 5 * SECOND, rx1Hz(tx.params.frequencyHz), tx.params.sf, a.wire);
    };
    r.start();
    r.run(600);
    expect(r.mac.stats.joinAcceptBadMic).toBe(1);
    expect(r.errors[0]).toMatch(/Join-Accept \(17 bytes\) failed its MIC/);
    expect(r.radio.windows[1]!.params.frequencyHz).toBe(505_300_000);
    expect(nonces).toEqual([0, 1]);
    expect(r.mac.joined).toBe(true);
    r.radio.onTransmit = () => {};
    send(r, [9]);
    r.run(10);
    expect(readUplink(r.radio.sent.at(-1)!, keys!).micOk).toBe(true);
  });

  it("backs Join-Requests off to 1 % in the first hour and 0.1 % in the next ten (TS001-1.0.4 §7), with 1–3 s of jitter", () => {
    const r = rig({ dataRate: 0 });
    r.start();
    r.run(4 * 3600);
    const sent = r.radio.sent;
    let firstHourAir = 0;
    let later = 0;
    for (let i = 1; i < sent.length; i++) {
      const prev = sent[i - 1]!;
      const air = prev.endUs - prev.startUs;
      const gap = sent[i]!.startUs - prev.startUs;
      if (prev.startUs < 3600 * SECOND) {
        firstHourAir += air;
        expect(gap).toBeGreaterThanOrEqual(100 * air);
      } else {
        later++;
        expect(gap).toBeGreaterThanOrEqual(1000 * air);
      }
    }
    expect(firstHourAir).toBeLessThanOrEqual(36 * SECOND);
    expect(later).toBeGreaterThan(2);
  });

  it("never reuses a DevNonce across restarts: the counter lives in retained memory", () => {
    const words = new Words();
    const a = rig({}, words);
    a.start();
    a.run(30);
    const first = a.radio.sent.map((tx) => readJoinRequest(tx).devNonce);
    const b = rig({}, words, 7);
    b.start();
    b.run(30);
    const second = b.radio.sent.map((tx) => readJoinRequest(tx).devNonce);
    expect(first.length).toBeGreaterThan(0);
    expect(second[0]).toBe(first.at(-1)! + 1);
  });

  it("stops joining, with a clear error, once all 65536 DevNonces are spent", () => {
    const words = new Words();
    words.set(0, (0xd0 << 24) | 0x10000);
    const r = rig({}, words);
    r.start();
    r.run(30);
    expect(r.radio.sent.length).toBe(0);
    expect(r.errors).toEqual(["LoRaWAN: all 65536 DevNonce values are used; this DevEUI/JoinEUI cannot join again"]);
  });
});

describe("uplinks and receive windows (TS001-1.0.4 §3.3, §4)", () => {
  it("a transmit the radio reports as failed is counted and reported; the uplink fails with retry and the MAC carries on", () => {
    const r = rig({ dataRate: 5 });
    const keys = joined(r);
    r.radio.failNextTransmit = { kind: "bus", message: "SPI timeout" };
    const s = send(r, [1]);
    r.run(1);
    expect(s.failure).toEqual({ reason: "LoRaWAN: transmit failed (bus: SPI timeout)", retry: true });
    expect(r.mac.stats.radioErrors).toBe(1);
    expect(r.errors).toEqual(["LoRaWAN: transmit failed (bus: SPI timeout)"]);
    send(r, [2]);
    r.run(10);
    const up = readUplink(r.radio.sent.at(-1)!, keys);
    expect([up.micOk, up.fCnt]).toEqual([true, 1]); // the failed frame's FCnt is never reused
  });

  it("listens for RX1 at txEnd + 1 s and RX2 at txEnd + 2 s, prepared ahead, and lora-packet reads every frame", () => {
    const r = rig({ dataRate: 5 });
    const keys = joined(r);
    for (let i = 0; i < 3; i++) {
      const s = send(r, [i, 0xaa, 0x55], 7);
      r.run(10);
      expect(s).toEqual({ done: true, failure: undefined });
      const tx = r.radio.sent.at(-1)!;
      const up = readUplink(tx, keys);
      expect(up.micOk).toBe(true);
      expect(up.fCnt).toBe(i);
      expect(up.port).toBe(7);
      expect(up.packet.getMType()).toBe("Unconfirmed Data Up");
      expect(up.packet.getFCtrlADR()).toBe(true);
      expect(Array.from(up.payload)).toEqual([i, 0xaa, 0x55]);
      const [rx1, rx2] = r.radio.windows.slice(-2);
      expect(Math.abs(rx1!.listenUs - (tx.endUs + SECOND))).toBeLessThanOrEqual(1);
      expect(Math.abs(rx2!.listenUs - (tx.endUs + 2 * SECOND))).toBeLessThanOrEqual(1);
      // Prepared ahead (right after TxDone, right after RX1): at the window the radio only starts the receiver.
      expect(rx1!.listenUs).toBe(rx1!.calledUs + r.radio.preparedRxSetupUs);
      expect(r.radio.prepared.slice(-2)).toEqual([rx1!.params, rx2!.params]);
      // At DR5 (SF7, 1.024 ms symbols) the default ±2 ms error needs 8 symbols (Semtech's rule), at SF12 7.
      expect([rx1!.params.timeoutSymbols, rx2!.params.timeoutSymbols]).toEqual([8, 7]);
      expect(rx1!.params.frequencyHz).toBe(rx1Hz(tx.params.frequencyHz));
      expect(rx1!.params.sf).toBe(7);
      expect(rx2!.params.frequencyHz).toBe(505_300_000);
      expect(rx2!.params.sf).toBe(12);
    }
    expect(r.mac.fCntUp).toBe(3);
  });

  it("a downlink sent at the spec's instant is caught in RX2; one sent 20 ms late in RX1 is missed (the window check is real)", () => {
    const r = rig({ dataRate: 5 });
    const keys = joined(r);
    r.radio.onTransmit = (tx) => {
      r.radio.downlink(tx.endUs + SECOND + 20_000, rx1Hz(tx.params.frequencyHz), 7, dataDown(keys, { fCnt: 0, port: 3, payload: new Uint8Array([1]) }));
      r.radio.downlink(tx.endUs + 2 * SECOND, 505_300_000, 12, dataDown(keys, { fCnt: 1, port: 4, payload: new Uint8Array([2]) }));
    };
    send(r, [0]);
    r.run(10);
    expect(r.radio.windows.slice(-2).map((w) => w.outcome)).toEqual(["timeout", "frame"]);
    expect(r.downlinks.map((d) => [d.port, Array.from(d.payload)])).toEqual([[4, [2]]]);
  });

  it("a confirmed uplink acknowledged in RX1 is delivered and the ACK ends the transaction", () => {
    const r = rig({ dataRate: 4 });
    const keys = joined(r);
    r.radio.onTransmit = (tx) => {
      const up = readUplink(tx, keys);
      expect(up.packet.getMType()).toBe("Confirmed Data Up");
      r.radio.downlink(tx.endUs + SECOND, rx1Hz(tx.params.frequencyHz), 8, dataDown(keys, { fCnt: 0, ack: true, port: 1 }));
    };
    const s = send(r, [1, 2], 2, true);
    r.run(10);
    expect(s).toEqual({ done: true, failure: undefined });
    expect(r.mac.stats.acks).toBe(1);
    expect(r.radio.windows.at(-1)!.outcome).toBe("frame");
  });

  it("a confirmed uplink never acknowledged is sent NbTrans times with one FCnt on fresh channels, then fails with retry", () => {
    const r = rig({ dataRate: 5 });
    const keys = joined(r);
    // LinkADRReq: DR5, TXPower 1, ChMask 0xffff with ChMaskCntl 6 (all on), NbTrans 3, on port 0.
    r.radio.onTransmit = (tx) => r.radio.downlink(tx.endUs + SECOND, rx1Hz(tx.params.frequencyHz), 7, dataDown(keys, { fCnt: 0, port: 0, payload: new Uint8Array([0x03, 0x51, 0xff, 0xff, 0x63]) }));
    send(r, [0]);
    r.run(10);
    expect(r.mac.nbTrans).toBe(3);
    r.radio.onTransmit = () => {};
    const before = r.radio.sent.length;
    const s = send(r, [5], 1, true);
    r.run(30);
    const txs = r.radio.sent.slice(before);
    expect(txs.length).toBe(3);
    expect(txs.map((tx) => readUplink(tx, keys).fCnt)).toEqual([1, 1, 1]);
    expect(txs.every((tx) => readUplink(tx, keys).micOk)).toBe(true);
    for (let i = 1; i < txs.length; i++) {
      // RETRANSMIT_TIMEOUT 1–3 s after RX2 closes (RX2 opens at +2 s).
      const gap = txs[i]!.startUs - txs[i - 1]!.endUs;
      expect(gap).toBeGreaterThanOrEqual(3 * SECOND);
      expect(gap).toBeLessThanOrEqual(5.5 * SECOND);
    }
    expect(s.failure).toEqual({ reason: "no ACK after 3 transmission(s)", retry: true });
    expect(r.mac.fCntUp).toBe(2);
    // The LinkADRAns for the block rode in the FOpts of the next uplink: all three ACK bits.
    expect(Array.from(readUplink(txs[0]!, keys).fOpts)).toEqual([0x03, 0x07]);
  });

  it("an unconfirmed uplink with NbTrans 2 stops repeating once any class A downlink arrives", () => {
    const r = rig({ dataRate: 5 });
    const keys = joined(r);
    r.radio.onTransmit = (tx) => r.radio.downlink(tx.endUs + SECOND, rx1Hz(tx.params.frequencyHz), 7, dataDown(keys, { fCnt: 0, port: 0, payload: new Uint8Array([0x03, 0x5f, 0x00, 0x00, 0x62]) }));
    send(r, [0]);
    r.run(10);
    expect(r.mac.nbTrans).toBe(2);
    r.radio.onTransmit = () => {};
    let before = r.radio.sent.length;
    send(r, [1]);
    r.run(20);
    expect(r.radio.sent.length - before).toBe(2);
    r.radio.onTransmit = (tx) => r.radio.downlink(tx.endUs + SECOND, rx1Hz(tx.params.frequencyHz), 7, dataDown(keys, { fCnt: 1, port: 9, payload: new Uint8Array([7]) }));
    before = r.radio.sent.length;
    send(r, [2]);
    r.run(20);
    expect(r.radio.sent.length - before).toBe(1);
  });
});

describe("downlinks: MIC, 32-bit FCnt, replay (TS001-1.0.4 §4.3.1.5, §4.4)", () => {
  function answering(r: Rig, frames: Uint8Array[]) {
    let i = 0;
    r.radio.onTransmit = (tx) => {
      const f = frames[i++];
      if (f) r.radio.downlink(tx.endUs + SECOND, rx1Hz(tx.params.frequencyHz), tx.params.sf, f);
    };
  }

  it("decrypts an application downlink on its port; a replayed FCnt and a bad MIC are counted, reported and ignored", () => {
    const r = rig({ dataRate: 5 });
    const keys = joined(r);
    const good = dataDown(keys, { fCnt: 5, port: 10, payload: new Uint8Array([0xde, 0xad]) });
    const tampered = dataDown(keys, { fCnt: 6, port: 10, payload: new Uint8Array([0xbe, 0xef]) });
    tampered[tampered.length - 6] = tampered[tampered.length - 6]! ^ 1;
    answering(r, [good, good, tampered, dataDown(keys, { fCnt: 6, port: 11, payload: new Uint8Array([1]) })]);
    for (let i = 0; i < 4; i++) {
      send(r, [i]);
      r.run(10);
    }
    expect(r.downlinks.map((d) => [d.port, Array.from(d.payload)])).toEqual([
      [10, [0xde, 0xad]],
      [11, [1]],
    ]);
    expect(r.mac.stats.replays).toBe(1);
    expect(r.mac.stats.badMic).toBe(1);
    expect(r.errors).toEqual([
      "LoRaWAN: downlink FCnt 5 replayed (last accepted 5); ignored",
      "LoRaWAN: downlink for 26011bda (FCnt 6) failed its MIC; ignored",
    ]);
    expect(r.mac.fCntDown).toBe(6);
  });

  it("reconstructs the 32-bit FCnt across the 16-bit wrap (lora-packet signs with the MSBs)", () => {
    const r = rig({ dataRate: 5 });
    const keys = joined(r);
    answering(r, [dataDown(keys, { fCnt: 0xfffe, port: 1, payload: new Uint8Array([1]) }), dataDown(keys, { fCnt: 0x10003, port: 1, payload: new Uint8Array([2]) })]);
    send(r, [0]);
    r.run(10);
    send(r, [0]);
    r.run(10);
    expect(r.mac.fCntDown).toBe(0x10003);
    expect(r.downlinks.map((d) => d.payload[0])).toEqual([1, 2]);
  });

  it("ignores a downlink for another DevAddr without calling it an error", () => {
    const r = rig({ dataRate: 5 });
    const keys = joined(r);
    answering(r, [dataDown(keys, { fCnt: 1, port: 1, payload: new Uint8Array([1]), devAddr: 0x01020304 })]);
    send(r, [0]);
    r.run(10);
    expect(r.mac.stats.otherDevice).toBe(1);
    expect(r.errors).toEqual([]);
    expect(r.radio.windows.slice(-2).map((w) => w.params.frequencyHz === 505_300_000)).toEqual([false, true]);
  });
});

describe("MAC commands for CN470 (TS001-1.0.4 §5, RP §2.7)", () => {
  /** Send `payload` as port-0 MAC commands in RX1 of one uplink, then return the next uplink as lora-packet reads it. */
  function commands(r: Rig, keys: Keys, payload: number[], fCnt = 0, rx1DrOffset = 0) {
    r.radio.onTransmit = (tx) => {
      const sf = Math.min(12, tx.params.sf + rx1DrOffset);
      r.radio.downlink(tx.endUs + SECOND, rx1Hz(tx.params.frequencyHz), sf, dataDown(keys, { fCnt, port: 0, payload: new Uint8Array(payload) }));
    };
    send(r, [0]);
    r.run(10);
    r.radio.onTransmit = () => {};
    send(r, [1]);
    r.run(10);
    return readUplink(r.radio.sent.at(-1)!, keys);
  }

  it("LinkADRReq block: ChMaskCntl selects 16-channel blocks, applies DR and power together, answers each request", () => {
    const r = rig({ dataRate: 0 });
    const keys = joined(r);
    // One block of two requests: channels 0–3 of block 0, block 1 off (ChMaskCntl 0, then 1); DR3, TXPower 2.
    const up = commands(r, keys, [0x03, 0x32, 0x0f, 0x00, 0x01, 0x03, 0x32, 0x00, 0x00, 0x11]);
    expect(Array.from(up.fOpts)).toEqual([0x03, 0x07, 0x03, 0x07]);
    expect(r.mac.dataRate).toBe(3);
    expect(r.mac.txPowerIndex).toBe(2);
    expect(r.mac.channelMask.count()).toBe(4 + 4 * 16);
    expect(r.radio.sent.at(-1)!.params.sf).toBe(9);
    // EIRP 19.15 − 2·2 dBm less a 2.15 dBi antenna: 13 dBm conducted (RP §2.7.3).
    expect(r.radio.sent.at(-1)!.params.powerDbm).toBe(13);
    expect(upChannel(r.radio.sent.at(-1)!.params.frequencyHz)).not.toBeLessThan(0);
  });

  it("LinkADRReq with RFU ChMaskCntl 7, an unknown DR or a mask with no channel changes nothing and says which part failed", () => {
    const r = rig({ dataRate: 1 });
    const keys = joined(r);
    const up = commands(r, keys, [0x03, 0x9f, 0xff, 0xff, 0x71]);
    // DR 9 (not in CN470) and ChMaskCntl 7 (RFU): power (0xF, keep) is the only ACK.
    expect(Array.from(up.fOpts)).toEqual([0x03, 0x04]);
    expect(r.mac.dataRate).toBe(1);
    const up2 = commands(r, keys, [0x03, 0x20, 0x00, 0x00, 0x61, 0x03, 0x20, 0x00, 0x00, 0x01], 1);
    // ChMaskCntl 6 then block 0 cleared: 80 channels on, accepted. Then everything off: refused.
    expect(Array.from(up2.fOpts)).toEqual([0x03, 0x07, 0x03, 0x07]);
    expect(r.mac.channelMask.count()).toBe(80);
    const up3 = commands(r, keys, [0x03, 0x2f, 0x00, 0x00, 0x01, 0x03, 0x2f, 0x00, 0x00, 0x11, 0x03, 0x2f, 0x00, 0x00, 0x21, 0x03, 0x2f, 0x00, 0x00, 0x31, 0x03, 0x2f, 0x00, 0x00, 0x41, 0x03, 0x2f, 0x00, 0x00, 0x51], 2);
    expect(Array.from(up3.fOpts.subarray(0, 4))).toEqual([0x03, 0x06, 0x03, 0x06]);
    expect(r.mac.channelMask.count()).toBe(80);
  });

  it("RXParamSetupReq is applied when valid and its answer repeats in every uplink until a downlink arrives", () => {
    const r = rig({ dataRate: 5 });
    const keys = joined(r);
    // DLsettings: RX1DROffset 1, RX2 DR2; 505.5 MHz = 5055000 × 100 Hz.
    const f = 5_055_000;
    const up = commands(r, keys, [0x05, 0x12, f & 0xff, (f >> 8) & 0xff, f >> 16]);
    expect(Array.from(up.fOpts)).toEqual([0x05, 0x07]);
    const tx = r.radio.sent.at(-1)!;
    const [rx1, rx2] = r.radio.windows.slice(-2);
    expect(rx1!.params.sf).toBe(8); // DR5 − 1
    expect(rx2!.params.frequencyHz).toBe(505_500_000);
    expect(rx2!.params.sf).toBe(10);
    expect(tx.params.sf).toBe(7);
    send(r, [2]);
    r.run(10);
    expect(Array.from(readUplink(r.radio.sent.at(-1)!, keys).fOpts)).toEqual([0x05, 0x07]);
    const up3 = commands(r, keys, [0x06], 1, 1); // DevStatusReq: the downlink also ends the sticky answer
    expect(Array.from(up3.fOpts)).toEqual([0x06, 255, 5]);
  });

  it("DevStatusAns reports the battery callback and the last downlink's SNR as a 6-bit signed margin", () => {
    const r = rig({ dataRate: 5, battery: () => 200 });
    const keys = joined(r);
    r.radio.onTransmit = (tx) => r.radio.downlink(tx.endUs + SECOND, rx1Hz(tx.params.frequencyHz), 7, dataDown(keys, { fCnt: 0, port: 0, payload: new Uint8Array([0x06]) }), -7.4);
    send(r, [0]);
    r.run(10);
    r.radio.onTransmit = () => {};
    send(r, [1]);
    r.run(10);
    expect(Array.from(readUplink(r.radio.sent.at(-1)!, keys).fOpts)).toEqual([0x06, 200, -7 & 0x3f]);
  });

  it("refuses NewChannelReq and DlChannelReq (fixed plan), ignores TxParamSetupReq, applies RXTimingSetupReq and DutyCycleReq", () => {
    const r = rig({ dataRate: 5 });
    const keys = joined(r);
    const up = commands(r, keys, [0x07, 3, 0x10, 0x20, 0x30, 0x50, 0x09, 0x0f, 0x0a, 2, 0x10, 0x20, 0x30, 0x08, 0x04, 0x04, 0x03]);
    expect(Array.from(up.fOpts)).toEqual([0x07, 0x00, 0x0a, 0x00, 0x08, 0x04]);
    const tx = r.radio.sent.at(-1)!;
    expect(Math.abs(r.radio.windows.at(-2)!.listenUs - (tx.endUs + 4 * SECOND))).toBeLessThanOrEqual(1);
    // MaxDCycle 3: after a frame of airtime T the next may start T·(2^3 − 1) after it ends.
    const before = r.radio.sent.at(-1)!;
    send(r, [2]);
    r.run(20);
    const next = r.radio.sent.at(-1)!;
    expect(next.startUs - before.endUs).toBeGreaterThanOrEqual(7 * (before.endUs - before.startUs));
  });

  it("an unknown command drops the rest of the frame, reported; LinkCheckAns reaches the handler", () => {
    const r = rig({ dataRate: 5 });
    const keys = joined(r);
    const checks: number[][] = [];
    r.mac.close();
    const r2 = rig({ dataRate: 5 }, r.words);
    r2.mac.start({ onLinkCheck: (m, g) => checks.push([m, g]), onError: (e) => r2.errors.push(e.message) });
    r2.mac.requestLinkCheck();
    r2.radio.onTransmit = (tx) => {
      expect(Array.from(readUplink(tx, keys).fOpts)).toEqual([0x02]);
      r2.radio.downlink(tx.endUs + SECOND, rx1Hz(tx.params.frequencyHz), 7, dataDown(keys, { fCnt: 0, port: 0, payload: new Uint8Array([0x02, 12, 3, 0x20, 1, 0x06]) }));
    };
    send(r2, [0]);
    r2.run(10);
    expect(checks).toEqual([[12, 3]]);
    expect(r2.mac.stats.unknownMacCommands).toBe(1);
    expect(r2.errors).toEqual(["LoRaWAN: MAC command 0x20 at byte 3 is unknown or cut short; the rest (3 bytes) is dropped"]);
  });
});

describe("ADR back-off (TS001-1.0.4 §4.3.1.1, ADR_ACK_LIMIT 64, ADR_ACK_DELAY 32)", () => {
  it("sets ADRACKReq from the 64th uplink without a downlink, then restores power, lowers the DR, and finally enables all channels", () => {
    const r = rig({ dataRate: 2 });
    const keys = joined(r);
    // Start from DR2, TXPower 3, channels 0–15 only.
    r.radio.onTransmit = (tx) => r.radio.downlink(tx.endUs + SECOND, rx1Hz(tx.params.frequencyHz), tx.params.sf, dataDown(keys, { fCnt: 0, port: 0, payload: new Uint8Array([0x03, 0x23, 0xff, 0xff, 0x01, 0x03, 0x23, 0, 0, 0x11, 0x03, 0x23, 0, 0, 0x21, 0x03, 0x23, 0, 0, 0x31, 0x03, 0x23, 0, 0, 0x41, 0x03, 0x23, 0, 0, 0x51]) }));
    send(r, [0]);
    r.run(10);
    r.radio.onTransmit = () => {};
    expect(r.mac.channelMask.count()).toBe(16);
    const seen: { adrAckReq: boolean; sf: number; power: number; channels: number }[] = [];
    for (let i = 0; i < 200; i++) {
      send(r, [i & 0xff]);
      r.run(12);
      const tx = r.radio.sent.at(-1)!;
      const up = readUplink(tx, keys);
      seen.push({ adrAckReq: up.packet.getFCtrlADRACKReq()!, sf: tx.params.sf, power: tx.params.powerDbm, channels: r.mac.channelMask.count() });
    }
    // seen[k] is the uplink sent with ADR_ACK_CNT = k (the counter was reset by the downlink above).
    expect(seen[63]!.adrAckReq).toBe(false);
    expect(seen[64]!.adrAckReq).toBe(true);
    expect(seen[95]!.power).toBe(11); // TXPower 3: 19.15 − 6 − 2.15
    expect(seen[96]!.power).toBe(17); // default (maximum) power
    expect(seen[127]!.sf).toBe(10);
    expect(seen[128]!.sf).toBe(11); // one data rate lower
    expect(seen[160]!.sf).toBe(12);
    expect(seen[191]!.channels).toBe(16);
    expect(seen[192]!.channels).toBe(96); // at DR0: every channel on (fixed plan)
  });
});

describe("ABP and session persistence", () => {
  it("ABP frames use the given keys; FCntUp survives a restart through the retained store", () => {
    const nwk = Buffer.from("44024241ed4ce9a68c6a8bc055233fd3", "hex");
    const app = Buffer.from("ec925802ae430ca77fd3dd73cb2cc588", "hex");
    const keys = { NwkSKey: nwk, AppSKey: app };
    const words = new Words();
    const abp = { devAddr: 0x49be7df1, nwkSKey: nwk, appSKey: app };
    const a = rig({ abp, otaa: undefined, dataRate: 5 }, words);
    a.start();
    expect(a.mac.joined).toBe(true);
    for (let i = 0; i < 3; i++) {
      send(a, [i]);
      a.run(10);
    }
    const b = rig({ abp, otaa: undefined, dataRate: 5 }, words);
    b.start();
    send(b, [42]);
    b.run(10);
    const up = readUplink(b.radio.sent[0]!, keys);
    expect(up.micOk).toBe(true);
    expect(up.fCnt).toBe(3);
    expect(up.packet.DevAddr!.toString("hex")).toBe("49be7df1");
    expect(Array.from(up.payload)).toEqual([42]);
  });

  it("an OTAA node that reboots (deep sleep) resumes its session instead of joining again", () => {
    const words = new Words();
    const a = rig({ dataRate: 5 }, words);
    const keys = joined(a);
    send(a, [1]);
    a.run(10);
    const b = rig({ dataRate: 5 }, words);
    b.start();
    expect(b.mac.joined).toBe(true);
    send(b, [2]);
    b.run(10);
    expect(b.radio.sent.length).toBe(1);
    const up = readUplink(b.radio.sent[0]!, keys);
    expect(up.micOk).toBe(true);
    expect(up.fCnt).toBe(1);
  });
});

describe("the hex vectors of the portable frame test are lora-packet's output", () => {
  const hex = (b: Buffer | void) => (b as Buffer).toString("hex");
  const appKey = Buffer.from(V.appKey, "hex");
  const le16 = (v: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE((v >>> 16) & 0xffff);
    return b;
  };
  const keys = loraPacket.generateSessionKeys(appKey, Buffer.from(V.netId, "hex"), Buffer.from(V.appNonce, "hex"), Buffer.from("1234", "hex"));
  const devAddr = be32(V.devAddr);

  it("Join-Request, Join-Accept and session keys", () => {
    const jr = loraPacket.fromFields({ MType: "Join Request", AppEUI: Buffer.from(V.joinEui, "hex"), DevEUI: Buffer.from(V.devEui, "hex"), DevNonce: Buffer.from("1234", "hex") }, undefined, undefined, appKey);
    expect(hex(jr.getPHYPayload())).toBe(V.joinRequest);
    const cf = Buffer.alloc(16);
    V.cfListMasks.forEach((m, i) => cf.writeUInt16LE(m, 2 * i));
    cf[15] = 1;
    const ja = loraPacket.fromFields(
      { MType: "Join Accept", AppNonce: Buffer.from(V.appNonce, "hex"), NetID: Buffer.from(V.netId, "hex"), DevAddr: devAddr, DLSettings: Buffer.from([0x23]), RxDelay: Buffer.from([2]), CFList: cf },
      undefined,
      undefined,
      appKey,
    );
    expect(hex(ja.getPHYPayload())).toBe(V.joinAccept);
    expect([hex(keys.NwkSKey), hex(keys.AppSKey)]).toEqual([V.nwkSKey, V.appSKey]);
  });

  it("uplinks and the downlink", () => {
    const up = loraPacket.fromFields(
      { MType: "Confirmed Data Up", DevAddr: devAddr, FCtrl: { ADR: true, ACK: true }, FCnt: V.uplinkFCnt & 0xffff, FOpts: Buffer.from("0307", "hex"), FPort: 42, payload: Buffer.from(V.uplinkPayload) },
      keys.AppSKey,
      keys.NwkSKey,
      undefined,
      le16(V.uplinkFCnt),
    );
    expect(hex(up.getPHYPayload())).toBe(V.uplink);
    const up0 = loraPacket.fromFields({ MType: "Unconfirmed Data Up", DevAddr: devAddr, FCnt: 7, FPort: 0, payload: Buffer.from("0307", "hex") }, keys.AppSKey, keys.NwkSKey, undefined, le16(7));
    expect(hex(up0.getPHYPayload())).toBe(V.uplinkPort0);
    const dn = loraPacket.fromFields(
      { MType: "Confirmed Data Down", DevAddr: devAddr, FCtrl: { ACK: true, FPending: true }, FCnt: V.downlinkFCnt & 0xffff, FOpts: Buffer.from("020c03", "hex"), FPort: 9, payload: Buffer.from(V.downlinkPayload, "hex") },
      keys.AppSKey,
      keys.NwkSKey,
      undefined,
      le16(V.downlinkFCnt),
    );
    expect(hex(dn.getPHYPayload())).toBe(V.downlink);
  });

  it("the session of the cross-engine MAC test", () => {
    const up = (fCnt: number, fOpts: string, payload: string) =>
      hex(loraPacket.fromFields({ MType: "Unconfirmed Data Up", DevAddr: devAddr, FCtrl: { ADR: true }, FCnt: fCnt, FOpts: Buffer.from(fOpts, "hex"), FPort: 1, payload: Buffer.from(payload, "hex") }, keys.AppSKey, keys.NwkSKey).getPHYPayload());
    expect(up(0, "", "010203")).toBe(V.sessionUplink);
    expect(up(1, "06ff05", "04")).toBe(V.sessionUplink2);
    const dn = loraPacket.fromFields(
      { MType: "Unconfirmed Data Down", DevAddr: devAddr, FCnt: 0, FOpts: Buffer.from("06", "hex"), FPort: 9, payload: Buffer.from(V.downlinkPayload, "hex") },
      keys.AppSKey,
      keys.NwkSKey,
    );
    expect(hex(dn.getPHYPayload())).toBe(V.sessionDownlink);
  });
});
