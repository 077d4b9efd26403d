/**
 * Malformed board and device manifests as a vendor writes them, each with the exact message and position the
 * loader must give (`file:line:col: /pointer: message`).
 *
 * Positions are not read back from the loader: each case's text marks where each diagnostic must point with «
 * (at the key of the value at fault, the item of an array, or the opening brace of an object that lacks a key),
 * and the test works out line and column from the text itself before the marks are taken out. Messages state the
 * facts the checks enforce (ESP32 GPIO6-11 on the module's flash, ADC2 held by Wi-Fi, the SHT3x at 0x44/0x45,
 * ESP32 flash up to 16 MB, the nRF52840's 256 KB of RAM, …).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatDiagnostic, loadBoard, loadDevice, ManifestError, resolveNode, type LoadOptions } from "../../manifests/load.js";
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { partCatalogue, partNames } from "../../manifests/schema/parts.js";

const dir = mkdtempSync(join(tmpdir(), "ganzhi-malformed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Parts with named pins and buses the catalogue does not have yet, shaped as their datasheets describe them: an
 * SX1262 radio (SPI with NSS, BUSY, DIO1, RESET) and an NB-IoT modem on a UART (PWRKEY, RESET, STATUS).
 */
const radio = definePart({
  name: "radio-test",
  title: "SX1262-like LoRa transceiver",
  connection: { kind: "spi", maxHz: 16_000_000, mode: 0, select: "nss" },
  pins: {
    nss: { direction: "output", optional: true, description: "SPI chip select, active low" },
    busy: { direction: "input", pull: "up", description: "BUSY: high while the radio cannot take a command" },
    dio1: { direction: "input", description: "DIO1 interrupt" },
    reset: { direction: "output", description: "NRESET, active low" },
  },
  options: s.object({}),
  source: "test part",
});
const slowRadio = definePart({ ...radio, name: "slow-radio-test", connection: { kind: "spi", maxHz: 500_000, mode: 0, select: "nss" } });
const modem = definePart({
  name: "modem-test",
  title: "NB-IoT modem",
  connection: { kind: "uart", baud: 9600 },
  pins: {
    pwrkey: { direction: "output", description: "PWRKEY: pulse low to switch on" },
    reset: { direction: "output", optional: true, description: "RESET_N" },
    status: { direction: "input", optional: true, description: "STATUS: high while on" },
  },
  options: s.object({}),
  source: "test part",
});
const fastModem = definePart({ ...modem, name: "fast-modem-test", connection: { kind: "uart", baud: 115200 } });
const withTestParts: LoadOptions = { parts: { ...partCatalogue, [radio.name]: radio, [slowRadio.name]: slowRadio, [modem.name]: modem, [fastModem.name]: fastModem } };

/** A device like the weather station, small: one I2C part, two on pins, wired for both catalogue base boards. */
const DEVICE = `{
  "name": "NAME",
  "description": "Test device",
  "main": "devices/weather-station/main.ts",
  "parts": {
    "thermohygrometer": { "part": "sht3x", "bus": "default", "address": "0x44" },
    "anemometer": { "part": "cup-anemometer", "pin": "wind" },
    "vane": { "part": "wind-vane", "pin": "vane", "powerPin": "vanePower" }
  },
  "wiring": {
    "esp32-devkitc": { "wind": 27, "vane": 34, "vanePower": 25 },
    "nrf52840-dk": { "wind": "P1.04", "vane": "P0.03", "vanePower": "P1.06" }
  },
  "sampling": {
    "air": { "intervalMs": 60000, "roles": ["thermohygrometer"] },
    "wind": { "intervalMs": 250, "roles": ["anemometer", "vane"] }
  },
  "reporting": { "intervalS": 600, "minIntervalS": 60, "maxIntervalS": 3600 },
  "uplink": { "link": "mqtt", "broker": { "address": "127.0.0.1", "port": 1883 }, "topic": "t/{id}", "qos": 1, "keepAliveS": 120 }
}
`;

/** A vendor overlay of the ESP32-DevKitC that changes nothing yet. */
const BOARD = `{
  "name": "NAME",
  "extends": "esp32-devkitc",
  "description": "Vendor board"
}
`;

type Edit = readonly [from: string, to: string];

/** `base` with each edit applied once (an edit that matches nothing is a mistake in the test). */
function edited(base: string, edits: readonly Edit[]): string {
  let text = base;
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`test case: ${JSON.stringify(from)} is not in the text`);
    text = text.replace(from, to);
  }
  return text;
}

/** The text without its « marks, and the line and column of each mark (1-based, in the text as written). */
function marks(text: string): { text: string; at: { line: number; column: number }[] } {
  const at: { line: number; column: number }[] = [];
  let out = "";
  let line = 1;
  let column = 1;
  for (const ch of text) {
    if (ch === "«") {
      at.push({ line, column });
      continue;
    }
    out += ch;
    if (ch === "\n") {
      line++;
      column = 1;
    } else column++;
  }
  return { text: out, at };
}

/** Write a case's file; `name` replaces NAME (the file name a manifest's name must match). */
function write(name: string, text: string): { path: string; at: { line: number; column: number }[] } {
  const m = marks(text.replace("NAME", name));
  const path = join(dir, `${name}.json`);
  writeFileSync(path, m.text);
  return { path, at: m.at };
}

function diagnosticsOf(fn: () => { warnings: readonly unknown[] } | unknown, severity: "error" | "warning"): string[] {
  try {
    const r = fn() as { warnings?: readonly Parameters<typeof formatDiagnostic>[0][] };
    if (severity === "error") throw new Error("expected a ManifestError, but nothing was thrown");
    return (r.warnings ?? []).map(formatDiagnostic);
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    return e.diagnostics.filter((d) => d.severity === severity).map(formatDiagnostic);
  }
}

interface Expected {
  pointer: string;
  /** NAMED stands for the case's manifest name, DIR for the folder the cases are written to, CATALOGUE for the part names. */
  message: string;
  /** Where it points when not at the next « mark: a repository file's "file:line:col", or "SAME" as the last. */
  at?: string;
}

/** `file:line:col: pointer: message` for each expectation: the marks in order, unless `at` is given. */
function lines(name: string, path: string, at: readonly { line: number; column: number }[], expected: readonly Expected[], severity: "error" | "warning"): string[] {
  let mark = 0;
  let last = "";
  return expected.map((e) => {
    let where = e.at === "SAME" ? last : e.at;
    if (where === undefined) {
      const m = at[mark++];
      if (!m) throw new Error(`test case: no « mark for ${e.pointer}`);
      where = `${path}:${m.line}:${m.column}`;
    }
    last = where;
    const message = e.message.replaceAll("NAMED", name).replaceAll("DIR", dir).replaceAll("CATALOGUE", partNames.join(", "));
    return `${where}: ${e.pointer === "" ? "(root)" : e.pointer}: ${severity === "warning" ? "warning: " : ""}${message}`;
  });
}

interface DeviceCase {
  what: string;
  edits: readonly Edit[];
  /** Resolve on this board (default: load only). */
  board?: string;
  expect: readonly Expected[];
  /** Compare warnings instead of errors (the case must then resolve). */
  warnings?: boolean;
  opts?: LoadOptions;
}

let counter = 0;
function deviceCase(c: DeviceCase): void {
  const name = `m-device-${++counter}`;
  it(c.what, () => {
    const { path, at } = write(name, edited(DEVICE, c.edits));
    const severity = c.warnings ? "warning" : "error";
    const opts = c.opts ?? {};
    const run = c.board === undefined ? () => loadDevice(path, opts) : () => resolveNode(loadDevice(path, opts), c.board!, opts);
    const got = diagnosticsOf(run, severity).filter((d) => !c.warnings || !d.includes("/uplink/link") || c.expect.some((e) => e.pointer === "/uplink/link"));
    expect(got).toEqual(lines(name, path, at, c.expect, severity));
  });
}

interface BoardCase {
  what: string;
  edits: readonly Edit[];
  /** Resolve this catalogue device on the board (default: load the board only). */
  device?: string;
  expect: readonly Expected[];
  warnings?: boolean;
}

function boardCase(c: BoardCase): void {
  const name = `m-board-${++counter}`;
  it(c.what, () => {
    const { path, at } = write(name, edited(BOARD, c.edits));
    const severity = c.warnings ? "warning" : "error";
    const run = c.device === undefined ? () => loadBoard(path) : () => resolveNode(c.device!, loadBoard(path));
    expect(diagnosticsOf(run, severity)).toEqual(lines(name, path, at, c.expect, severity));
  });
}

describe("device manifests: JSON", () => {
  deviceCase({
    what: "a comment",
    edits: [[`  "description"`, `  «// the station\n  "description"`]],
    expect: [{ pointer: "", message: "comments are not allowed in JSON" }],
  });
  deviceCase({
    what: "single quotes",
    edits: [[`"Test device"`, `«'Test device'`]],
    expect: [{ pointer: "/description", message: "strings must use double quotes, not single quotes" }],
  });
  deviceCase({
    what: "a key given twice",
    edits: [[`  "description": "Test device",`, `  "description": "Test device",\n  «"name": "again",`]],
    expect: [{ pointer: "/name", message: 'duplicate key "name" (first at line 2, column 3)' }],
  });
  deviceCase({
    what: "an integer beyond 2^53",
    edits: [[`"intervalS": 600`, `"intervalS": «9007199254740993`]],
    expect: [{ pointer: "/reporting/intervalS", message: "number 9007199254740993 is beyond 2^53 - 1 (9007199254740991): JSON numbers that large lose precision, and no manifest figure is that large" }],
  });
  deviceCase({
    what: "a number that overflows to infinity",
    edits: [[`"keepAliveS": 120`, `"keepAliveS": «1e400`]],
    expect: [{ pointer: "/uplink/keepAliveS", message: "number 1e400 is beyond 2^53 - 1 (9007199254740991): JSON numbers that large lose precision, and no manifest figure is that large" }],
  });
  deviceCase({
    what: "a hex number written bare",
    edits: [[`"address": "0x44"`, `"address": «0x44`]],
    expect: [{ pointer: "/parts/thermohygrometer/address", message: 'invalid number "0x44" (JSON numbers are decimal; write hex as a string such as "0x76")' }],
  });
});

describe("device manifests: schema (every key must do something)", () => {
  deviceCase({
    what: "a misspelt top-level key",
    edits: [[`  "sampling": {`, `  «"sampeling": {},\n  "sampling": {`]],
    expect: [{ pointer: "/sampeling", message: 'unknown key "sampeling" (did you mean "sampling"?)' }],
  });
  deviceCase({
    what: "a misspelt key in a part",
    edits: [[`"pin": "wind" }`, `"pin": "wind", «"powerpin": "x" }`]],
    expect: [{ pointer: "/parts/anemometer/powerpin", message: 'unknown key "powerpin" (did you mean "powerPin"?)' }],
  });
  deviceCase({
    what: "a budget nothing checks",
    edits: [[`  "reporting"`, `  "budgets": { «"jitterMsMax": 3 },\n  "reporting"`]],
    expect: [{ pointer: "/budgets/jitterMsMax", message: 'unknown key "jitterMsMax" (did you mean "jitterMs"?)' }],
  });
  deviceCase({
    what: "a missing required section",
    edits: [[`{\n  "name"`, `«{\n  "name"`], [`,\n  "uplink": { "link": "mqtt", "broker": { "address": "127.0.0.1", "port": 1883 }, "topic": "t/{id}", "qos": 1, "keepAliveS": 120 }`, ""]],
    expect: [{ pointer: "", message: 'missing required key "uplink"' }],
  });
  deviceCase({
    what: "a string where a number belongs",
    edits: [[`"qos": 1`, `«"qos": "1"`]],
    expect: [{ pointer: "/uplink/qos", message: 'expected one of 0, 1, 2, got string "1"' }],
  });
  deviceCase({
    what: "a negative interval",
    edits: [[`"intervalS": 600`, `«"intervalS": -600`]],
    expect: [{ pointer: "/reporting/intervalS", message: "expected integer >= 1, got integer -600" }],
  });
  deviceCase({
    what: "a broker port out of range",
    edits: [[`"port": 1883`, `«"port": 70000`]],
    expect: [{ pointer: "/uplink/broker/port", message: "expected integer from 1 to 65535, got integer 70000" }],
  });
  deviceCase({
    what: "an I2C address outside 7-bit addressing",
    edits: [[`"address": "0x44"`, `«"address": "0x7f"`]],
    expect: [{ pointer: "/parts/thermohygrometer/address", message: 'expected 7-bit I2C address from 0x08 to 0x77, got string "0x7f"' }],
  });
  deviceCase({
    what: "a main module given as an absolute path",
    edits: [[`"main": "devices/weather-station/main.ts"`, `«"main": "/devices/weather-station/main.ts"`]],
    expect: [{ pointer: "/main", message: 'expected module path relative to the repository root, such as "devices/weather-station/main.ts", got string "/devices/weather-station/main.ts"' }],
  });
  deviceCase({
    what: "a role name that is not an identifier",
    edits: [[`    "vane": { "part"`, `    «"wind vane": { "part"`]],
    expect: [{ pointer: "/parts/wind vane", message: 'invalid key "wind vane": expected a name such as "wind" (a letter, then letters, digits, "_" or "-")' }],
  });
  deviceCase({
    what: "a name that is not its file's",
    edits: [[`  "name": "NAME"`, `  «"name": "weather-station"`]],
    expect: [{ pointer: "/name", message: 'name "weather-station" does not match the file name "NAMED.json"' }],
  });
});

describe("device manifests: parts", () => {
  deviceCase({
    what: "an unknown part",
    edits: [[`"part": "sht3x"`, `«"part": "sht31"`]],
    expect: [{ pointer: "/parts/thermohygrometer/part", message: 'unknown part "sht31" (did you mean "sht3x"?); known parts: CATALOGUE' }],
  });
  deviceCase({
    what: "an option outside the part's range",
    edits: [[`"pin": "wind" }`, `"pin": "wind", "options": { «"kmhPerHz": 0 } }`]],
    expect: [{ pointer: "/parts/anemometer/options/kmhPerHz", message: "expected number > 0, got integer 0" }],
  });
  deviceCase({
    what: "a connection kind the part does not have",
    edits: [[`"pin": "wind" }`, `"pin": "wind", «"io": "analog" }`]],
    expect: [{ pointer: "/parts/anemometer/io", message: "part cup-anemometer connects by pulse-count or digital-edge, not analog" }],
  });
  deviceCase({
    what: "a pin for an I2C part",
    edits: [[`"address": "0x44" }`, `"address": "0x44", «"pin": "air" }`]],
    expect: [{ pointer: "/parts/thermohygrometer/pin", message: 'part sht3x connects by I2C: give "bus" and "address", not "pin"' }],
  });
  deviceCase({
    what: "an I2C address for a part on a pin",
    edits: [[`"pin": "wind" }`, `"pin": "wind", «"address": "0x44" }`]],
    expect: [{ pointer: "/parts/anemometer/address", message: 'part cup-anemometer connects by pulse-count or digital-edge on a pin: "address" does not apply' }],
  });
  deviceCase({
    what: "a part on a pin without a pin",
    edits: [[`"vane": { "part": "wind-vane", "pin": "vane", "powerPin": "vanePower" }`, `«"vane": { "part": "wind-vane", "powerPin": "vanePower" }`], [`"vane": 34, `, ""], [`"vane": "P0.03", `, ""]],
    expect: [{ pointer: "/parts/vane", message: 'missing required key "pin": part wind-vane connects by analog on a pin' }],
  });
  deviceCase({
    what: "named pins for a part that has none",
    edits: [[`"pin": "wind" }`, `"pin": "wind", "pins": { «"reset": 4 } }`]],
    expect: [{ pointer: "/parts/anemometer/pins/reset", message: "part cup-anemometer has no named pins (parts/cup-anemometer/part.ts declares none)" }],
  });
  deviceCase({
    what: "a named pin the part does not have",
    opts: withTestParts,
    edits: [[`    "vane": {`, `    "radio": { "part": "radio-test", "pins": { "busy": 4, "dio1": 13, "reset": 14, «"dio2": 15 } },\n    "vane": {`]],
    expect: [{ pointer: "/parts/radio/pins/dio2", message: 'part radio-test has no pin "dio2" (did you mean "dio1"?); its pins: nss, busy, dio1, reset' }],
  });
  deviceCase({
    what: "a named pin the part cannot do without",
    opts: withTestParts,
    edits: [[`    "vane": {`, `    "radio": { "part": "radio-test", «"pins": { "busy": 4, "reset": 14 } },\n    "vane": {`]],
    expect: [{ pointer: "/parts/radio/pins", message: 'missing pin "dio1" of part radio-test (DIO1 interrupt): wire it in /parts/radio/pins/dio1' }],
  });
  deviceCase({
    what: "an SX1262 without its NSS: the driver selects the chip itself, so the bus's select will not do",
    edits: [[`    "vane": {`, `    "radio": { "part": "sx1262", «"pins": { "busy": 4, "dio1": 13, "reset": 14 } },\n    "vane": {`]],
    expect: [{ pointer: "/parts/radio/pins", message: 'missing pin "nss" of part sx1262 (NSS: the chip\'s SPI select, active low; a falling edge also wakes it from sleep (§8.2)): wire it in /parts/radio/pins/nss' }],
  });
  deviceCase({
    what: "a pin for an SPI part",
    opts: withTestParts,
    edits: [[`    "vane": {`, `    "radio": { "part": "radio-test", «"pin": 5, "pins": { "busy": 4, "dio1": 13, "reset": 14 } },\n    "vane": {`]],
    expect: [{ pointer: "/parts/radio/pin", message: 'part radio-test connects by SPI: give "bus" (and its chip select in "pins"), not "pin"' }],
  });
  deviceCase({
    what: "an I2C address for a UART part",
    opts: withTestParts,
    edits: [[`    "vane": {`, `    "modem": { "part": "modem-test", «"address": "0x40", "pins": { "pwrkey": 4 } },\n    "vane": {`]],
    expect: [{ pointer: "/parts/modem/address", message: 'part modem-test connects by a UART: "address" is for I2C parts' }],
  });
  deviceCase({
    what: "a required part the manifest lacks",
    edits: [[`  "wiring": {`, `  "requires": ["sht3x", «"bme280"],\n  "wiring": {`]],
    expect: [{ pointer: "/requires/1", message: "the firmware requires a bme280 part (Bosch BME280 humidity, pressure and temperature sensor) and refuses to start without one, but /parts has none (parts: sht3x, cup-anemometer, wind-vane)" }],
  });
  deviceCase({
    what: "a required part that is not in the catalogue",
    edits: [[`  "wiring": {`, `  "requires": [«"wind-vain"],\n  "wiring": {`]],
    expect: [{ pointer: "/requires/0", message: 'unknown part "wind-vain" (did you mean "wind-vane"?); known parts: CATALOGUE' }],
  });
});

describe("device manifests: the device against itself", () => {
  deviceCase({
    what: "a sampling group naming a role that does not exist",
    edits: [[`"roles": ["thermohygrometer"]`, `"roles": [«"thermohygrometr"]`]],
    expect: [{ pointer: "/sampling/air/roles/0", message: 'unknown role "thermohygrometr" (did you mean "thermohygrometer"?); roles: thermohygrometer, anemometer, vane' }],
  });
  deviceCase({
    what: "a smallest reporting interval above the largest",
    edits: [[`"minIntervalS": 60`, `«"minIntervalS": 7200`]],
    expect: [{ pointer: "/reporting/minIntervalS", message: "minIntervalS 7200 is greater than maxIntervalS 3600" }],
  });
  deviceCase({
    what: "sampling slower than reporting",
    edits: [[`"air": { "intervalMs": 60000`, `"air": { «"intervalMs": 900000`]],
    expect: [{ pointer: "/sampling/air/intervalMs", message: "sampling every 900000 ms is slower than reporting every 600 s: some reports would carry no new air sample" }],
  });
  deviceCase({
    what: "a wildcard in the publish topic",
    edits: [[`"topic": "t/{id}"`, `«"topic": "t/+/{id}"`]],
    expect: [{ pointer: "/uplink/topic", message: 'topic "t/+/{id}" contains "+" or "#": those are subscription wildcards, not allowed in a publish topic' }],
  });
  deviceCase({
    what: "a placeholder the node does not fill",
    edits: [[`"topic": "t/{id}"`, `«"topic": "t/{id}/{board}"`]],
    expect: [{ pointer: "/uplink/topic", message: 'unknown placeholder "{board}" in topic (only {id} is replaced)' }],
  });
  deviceCase({
    what: "wiring for a board that does not exist",
    edits: [[`    "nrf52840-dk": {`, `    «"nrf52840-dkk": {`]],
    expect: [{ pointer: "/wiring/nrf52840-dkk", message: 'no board named "nrf52840-dkk" (did you mean "nrf52840-dk"?)' }],
  });
  deviceCase({
    what: "a wired pin name no part uses",
    edits: [[`"vanePower": 25 }`, `"vanePower": 25, «"rain": 26 }`]],
    expect: [{ pointer: "/wiring/esp32-devkitc/rain", message: 'pin name "rain" is not used by any part; pin names in use: wind, vane, vanePower' }],
  });
  deviceCase({
    what: "an energy budget for a board that does not exist",
    edits: [[`  "reporting"`, `  "budgets": { "averageMicroamps": { «"nrf5284-dk": 100 } },\n  "reporting"`]],
    expect: [{ pointer: "/budgets/averageMicroamps/nrf5284-dk", message: 'no board named "nrf5284-dk" (did you mean "nrf52840-dk"?)' }],
  });
});

describe("a device on a board: pins", () => {
  deviceCase({
    what: "a pin on the module's flash",
    board: "esp32-devkitc",
    edits: [[`"wind": 27`, `«"wind": 6`]],
    expect: [{ pointer: "/wiring/esp32-devkitc/wind", message: "GPIO6 is reserved on esp32-devkitc: SD_CLK of the module's SPI flash (GPIO6-11 are wired to the flash inside the WROOM-32)" }],
  });
  deviceCase({
    what: "a pin the board does not have",
    board: "esp32-devkitc",
    edits: [[`"vane": 34`, `«"vane": 40`]],
    expect: [{ pointer: "/wiring/esp32-devkitc/vane", message: "GPIO40 does not exist on esp32-devkitc (pins: 0-19, 21-23, 25-27, 32-36, 39)" }],
  });
  deviceCase({
    what: "an input-only pin as a power output",
    board: "esp32-devkitc",
    edits: [[`"vanePower": 25`, `«"vanePower": 35`]],
    expect: [{ pointer: "/wiring/esp32-devkitc/vanePower", message: 'GPIO35 is input-only on esp32-devkitc: it cannot power part "vane"' }],
  });
  deviceCase({
    what: "two parts on one pin",
    board: "esp32-devkitc",
    edits: [[`"vanePower": 25`, `«"vanePower": 27`]],
    expect: [{ pointer: "/wiring/esp32-devkitc/vanePower", message: 'GPIO27 to power part "vane" is already used by part "anemometer"' }],
  });
  deviceCase({
    what: "a part on the I2C bus's pin, named with where the bus is",
    board: "esp32-devkitc",
    edits: [[`"wind": 27`, `«"wind": 22`]],
    expect: [{ pointer: "/wiring/esp32-devkitc/wind", message: 'GPIO22 for part "anemometer" is already used by I2C bus "default" (clock) (manifests/boards/esp32-devkitc.json:70:32)' }],
  });
  deviceCase({
    what: "an ADC2 pin while Wi-Fi carries the uplink",
    board: "esp32-devkitc",
    edits: [[`"vane": 34`, `«"vane": 14`]],
    expect: [{ pointer: "/wiring/esp32-devkitc/vane", message: "GPIO14 (ADC2_CH6) cannot be read while wifi is on: ADC2 is shared with the Wi-Fi driver, which holds it while Wi-Fi is on; the mqtt uplink uses wifi on esp32-devkitc (usable analog pins: 32-36, 39)" }],
  });
  deviceCase({
    what: "an analog part on a pin without an ADC",
    board: "esp32-devkitc",
    edits: [[`"vane": 34`, `«"vane": 16`]],
    expect: [{ pointer: "/wiring/esp32-devkitc/vane", message: "GPIO16 cannot be an analog input on esp32-devkitc (analog pins: 0, 2, 4, 12-15, 25-27, 32-36, 39)" }],
  });
  deviceCase({
    what: "an nRF port pin name on an ESP32",
    board: "esp32-devkitc",
    edits: [[`"vane": 34`, `«"vane": "P1.02"`]],
    expect: [{ pointer: "/wiring/esp32-devkitc/vane", message: "esp32-devkitc numbers pins as GPIOs, not by port: write 34 if GPIO34 is meant" }],
  });
  deviceCase({
    what: "a pin name with no wiring on the board",
    board: "nrf52840-dk",
    edits: [[`"vane": "P0.03", `, ""], [`"vane": { "part": "wind-vane", "pin": "vane"`, `"vane": { "part": "wind-vane", «"pin": "vane"`]],
    expect: [{ pointer: "/parts/vane/pin", message: 'no wiring for pin "vane" on nrf52840-dk (add it to /wiring/nrf52840-dk)' }],
  });
  deviceCase({
    what: "no wiring for the board at all",
    board: "nrf52840-dk",
    edits: [[`,\n    "nrf52840-dk": { "wind": "P1.04", "vane": "P0.03", "vanePower": "P1.06" }`, ""], [`  "wiring": {`, `  «"wiring": {`]],
    expect: [{ pointer: "/wiring", message: 'no wiring for board "nrf52840-dk"; wiring has: esp32-devkitc' }],
  });
  deviceCase({
    what: "an I2C address the part cannot be strapped to",
    board: "esp32-devkitc",
    edits: [[`"address": "0x44"`, `«"address": "0x40"`]],
    expect: [{ pointer: "/parts/thermohygrometer/address", message: "address 0x40 is not an address of sht3x (it answers on 0x44 or 0x45)" }],
  });
  deviceCase({
    what: "an I2C bus the board does not have",
    board: "esp32-devkitc",
    edits: [[`"bus": "default"`, `«"bus": "defualt"`]],
    expect: [{ pointer: "/parts/thermohygrometer/bus", message: 'unknown I2C bus "defualt" on esp32-devkitc (did you mean "default"?); I2C buses: "default"' }],
  });
  deviceCase({
    what: "a power pin for an I2C part",
    board: "esp32-devkitc",
    edits: [[`"address": "0x44" }`, `"address": "0x44", «"powerPin": 4 }`]],
    expect: [{ pointer: "/parts/thermohygrometer/powerPin", message: 'powerPin is for analog parts (a switched divider supply); part "thermohygrometer" is i2c' }],
  });
  deviceCase({
    what: "a pulse counter the nRF52840-DK does not have",
    board: "nrf52840-dk",
    edits: [[`"pin": "wind" }`, `"pin": "wind", «"io": "pulse-count" }`]],
    expect: [{ pointer: "/parts/anemometer/io", message: 'more pulse-count roles than units: part "anemometer" needs a pulse-count unit but nrf52840-dk has no pulse-count units' }],
  });
  deviceCase({
    what: "a strapping pin driven as an output is a warning",
    board: "esp32-devkitc",
    warnings: true,
    edits: [[`"vanePower": 25`, `«"vanePower": 12`]],
    expect: [
      {
        pointer: "/wiring/esp32-devkitc/vanePower",
        message:
          'GPIO12 is a strapping pin on esp32-devkitc and is driven here as an output (the power pin of part "vane"): MTDI selects the flash voltage at reset: high means 1.8 V, which the module\'s 3.3 V flash does not boot on; the level the firmware drives (or holds through reset) can select the wrong boot mode',
      },
    ],
  });
});

describe("a device on a board: named pins, SPI and UART parts", () => {
  const radioPart = (pins: string) => [`    "vane": {`, `    "radio": { "part": "radio-test", "pins": ${pins} },\n    "vane": {`] as const;
  deviceCase({
    what: "a radio's RESET (an output) on an input-only pin",
    opts: withTestParts,
    board: "esp32-devkitc",
    edits: [radioPart(`{ "busy": 4, "dio1": 13, «"reset": 39 }`)],
    expect: [{ pointer: "/parts/radio/pins/reset", message: 'GPIO39 is input-only on esp32-devkitc: it cannot drive pin "reset" of part "radio"' }],
  });
  deviceCase({
    what: "a radio's DIO1 on another part's pin",
    opts: withTestParts,
    board: "esp32-devkitc",
    edits: [radioPart(`{ "busy": 4, «"dio1": 27, "reset": 14 }`)],
    expect: [{ pointer: "/parts/radio/pins/dio1", message: 'GPIO27 for pin "dio1" of part "radio" is already used by part "anemometer"' }],
  });
  deviceCase({
    what: "a radio's BUSY on a reserved pin",
    opts: withTestParts,
    board: "esp32-devkitc",
    edits: [radioPart(`{ «"busy": 1, "dio1": 13, "reset": 14 }`)],
    expect: [{ pointer: "/parts/radio/pins/busy", message: "GPIO1 is reserved on esp32-devkitc: U0TXD: console and flashing through the USB-UART bridge" }],
  });
  deviceCase({
    what: "a BUSY input that needs a pull-up on a pin without one is a warning",
    opts: withTestParts,
    board: "esp32-devkitc",
    warnings: true,
    edits: [radioPart(`{ «"busy": 36, "dio1": 13, "reset": 14 }`)],
    expect: [
      // The SPI bus's fixed select is GPIO5, a strapping pin: the bus is the board's, and so is the warning.
      {
        pointer: "/buses/spi/default/select",
        message: 'GPIO5 (SPI bus "default" select) is a strapping pin on esp32-devkitc: GPIO5 sets SDIO slave timing at reset (internal pull-up)',
        at: "manifests/boards/esp32-devkitc.json:73:54",
      },
      { pointer: "/parts/radio/pins/busy", message: 'GPIO36 has no internal pull-up on esp32-devkitc: radio-test on "radio" needs an external pull-up resistor' },
    ],
  });
  deviceCase({
    what: "two SPI parts on the bus's one select pin",
    opts: withTestParts,
    board: "esp32-devkitc",
    edits: [[`    "vane": {`, `    "radio": { "part": "radio-test", "pins": { "busy": 4, "dio1": 13, "reset": 14 } },\n    "radio2": { "part": "radio-test", «"bus": "default", "pins": { "busy": 16, "dio1": 17, "reset": 26 } },\n    "vane": {`]],
    expect: [{ pointer: "/parts/radio2/bus", message: 'the select pin of SPI bus "default" (GPIO5) already selects part "radio": wire this part\'s own chip select in /parts/radio2/pins/nss' }],
  });
  deviceCase({
    what: "an SPI bus faster than the part",
    opts: withTestParts,
    board: "esp32-devkitc",
    edits: [[`    "vane": {`, `    «"radio": { "part": "slow-radio-test", "pins": { "busy": 4, "dio1": 13, "reset": 14 } },\n    "vane": {`]],
    expect: [{ pointer: "/parts/radio", message: 'SPI bus "default" runs at 1000000 Hz but slow-radio-test supports at most 500000 Hz' }],
  });
  {
    // A vendor's overlay that keeps only the UART's receive line (the modem's TX): the fault is the overlay's.
    const overlay = join(dir, "m-board-rx-only.json");
    writeFileSync(overlay, edited(BOARD, [["NAME", "m-board-rx-only"], [`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "buses": { "serial": { "default": { "transmit": null } } }`]]));
    deviceCase({
      what: "a modem on a UART the vendor's board gave only a receive line, reported in the board file",
      opts: withTestParts,
      board: overlay,
      edits: [[`    "vane": {`, `    "modem": { "part": "modem-test", "pins": { "pwrkey": 4 } },\n    "vane": {`]],
      expect: [
        {
          pointer: "/buses/serial/default",
          message: 'UART "default" on m-board-rx-only has no transmit pin, and modem-test both listens and answers (part "modem" of NAMED, DIR/NAMED.json:8:5)',
          at: `${overlay}:5:26`,
        },
      ],
    });
  }
  deviceCase({
    what: "two parts on one UART",
    opts: withTestParts,
    board: "esp32-devkitc",
    edits: [[`    "vane": {`, `    "modem": { "part": "fast-modem-test", "pins": { "pwrkey": 4 } },\n    "modem2": { "part": "fast-modem-test", «"bus": "default", "pins": { "pwrkey": 13 } },\n    "vane": {`]],
    expect: [{ pointer: "/parts/modem2/bus", message: 'UART "default" is already used by part "modem" (a UART joins two devices)' }],
  });
  deviceCase({
    what: "a modem on the RS-485 port of a meter",
    opts: withTestParts,
    board: "esp32-devkitc",
    edits: [[`    "vane": {`, `    "power": { "part": "dlt645" },\n    "modem": { "part": "fast-modem-test", «"bus": "default", "pins": { "pwrkey": 13 } },\n    "vane": {`]],
    expect: [{ pointer: "/parts/modem/bus", message: 'UART "default" is already used by part "power" (only RS-485 parts share a port)' }],
  });
  deviceCase({
    what: "a UART the board does not have",
    opts: withTestParts,
    board: "esp32-devkitc",
    edits: [[`    "vane": {`, `    "modem": { "part": "fast-modem-test", «"bus": "uart1", "pins": { "pwrkey": 4 } },\n    "vane": {`]],
    expect: [{ pointer: "/parts/modem/bus", message: 'unknown UART "uart1" on esp32-devkitc; UARTs: "default"' }],
  });
  deviceCase({
    what: "an SPI part on an overlay that deletes the SPI buses, at the overlay's null",
    opts: withTestParts,
    board: "kunming-ws-v1",
    edits: [radioPart(`{ "busy": 4, "dio1": 13, "reset": 14 }`)],
    expect: [{ pointer: "/buses/spi", message: 'kunming-ws-v1 deletes its SPI buses, which part "radio" of NAMED uses (DIR/NAMED.json:8:5)', at: "manifests/boards/kunming-ws-v1.json:11:5" }],
  });
  deviceCase({
    what: "an optional part the firmware requires, not wired on a board",
    board: "nrf52840-dk",
    edits: [
      [`"vane": { "part": "wind-vane", "pin": "vane", "powerPin": "vanePower" }`, `"vane": { "part": "wind-vane", "pin": "vane", "powerPin": "vanePower", "optional": true }`],
      [`"vane": "P0.03", "vanePower": "P1.06"`, `"vanePower": "P1.06"`],
      [`  "wiring": {`, `  "requires": ["wind-vane"],\n  "wiring": {`],
      [`    "nrf52840-dk"`, `    «"nrf52840-dk"`],
    ],
    expect: [{ pointer: "/wiring/nrf52840-dk", message: 'the firmware requires a wind-vane part, but part "vane" is optional and not wired on nrf52840-dk (no wiring for pin "vane"), so the firmware would refuse to start there' }],
  });
});

describe("the link on each board (uplink.boards, uplink.lorawan, uplink.nbiot)", () => {
  const UPLINK = `"uplink": { "link": "mqtt", `;
  deviceCase({
    what: "LoRaWAN on a board without an uplink.lorawan section",
    board: "nrf52840-dk",
    edits: [[UPLINK, `"uplink": { "link": "mqtt", "boards": { «"nrf52840-dk": "lorawan" }, `]],
    expect: [{ pointer: "/uplink/boards/nrf52840-dk", message: "the lorawan link on nrf52840-dk needs an uplink.lorawan section naming its LoRa transceiver part" }],
  });
  deviceCase({
    what: "an uplink.lorawan radio that names no part",
    board: "nrf52840-dk",
    edits: [[UPLINK, `"uplink": { "link": "lorawan", "lorawan": { «"radio": "lora" }, `]],
    expect: [{ pointer: "/uplink/lorawan/radio", message: "no part \"lora\" in parts (parts: thermohygrometer, anemometer, vane)" }],
  });
  deviceCase({
    what: "an uplink.lorawan radio that is not a LoRa transceiver",
    board: "nrf52840-dk",
    edits: [[UPLINK, `"uplink": { "link": "lorawan", "lorawan": { «"radio": "vane" }, `]],
    expect: [{ pointer: "/uplink/lorawan/radio", message: 'part "vane" is a wind-vane; the lorawan link drives a sx1262' }],
  });
  deviceCase({
    what: "NB-IoT on a board where the modem is an optional part left unwired",
    board: "esp32-devkitc",
    edits: [
      [`    "vane": {`, `    "modem": { "part": "bc95", "optional": true, "pins": { "reset": "modemReset" } },\n    "vane": {`],
      [`"nrf52840-dk": { "wind": "P1.04"`, `"nrf52840-dk": { "modemReset": "P1.10", "wind": "P1.04"`],
      [UPLINK, `"uplink": { "link": "mqtt", "boards": { «"esp32-devkitc": "nbiot" }, "nbiot": { "modem": "modem", "server": { "address": "127.0.0.1" } }, `],
    ],
    expect: [{ pointer: "/uplink/boards/esp32-devkitc", message: 'the nbiot link on esp32-devkitc needs part "modem" (bc95), which is not wired on esp32-devkitc' }],
  });
});

describe("board overlays", () => {
  boardCase({
    what: "an unknown base board",
    edits: [[`  "extends": "esp32-devkitc"`, `  «"extends": "esp32-devkit"`]],
    expect: [{ pointer: "/extends", message: 'unknown base board "esp32-devkit" (did you mean "esp32-devkitc"?)' }],
  });
  boardCase({
    what: "an overlay that does not name itself",
    edits: [[`{\n  "name": "NAME",\n`, `«{\n`]],
    expect: [{ pointer: "/name", message: 'missing "name": an overlay must name itself (it would inherit "esp32-devkitc" from manifests/boards/esp32-devkitc.json)' }],
  });
  boardCase({
    what: "a flash of 1 TB",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "flash": { «"size": "0x10000000000" }`]],
    expect: [{ pointer: "/flash/size", message: "flash size 0x10000000000 (1 TiB) is more than any esp32 chip has (ESP32: at most 16 MiB; ESP-FAQ: ESP32 supports up to 16 MB of external flash)" }],
  });
  boardCase({
    what: "more RAM than the chip has",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "memory": { «"ramBytes": 1048576 }`]],
    expect: [{ pointer: "/memory/ramBytes", message: "RAM 1048576 bytes (1 MiB) is more than any esp32 chip has (ESP32: 520 KiB; ESP32 datasheet: 520 KB of SRAM)" }],
  });
  boardCase({
    what: "a CPU clock no ESP32 reaches",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "cpu": { «"mhz": 2400 }`]],
    expect: [{ pointer: "/cpu/mhz", message: "CPU clock 2400 MHz is more than any esp32 chip has (ESP32: at most 240 MHz; ESP32 datasheet: dual-core Xtensa LX6 up to 240 MHz)" }],
  });
  boardCase({
    what: "too little RAM for XS, at the overlay's figure rather than the base board's",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "memory": { «"ramBytes": 65536 }`]],
    expect: [{ pointer: "/memory/ramBytes", message: "XS creation needs 106496 bytes but NAMED has 65536 bytes of RAM" }],
  });
  boardCase({
    what: "a size beyond 2^53 written in hex",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "flash": { «"size": "0x20000000000000" }`]],
    expect: [{ pointer: "/flash/size", message: 'expected a value below 2^53 (larger numbers cannot be held exactly), got string "0x20000000000000"' }],
  });
  boardCase({
    what: "a negative partition size",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "flash": { "partitions": { "storage": { «"size": -4096 } } }`]],
    expect: [{ pointer: "/flash/partitions/storage/size", message: "expected integer >= 0, got integer -4096" }],
  });
  boardCase({
    what: "a flash size that is not whole blocks",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "flash": { «"size": "0x400800" }`]],
    expect: [{ pointer: "/flash/size", message: "flash size 0x400800 is not a multiple of the 4096-byte block" }],
  });
  boardCase({
    what: "a smaller flash the base's partitions no longer fit in, at the overlay's size",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "flash": { «"size": "0x200000" }`]],
    expect: [
      { pointer: "/flash/size", message: 'partition "factory" [0x10000, 0x380000) ends beyond the 0x200000-byte flash', at: undefined },
      { pointer: "/flash/size", message: 'partition "storage" [0x380000, 0x3d0000) ends beyond the 0x200000-byte flash', at: "SAME" },
      { pointer: "/flash/size", message: 'partition "xs" [0x3d0000, 0x3e0000) ends beyond the 0x200000-byte flash', at: "SAME" },
      { pointer: "/flash/size", message: 'partition "settings" [0x3e0000, 0x3f0000) ends beyond the 0x200000-byte flash', at: "SAME" },
    ],
  });
  boardCase({
    what: "overlapping partitions, at the overlay's value",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "flash": { "partitions": { "storage": { «"size": "0x60000" } } }`]],
    expect: [{ pointer: "/flash/partitions/storage/size", message: 'partition "storage" [0x380000, 0x3e0000) overlaps partition "xs" [0x3d0000, 0x3e0000)' }],
  });
  boardCase({
    what: "a target of another platform",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  «"target": "nrf52/dk"`]],
    expect: [{ pointer: "/target", message: 'target "nrf52/dk" is not a esp32 target (expected "esp32" or "esp32/<subplatform>")' }],
  });
  boardCase({
    what: "the I2C bus moved onto the module's flash",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "buses": { "i2c": { "default": { «"data": 6 } } }`]],
    expect: [{ pointer: "/buses/i2c/default/data", message: "GPIO6 is reserved on NAMED: SD_CLK of the module's SPI flash (GPIO6-11 are wired to the flash inside the WROOM-32)" }],
  });
  boardCase({
    what: "an I2C clock on an input-only pin",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "buses": { "i2c": { "default": { «"clock": 34 } } }`]],
    expect: [{ pointer: "/buses/i2c/default/clock", message: "GPIO34 is input-only on NAMED; I2C clock must drive the line" }],
  });
  boardCase({
    what: "a newly reserved pin the base's bus uses, at the new reservation",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "gpio": { "reserved": { «"21": "the carrier's RTC interrupt" } }`]],
    expect: [{ pointer: "/gpio/reserved/21", message: "GPIO21 is reserved on NAMED: the carrier's RTC interrupt" }],
  });
  boardCase({
    what: "a board pin on a reserved pin",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "pins": { «"led": 7 }`]],
    expect: [{ pointer: "/pins/led", message: "GPIO7 is reserved on NAMED: SD_DATA0 of the module's SPI flash" }],
  });
  boardCase({
    what: "wiring for a device that does not exist",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "wiring": { «"weather-statoin": { "vane": 35 } }`]],
    expect: [{ pointer: "/wiring/weather-statoin", message: 'no device named "weather-statoin" (did you mean "weather-station"?)' }],
  });
  boardCase({
    what: "a required key deleted with null",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "flash": { «"blockLength": null }`]],
    expect: [{ pointer: "/flash/blockLength", message: 'missing required key "blockLength" (deleted by null)' }],
  });
  boardCase({
    what: "a misspelt key in an overlay",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  «"pinz": { "led": 2 }`]],
    expect: [{ pointer: "/pinz", message: 'unknown key "pinz" (did you mean "pins"?)' }],
  });
});

describe("a vendor's overlay against the devices: errors in the vendor's file", () => {
  boardCase({
    what: "moving a part's pin with `pins` does nothing: an error that says what does",
    device: "weather-station",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "pins": { «"vane": 35 }`]],
    expect: [
      {
        pointer: "/pins/vane",
        message:
          'the board\'s pin "vane" (GPIO35) does nothing for weather-station: its parts\' pin "vane" is wired to GPIO34 at manifests/devices/weather-station.json:29:48, which wins; to move that part on this board, give /wiring/weather-station/vane here instead',
      },
    ],
  });
  boardCase({
    what: "an LED on the anemometer's pin, reported in the overlay",
    device: "weather-station",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "pins": { «"led": 27 }`]],
    expect: [{ pointer: "/pins/led", message: 'GPIO27 for the board\'s pin "led" is already used by part "anemometer" (manifests/devices/weather-station.json:29:24)' }],
  });
  boardCase({
    what: "wiring a pin name the device does not use",
    device: "weather-station",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "wiring": { "weather-station": { «"vanne": 35 } }`]],
    expect: [{ pointer: "/wiring/weather-station/vanne", message: 'pin name "vanne" is not used by any part of weather-station (did you mean "vane"?) (its pin names: wind, rain, vane, vanePower, loraNss, loraBusy, loraDio1, loraReset, modemReset)' }],
  });
  boardCase({
    what: "moving the vane onto an ADC2 pin",
    device: "weather-station",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "wiring": { "weather-station": { «"vane": 14 } }`]],
    expect: [{ pointer: "/wiring/weather-station/vane", message: "GPIO14 (ADC2_CH6) cannot be read while wifi is on: ADC2 is shared with the Wi-Fi driver, which holds it while Wi-Fi is on; the mqtt uplink uses wifi on NAMED (usable analog pins: 32-36, 39)" }],
  });
  boardCase({
    what: "an I2C bus faster than the SHT3x, at the overlay's figure",
    device: "weather-station",
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "buses": { "i2c": { "default": { «"hz": 3400000 } } }`]],
    expect: [{ pointer: "/buses/i2c/default/hz", message: 'I2C bus "default" runs at 3400000 Hz but sht3x supports at most 1000000 Hz (part "thermohygrometer" of weather-station, manifests/devices/weather-station.json:7:44)' }],
  });
  boardCase({
    what: "a divider supply moved onto a strapping pin is a warning in the overlay",
    device: "weather-station",
    warnings: true,
    edits: [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "wiring": { "weather-station": { «"vanePower": 2 } }`]],
    expect: [
      {
        pointer: "/wiring/weather-station/vanePower",
        message: 'GPIO2 is a strapping pin on NAMED and is driven here as an output (the power pin of part "vane"): GPIO2 must be low or floating at reset for download mode; the level the firmware drives (or holds through reset) can select the wrong boot mode',
      },
    ],
  });
  it("an SX1262 on the nRF52840-DK: its four named pins wired by name, NSS its chip select", () => {
    const { path } = write(
      "m-device-lora",
      edited(DEVICE, [
        [`    "vane": {`, `    "radio": { "part": "sx1262", "bus": "default", "pins": { "nss": "loraNss", "busy": "loraBusy", "dio1": "loraDio1", "reset": "loraReset" } },\n    "vane": {`],
        [`"vanePower": "P1.06" }`, `"vanePower": "P1.06", "loraNss": "P1.08", "loraBusy": "P1.09", "loraDio1": "P1.10", "loraReset": "P1.11" }`],
      ]),
    );
    const r = resolveNode(loadDevice(path), "nrf52840-dk");
    expect(r.config.parts["radio"]).toMatchObject({ io: "spi", bus: "default", clock: 47, in: 46, out: 45, select: 40, hz: 1_000_000, mode: 0, pins: { nss: 40, busy: 41, dio1: 42, reset: 43 } });
    expect(r.pins).toMatchObject({ loraNss: 40, loraBusy: 41, loraDio1: 42, loraReset: 43 });
  });

  it("two RS-485 meters on one UART share its driver enable; the HX711's PD_SCK is a named pin of a part on a pin", () => {
    const { path } = write(
      "m-device-meters",
      edited(DEVICE, [
        [
          `    "vane": {`,
          `    "power": { "part": "dlt645", "pins": { "de": "rs485De" } },\n    "water": { "part": "cjt188", "bus": "default", "pins": { "de": "rs485De" }, "options": { "baud": 9600 } },\n    "strain": { "part": "hx711", "pin": 32, "pins": { "pd_sck": 33 } },\n    "vane": {`,
        ],
        [`"vanePower": 25 }`, `"vanePower": 25, "rs485De": 4 }`],
      ]),
    );
    const r = resolveNode(loadDevice(path), "esp32-devkitc");
    expect(r.config.parts["power"]).toMatchObject({ io: "uart", bus: "default", receive: 16, transmit: 17, baud: 2400, pins: { de: 4 } });
    expect(r.config.parts["water"]).toMatchObject({ io: "uart", bus: "default", baud: 9600, pins: { de: 4 } });
    expect(r.config.parts["strain"]).toMatchObject({ io: "digital-edge", pin: 32, pins: { pd_sck: 33 } });
  });

  it("moving a part's pin with the overlay's wiring works, and leaves the other pins where the device put them", () => {
    const { path } = write("m-board-moves-vane", edited(BOARD, [[`  "description": "Vendor board"`, `  "description": "Vendor board",\n  "wiring": { "weather-station": { "vane": 35, "vanePower": 4 } }`]]));
    const r = resolveNode("weather-station", loadBoard(path));
    expect(r.pins).toEqual({ button: 0, wind: 27, rain: 26, vane: 35, vanePower: 4 });
    expect(r.config.parts["vane"]).toMatchObject({ pin: 35, powerPin: 4, channel: "ADC1_CH7" });
    expect(r.warnings).toEqual([]);
  });
});
