/**
 * The weather station on NB-IoT (the nRF52840-DK with a BC95-B5, manifests/boards/nrf52840-dk-bc95.json): its
 * reports go through the modem model on the DK's UART, the NB-IoT core stand-in and real UDP to the embedded CoAP
 * server, which hands the SenML to the broker. What the platform gets must be what the same node sends over MQTT:
 * the same SenML records.
 */
import { describe, expect, it } from "vitest";
import { runSim } from "../../simulator/node/session.js";
import { deliveredRecords as records } from "../helpers/frames.js";


describe("weather station over NB-IoT", () => {
  it("delivers every report of 3 h through the modem, the core and the CoAP server, with the records MQTT delivers", async () => {
    const [nbiot, mqtt] = await Promise.all([
      runSim({ device: "weather-station", board: "nrf52840-dk-bc95", hours: 3, seed: 2 }),
      runSim({ device: "weather-station", board: "nrf52840-dk", hours: 3, seed: 2 }),
    ]);
    expect(nbiot.summary.link).toBe("nbiot");
    expect(nbiot.summary.crashes).toEqual([]);
    expect(nbiot.summary.logs).toEqual([]);
    expect(nbiot.summary.reports).toMatchObject({ made: 18, delivered: 18, held: 0 });
    // Attached once; every CoAP request reached the server and was published.
    expect(nbiot.summary.linkStats["core.attaches"]).toBe(1);
    expect(nbiot.summary.linkStats["core.uplinkLost"]).toBe(0);
    expect(nbiot.summary.linkStats["coap.published"]).toBe(nbiot.summary.linkStats["coap.requests"]);
    const senml = nbiot.frames.filter((f) => f.topic.endsWith("/senml"));
    expect(senml.length).toBe(nbiot.summary.linkStats["coap.published"]);
    // Every record the MQTT node reported, and nothing else, reached the broker over NB-IoT.
    expect(records(nbiot.frames)).toEqual(records(mqtt.frames));
  }, 60_000);
});
