/**
 * The uplink queue above any link: priorities, a report split to fit the link, back-off after a failure, drops
 * with the link's reason, and the accounting made = delivered + held + dropped, in virtual time. The link here is a
 * scripted implementation of the Link contract that answers as the test says; the real links (MQTT against aedes
 * and Mosquitto, LoRaWAN against the SX1262 model and the network server) drive the same queue in test/sim.
 */
import { decode } from "cborg";
import { describe, expect, it } from "vitest";
import type { Link, LinkHandlers, LinkStats, SendDone, SendOptions } from "../../runtime/link/link.js";
import { ALARM, EVENT, UPLINK_DELIVERED, UPLINK_DROPPED, UPLINK_HELD, UPLINK_MADE, UplinkQueue } from "../../runtime/uplink.js";
import { ReportEncoder } from "../../devices/weather-station/report.js";
import { StrainEncoder } from "../../devices/structural-strain/report.js";
import { Engine } from "../../simulator/core/engine.js";
import { EngineClock, EngineTimers } from "../../simulator/core/timers.js";

class ScriptedLink implements Link {
  readonly kind = "scripted";
  readonly stats: LinkStats = { framesOut: 0, delivered: 0, failed: 0, bytesOut: 0, bytesIn: 0 };
  maxPayload = 1000;
  largestPayload: number | undefined;
  ready = true;
  readonly sent: { payload: Uint8Array; options: SendOptions; done: SendDone; at: number }[] = [];
  constructor(private readonly engine: Engine) {}
  send(payload: Uint8Array, options: SendOptions, done: SendDone): void {
    if (payload.length > this.maxPayload) throw new RangeError("too large");
    this.sent.push({ payload, options, done, at: this.engine.now });
  }
  start(_h: LinkHandlers): void {}
  close(): void {}
}

function setup(capacity = 8, window = 1) {
  const engine = new Engine();
  const link = new ScriptedLink(engine);
  const timer = new EngineTimers(engine);
  const queue = new UplinkQueue({ link, clock: new EngineClock(engine, 0), capacity, window, timer, random: () => 0.5, retry: { minMs: 1000, maxMs: 8000 } });
  const balanced = () => {
    const c = queue.counters();
    const dropped = Object.entries(c).filter(([k]) => k.startsWith(UPLINK_DROPPED)).reduce((a, [, v]) => a + v, 0);
    expect(c[UPLINK_MADE]).toBe(c[UPLINK_DELIVERED]! + c[UPLINK_HELD]! + dropped);
  };
  return { engine, link, queue, balanced };
}

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe("uplink queue", () => {
  it("sends the most urgent report first, and one at a time with a window of 1", () => {
    const { link, queue, balanced } = setup();
    link.ready = false;
    queue.enqueue(bytes(3, 1), { port: 1 });
    queue.enqueue(bytes(3, 2), { port: 1, priority: ALARM });
    queue.enqueue(bytes(3, 3), { port: 1, priority: EVENT });
    link.ready = true;
    queue.pump();
    expect(link.sent.map((s) => s.payload[0])).toEqual([2]);
    link.sent[0]!.done(undefined);
    link.sent[1]!.done(undefined);
    expect(link.sent.map((s) => s.payload[0])).toEqual([2, 3, 1]);
    link.sent[2]!.done(undefined);
    expect(queue.counters()).toMatchObject({ [UPLINK_MADE]: 3, [UPLINK_DELIVERED]: 3, [UPLINK_HELD]: 0 });
    balanced();
  });

  it("splits a SenML report the link cannot take whole, and counts it delivered when every piece is", () => {
    const { link, queue, balanced } = setup();
    link.maxPayload = 51;
    const report = new ReportEncoder("ws-0001:").encode({ time: 1_780_000_000, temperature: 14.27, humidity: 71.5, pressure: 81_234, dewPoint: 9.1, frost: false, windMean: 2.31, gust: 5.02, windDirection: 3.1, rain: 0.0002794, rainRate: 0.000001 });
    queue.enqueue(report, { port: 1, senml: true });
    for (let i = 0; i < link.sent.length; i++) {
      expect(queue.counters()[UPLINK_DELIVERED]).toBe(0);
      link.sent[i]!.done(undefined);
    }
    expect(link.sent.length).toBeGreaterThan(2);
    for (const s of link.sent) {
      expect(s.payload.length).toBeLessThanOrEqual(51);
      expect((decode(s.payload, { useMaps: true }) as Map<number, unknown>[])[0]!.get(-2)).toBe("ws-0001:");
    }
    expect(queue.counters()).toMatchObject({ [UPLINK_MADE]: 1, [UPLINK_DELIVERED]: 1, [UPLINK_HELD]: 0 });
    balanced();
  });

  it("drops, with a reason, a frame that is too large and cannot be split", () => {
    const { link, queue, balanced } = setup();
    link.maxPayload = 10;
    queue.enqueue(bytes(20), { port: 1 });
    expect(link.sent.length).toBe(0);
    expect(queue.counters()[UPLINK_DROPPED + "too-large"]).toBe(1);
    balanced();
  });

  it("holds a SenML record too large for the link now but not at its best, sends it when the link can take it, and drops it after waitForRoomMs", () => {
    const { engine, link, queue, balanced } = setup();
    // LoRaWAN CN470: 51 bytes at DR0, 222 at DR5. A strain capture's 16-sample record, with the base fields every
    // piece carries, is more than 51 bytes.
    link.maxPayload = 51;
    link.largestPayload = 222;
    const samples = Float32Array.from({ length: 32 }, (_, i) => 100 + 3 * i);
    const capture = new StrainEncoder("sg-0001:", 32).capture(1_780_000_000_000, 90, 8, samples, 32);
    queue.enqueue(capture, { port: 3, senml: true });
    queue.enqueue(bytes(4), { port: 1 });
    // The capture waits; the small frame behind it goes.
    expect(link.sent.map((s) => s.payload.length)).toEqual([4]);
    expect(queue.counters()[UPLINK_HELD]).toBe(2);
    expect(queue.counters()[UPLINK_DROPPED + "record-too-large"]).toBeUndefined();
    link.sent[0]!.done(undefined);
    // ADR raises the data rate: the next pump sends the capture, split to fit.
    link.maxPayload = 222;
    queue.pump();
    expect(link.sent.length).toBeGreaterThan(1);
    for (const s of link.sent.slice(1)) s.done(undefined);
    expect(queue.counters()).toMatchObject({ [UPLINK_MADE]: 2, [UPLINK_DELIVERED]: 2, [UPLINK_HELD]: 0 });
    balanced();

    // Never room: dropped, with the reason, once it has waited 6 h.
    link.maxPayload = 51;
    queue.enqueue(capture, { port: 3, senml: true });
    engine.runUntil(engine.now + 6 * 3_600_000_000);
    queue.pump();
    expect(queue.counters()[UPLINK_HELD]).toBe(1);
    engine.runUntil(engine.now + 1000);
    queue.pump();
    expect(queue.counters()).toMatchObject({ [UPLINK_HELD]: 0, [UPLINK_DROPPED + "record-too-large"]: 1 });
    balanced();
  });

  it("drops at once a record too large even for the link at its best", () => {
    const { link, queue, balanced } = setup();
    link.maxPayload = 20;
    link.largestPayload = 30;
    const samples = Float32Array.from({ length: 16 }, (_, i) => i);
    queue.enqueue(new StrainEncoder("sg-0001:", 16).capture(1_780_000_000_000, 90, 8, samples, 16), { port: 3, senml: true });
    expect(queue.counters()).toMatchObject({ [UPLINK_HELD]: 0, [UPLINK_DROPPED + "record-too-large"]: 1 });
    balanced();
  });

  it("backs off after a failure that may succeed later (1 s, 2 s, 4 s … at jitter 0.5: 0.75, 1.5, 3 s), and drops one that cannot", () => {
    const { engine, link, queue, balanced } = setup();
    queue.enqueue(bytes(4), { port: 1 });
    link.sent[0]!.done({ reason: "no ACK", retry: true });
    engine.runUntil(10_000_000);
    expect(link.sent.length).toBe(2);
    expect(link.sent[1]!.at).toBe(750_000);
    link.sent[1]!.done({ reason: "no ACK", retry: true });
    engine.runUntil(20_000_000);
    expect(link.sent[2]!.at).toBe(10_000_000 + 1_500_000); // the second failure was reported at 10 s
    link.sent[2]!.done({ reason: "rejected by the network", retry: false });
    expect(queue.counters()[UPLINK_DROPPED + "rejected by the network"]).toBe(1);
    balanced();
  });

  it("when full, drops the oldest routine report for an alarm, never an alarm for routine telemetry", () => {
    const { link, queue, balanced } = setup(2);
    link.ready = false;
    queue.enqueue(bytes(1, 1), { port: 1, priority: ALARM });
    queue.enqueue(bytes(1, 2), { port: 1 });
    queue.enqueue(bytes(1, 3), { port: 1, priority: ALARM });
    queue.enqueue(bytes(1, 4), { port: 1 });
    expect(queue.counters()[UPLINK_DROPPED + "queue-full"]).toBe(2);
    link.ready = true;
    queue.pump();
    link.sent[0]!.done(undefined);
    expect(link.sent.map((s) => s.payload[0])).toEqual([1, 3]);
    balanced();
  });

  it("does not count an acknowledgement of a downlink as a report", () => {
    const { link, queue } = setup();
    queue.enqueue(bytes(2), { topic: "x/config/ack", priority: EVENT, report: false });
    link.sent[0]!.done(undefined);
    expect(queue.counters()).toMatchObject({ [UPLINK_MADE]: 0, [UPLINK_DELIVERED]: 0, [UPLINK_HELD]: 0 });
  });
});
