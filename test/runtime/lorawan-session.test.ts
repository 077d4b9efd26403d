/**
 * One OTAA session of the class A MAC, portable so it runs on V8 and on XS (test/xs/unit.test.ts): the engine's
 * timers, the scripted radio, and frames compared byte for byte with lora-packet's (lorawan-vectors.ts). It shows
 * the MAC builds the same bytes and opens its windows at the same microseconds on both engines.
 */
import { testCiphers } from "../helpers/ciphers.js";
import { describe, expect, it } from "vitest";
import { Engine, SECOND } from "../../simulator/core/engine.js";
import { LorawanMac } from "../../runtime/link/lorawan/mac.js";
import { RetainedLorawanStore } from "../../runtime/link/lorawan/store.js";
import { fromHex, toHex } from "../helpers/hex.js";
import { ScriptedRadio, Words } from "./lorawan-radio.js";
import { VECTORS as V } from "./lorawan-vectors.js";

const SETUP_US = 2_500;
const rx1Hz = (upHz: number) => 500_300_000 + 200_000 * (Math.round((upHz - 470_300_000) / 200_000) % 48);

describe("an OTAA session on the engine's timers", () => {
  it("joins with lora-packet's Join-Accept, sends lora-packet's frames, answers DevStatusReq, on time", () => {
    const engine = new Engine();
    const radio = new ScriptedRadio(engine, SETUP_US);
    const words = new Words();
    words.set(0, ((0xd0 << 24) | V.devNonce) >>> 0);
    let r = 0.5;
    const mac = new LorawanMac({
      radio,
      timer: radio.timers,
      clock: radio.clock,
      cipher: testCiphers(),
      random: () => (r = (r * 9301 + 0.49297) % 1),
      store: new RetainedLorawanStore(words, 0, 20),
      otaa: { devEui: fromHex(V.devEui), joinEui: fromHex(V.joinEui), appKey: fromHex(V.appKey) },
      dataRate: 2,
    });
    const downlinks: string[] = [];
    const errors: string[] = [];
    mac.start({ onDownlink: (port, p) => downlinks.push(`${port}:${toHex(p)}`), onError: (e) => errors.push(e.message) });
    const answers = [V.joinAccept, V.sessionDownlink];
    radio.onTransmit = (tx) => {
      const a = answers.shift();
      if (!a) return;
      const delay = a === V.joinAccept ? 5 * SECOND : 2 * SECOND; // JOIN_ACCEPT_DELAY1; RxDelay 2 from the Join-Accept
      const sf = a === V.joinAccept ? 10 : 12; // RX1: DR2 with offset 0 (join), then offset 2 (DLSettings 0x23)
      radio.downlink(tx.endUs + delay, rx1Hz(tx.params.frequencyHz), sf, fromHex(a));
    };
    engine.runUntil(10 * SECOND);
    expect(mac.joined).toBe(true);
    expect(toHex(radio.sent[0]!.payload)).toBe(V.joinRequest);
    expect(radio.windows[0]!.listenUs).toBe(radio.sent[0]!.endUs + 5 * SECOND);

    mac.send(1, new Uint8Array([1, 2, 3]), false, () => {});
    engine.runUntil(engine.now + 10 * SECOND);
    mac.send(1, new Uint8Array([4]), false, () => {});
    engine.runUntil(engine.now + 10 * SECOND);

    expect(radio.sent.slice(1).map((tx) => toHex(tx.payload))).toEqual([V.sessionUplink, V.sessionUplink2]);
    expect(downlinks).toEqual([`9:${V.downlinkPayload}`]);
    expect(errors).toEqual([]);
    // CFList: channels 0–7, 80–83, 92–95 only; RX1 at +2 s (RxDelay 2), RX2 at +3 s on 505.3 MHz at DR3 (SF9).
    const last = radio.sent[2]!;
    const ch = Math.round((last.params.frequencyHz - 470_300_000) / 200_000);
    expect(ch < 8 || (ch >= 80 && ch < 84) || ch >= 92).toBe(true);
    const [rx1, rx2] = radio.windows.slice(-2);
    expect([rx1!.listenUs - last.endUs, rx2!.listenUs - last.endUs]).toEqual([2 * SECOND, 3 * SECOND]);
    expect([rx2!.params.frequencyHz, rx2!.params.sf]).toEqual([505_300_000, 9]);
  });
});
