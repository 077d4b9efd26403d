/**
 * Lost data never looks like success: every report a node made is accounted for (delivered, still queued, dropped
 * and why), against real brokers that are missing, killed for good, or killed and brought back (aedes embedded, and
 * a private Mosquitto). Delivered counts are checked against what independent MQTT clients saw: the frame tap's
 * PUBACKs (mqtt-packet) and a subscriber (mqtt.js).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import type { DeviceConfig, DeviceMain } from "../../hal/host.js";
import weatherStation from "../../devices/weather-station/main.js";
import { droppedTotal } from "../../simulator/core/report-ledger.js";
import type { ReportAccounting } from "../../simulator/core/report-ledger.js";
import { BOOT_LOOP, parseBroker, runSim } from "../../simulator/node/session.js";
import { runSimXs } from "../../simulator/xs/session.js";
import { formatSummary, verdict } from "../../tools/commands/sim.js";
import type { Frame } from "../../simulator/node/frame-log.js";
import type { BrokerOutage } from "../../simulator/node/broker-watch.js";
import { freePort, Mosquitto, MOSQUITTO_MISSING, mosquittoBinary, skipMosquitto } from "../helpers/mosquitto.js";

const HOUR = 3.6e9;
/** The station reports every 10 minutes (manifests/devices/weather-station.json) and holds 48 (station.ts). */
const REPORTS_PER_HOUR = 6;
const QUEUE = 48;
const REPORT_US = HOUR / REPORTS_PER_HOUR;

const telemetry = (frames: readonly Frame[]) => frames.filter((f) => f.topic.endsWith("/senml"));
const ackedByBroker = (frames: readonly Frame[]) => telemetry(frames).filter((f) => !f.dup && f.acked !== null).length;

/** made = delivered + held + every drop, whatever happened. */
function expectBalanced(r: ReportAccounting | null): asserts r is ReportAccounting {
  expect(r).not.toBeNull();
  expect(r!.delivered + r!.held + droppedTotal(r!)).toBe(r!.made);
}

const ws = { device: "weather-station", board: "esp32-devkitc" } as const;

/** The run's one outage, ended: what the node held when it got the broker back is the reports made while it was
 * away, and any it had in flight when the broker went (at most the uplink window, 4). */
function expectOneOutageHeld(outages: readonly BrokerOutage[]): BrokerOutage {
  expect(outages).toHaveLength(1);
  const o = outages[0]!;
  expect(o.to).not.toBeNull();
  const madeMeanwhile = Math.floor(o.to! / REPORT_US) - Math.floor(o.from / REPORT_US);
  expect(o.held).toBeGreaterThanOrEqual(madeMeanwhile);
  expect(o.held).toBeLessThanOrEqual(madeMeanwhile + 4);
  return o;
}

describe("reports accounted for, with the embedded broker (aedes)", () => {
  it("a broker that is not there: nothing delivered, the queue full, and the summary says the broker was unreachable", async () => {
    const port = await freePort();
    const { summary, frames } = await runSim({ ...ws, hours: 12, seed: 2, broker: `mqtt://127.0.0.1:${port}` });
    expectBalanced(summary.reports);
    expect(summary.reports).toEqual({ made: 12 * REPORTS_PER_HOUR, delivered: 0, held: QUEUE, dropped: { "queue-full": 12 * REPORTS_PER_HOUR - QUEUE } });
    expect(summary.undelivered).toBe(12 * REPORTS_PER_HOUR);
    expect(frames).toEqual([]);
    expect(summary.brokerStatus.neverConnected).toBe(1);
    expect(summary.brokerStatus.failures).toBeGreaterThan(0);
    expect(summary.warnings).toEqual([expect.stringMatching(new RegExp(`^broker mqtt://127\\.0\\.0\\.1:${port} unreachable: no node ever connected; \\d+ connection attempts failed \\(connect ECONNREFUSED`))]);
    // The node's own reconnect warnings come once each, counted, not once per attempt.
    const refused = summary.logs.filter((l) => l.message.includes("ECONNREFUSED"));
    expect(refused.length).toBeGreaterThan(0);
    for (const l of refused) expect(l.count).toBeGreaterThan(10);
  });

  it("a broker killed mid-run and never restarted: what was delivered, what is still queued, what was dropped", async () => {
    const seen = new Set<string>();
    let sub: mqtt.MqttClient | undefined;
    const { summary, frames } = await runSim({
      ...ws,
      hours: 12,
      seed: 5,
      beforeStart: async (w) => {
        sub = await mqtt.connectAsync(w.brokerUrl, { clientId: "ingest", reconnectPeriod: 0 });
        sub.on("message", (_t, payload) => seen.add(payload.toString("hex")));
        await sub.subscribeAsync("kunming/weather/+/senml", { qos: 1 });
      },
      onHour: async (h, w) => {
        if (h === 2) await w.broker!.stop();
      },
    });
    await sub?.endAsync(true);
    expectBalanced(summary.reports);
    const r = summary.reports;
    expect(r.made).toBe(12 * REPORTS_PER_HOUR);
    // Delivered is what the broker acknowledged on the wire and what a subscriber received before the kill.
    expect(r.delivered).toBe(ackedByBroker(frames));
    expect(r.delivered).toBe(seen.size);
    expect(r.delivered).toBeGreaterThanOrEqual(2 * REPORTS_PER_HOUR - 1);
    expect(r.held).toBe(QUEUE);
    expect(r.dropped["queue-full"]).toBe(r.made - r.delivered - QUEUE);
    expect(summary.undelivered).toBe(r.made - r.delivered);
    const [outage, ...more] = summary.brokerStatus.outages;
    expect(more).toEqual([]);
    expect(outage!.to).toBeNull();
    expect(outage!.from).toBeGreaterThanOrEqual(2 * HOUR);
    expect(summary.warnings).toEqual([expect.stringMatching(/^broker mqtt:\/\/127\.0\.0\.1:\d+ lost at 2\.\d{3} h and not back by the end of the run \(12\.000 h\)/)]);
  });

  it("a broker outage that recovers: how long it lasted and how much the node held, then everything delivered", async () => {
    const { summary, frames } = await runSim({
      ...ws,
      hours: 6,
      seed: 5,
      onHour: async (h, w) => {
        if (h === 2) await w.broker!.stop();
        if (h === 4) await w.broker!.start();
      },
    });
    expectBalanced(summary.reports);
    expect(summary.reports).toEqual({ made: 36, delivered: 36, held: 0, dropped: { "queue-full": 0 } });
    expect(summary.undelivered).toBe(0);
    const outage = expectOneOutageHeld(summary.brokerStatus.outages);
    expect(outage.from).toBeGreaterThanOrEqual(2 * HOUR);
    expect(outage.to).toBeGreaterThanOrEqual(4 * HOUR);
    // …and the broker then got them all: every report acknowledged, none twice as a new frame.
    expect(ackedByBroker(frames)).toBe(36);
    expect(summary.warnings).toEqual([expect.stringMatching(/^broker mqtt:\/\/127\.0\.0\.1:\d+ outage 2\.\d{3} h to 4\.\d{3} h \(\d\.\d{3} h\): held \d+ reports until it came back$/)]);
  });
});

describe("the same accounting on XS", () => {
  it("a broker outage that recovers: the node's queue read inside XS when it reconnects, everything delivered", async () => {
    const { summary } = await runSimXs({
      ...ws,
      hours: 3,
      seed: 5,
      onHour: async (h, w) => {
        if (h === 1) await w.broker!.stop();
        if (h === 2) await w.broker!.start();
      },
    });
    expectBalanced(summary.reports);
    expect(summary.reports).toEqual({ made: 18, delivered: 18, held: 0, dropped: { "queue-full": 0 } });
    expectOneOutageHeld(summary.brokerStatus.outages);
    // Each failed reconnection is a round trip to the XS process: slow on a loaded machine.
  }, 180_000);
});

describe("a run stopped where it is (Ctrl-C)", () => {
  it.each([
    ["V8", runSim],
    ["XS", runSimXs],
  ] as const)("on %s: the summary covers what ran and says it was interrupted", async (_engine, run) => {
    const stop = new AbortController();
    const { summary, frames } = await run({
      ...ws,
      hours: 24,
      seed: 4,
      signal: stop.signal,
      onHour: (h: number) => {
        if (h === 2) stop.abort();
      },
    });
    expect(summary.stopped?.why).toBe("interrupted");
    expect(summary.virtualHours).toBe(2);
    expect(summary.requestedHours).toBe(24);
    expectBalanced(summary.reports);
    expect(summary.reports).toEqual({ made: 2 * REPORTS_PER_HOUR, delivered: 2 * REPORTS_PER_HOUR, held: 0, dropped: { "queue-full": 0 } });
    expect(ackedByBroker(frames)).toBe(2 * REPORTS_PER_HOUR);
  }, 180_000);
});

describe("reports accounted for, with Mosquitto started and stopped", () => {
  let broker: Mosquitto | undefined;
  beforeAll(async () => {
    if (!mosquittoBinary()) {
      if (skipMosquitto()) return;
      throw new Error(MOSQUITTO_MISSING);
    }
    broker = await Mosquitto.start({ persistence: true });
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it("killed mid-run and never restarted: undelivered reports counted, the broker reported lost", async (ctx) => {
    if (!broker) ctx.skip();
    const { summary, frames } = await runSim({
      ...ws,
      hours: 12,
      seed: 9,
      broker: `mqtt://127.0.0.1:${broker!.port}`,
      onHour: async (h) => {
        if (h === 3) await broker!.stop();
      },
    });
    expectBalanced(summary.reports);
    const r = summary.reports;
    expect(r.made).toBe(12 * REPORTS_PER_HOUR);
    expect(r.delivered).toBe(ackedByBroker(frames));
    expect(r.held).toBe(QUEUE);
    expect(droppedTotal(r)).toBe(r.made - r.delivered - QUEUE);
    expect(summary.warnings.some((w) => /lost at 3\.\d{3} h and not back by the end of the run/.test(w))).toBe(true);
  });

  it("stopped and started again: the outage is reported with what was held, and nothing is lost", async (ctx) => {
    if (!broker) ctx.skip();
    await broker!.restart(); // the previous test left it stopped
    const { summary } = await runSim({
      ...ws,
      hours: 5,
      seed: 9,
      broker: `mqtt://127.0.0.1:${broker!.port}`,
      onHour: async (h) => {
        if (h === 1) await broker!.stop();
        if (h === 3) await broker!.restart();
      },
    });
    expectBalanced(summary.reports);
    expect(summary.reports).toMatchObject({ made: 30, delivered: 30, held: 0 });
    expect(summary.undelivered).toBe(0);
    const o = expectOneOutageHeld(summary.brokerStatus.outages);
    expect(o.to! - o.from).toBeGreaterThanOrEqual(1.9 * HOUR);
    expect(summary.warnings.some((w) => /outage 1\.\d{3} h to 3\.\d{3} h/.test(w))).toBe(true);
  });
});

describe("a node whose firmware refuses its configuration", () => {
  /** The real station, given a configuration without its thermohygrometer (the SHT3x): its config reader refuses to start. */
  const withoutPart =
    (part: string, only?: string): DeviceMain =>
    (host) => {
      if (only && host.id !== only) return weatherStation(host);
      const parts = { ...(host.config.parts as Record<string, unknown>) };
      delete parts[part];
      return weatherStation({ ...host, config: { ...host.config, parts } as DeviceConfig });
    };

  it("crashes at every boot: reported once as a boot loop, its log line counted, and the run stops early", async () => {
    const lines: [string, number][] = [];
    const { summary } = await runSim({ ...ws, hours: 24, seed: 1, nodes: 3, main: withoutPart("thermohygrometer"), onLog: (e, seen) => lines.push([e.message, seen]) });
    expect(summary.bootLoops.map((b) => [b.node, b.boots])).toEqual([
      ["ws-0001", BOOT_LOOP],
      ["ws-0002", BOOT_LOOP],
      ["ws-0003", BOOT_LOOP],
    ]);
    expect(summary.bootLoops[0]!.error).toMatch(/^Error: weather-station config: no sht3x among parts/);
    expect(summary.crashes).toHaveLength(3 * BOOT_LOOP);
    expect(summary.stopped?.why).toBe("every node crashes at every boot");
    // It stops at the last node's last crash, not 24 h later.
    expect(summary.stopped?.at).toBe(Math.max(...summary.crashes.map((c) => c.at)));
    // One distinct error, counted: the callback saw its first occurrence once.
    const errors = summary.logs.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.count).toBe(3 * BOOT_LOOP);
    expect(lines.filter(([, seen]) => seen === 1).map(([m]) => m)).toEqual([errors[0]!.message]);
    expect(summary.reports).toEqual({ made: 0, delivered: 0, held: 0, dropped: {} });
    // Printed: once as a boot loop of the fleet, once as an error with its count; the run fails saying so.
    const text = formatSummary(summary).split("\n");
    expect(text.filter((l) => l.includes("no sht3x among parts"))).toEqual([
      expect.stringMatching(/^ {2}boot loop {8}3 nodes \(ws-0001 …\) crashed at every boot \(3 in a row from 0\.\d{3} h\), held down: Error: weather-station config: no sht3x/),
      expect.stringMatching(/^ {2}error: crash in start-up: Error: weather-station config: no sht3x among parts .* \(9 times, first at 0\.\d{3} h on ws-\d{4}\)$/),
    ]);
    expect(text).toContain(`  stopped          at ${(summary.stopped!.at / HOUR).toFixed(3)} h of 24 h: every node crashes at every boot`);
    expect(verdict(summary, true)).toEqual({ exitCode: 1, reasons: ["3 nodes crashed at every boot"] });
  });

  it("one node of a fleet in a boot loop is held down; the others run the whole time", async () => {
    const { summary } = await runSim({ ...ws, hours: 1, seed: 1, nodes: 3, main: withoutPart("thermohygrometer", "ws-0002") });
    expect(summary.bootLoops.map((b) => b.node)).toEqual(["ws-0002"]);
    expect(summary.stopped).toBeNull();
    expect(summary.virtualHours).toBe(1);
    expectBalanced(summary.reports);
    // Boots are staggered over the first minute: each node's sixth report falls just after the hour.
    expect(summary.reports.made).toBe(2 * (REPORTS_PER_HOUR - 1));
    expect(summary.reports.delivered).toBe(summary.reports.made);
  });
});

describe("broker URLs", () => {
  it.each([
    ["mqtt://127.0.0.1", { address: "127.0.0.1", port: 1883 }],
    ["mqtt://10.0.0.1:1/", { address: "10.0.0.1", port: 1 }],
    ["mqtt://255.255.255.255:65535", { address: "255.255.255.255", port: 65535 }],
  ])("%s is %j", (url, expected) => expect(parseBroker(url)).toEqual(expected));

  it.each([
    ["mqtt://127.0.0.1:0", 'broker URL: port must be 1…65535, got "0" in "mqtt://127.0.0.1:0"'],
    ["mqtt://127.0.0.1:65536", 'broker URL: port must be 1…65535, got "65536" in "mqtt://127.0.0.1:65536"'],
    ["mqtt://127.0.0.1:", 'broker URL: port must be 1…65535, got "" in "mqtt://127.0.0.1:"'],
    ["mqtt://127.0.0.1:18x3", 'broker URL: port must be 1…65535, got "18x3" in "mqtt://127.0.0.1:18x3"'],
    ["mqtt://127.0.0.256:1883", 'broker URL: IPv4 octet "256" must be 0…255 without leading zeros, in "mqtt://127.0.0.256:1883"'],
    ["mqtt://127.0.00.1", 'broker URL: IPv4 octet "00" must be 0…255 without leading zeros, in "mqtt://127.0.00.1"'],
    ["mqtt://127.0.1", 'broker URL must be mqtt://<IPv4>[:port] (devices dial numeric addresses), got "mqtt://127.0.1"'],
    ["mqtt://broker.example:1883", 'broker URL must be mqtt://<IPv4>[:port] (devices dial numeric addresses), got "mqtt://broker.example:1883"'],
    ["tcp://127.0.0.1:1883", 'broker URL must be mqtt://<IPv4>[:port] (devices dial numeric addresses), got "tcp://127.0.0.1:1883"'],
  ])("%s is refused: %s", (url, message) => expect(() => parseBroker(url)).toThrow(message));
});
