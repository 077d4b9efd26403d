/**
 * The LoRaWAN frame codec (runtime/link/lorawan/frame.ts) reproduces and reads frames made by lora-packet
 * (lorawan-vectors.ts) byte for byte. Portable: runs on V8 and on XS (test/xs/unit.test.ts), so the device builds
 * the same bytes on both engines.
 */
import { testCiphers } from "../helpers/ciphers.js";
import { describe, expect, it } from "vitest";
import { FCtrl, FrameCrypto, type JoinAccept } from "../../runtime/link/lorawan/frame.js";
import { ChannelMask, rx1DataRate, rx1FrequencyHz, txPowerDbm, uplinkFrequencyHz, CN470_DATA_RATES } from "../../runtime/link/lorawan/region-cn470.js";
import { fromHex, toHex } from "../helpers/hex.js";
import { VECTORS as V } from "./lorawan-vectors.js";

function session(): FrameCrypto {
  const c = new FrameCrypto(testCiphers());
  c.setSession({ devAddr: V.devAddr, nwkSKey: fromHex(V.nwkSKey), appSKey: fromHex(V.appSKey) });
  return c;
}

describe("LoRaWAN frames against lora-packet", () => {
  it("Join-Request: MHDR, JoinEUI and DevEUI reversed on the air, DevNonce, MIC under the AppKey (§6.2.5)", () => {
    const c = new FrameCrypto(testCiphers());
    c.setRootKey(fromHex(V.appKey));
    const out = new Uint8Array(32);
    const n = c.buildJoinRequest(out, fromHex(V.joinEui), fromHex(V.devEui), V.devNonce);
    expect(toHex(out.subarray(0, n))).toBe(V.joinRequest);
  });

  it("Join-Accept: decrypted by encryption, MIC checked, fields and CFList read, session keys derived (§6.2.6)", () => {
    const c = new FrameCrypto(testCiphers());
    c.setRootKey(fromHex(V.appKey));
    const a = c.readJoinAccept(fromHex(V.joinAccept)) as JoinAccept;
    expect(typeof a).toBe("object");
    expect([a.joinNonce, a.netId, a.devAddr, a.rx1DrOffset, a.rx2DataRate, a.rxDelayS, a.cfListAt]).toEqual([0xa1b2c3, 0x13, V.devAddr, 2, 3, 2, 13]);
    const mask = new ChannelMask();
    expect(mask.applyCfList(a.plain, a.cfListAt)).toBe(true);
    expect(Array.from(mask.words)).toEqual(V.cfListMasks);
    expect(mask.count()).toBe(16);
    const nwk = new Uint8Array(16);
    const app = new Uint8Array(16);
    c.deriveSessionKeys(a, V.devNonce, nwk, app);
    expect([toHex(nwk), toHex(app)]).toEqual([V.nwkSKey, V.appSKey]);
  });

  it("Join-Accept under another key, cut short or of another type is rejected, saying why", () => {
    const c = new FrameCrypto(testCiphers());
    c.setRootKey(fromHex("000102030405060708090a0b0c0d0e0f"));
    expect(c.readJoinAccept(fromHex(V.joinAccept))).toBe("mic");
    expect(c.readJoinAccept(fromHex(V.joinAccept).subarray(0, 20))).toBe("short");
    expect(c.readJoinAccept(fromHex(V.uplink).subarray(0, 17))).toBe("mtype");
  });

  it("uplink: FHDR, FOpts, FPort, two encrypted blocks and the MIC with a 32-bit FCnt (§4.3.3, §4.4)", () => {
    const out = new Uint8Array(64);
    const n = session().buildUplink(out, {
      confirmed: true,
      fCtrl: FCtrl.ADR | FCtrl.ACK,
      fCnt: V.uplinkFCnt,
      fOpts: fromHex("0307"),
      fOptsLength: 2,
      port: 42,
      payload: new Uint8Array(V.uplinkPayload),
    });
    expect(toHex(out.subarray(0, n))).toBe(V.uplink);
  });

  it("uplink on port 0: MAC commands as FRMPayload, encrypted with the NwkSKey", () => {
    const out = new Uint8Array(32);
    const n = session().buildUplink(out, { confirmed: false, fCtrl: 0, fCnt: 7, fOpts: new Uint8Array(0), fOptsLength: 0, port: 0, payload: fromHex("0307") });
    expect(toHex(out.subarray(0, n))).toBe(V.uplinkPort0);
  });

  it("downlink: MIC with the reconstructed FCnt, FOpts in the clear, payload decrypted; a wrong FCnt or a flipped bit fails the MIC", () => {
    const c = session();
    const d = c.readDownlink(fromHex(V.downlink), V.downlinkFCnt);
    if (typeof d === "string") throw new Error(d);
    expect(d.confirmed).toBe(true);
    expect(d.fCtrl & (FCtrl.ACK | FCtrl.FPENDING)).toBe(FCtrl.ACK | FCtrl.FPENDING);
    expect(toHex(d.fOpts)).toBe("020c03");
    expect(d.port).toBe(9);
    expect(toHex(d.payload)).toBe(V.downlinkPayload);
    expect(c.readDownlink(fromHex(V.downlink), V.downlinkFCnt + 0x10000)).toBe("mic");
    const bad = fromHex(V.downlink);
    bad[12] = bad[12]! ^ 0x40;
    expect(c.readDownlink(bad, V.downlinkFCnt)).toBe("mic");
    expect(c.readDownlink(bad.subarray(0, 11), 0)).toBe("short");
    expect(c.readDownlink(fromHex(V.uplink), V.uplinkFCnt)).toBe("mtype");
  });
});

describe("CN470-510 plan (RP001-1.0.3revA §2.7)", () => {
  it("channels: uplink 470.3 + 0.2·n MHz (n < 96), RX1 on 500.3 + 0.2·(n mod 48) MHz", () => {
    expect([uplinkFrequencyHz(0), uplinkFrequencyHz(95)]).toEqual([470_300_000, 489_300_000]);
    expect([rx1FrequencyHz(0), rx1FrequencyHz(47), rx1FrequencyHz(48), rx1FrequencyHz(95)]).toEqual([500_300_000, 509_700_000, 500_300_000, 509_700_000]);
  });

  it("data rates DR0–DR5 = SF12…SF7 at 125 kHz, N = 51, 51, 51, 115, 222, 222; RX1 DR = max(0, DR − offset)", () => {
    expect(CN470_DATA_RATES.map((d) => [d.sf, d.bandwidthHz, d.maxAppPayload])).toEqual([
      [12, 125000, 51],
      [11, 125000, 51],
      [10, 125000, 51],
      [9, 125000, 115],
      [8, 125000, 222],
      [7, 125000, 222],
    ]);
    expect([rx1DataRate(5, 0), rx1DataRate(5, 5), rx1DataRate(3, 2), rx1DataRate(1, 4)]).toEqual([5, 0, 1, 0]);
  });

  it("TX power: EIRP 19.15 dBm − 2 dB per step, less the antenna gain", () => {
    expect([0, 1, 7].map((i) => txPowerDbm(i, 215))).toEqual([17, 15, 3]);
    expect(txPowerDbm(0, 0)).toBe(19);
  });

  it("ChMaskCntl 0–5 set one 16-channel block, 6 turns all on, 7 is refused", () => {
    const m = new ChannelMask();
    expect(m.apply(0x0001, 5)).toBe(true);
    expect(m.count()).toBe(81);
    expect(m.isEnabled(80)).toBe(true);
    expect(m.isEnabled(81)).toBe(false);
    expect(m.nth(80)).toBe(80);
    expect(m.apply(0, 7)).toBe(false);
    expect(m.apply(0, 6)).toBe(true);
    expect(m.count()).toBe(96);
  });
});
