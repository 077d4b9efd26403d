/**
 * The weather station end to end in the simulator: unmodified firmware on register-level models, a seeded Kunming
 * atmosphere, uplinks over real TCP to a real broker, frames decoded by independent libraries.
 */
import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { runSim } from "../../simulator/node/session.js";
import type { SimWorld } from "../../simulator/node/session.js";
import type { Frame } from "../../simulator/node/frame-log.js";
import type { SHT3xModel } from "../../parts/sht3x/model.js";

const telemetry = (frames: Frame[]) => frames.filter((f) => f.topic.endsWith("/senml"));
const jsonl = (frames: Frame[]) => frames.map((f) => JSON.stringify(f)).join("\n");
const value = (f: Frame, name: string) => f.records!.find((r) => r.name.endsWith(`:${name}`));

describe("weather station, simulated 24 h", () => {
  it("reports every 10 minutes, every frame acknowledged, values physical for Kunming", async () => {
    const { summary, frames } = await runSim({ device: "weather-station", board: "esp32-devkitc", hours: 24, seed: 1 });
    const t = telemetry(frames);
    expect(summary.crashes).toEqual([]);
    expect(summary.warnings).toEqual([]);
    expect(t.length).toBe(144);
    expect(t.every((f) => f.acked !== null && !f.dup)).toBe(true);
    // Reports on the 10-minute grid, SenML base time in Unix seconds matching virtual time.
    t.forEach((f, i) => expect(f.t).toBe((i + 1) * 600_000));
    const bt0 = (t[0]!.decoded as { bt?: number }[])[0]!.bt!;
    expect(bt0).toBe(Date.UTC(2026, 4, 31, 16, 0, 0) / 1000 + 600); // 2026-06-01 00:10 in Kunming (UTC+8)
    for (const f of t) {
      const p = value(f, "press")!.value!;
      const temp = value(f, "temp")!.value!;
      const rh = value(f, "rh")!.value!;
      const dew = value(f, "dew")!.value!;
      expect(p).toBeGreaterThan(79_000);
      expect(p).toBeLessThan(83_500);
      expect(temp).toBeGreaterThan(0);
      expect(temp).toBeLessThan(35);
      expect(rh).toBeGreaterThan(5);
      expect(rh).toBeLessThanOrEqual(100);
      expect(dew).toBeLessThanOrEqual(temp + 1e-6);
      expect(value(f, "gust")!.value!).toBeGreaterThanOrEqual(value(f, "wspd")!.value! * 0.9);
    }
    // Samples: one air conversion per sensor per minute, wind at 4 Hz.
    expect(summary.deviceStats.windSamples).toBe(24 * 3600 * 4);
    expect(summary.deviceStats.airSamples).toBe(24 * 60 * 2);
  });

  it("is deterministic: the same seed gives byte-identical frame logs, another seed differs", async () => {
    const a = await runSim({ device: "weather-station", board: "esp32-devkitc", hours: 24, seed: 7 });
    const b = await runSim({ device: "weather-station", board: "esp32-devkitc", hours: 24, seed: 7 });
    const c = await runSim({ device: "weather-station", board: "esp32-devkitc", hours: 24, seed: 8 });
    expect(jsonl(a.frames)).toBe(jsonl(b.frames));
    expect(jsonl(a.frames)).not.toBe(jsonl(c.frames));
  });
});

describe("weather station under faults", () => {
  it("keeps reporting through SHT3x CRC errors and I2C NACKs, falling back to the BME280", async () => {
    const inject = (w: SimWorld) => {
      const node = w.nodes[0]!;
      const sht = w.models.get(node.id)!.find((m) => m.part === "sht3x")!.model as SHT3xModel;
      // Hour 2–3: the SHT3x returns corrupt CRCs; hour 4–5: it stops acknowledging its address.
      w.engine.at(2 * 3600e6, () => (sht.fault = "crc"));
      w.engine.at(3 * 3600e6, () => (sht.fault = undefined));
      w.engine.at(4 * 3600e6, () => node.i2c.default!.injectNack(0x44, 5 * 3600e6));
    };
    const { summary, frames } = await runSim({ device: "weather-station", board: "esp32-devkitc", hours: 6, seed: 3, beforeStart: inject });
    const t = telemetry(frames);
    expect(summary.crashes).toEqual([]);
    expect(t.length).toBe(36);
    expect(summary.deviceStats.crcErrors).toBe(60);
    expect(summary.deviceStats.nackErrors).toBeGreaterThanOrEqual(60);
    // Every report still carries a temperature and humidity (from the BME280 while the SHT3x is out).
    for (const f of t) {
      expect(value(f, "temp")).toBeDefined();
      expect(value(f, "rh")).toBeDefined();
    }
  });

  it("survives a broker outage: reconnects, and every report reaches an independent subscriber", async () => {
    const received = new Map<string, Buffer>();
    let sub: mqtt.MqttClient | undefined;
    const reports = (frames: Frame[]) => telemetry(frames).map((f) => f.hex);
    let undelivered: string[] = [];
    const { summary, frames } = await runSim({
      device: "weather-station",
      board: "esp32-devkitc",
      hours: 6,
      seed: 5,
      beforeStart: async (w) => {
        sub = await mqtt.connectAsync(w.brokerUrl, { clientId: "ingest", clean: false, reconnectPeriod: 50 });
        sub.on("message", (_topic, payload) => received.set(payload.toString("hex"), payload));
        await sub.subscribeAsync("kunming/weather/+/senml", { qos: 1 });
      },
      onHour: async (h, w) => {
        if (h === 2) await w.broker!.stop();
        if (h === 3) await w.broker!.start();
        // The run closes the broker when it ends: let the subscriber have what the broker holds for it first. The
        // broker forwards and the subscriber reconnects on the wall clock, which a loaded machine (the suite runs QEMU
        // beside this) stretches: wait for every report sent so far, up to 15 s. (Waiting after the run, as this
        // test once did, lost the last report whenever the broker closed before forwarding it.)
        if (h === 6) {
          for (let i = 0; i < 750 && reports(w.frames.frames).some((hex) => !received.has(hex)); i++) await new Promise((r) => setTimeout(r, 20));
          undelivered = reports(w.frames.frames).filter((hex) => !received.has(hex));
        }
      },
    });
    await sub?.endAsync();
    const t = telemetry(frames);
    expect(summary.crashes).toEqual([]);
    expect(summary.deviceStats.mqttConnects).toBeGreaterThanOrEqual(2);
    // All 36 reports were acknowledged (some after the outage) and every one reached the subscriber.
    const acked = new Set(t.filter((f) => f.acked !== null).map((f) => f.hex));
    expect(acked.size).toBe(36);
    const when = (hex: string) => t.find((f) => f.hex === hex)!.t / 1e3;
    expect(undelivered.map(when), "reports (virtual seconds) the subscriber had not received when the run ended").toEqual([]);
    for (const hex of acked) expect(received.has(hex)).toBe(true);
  });
});

describe("weather station downlink", () => {
  it("changes the reporting interval within the manifest's bounds, and refuses one outside them", async () => {
    let ctl: mqtt.MqttClient | undefined;
    const send = async (w: SimWorld, body: string) => {
      // Publish as an operator would, then hold virtual time until the node's socket has the message, so the
      // change lands at the same virtual instant in every run.
      const arrived = new Promise<void>((resolve) =>
        w.mqtt.listen(({ dir, packet }) => {
          if (dir === "rx" && packet.cmd === "publish" && packet.topic.endsWith("/config")) resolve();
        }),
      );
      await ctl!.publishAsync("kunming/weather/ws-0001/config", body, { qos: 1 });
      await arrived;
    };
    const { frames } = await runSim({
      device: "weather-station",
      board: "esp32-devkitc",
      hours: 3,
      seed: 2,
      beforeStart: async (w) => {
        ctl = await mqtt.connectAsync(w.brokerUrl, { clientId: "operator" });
      },
      onHour: async (h, w) => {
        if (h === 1) await send(w, JSON.stringify({ reportS: 300 }));
        if (h === 2) await send(w, JSON.stringify({ reportS: 5 }));
      },
    });
    await ctl?.endAsync();
    const times = telemetry(frames).map((f) => f.t / 1000);
    // 10-minute grid for the first hour, then every 5 minutes from the last slot on.
    expect(times.slice(0, 6)).toEqual([600, 1200, 1800, 2400, 3000, 3600]);
    expect(times.slice(6)).toEqual(Array.from({ length: 24 }, (_, i) => 3600 + 300 * (i + 1)));
    const acks = frames.filter((f) => f.topic.endsWith("/config/ack")).map((f) => f.decoded);
    expect(acks).toEqual(['{"reportS":300}', '{"error":"reportS must be an integer in [60, 3600]"}']);
  });
});

