/**
 * Malformed manifests (test/manifests/fixtures) and the exact diagnostics they must produce.
 *
 * Lines and columns were worked out from the fixture text itself (the key of the value at fault, 1-based), not
 * read back from the loader; the messages state the board facts the checks enforce (ESP32 GPIO6-11 on the
 * module's flash, ADC2 unusable with Wi-Fi, SHT3x at 0x44/0x45, MTDI strapping, …).
 */
import { partNames } from "../../manifests/schema/parts.js";
import { describe, expect, it } from "vitest";
import { formatDiagnostic, loadBoard, loadDevice, ManifestError, resolveNode } from "../../manifests/load.js";

const F = "test/manifests/fixtures";

/** The formatted errors a call throws (warnings excluded). */
function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ManifestError) return e.errors.map(formatDiagnostic);
    throw e;
  }
  throw new Error("expected a ManifestError, but nothing was thrown");
}

const device = (name: string) => () => loadDevice(`${F}/${name}.json`);
const onBoard = (name: string, board: string) => () => resolveNode(loadDevice(`${F}/${name}.json`), board);
const board = (name: string) => () => loadBoard(`${F}/${name}.json`);

describe("device manifests: syntax and schema", () => {
  it("reports a JSON syntax error at its line and column, with the pointer being parsed", () => {
    expect(errorsOf(device("syntax-missing-comma"))).toEqual([
      `${F}/syntax-missing-comma.json:7:5: /parts: missing "," before key "barometer"`,
    ]);
  });

  it("reports a wrong type as expected vs got", () => {
    expect(errorsOf(device("wrong-type"))).toEqual([
      `${F}/wrong-type.json:20:18: /reporting/intervalS: expected integer >= 1, got string "600"`,
    ]);
  });

  it("reports an unknown key with a suggestion", () => {
    expect(errorsOf(device("unknown-key"))).toEqual([
      `${F}/unknown-key.json:7:56: /parts/barometer/adress: unknown key "adress" (did you mean "address"?)`,
    ]);
  });

  it("reports a missing required key at the object that lacks it", () => {
    expect(errorsOf(device("missing-required"))).toEqual([`${F}/missing-required.json:1:1: (root): missing required key "uplink"`]);
  });

  it("reports an unknown part with a suggestion and the catalogue", () => {
    expect(errorsOf(device("unknown-part"))).toEqual([
      // The catalogue grows with every part: the message lists it as it is.
      `${F}/unknown-part.json:6:27: /parts/thermohygrometer/part: unknown part "sht31" (did you mean "sht3x"?); known parts: ${partNames.join(", ")}`,
    ]);
  });

  it("checks part options against the part's own schema", () => {
    expect(errorsOf(device("part-options"))).toEqual([
      `${F}/part-options.json:10:64: /parts/vane/options/pullupOhms: expected number > 0, got integer -10`,
      `${F}/part-options.json:10:83: /parts/vane/options/suplyVolts: unknown key "suplyVolts" (did you mean "supplyVolts"?)`,
    ]);
  });

  it("rejects a reporting interval outside the downlink bounds", () => {
    expect(errorsOf(device("reporting-out-of-bounds"))).toEqual([
      `${F}/reporting-out-of-bounds.json:20:18: /reporting/intervalS: interval 7200 s is outside [minIntervalS 60, maxIntervalS 3600]`,
    ]);
  });

  it("rejects sampling slower than reporting", () => {
    expect(errorsOf(device("sampling-slower-than-reporting"))).toEqual([
      `${F}/sampling-slower-than-reporting.json:17:14: /sampling/air/intervalMs: sampling every 900000 ms is slower than reporting every 600 s: some reports would carry no new air sample`,
    ]);
  });
});

describe("device on a board: pins, buses, addresses", () => {
  it("rejects a reserved pin (ESP32 GPIO6-11 are the module's flash)", () => {
    expect(errorsOf(onBoard("pin-reserved", "esp32-devkitc"))).toEqual([
      `${F}/pin-reserved.json:13:24: /wiring/esp32-devkitc/wind: GPIO6 is reserved on esp32-devkitc: SD_CLK of the module's SPI flash (GPIO6-11 are wired to the flash inside the WROOM-32)`,
    ]);
  });

  it("rejects a pin the board does not have", () => {
    expect(errorsOf(onBoard("pin-missing", "esp32-devkitc"))).toEqual([
      `${F}/pin-missing.json:13:48: /wiring/esp32-devkitc/vane: GPIO40 does not exist on esp32-devkitc (pins: 0-19, 21-23, 25-27, 32-36, 39)`,
    ]);
  });

  it("rejects a part pin that the I2C bus already uses", () => {
    expect(errorsOf(onBoard("pin-reused-by-bus", "esp32-devkitc"))).toEqual([
      `${F}/pin-reused-by-bus.json:13:36: /wiring/esp32-devkitc/rain: GPIO21 for part "raingauge" is already used by I2C bus "default" (data) (manifests/boards/esp32-devkitc.json:70:20)`,
    ]);
  });

  it("rejects two parts on one pin", () => {
    expect(errorsOf(onBoard("pin-reused-by-part", "esp32-devkitc"))).toEqual([
      `${F}/pin-reused-by-part.json:13:36: /wiring/esp32-devkitc/rain: GPIO27 for part "raingauge" is already used by part "anemometer"`,
    ]);
  });

  it("checks a part's power pin: analog parts only, an output-capable pin, not one another part has", () => {
    expect(errorsOf(onBoard("power-pin", "esp32-devkitc"))).toEqual([
      `${F}/power-pin.json:7:75: /parts/barometer/powerPin: powerPin is for analog parts (a switched divider supply); part "barometer" is i2c`,
      `${F}/power-pin.json:8:62: /parts/anemometer/powerPin: powerPin is for analog parts (a switched divider supply); part "anemometer" is pulse-count`,
      `${F}/power-pin.json:13:60: /wiring/esp32-devkitc/vanePower: GPIO35 is input-only on esp32-devkitc: it cannot power part "vane"`,
    ]);
    expect(errorsOf(onBoard("power-pin", "nrf52840-dk"))).toEqual([
      `${F}/power-pin.json:7:75: /parts/barometer/powerPin: powerPin is for analog parts (a switched divider supply); part "barometer" is i2c`,
      `${F}/power-pin.json:8:62: /parts/anemometer/powerPin: powerPin is for analog parts (a switched divider supply); part "anemometer" is digital-edge`,
      `${F}/power-pin.json:14:73: /wiring/nrf52840-dk/vanePower: P1.05 (pin 37) to power part "vane" is already used by part "raingauge"`,
    ]);
    // A power pin named, with every other pin literal, still needs the board's wiring (it was once dropped silently).
    expect(errorsOf(onBoard("power-pin-unwired", "esp32-devkitc"))).toEqual([
      `${F}/power-pin-unwired.json:12:3: /wiring: no wiring for board "esp32-devkitc"; wiring has: nothing`,
    ]);
  });

  it("rejects two parts at one address on one bus", () => {
    expect(errorsOf(onBoard("i2c-address-conflict", "esp32-devkitc"))).toEqual([
      `${F}/i2c-address-conflict.json:8:39: /parts/barometer2/address: address 0x76 on I2C bus "default" is already taken by part "barometer"`,
    ]);
  });

  it("rejects an address the part cannot be strapped to (SHT3x: 0x44 or 0x45)", () => {
    expect(errorsOf(onBoard("address-not-allowed", "esp32-devkitc"))).toEqual([
      `${F}/address-not-allowed.json:6:62: /parts/thermohygrometer/address: address 0x40 is not an address of sht3x (it answers on 0x44 or 0x45)`,
    ]);
  });

  it("rejects an unknown bus with a suggestion", () => {
    expect(errorsOf(onBoard("unknown-bus", "esp32-devkitc"))).toEqual([
      `${F}/unknown-bus.json:7:38: /parts/barometer/bus: unknown I2C bus "defualt" on esp32-devkitc (did you mean "default"?); I2C buses: "default"`,
    ]);
  });

  it("rejects an ESP32 ADC2 pin while Wi-Fi carries the uplink", () => {
    expect(errorsOf(onBoard("adc2-with-wifi", "esp32-devkitc"))).toEqual([
      `${F}/adc2-with-wifi.json:13:48: /wiring/esp32-devkitc/vane: GPIO27 (ADC2_CH7) cannot be read while wifi is on: ADC2 is shared with the Wi-Fi driver, which holds it while Wi-Fi is on; the mqtt uplink uses wifi on esp32-devkitc (usable analog pins: 32-36, 39)`,
    ]);
  });

  it("rejects an analog role on a pin without an ADC channel", () => {
    expect(errorsOf(onBoard("analog-on-digital-pin", "esp32-devkitc"))).toEqual([
      `${F}/analog-on-digital-pin.json:13:48: /wiring/esp32-devkitc/vane: GPIO16 cannot be an analog input on esp32-devkitc (analog pins: 0, 2, 4, 12-15, 25-27, 32-36, 39)`,
    ]);
  });

  it("rejects an nRF port pin name on a board numbered by GPIO", () => {
    expect(errorsOf(onBoard("port-pin-on-esp32", "esp32-devkitc"))).toEqual([
      `${F}/port-pin-on-esp32.json:13:48: /wiring/esp32-devkitc/vane: esp32-devkitc numbers pins as GPIOs, not by port: write 34 if GPIO34 is meant`,
    ]);
  });

  it("rejects a role with no wiring on the chosen board", () => {
    expect(errorsOf(onBoard("wiring-missing", "nrf52840-dk"))).toEqual([
      `${F}/wiring-missing.json:10:36: /parts/vane/pin: no wiring for pin "vane" on nrf52840-dk (add it to /wiring/nrf52840-dk)`,
    ]);
  });

  it("rejects more pulse-count roles than the board has units", () => {
    expect(errorsOf(onBoard("pulse-count-units", "nrf52840-dk"))).toEqual([
      `${F}/pulse-count-units.json:8:62: /parts/anemometer/io: more pulse-count roles than units: part "anemometer" needs a pulse-count unit but nrf52840-dk has no pulse-count units`,
    ]);
  });

  it("rejects an energy budget for a board that does not exist (it would budget nothing), with the likely one", () => {
    expect(errorsOf(device("energy-budget"))).toEqual([
      `${F}/energy-budget.json:28:38: /budgets/averageMicroamps/nrf52840-dkk: no board named "nrf52840-dkk" (did you mean "nrf52840-dk"?)`,
    ]);
  });

  it("warns about a strapping pin and still resolves", () => {
    const r = resolveNode(loadDevice(`${F}/strapping-pin.json`), "esp32-devkitc");
    expect(r.warnings.map(formatDiagnostic)).toEqual([
      `${F}/strapping-pin.json:13:36: /wiring/esp32-devkitc/rain: warning: GPIO12 is a strapping pin on esp32-devkitc: MTDI selects the flash voltage at reset: high means 1.8 V, which the module's 3.3 V flash does not boot on`,
    ]);
    expect(r.pins["rain"]).toBe(12);
  });
});

describe("board manifests and overlays", () => {
  it("rejects an extends cycle, in the file that closes it", () => {
    expect(errorsOf(board("cycle-a"))).toEqual([`${F}/cycle-b.json:4:3: /extends: extends cycle: cycle-a -> cycle-b -> cycle-a`]);
  });

  it("rejects an unknown base board with a suggestion", () => {
    expect(errorsOf(board("overlay-unknown-base"))).toEqual([
      `${F}/overlay-unknown-base.json:3:3: /extends: unknown base board "esp32-devkit" (did you mean "esp32-devkitc"?)`,
    ]);
  });

  it("checks the power figures the energy estimate uses: the idle state names a current, the radio has a rate", () => {
    expect(errorsOf(board("power-idle-state"))).toEqual([
      `${F}/power-idle-state.json:5:14: /power/idleState: expected one of "cpuActive", "lightSleep", got string "modemSleep"`,
      `${F}/power-idle-state.json:5:52: /power/radio/bitsPerSecond: expected number > 0, got integer 0`,
    ]);
  });

  it("rejects overlapping partitions, at the overlay value that caused it", () => {
    expect(errorsOf(board("partition-overlap"))).toEqual([
      `${F}/partition-overlap.json:7:20: /flash/partitions/storage/size: partition "storage" [0x380000, 0x3e0000) overlaps partition "xs" [0x3d0000, 0x3e0000)`,
    ]);
  });

  it("rejects a partition that is not whole blocks", () => {
    expect(errorsOf(board("partition-unaligned"))).toEqual([
      `${F}/partition-unaligned.json:7:20: /flash/partitions/storage/size: partition "storage" is 0x4f800 bytes, not a multiple of the 4096-byte (0x1000) block`,
    ]);
  });

  it("rejects a partition beyond the end of flash", () => {
    expect(errorsOf(board("partition-beyond-flash"))).toEqual([
      `${F}/partition-beyond-flash.json:7:42: /flash/partitions/storage/size: partition "storage" [0x3f0000, 0x410000) ends beyond the 0x400000-byte flash`,
    ]);
  });

  it("rejects a bus line driven from an input-only pin (ESP32 GPIO34-39)", () => {
    expect(errorsOf(board("i2c-on-input-only"))).toEqual([
      `${F}/i2c-on-input-only.json:5:36: /buses/i2c/default/data: GPIO34 is input-only on i2c-on-input-only; I2C data must drive the line`,
    ]);
  });

  it("points a type error in an overlay at the overlay", () => {
    expect(errorsOf(board("overlay-wrong-type"))).toEqual([`${F}/overlay-wrong-type.json:5:12: /cpu/mhz: expected integer >= 1, got string "240"`]);
  });

  it("points a required key an overlay deleted at its null", () => {
    expect(errorsOf(board("overlay-deletes-required"))).toEqual([
      `${F}/overlay-deletes-required.json:5:14: /flash/blockLength: missing required key "blockLength" (deleted by null)`,
    ]);
  });

  it("requires an overlay to name itself", () => {
    expect(errorsOf(board("overlay-unnamed"))).toEqual([
      `${F}/overlay-unnamed.json:1:1: /name: missing "name": an overlay must name itself (it would inherit "esp32-devkitc" from manifests/boards/esp32-devkitc.json)`,
    ]);
  });

  it("reports a trailing comma at the comma", () => {
    expect(errorsOf(board("syntax-trailing-comma"))).toEqual([`${F}/syntax-trailing-comma.json:4:21: /network: trailing comma before "]"`]);
  });

  it("names an unknown board with a suggestion", () => {
    expect(errorsOf(() => loadBoard("esp32-devkit"))).toEqual([
      `manifests/boards/esp32-devkit.json: (root): unknown board "esp32-devkit" (did you mean "esp32-devkitc"?)`,
    ]);
  });
});

describe("ManifestError", () => {
  it("carries every diagnostic and formats them one per line", () => {
    try {
      loadDevice(`${F}/part-options.json`);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ManifestError);
      const err = e as ManifestError;
      expect(err.diagnostics).toHaveLength(2);
      expect(err.diagnostics[0]).toEqual({
        file: `${F}/part-options.json`,
        pointer: "/parts/vane/options/pullupOhms",
        line: 10,
        column: 64,
        message: "expected number > 0, got integer -10",
        severity: "error",
      });
      expect(err.message.split("\n")).toEqual(err.diagnostics.map(formatDiagnostic));
    }
  });
});
