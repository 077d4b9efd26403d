/**
 * The BC95 in the part catalogue: its declaration, and the clear error a device manifest gets for it until
 * manifests can wire a UART part with its own pins (the RESET line).
 */
import { describe, expect, it } from "vitest";
import { formatDiagnostic, loadDevice, ManifestError } from "../../manifests/load.js";
import { getPart, partNames } from "../../manifests/schema/parts.js";
import { part } from "../../parts/bc95/part.js";
import { encodeEdrx, encodeT3324, encodeT3412 } from "../../parts/bc95/nas-timers.js";

describe("bc95 part", () => {
  it("is in the catalogue as a UART part with a reset pin, and its defaults are timers the driver can encode", () => {
    expect(partNames).toContain("bc95");
    expect(getPart("bc95")?.connection).toEqual({ kind: "uart", baud: 9600, pins: ["reset"] });
    expect(() => encodeT3412(part.defaults.periodicTauS)).not.toThrow();
    expect(() => encodeT3324(part.defaults.activeTimeS)).not.toThrow();
    const edrx = part.options.shape.edrxS.inner as unknown as { values: readonly number[] };
    const cycles = edrx.values.filter((c) => c > 0);
    expect(cycles.length).toBe(10);
    for (const c of cycles) expect(() => encodeEdrx(c)).not.toThrow();
  });

  it("a device manifest naming it gets one error at the part, naming the pins it would need", () => {
    let errors: string[] = [];
    try {
      loadDevice("test/nbiot/fixtures/modem-part.json");
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
      errors = e.errors.map(formatDiagnostic);
    }
    expect(errors).toEqual([
      "test/nbiot/fixtures/modem-part.json:6:5: /parts/modem: part bc95 connects by UART with its own pins (reset), which device manifests cannot wire yet",
    ]);
  });
});
