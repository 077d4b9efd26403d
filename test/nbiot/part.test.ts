/**
 * The BC95 in the part catalogue: its declaration, and a device manifest wiring it on a board's UART.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic, loadDevice, ManifestError, parseDevice, resolveNode } from "../../manifests/load.js";
import { getPart, partNames } from "../../manifests/schema/parts.js";
import { part } from "../../parts/bc95/part.js";
import { encodeEdrx, encodeT3324, encodeT3412 } from "../../parts/bc95/nas-timers.js";

describe("bc95 part", () => {
  it("is in the catalogue as a UART part with a reset pin, and its defaults are timers the driver can encode", () => {
    expect(partNames).toContain("bc95");
    expect(getPart("bc95")?.connection).toEqual({ kind: "uart", baud: 9600 });
    expect(getPart("bc95")?.pins).toEqual({ reset: { direction: "output", optional: true, description: "RESET: held low to reset the module (BC95-G Hardware Design)" } });
    expect(() => encodeT3412(part.defaults.periodicTauS)).not.toThrow();
    expect(() => encodeT3324(part.defaults.activeTimeS)).not.toThrow();
    const edrx = part.options.shape.edrxS.inner as unknown as { values: readonly number[] };
    const cycles = edrx.values.filter((c) => c > 0);
    expect(cycles.length).toBe(10);
    for (const c of cycles) expect(() => encodeEdrx(c)).not.toThrow();
  });

  it("a device manifest wires it on a board's UART at its own baud, and giving it a pin instead is an error at that pin", () => {
    let errors: string[] = [];
    try {
      loadDevice("test/nbiot/fixtures/modem-part.json");
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
      errors = e.errors.map(formatDiagnostic);
    }
    expect(errors).toEqual(['test/nbiot/fixtures/modem-part.json:8:7: /parts/modem/pin: part bc95 connects by a UART: give "bus", not "pin"']);
    const fixed = readFileSync("test/nbiot/fixtures/modem-part.json", "utf8").replace(',\n      "pin": "modem"', "");
    const device = parseDevice(fixed, resolve("test/nbiot/fixtures/modem-part.json"));
    // esp32-devkitc's UART2 is on GPIO16 (RX) and GPIO17 (TX); the modem answers at 9600 baud whatever the board's default.
    expect(resolveNode(device, "esp32-devkitc").config.parts["modem"]).toMatchObject({ io: "uart", bus: "default", receive: 16, transmit: 17, baud: 9600, pins: {} });
  });
});
