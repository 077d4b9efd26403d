/**
 * The weather station on LoRaWAN (the nRF52840-DK with an SX1262 shield, manifests/boards/nrf52840-dk-sx1262.json):
 * its reports cross the simulated air, the gateways and the embedded network server, split to fit CN470's payload
 * limits, and reach the broker as ChirpStack uplink events. What the platform gets must be what the same node
 * sends over MQTT: the same SenML records, whichever way they were packed.
 */
import { describe, expect, it } from "vitest";
import { runSim } from "../../simulator/node/session.js";
import { deliveredRecords as records } from "../helpers/frames.js";

const BOARD = "nrf52840-dk-sx1262";


describe("weather station over LoRaWAN CN470", () => {
  it("delivers every report of 3 h through the air and the network server, with the records MQTT delivers", async () => {
    const [lora, mqtt] = await Promise.all([
      runSim({ device: "weather-station", board: BOARD, hours: 3, seed: 2 }),
      runSim({ device: "weather-station", board: "nrf52840-dk", hours: 3, seed: 2 }),
    ]);
    expect(lora.summary.link).toBe("lorawan");
    expect(lora.summary.crashes).toEqual([]);
    expect(lora.summary.reports).toMatchObject({ made: 18, delivered: 18, held: 0 });
    // Joined once, and the network server heard frames through the gateways.
    expect(lora.summary.linkStats["lns.joins"]).toBe(1);
    expect(lora.summary.linkStats["lns.uplinks"]).toBeGreaterThanOrEqual(18);
    // Packs were split to fit: more frames than reports, none above the largest CN470 payload (DR5, 222 B).
    const up = lora.frames.filter((f) => f.topic.endsWith("/event/up"));
    expect(up.length).toBeGreaterThan(18);
    expect(Math.max(...up.map((f) => f.bytes))).toBeLessThanOrEqual(222);
    // Every record the MQTT node reported, and nothing else, reached the broker over LoRaWAN.
    expect(records(lora.frames)).toEqual(records(mqtt.frames));
  }, 60_000);
});
