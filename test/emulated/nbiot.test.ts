/**
 * NB-IoT on the emulated nRF52840: the BC95 on the board's second UART, replayed from the simulator's modem model
 * (its AT replies and URCs at their virtual times). What the device writes to the modem must be the simulated
 * device's AT stream byte for byte, and each uplink is read back out of it: the datagrams in AT+NSOST(F), decoded by
 * coap-packet (not the device's CoAP code), published as the CoAP server would, equal to the simulation's frames.
 *
 * The smart meter is an NB-IoT node in service: every budget of its manifest holds on the board. The weather
 * station's frames are checked too; its wind jitter and report latency over NB-IoT are printed by `ganzhi emulate`.
 */
import { decode } from "cborg";
import { beforeAll, describe, expect, it } from "vitest";
import { checkBudgets } from "../../emulator/host/budgets.js";
import { emulate, type EmulateResult } from "../../emulator/host/emulate.js";
import { modemDatagrams, nbiotFrames } from "../../emulator/host/nbiot-frames.js";
import { loadDevice } from "../../manifests/load.js";

const BOARD = "nrf52840-dk-bc95";
let meter: EmulateResult;
let station: EmulateResult;

beforeAll(async () => {
  [meter, station] = await Promise.all([
    // Two 15-minute intervals: the modem attaches, then two reports go as confirmable CoAP POSTs.
    emulate({ device: "smart-meter", board: BOARD, profile: "nrf52840", hours: 0.5, seed: 1 }),
    // Two 10-minute reports.
    emulate({ device: "weather-station", board: BOARD, profile: "nrf52840", hours: 0.4, seed: 1 }),
  ]);
}, 600_000);

describe.each([
  ["smart-meter", () => meter],
  ["weather-station", () => station],
] as const)("%s on nrf52840-dk-bc95 (emulated nRF52840, NB-IoT)", (device, result) => {
  it("writes the simulated device's AT commands and sends its frames, byte for byte", () => {
    const r = result();
    expect(r.figures.link).toBe("nbiot");
    expect(r.comparison.firstDifference).toBeUndefined();
    expect(r.comparison.identical).toBe(true);
    expect(r.figures.divergences).toBe(0);
    expect(r.figures.crashes).toBe(0);
    expect(r.figures.stackOverflows).toBe(0);
    const senml = r.frames.filter((f) => f.topic.endsWith("/senml"));
    expect(senml.length).toBe(2);
    expect(senml.every((f) => f.topic.startsWith(`${device === "smart-meter" ? "kunming/meter" : "kunming/weather"}/`))).toBe(true);
    // SenML-CBOR, decoded by cborg: a pack of records.
    for (const f of senml) expect(Array.isArray(decode(Buffer.from(f.hex, "hex"), { useMaps: true }))).toBe(true);
  });

  it("measures the sample-to-uplink latency at the datagram's write to the modem", () => {
    const r = result();
    expect(r.figures.latencySamples).toBe(2);
    expect(r.figures.latencyMsMax.low).toBeGreaterThan(0);
    expect(r.figures.latencyMsMax.high).toBeGreaterThanOrEqual(r.figures.latencyMsMax.low);
  });
});

describe("the smart meter on its NB-IoT board", () => {
  it("meets every budget of its manifest (within the board's 768-slot XS stack)", () => {
    const failed = checkBudgets(loadDevice("smart-meter").manifest.budgets, meter.figures).filter((c) => !c.ok);
    expect(failed.map((c) => `${c.name}: ${c.what} ${c.value}`)).toEqual([]);
    expect(meter.figures.jsStackBoardSlots).toBe(768);
    expect(meter.figures.jsStackPeakSlots).toBeGreaterThan(512);
  });

  // The report reached the modem 258 ms after its slot (budget 250 ms) while the BC95 driver grew the datagram's hex
  // two digits at a time: XS copies a flat string at every step, about 49 KB of chunks for one report on a board
  // with a 32 KB chunk heap, so collections ran inside the report. Hex built by halves (parts/bc95/hex.ts) allocates
  // a third of that; the report's dispatch is held under what it took then.
  it("dispatches its report without growing strings: under 7 M device instructions, GC included", () => {
    expect(meter.figures.reportInstructionsMax).toBeGreaterThan(0);
    expect(meter.figures.reportInstructionsMax).toBeLessThan(7_000_000);
  });

  it("fails the comparison when one byte the device wrote to the modem differs", () => {
    const c = structuredClone(meter.console);
    // Change the last hex digit of the first datagram (in its CoAP payload, the SenML pack), inside its AT+NSOSTF line.
    const i = c.serial.findIndex((s) => Buffer.from(s.bytes).toString("latin1").includes("AT+NSOST"));
    expect(i).toBeGreaterThanOrEqual(0);
    const text = Buffer.from(c.serial[i]!.bytes).toString("latin1");
    const at = text.indexOf("\r", text.indexOf("AT+NSOST")) - 1;
    c.serial[i]!.bytes = new Uint8Array(Buffer.from(text.slice(0, at) + (text[at] === "0" ? "1" : "0") + text.slice(at + 1), "latin1"));
    const r = nbiotFrames(meter.recording, c, "modem", meter.recording.frames);
    expect(r.comparison.identical).toBe(false);
    expect(r.comparison.firstDifference).toMatch(/^frame 0 \(kunming\/meter\/sm-0001\/senml\): payload /);
  });

  it("fails the comparison when the AT stream differs though every datagram is the same", () => {
    const c = structuredClone(meter.console);
    c.serial.unshift({ ...c.serial[0]!, bytes: new Uint8Array(Buffer.from("AT\r", "latin1")) });
    const r = nbiotFrames(meter.recording, c, "modem", meter.recording.frames);
    expect(r.comparison.identical).toBe(false);
    expect(r.comparison.firstDifference).toMatch(/^serial port "modem" byte \d+: the image wrote /);
  });
});

describe("datagrams in what a device writes to a BC95", () => {
  const w = (text: string, at = 0) => ({ at, realUs: at, work: 0, bytes: new Uint8Array(Buffer.from(text, "latin1")) });

  it("reads AT+NSOST and AT+NSOSTF (with its release flag), across writes, stamped with the write that began the line", () => {
    const d = modemDatagrams([w("AT+CSQ\rAT+NSOST=0,10.0.0.1,5683,2,", 5), w("A1B2\r", 6), w("AT+NSOSTF=1,10.0.0.1,5683,0x200,1,ff\r", 9)]);
    expect(d.map((x) => [x.at, Buffer.from(x.bytes).toString("hex")])).toEqual([
      [5, "a1b2"],
      [9, "ff"],
    ]);
  });

  it("refuses a line whose length disagrees with its data, naming it", () => {
    expect(() => modemDatagrams([w("AT+NSOST=0,10.0.0.1,5683,3,A1B2\r")])).toThrow('modem line "AT+NSOST=0,10.0.0.1,5683,3,A1B2…": <length> 3 but 2 bytes of data');
  });
});
