/** The committed MQTT vectors are exactly what mqtt-packet generates today, and mqtt-packet parses them back. */
import { readFileSync } from "node:fs";
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { generateVectors, VECTOR_FILE, vectorModule } from "./mqtt-vectors-gen.js";
import { MQTT_VECTORS } from "./fixtures/mqtt-vectors.js";

describe("MQTT vectors (fixtures/mqtt-vectors.ts)", () => {
  it("are mqtt-packet's output: regenerating gives the committed file", () => {
    expect(readFileSync(VECTOR_FILE, "utf8")).toBe(vectorModule(generateVectors()));
  });
  it("parse back with mqtt-packet, one packet each", () => {
    for (const v of MQTT_VECTORS) {
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      const got: mqttPacket.Packet[] = [];
      let error: Error | undefined;
      parser.on("packet", (p) => got.push(p));
      parser.on("error", (e: Error) => (error = e));
      parser.parse(Buffer.from(v.hex, "hex"));
      expect(error, v.name).toBeUndefined();
      expect(got.length, v.name).toBe(1);
    }
  });
});
