/**
 * A scripted LoRa transceiver for the MAC's tests: it implements LoraRadio on the simulator's engine and host
 * timers, keeps time on air with runtime/link/lorawan/airtime.ts (Semtech's formula), and delivers a downlink only
 * when a receive window is actually listening when the downlink's preamble goes by. It stands in for the SX1262
 * driver and model being written in parallel; the network side of each test builds frames with lora-packet.
 */
import { Engine } from "../../simulator/core/engine.js";
import { EngineClock, EngineTimers } from "../../simulator/core/timers.js";
export { RetainedWords as Words } from "../../simulator/core/flash.js";
import { airtimeMicros, symbolMicros } from "../../runtime/link/lorawan/airtime.js";
import type { LoraModulation, LoraRadio, LoraRadioError, LoraRxParams, LoraRxResult, LoraTxParams, LoraTxResult } from "../../runtime/link/lorawan/radio.js";

export function symbolUs(m: Pick<LoraModulation, "sf" | "bandwidthHz">): number {
  return symbolMicros(m.sf, m.bandwidthHz);
}

export function airtimeUs(m: LoraModulation, bytes: number): number {
  return airtimeMicros({ ...m, payloadBytes: bytes, explicitHeader: true });
}

export interface Transmission {
  payload: Uint8Array;
  params: LoraTxParams;
  startUs: number;
  endUs: number;
}

export interface Window {
  params: LoraRxParams;
  /** When `receive()` was called (the MAC's timer fired). */
  calledUs: number;
  /** When the receiver listens: called + rxSetupUs. */
  listenUs: number;
  outcome: "frame" | "timeout";
}

interface Queued {
  atUs: number;
  frequencyHz: number;
  sf: number;
  payload: Uint8Array;
  snrDb: number;
}

/** Preamble symbols the receiver must catch to lock (of the 8 sent). */
const CATCH_SYMBOLS = 4;

export class ScriptedRadio implements LoraRadio {
  readonly engine: Engine;
  readonly timers: EngineTimers;
  readonly clock: EngineClock;
  readonly rxSetupUs: number;
  /** A prepared window on an awake radio starts listening this long after `receive()`. */
  readonly preparedRxSetupUs: number;
  readonly wakeUs = 340;
  readonly prepared: LoraRxParams[] = [];
  wakes = 0;
  readonly sent: Transmission[] = [];
  readonly windows: Window[] = [];
  readonly #queue: Queued[] = [];
  sleeps = 0;
  /** Called when a transmission ends, so a test's network can answer. */
  onTransmit: (tx: Transmission) => void = () => {};
  failNextTransmit: LoraRadioError | undefined;

  constructor(engine: Engine, rxSetupUs = 3_300, preparedRxSetupUs = 115) {
    this.engine = engine;
    this.timers = new EngineTimers(engine);
    this.clock = new EngineClock(engine, 0);
    this.rxSetupUs = rxSetupUs;
    this.preparedRxSetupUs = preparedRxSetupUs;
  }

  prepareReceive(params: LoraRxParams): void {
    this.prepared.push({ ...params });
  }

  wake(): void {
    this.wakes++;
  }

  /** The network sends `payload` with its preamble starting at `atUs` on this frequency and SF. */
  downlink(atUs: number, frequencyHz: number, sf: number, payload: Uint8Array, snrDb = 5): void {
    this.#queue.push({ atUs, frequencyHz, sf, payload, snrDb });
  }

  transmit(payload: Uint8Array, params: LoraTxParams, done: (e: LoraRadioError | undefined, r: LoraTxResult | undefined) => void): void {
    const fail = this.failNextTransmit;
    this.failNextTransmit = undefined;
    const startUs = this.clock.microseconds();
    const air = airtimeUs(params, payload.length);
    const tx: Transmission = { payload: payload.slice(), params: { ...params }, startUs, endUs: startUs + air };
    this.engine.after(air, () => {
      if (fail) return done(fail, undefined);
      this.sent.push(tx);
      this.onTransmit(tx);
      done(undefined, { txEndUs: this.clock.microseconds(), airtimeUs: air });
    });
  }

  receive(params: LoraRxParams, done: (e: LoraRadioError | undefined, r: LoraRxResult | undefined) => void): void {
    const calledUs = this.clock.microseconds();
    const last = this.prepared[this.prepared.length - 1];
    const ready = last !== undefined && JSON.stringify(last) === JSON.stringify(params);
    const listenUs = calledUs + (ready ? this.preparedRxSetupUs : this.rxSetupUs);
    const t = symbolUs(params);
    const closeUs = listenUs + params.timeoutSymbols * t;
    const i = this.#queue.findIndex(
      (q) => q.frequencyHz === params.frequencyHz && q.sf === params.sf && listenUs <= q.atUs + (params.preamble - CATCH_SYMBOLS) * t && q.atUs <= closeUs,
    );
    const w: Window = { params: { ...params }, calledUs, listenUs, outcome: i >= 0 ? "frame" : "timeout" };
    this.windows.push(w);
    if (i < 0) {
      this.engine.at(closeUs, () => done({ kind: "timeout", message: `no preamble in ${params.timeoutSymbols} symbols` }, undefined));
      return;
    }
    const q = this.#queue.splice(i, 1)[0]!;
    const endUs = q.atUs + airtimeUs({ ...params, crc: false }, q.payload.length);
    this.engine.at(endUs, () => done(undefined, { payload: q.payload.slice(), rssiDbm: -90, snrDb: q.snrDb, rxEndUs: this.clock.microseconds() }));
  }

  sleep(): void {
    this.sleeps++;
  }
}
