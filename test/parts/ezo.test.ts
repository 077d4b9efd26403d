/**
 * Atlas Scientific EZO circuits (pH, ORP, RTD, DO, EC): the shared I2C protocol against the datasheets' worked
 * examples byte for byte, each model's chemistry against published tables, and each driver against its model in
 * virtual time, with every fault: a reply read too early, a NACK (circuit absent), corrupt reply bytes, a probe
 * unplugged, the wrong circuit at the address, a circuit that drops the command that woke it, older firmware
 * without RT. Portable: runs on XS too (test/xs/unit.test.ts).
 */
import { describe, expect, it } from "vitest";
import type { SensorError } from "../../hal/sensor.js";
import { EzoDO } from "../../parts/ezo-do/driver.js";
import { EzoDOModel } from "../../parts/ezo-do/model.js";
import { EzoEC } from "../../parts/ezo-ec/driver.js";
import { EzoECModel } from "../../parts/ezo-ec/model.js";
import { EzoORP } from "../../parts/ezo-orp/driver.js";
import { EzoORPModel } from "../../parts/ezo-orp/model.js";
import { EZO_PH } from "../../parts/ezo-ph/circuit.js";
import { EzoPH } from "../../parts/ezo-ph/driver.js";
import { EzoPHModel, nernstSlope } from "../../parts/ezo-ph/model.js";
import { EzoRTD } from "../../parts/ezo-rtd/driver.js";
import { EzoRTDModel } from "../../parts/ezo-rtd/model.js";
import type { EzoResult } from "../../parts/ezo/driver.js";
import { oxygenSaturation, waterVapourKpa } from "../../parts/ezo/oxygen.js";
import { decodeReply, encodeCommand, formatArgument, parseDecimal, queryFields } from "../../parts/ezo/protocol.js";
import { C35_15_US, pureWaterDensity, salinityFromConductivity, salinityFromRatio, seawaterConductivityRatio, seawaterDensity } from "../../parts/ezo/seawater.js";
import { Rig } from "./rig.js";

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const padded = (bytes: number[], n: number): number[] => bytes.concat(new Array<number>(n - bytes.length).fill(0));
const text = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

/** A driver on the rig with its errors and samples collected. */
function collect<D>(make: (h: { onError: (e: SensorError) => void; onSample: () => void }) => D) {
  const errors: SensorError[] = [];
  let samples = 0;
  const driver = make({ onError: (e) => errors.push(e), onSample: () => samples++ });
  return { driver, errors, samples: () => samples };
}

function phBench(model: Partial<ConstructorParameters<typeof EzoPHModel>[0]> = {}) {
  const rig = new Rig();
  const m = new EzoPHModel({ now: rig.now, pH: () => 8.2, temperature: () => 25, ...model });
  rig.attach(0x63, m);
  const c = collect((h) => new EzoPH({ sensor: rig.sensor(), timer: rig.timers, ...h }));
  return { rig, model: m, ...c };
}

/** Wait for `calibrate`'s outcome. */
function calibrate(rig: Rig, driver: { calibrate(c: string, done: (r: EzoResult) => void): void }, command: string): EzoResult {
  let result: EzoResult | undefined;
  driver.calibrate(command, (r) => (result = r));
  rig.run(6000);
  if (!result) throw new Error(`no result for ${command}`);
  return result;
}

describe("EZO I2C protocol: the datasheets' worked examples, byte for byte", () => {
  it("R on the EZO-pH: 254 until the 900 ms processing delay has passed, then 1, \"9.560\", NUL (pH v5.8 p.51)", () => {
    const rig = new Rig();
    rig.attach(0x63, new EzoPHModel({ now: rig.now, pH: () => 9.56, temperature: () => 25 }));
    expect(rig.bus.write(0x63, Uint8Array.of(0x52), true)).toBe(true); // "R"
    rig.run(1);
    expect(Array.from(rig.bus.read(0x63, 8, true)!)).toEqual(padded([254], 8)); // read too early
    rig.run(898.999);
    expect(Array.from(rig.bus.read(0x63, 8, true)!)).toEqual(padded([254], 8));
    rig.run(0.001);
    expect(Array.from(rig.bus.read(0x63, 8, true)!)).toEqual(padded([1, ...ascii("9.560"), 0], 8));
    // The reply is read once; then there is no data to send.
    expect(Array.from(rig.bus.read(0x63, 8, true)!)).toEqual(padded([255], 8));
  });

  it("response codes (pH v5.8 p.46): 255 with nothing pending, 2 for a syntax error after the 300 ms delay", () => {
    const rig = new Rig();
    rig.attach(0x63, new EzoPHModel({ now: rig.now, pH: () => 7, temperature: () => 25 }));
    expect(rig.bus.read(0x63, 4, true)![0]).toBe(255);
    rig.bus.write(0x63, encodeCommand("Foo,1"), true);
    rig.run(299);
    expect(rig.bus.read(0x63, 4, true)![0]).toBe(254);
    rig.run(1);
    expect(Array.from(rig.bus.read(0x63, 4, true)!)).toEqual([2, 0, 0, 0]);
    // A malformed known command is a syntax error too, and commands are not case sensitive.
    rig.bus.write(0x63, encodeCommand("r,1"), true);
    rig.run(300);
    expect(rig.bus.read(0x63, 4, true)![0]).toBe(2);
    rig.bus.write(0x63, encodeCommand("r"), true);
    rig.run(900);
    expect(text(rig.bus.read(0x63, 7, true)!)).toBe("\x017.000\x00");
  });

  it("i, Status and Slope,? answer in the datasheets' formats (\"?I,pH,2.0\", \"?STATUS,P,5.038\", \"?Slope,99.7,100.3,-0.89\")", () => {
    const rig = new Rig();
    const model = new EzoPHModel({
      now: rig.now,
      pH: () => 7,
      temperature: () => 25,
      firmware: "2.0",
      supplyVolts: 5.038,
      probe: { offsetMv: -0.89, acidSlope: 0.997, baseSlope: 1.003 },
    });
    rig.attach(0x63, model);
    const ask = (command: string, ms: number, n = 32): string => {
      rig.bus.write(0x63, encodeCommand(command), true);
      rig.run(ms);
      const r = { code: 0, text: "" };
      expect(decodeReply(rig.bus.read(0x63, n, true)!, r)).toBeUndefined();
      expect(r.code).toBe(1);
      return r.text;
    };
    expect(ask("i", 300)).toBe("?I,pH,2.0");
    expect(ask("Status", 300)).toBe("?STATUS,P,5.038");
    expect(ask("Cal,mid,7.00", 900)).toBe("");
    expect(ask("Cal,low,4.00", 900)).toBe("");
    expect(ask("Cal,high,10.00", 900)).toBe("");
    expect(ask("Cal,?", 300)).toBe("?CAL,3");
    expect(ask("Slope,?", 300)).toBe("?Slope,99.7,100.3,-0.89");
  });

  it("O,% / O,mg on the EZO-DO: 1 and NUL after 300 ms; O,? with both enabled is \"?,O,%,mg\" (DO v4.1 p.55)", () => {
    const rig = new Rig();
    rig.attach(0x61, new EzoDOModel({ now: rig.now, oxygen: () => 8, temperature: () => 20 }));
    for (const c of ["O,%,1", "O,mg,1"]) {
      rig.bus.write(0x61, encodeCommand(c), true);
      rig.run(299.999);
      expect(rig.bus.read(0x61, 2, true)![0]).toBe(254);
      rig.run(0.001);
      expect(Array.from(rig.bus.read(0x61, 2, true)!)).toEqual([1, 0]);
    }
    rig.bus.write(0x61, encodeCommand("O,?"), true);
    rig.run(300);
    expect(Array.from(rig.bus.read(0x61, 10, true)!)).toEqual([1, ...ascii("?,O,%,mg"), 0]);
    // Every output off: the reading is "no output" (p.55).
    for (const c of ["O,%,0", "O,mg,0", "R"]) {
      rig.bus.write(0x61, encodeCommand(c), true);
      rig.run(600);
    }
    expect(text(rig.bus.read(0x61, 11, true)!)).toBe("\x01no output\x00");
  });

  it("framing: printable ASCII only, a NUL-terminated reply, known codes; strict decimals; trimmed arguments", () => {
    expect(() => encodeCommand("T,2\u00b05")).toThrow(/not printable ASCII/);
    expect(() => encodeCommand("")).toThrow(RangeError);
    const r = { code: 0, text: "" };
    expect(decodeReply(Uint8Array.of(1, 0x39, 0xae, 0), r)).toMatch(/byte 2 .* 0xae/);
    expect(decodeReply(Uint8Array.of(0x81, 0), r)).toMatch(/unknown response code 0x81/);
    expect(decodeReply(Uint8Array.of(1, 0x39, 0x39), r)).toMatch(/no NUL within the 3 bytes/);
    expect(decodeReply(Uint8Array.of(254, 0x39), r)).toBeUndefined();
    expect(r.code).toBe(254);
    for (const bad of ["", "-", "1.", ".5", "1e3", " 7", "7 ", "0x10", "1.2.3", "+1"]) expect(parseDecimal(bad)).toBeNaN();
    expect(parseDecimal("-1023.000")).toBe(-1023);
    expect(parseDecimal("12880")).toBe(12880);
    expect([formatArgument(19.5, 3), formatArgument(25, 3), formatArgument(-0.0001, 3), formatArgument(81.2449, 2)]).toEqual(["19.5", "25", "0", "81.24"]);
    expect(queryFields("?O,EC,TDS", "o")).toEqual(["EC", "TDS"]);
    expect(queryFields("?,O,%,mg", "O")).toEqual(["%", "mg"]);
    expect(queryFields("?T,19.5", "O")).toBeUndefined();
  });
});

describe("water chemistry behind the models", () => {
  it("O₂ saturation matches APHA Standard Methods Table 4500-O:I (fresh water, 1 atm)", () => {
    const table: [number, number][] = [[0, 14.621], [10, 11.288], [20, 9.092], [25, 8.263], [30, 7.559]];
    for (const [t, mg] of table) expect(Math.abs(oxygenSaturation(t, 0) - mg)).toBeLessThan(0.0006);
    // Water vapour pressure against the steam tables: 2.339 kPa at 20 °C, 3.169 kPa at 25 °C.
    expect(Math.abs(waterVapourKpa(20) - 2.339)).toBeLessThan(0.005);
    expect(Math.abs(waterVapourKpa(25) - 3.169)).toBeLessThan(0.005);
    // At Dianchi's 81 kPa the saturation is about 80 % of sea level (../shared/reference §1.4).
    const ratio = oxygenSaturation(20, 0, 81) / oxygenSaturation(20, 0);
    expect(ratio).toBeGreaterThan(0.78);
    expect(ratio).toBeLessThan(0.8);
  });

  it("PSS-78: Rₜ = 1 is S = 35 at every temperature (Σa = 35, Σb = 0); C(35,25,0) = 53.065 mS/cm", () => {
    for (const t of [0, 15, 25, 30]) expect(salinityFromRatio(1, t)).toBeCloseTo(35, 10);
    expect(Math.abs((C35_15_US * seawaterConductivityRatio(25)) / 1000 - 53.065)).toBeLessThan(0.001);
    expect(salinityFromConductivity(53_065, 25)).toBeCloseTo(35, 2);
    expect(salinityFromConductivity(0, 25)).toBe(0);
  });

  it("EOS-80 one-atmosphere density matches the UNESCO 1983 check values", () => {
    expect(Math.abs(seawaterDensity(0, 5) - 999.96675)).toBeLessThan(1e-4);
    expect(Math.abs(seawaterDensity(35, 5) - 1027.67547)).toBeLessThan(1e-4);
    expect(seawaterDensity(0, 25)).toBe(pureWaterDensity(25));
  });

  it("the Nernst slope is 59.16 mV per pH at 25 °C", () => {
    expect(nernstSlope(25)).toBeCloseTo(59.159, 3);
  });
});

describe("EZO-pH driver against the model", () => {
  it("identifies the circuit, reads with R after exactly 900 ms, sleeps in between; a new object per sample", () => {
    const { rig, driver, model, errors, samples } = phBench();
    rig.run(1000);
    expect(driver.info).toEqual({ type: "pH", firmware: "2.16" });
    expect(model.asleep).toBe(true); // Sleep right after identification (the part's default)
    expect(driver.conversionMs).toBe(900);
    const from = rig.log.length;
    driver.measure();
    rig.run(2000);
    const [cmd, read, sleep] = rig.log.slice(from);
    expect(text(cmd!.bytes)).toBe("R");
    expect(read!.at - cmd!.at).toBe(900_000);
    expect(text(sleep!.bytes)).toBe("Sleep");
    const s = driver.sample()!;
    expect(s).toEqual({ pH: 8.2 });
    expect(driver.sample()).not.toBe(s);
    expect(samples()).toBe(1);
    expect(errors).toEqual([]);
    expect(model.commands).toEqual(["i", "Sleep", "R", "Sleep"]);
  });

  it("temperature compensation: RT,t in one command; without it the Nernst slope is taken at 25 °C and pH 9 at 10 °C reads 8.899", () => {
    const { rig, driver, errors } = phBench({ pH: () => 9, temperature: () => 10 });
    driver.measure();
    rig.run(2000);
    const expected = 7 + 2 * (nernstSlope(10) / nernstSlope(25));
    expect(Math.abs(driver.sample()!.pH - expected)).toBeLessThanOrEqual(0.0005);
    expect(driver.sample()!.pH).toBe(8.899);
    driver.configure({ temperature: 10 });
    const from = rig.log.length;
    driver.measure();
    rig.run(2000);
    expect(text(rig.log[from]!.bytes)).toBe("RT,10");
    expect(rig.log[from + 1]!.at - rig.log[from]!.at).toBe(900_000);
    expect(driver.sample()).toEqual({ pH: 9 });
    expect(errors).toEqual([]);
    expect(() => driver.configure({ temperature: 2000 })).toThrow(RangeError);
  });

  it("firmware without RT answers it with a syntax error: the driver falls back to T,t then R", () => {
    const { rig, driver, model, errors } = phBench({ pH: () => 6.5, temperature: () => 12, rt: false });
    driver.configure({ temperature: 12 });
    driver.measure();
    rig.run(4000);
    expect(model.commands).toEqual(["i", "RT,12", "T,12", "R", "Sleep"]);
    expect(driver.sample()).toEqual({ pH: 6.5 });
    expect(driver.conversionMs).toBe(1200);
    expect(errors).toEqual([]);
  });

  it("calibration: an offset, sloped probe reads 0.1 pH off; Cal,mid/low/high bring it within the ±0.002 accuracy", () => {
    let pH = 8.6;
    const { rig, driver, model, errors } = phBench({ pH: () => pH, probe: { offsetMv: 9, acidSlope: 0.95, baseSlope: 0.96 }, seed: 7 });
    driver.measure();
    rig.run(2000);
    expect(Math.abs(driver.sample()!.pH - 8.6)).toBeGreaterThan(0.1);
    for (const c of ["Cal,mid,7.00", "Cal,low,4.00", "Cal,high,10.00"]) expect(calibrate(rig, driver, c)).toEqual({ ok: true, command: c, reply: "" });
    expect(calibrate(rig, driver, "Cal,?")).toEqual({ ok: true, command: "Cal,?", reply: "?CAL,3" });
    for (pH = 5; pH <= 9.6; pH += 0.4) {
      driver.measure();
      rig.run(2000);
      expect(Math.abs(driver.sample()!.pH - pH)).toBeLessThanOrEqual(0.002);
    }
    // Cal,mid first: it clears the other points.
    calibrate(rig, driver, "Cal,mid,7.00");
    expect(model.calibrationPoints).toBe(1);
    expect(calibrate(rig, driver, "Cal,clear").ok).toBe(true);
    expect(model.calibrationPoints).toBe(0);
    expect(errors).toEqual([]);
  });

  it("calibrate() refuses what the circuit would not accept, without touching the bus, and answers on a later turn", () => {
    const { rig, driver } = phBench();
    rig.run(1000);
    const before = rig.log.length;
    const results: EzoResult[] = [];
    const long = "Cal,mid,7.00000000000000000000000001";
    for (const c of ["Cal,mid", "Cal,mid,15", "Cal,mid,seven", "Cal,low,4,5", "Cal", "R", "Cal,dry", long]) driver.calibrate(c, (r) => results.push(r));
    expect(results).toEqual([]);
    rig.run(1);
    expect(results.map((r) => (r.ok ? "ok" : r.reason))).toEqual(["invalid", "invalid", "invalid", "invalid", "invalid", "invalid", "invalid", "invalid"]);
    expect(results[7]!.ok === false && results[7]!.message).toMatch(/longer than the 32 characters/);
    expect(results[1]!.ok === false && results[1]!.message).toMatch(/ezo-ph@0x63: Cal,mid,15: pH must be 0–14, got 15/);
    expect(results[6]!.ok === false && results[6]!.message).toMatch(/EZO-pH calibration commands are Cal,mid,<pH>, Cal,low,<pH>, Cal,high,<pH>, Cal,clear, Cal,\?, Slope,\?/);
    expect(rig.log.length).toBe(before);
    expect(EZO_PH.calibration("cal,MID,7")).toEqual({ point: "mid", value: 7, ms: 900 });
  });

  it("a reply read too early (a circuit slower than its datasheet) is polled every 100 ms until it is ready", () => {
    const { rig, driver, model, errors } = phBench({ slowMs: 250 });
    rig.run(1000);
    const from = rig.log.length;
    driver.measure();
    rig.run(3000);
    const reads = rig.log.slice(from).filter((t) => t.op === "read");
    expect(reads.map((t) => t.bytes[0])).toEqual([254, 254, 254, 1]);
    expect(reads[3]!.at - reads[0]!.at).toBe(300_000);
    expect(model.earlyReads).toBeGreaterThanOrEqual(3);
    expect(driver.sample()).toEqual({ pH: 8.2 });
    expect(errors).toEqual([]);
  });

  it("a circuit that never finishes is a timeout after 10 polls; the next reading works", () => {
    const { rig, driver, model, errors } = phBench();
    rig.run(1000);
    model.slowMs = 60_000;
    driver.measure();
    rig.run(5000);
    expect(errors.map((e) => e.kind)).toEqual(["timeout"]);
    expect(errors[0]!.message).toMatch(/R: still processing 1900 ms after it was sent/);
    expect(driver.sample()).toBeUndefined();
    model.slowMs = 0;
    driver.measure();
    rig.run(2000);
    expect(driver.sample()).toEqual({ pH: 8.2 });
  });

  it("NACK (circuit absent): reported through onError, never thrown; identification and settings are redone when it is back", () => {
    const rig = new Rig();
    const model = new EzoPHModel({ now: rig.now, pH: () => 7.4, temperature: () => 25 });
    rig.attach(0x63, model);
    rig.bus.injectNack(0x63);
    const { driver, errors } = collect((h) => new EzoPH({ sensor: rig.sensor(), timer: rig.timers, ...h }));
    expect(errors).toEqual([]);
    rig.run(1);
    expect(errors.map((e) => e.kind)).toEqual(["nack"]);
    expect(errors[0]!.part).toBe("ezo-ph@0x63");
    expect(errors[0]!.message).toMatch(/i not acknowledged/);
    expect(() => driver.measure()).not.toThrow();
    rig.run(2000);
    expect(errors.map((e) => e.kind)).toEqual(["nack", "nack"]); // one error per measurement, not one per command
    expect(driver.sample()).toBeUndefined();
    let cal: EzoResult | undefined;
    driver.calibrate("Cal,?", (r) => (cal = r));
    rig.run(1000);
    expect(cal && !cal.ok && cal.reason).toBe("nack");
    rig.bus.clearFault(0x63);
    driver.measure();
    rig.run(2000);
    expect(driver.sample()).toEqual({ pH: 7.4 });
    expect(model.commands).toEqual(["i", "R", "Sleep"]);
  });

  it("a NACK on the reply read (the circuit dropped off mid-command) is reported and recovered", () => {
    const { rig, driver, errors } = phBench();
    rig.run(1000);
    driver.measure();
    rig.run(500);
    rig.bus.injectNack(0x63, rig.engine.now + 1_000_000);
    rig.run(2000);
    expect(errors.map((e) => e.kind)).toEqual(["nack"]);
    expect(errors[0]!.message).toMatch(/read of the reply to R failed/);
    driver.measure();
    rig.run(3000);
    expect(driver.sample()).toEqual({ pH: 8.2 });
  });

  it("corrupt reply bytes: a byte with bit 7 set, a damaged response code: rejected as corrupt, no reading", () => {
    const { rig, driver, model, errors } = phBench();
    rig.run(1000);
    model.fault = "corrupt";
    driver.measure();
    rig.run(2000);
    model.fault = "corrupt-code";
    driver.measure();
    rig.run(2000);
    expect(errors.map((e) => e.kind)).toEqual(["crc", "crc"]);
    expect(errors[0]!.message).toMatch(/corrupt reply to R: byte 1 of the reply is 0xb8, not printable ASCII/);
    expect(errors[1]!.message).toMatch(/unknown response code 0x81/);
    expect(driver.sample()).toBeUndefined();
    model.fault = undefined;
    driver.measure();
    rig.run(2000);
    expect(driver.sample()).toEqual({ pH: 8.2 });
  });

  it("probe unplugged: the circuit reads 0.000, below its range, reported as a range error naming it", () => {
    const { rig, driver, model, errors } = phBench();
    model.fault = "unplugged";
    driver.measure();
    rig.run(2000);
    expect(errors.map((e) => e.kind)).toEqual(["range"]);
    expect(errors[0]!.message).toMatch(/pH 0.000: nothing on the probe input \(unplugged\?\)/);
    expect(driver.sample()).toBeUndefined();
  });

  it("the wrong circuit at the address: an identity error, no reading taken, calibration refused", () => {
    const rig = new Rig();
    const other = new EzoDOModel({ now: rig.now, oxygen: () => 8, temperature: () => 20 });
    rig.attach(0x63, other);
    const { driver, errors } = collect((h) => new EzoPH({ sensor: rig.sensor(), timer: rig.timers, ...h }));
    driver.measure();
    rig.run(2000);
    driver.measure();
    rig.run(2000);
    expect(errors.map((e) => e.kind)).toEqual(["identity", "identity"]);
    expect(errors[0]!.message).toMatch(/an EZO-DO answers at this address, not an EZO-pH/);
    expect(other.commands).toEqual(["i"]);
    expect(calibrate(rig, driver, "Cal,mid,7.00")).toMatchObject({ ok: false, reason: "identity" });
  });

  it("a circuit that drops the command that woke it: the driver sends it once more", () => {
    const { rig, driver, model, errors } = phBench({ wake: "discarded" });
    rig.run(1000);
    driver.measure();
    rig.run(3000);
    expect(model.commands).toEqual(["i", "Sleep", "R", "Sleep"]); // the first R only woke it
    expect(rig.log.filter((t) => t.op === "write").map((t) => text(t.bytes))).toEqual(["i", "Sleep", "R", "R", "Sleep"]);
    expect(driver.sample()).toEqual({ pH: 8.2 });
    expect(errors).toEqual([]);
  });

  it("Status reports the restart reason and supply voltage; seeded noise stays within the accuracy and repeats", () => {
    const { rig, driver } = phBench({ seed: 42, supplyVolts: 3.31 });
    let status: unknown;
    driver.status((s) => (status = s));
    rig.run(1000);
    expect(status).toEqual({ restart: "P", vcc: 3.31 });
    const readings: number[] = [];
    for (let i = 0; i < 20; i++) {
      driver.measure();
      rig.run(1500);
      readings.push(driver.sample()!.pH);
    }
    for (const r of readings) expect(Math.abs(r - 8.2)).toBeLessThanOrEqual(0.001 + 1e-9);
    expect(new Set(readings).size).toBeGreaterThan(1);
    const again = phBench({ seed: 42, supplyVolts: 3.31 });
    again.driver.status(() => {});
    again.rig.run(1000);
    const second: number[] = [];
    for (let i = 0; i < 20; i++) {
      again.driver.measure();
      again.rig.run(1500);
      second.push(again.driver.sample()!.pH);
    }
    expect(second).toEqual(readings);
  });

  it("close() stops everything; methods then throw", () => {
    const { rig, driver, errors } = phBench();
    driver.measure();
    driver.close();
    driver.close();
    rig.run(3000);
    expect(errors).toEqual([]);
    expect(() => driver.measure()).toThrow(/closed/);
    expect(() => driver.sample()).toThrow(/closed/);
  });
});

describe("EZO-RTD driver against the model, feeding the pH circuit's compensation", () => {
  it("reads the water in °C (S,c first), calibrates out the probe offset, and its reading drives RT on the pH circuit", () => {
    const rig = new Rig();
    let water = 18.5;
    const rtdModel = new EzoRTDModel({ now: rig.now, temperature: () => water, probe: { offsetC: 0.3 } });
    rtdModel.scale = "f"; // left in Fahrenheit by someone: the driver puts it back
    const phModel = new EzoPHModel({ now: rig.now, pH: () => 9.1, temperature: () => water });
    rig.attach(0x66, rtdModel);
    rig.attach(0x63, phModel);
    const rtd = collect((h) => new EzoRTD({ sensor: rig.sensor(), timer: rig.timers, ...h }));
    const ph = collect((h) => new EzoPH({ sensor: rig.sensor(), timer: rig.timers, ...h }));
    rtd.driver.measure();
    rig.run(2000);
    expect(rtdModel.commands.slice(0, 3)).toEqual(["i", "S,c", "R"]);
    expect(rtd.driver.sample()).toEqual({ temperature: 18.8 });
    expect(calibrate(rig, rtd.driver, "Cal,18.5")).toEqual({ ok: true, command: "Cal,18.5", reply: "" });
    water = 11.25;
    rtd.driver.measure();
    rig.run(2000);
    const t = rtd.driver.sample()!.temperature;
    expect(t).toBe(11.25);
    ph.driver.configure({ temperature: t });
    ph.driver.measure();
    rig.run(2000);
    expect(phModel.commands).toContain("RT,11.25");
    expect(ph.driver.sample()).toEqual({ pH: 9.1 });
    rtdModel.fault = "unplugged";
    rtd.driver.measure();
    rig.run(2000);
    expect(rtd.errors.map((e) => e.message)).toEqual(["ezo-rtd@0x66: temperature (°C) -1023.000: no PT-1000 on the probe input (unplugged?)"]);
    expect(() => rtd.driver.configure({ temperature: 20 } as never)).toThrow(/no temperature compensation/);
    expect([...rtd.errors, ...ph.errors].filter((e) => e.kind !== "range")).toEqual([]);
  });
});

describe("EZO-ORP driver against the model", () => {
  it("reads mV, single-point calibration removes the electrode offset, an open input wanders inside the range", () => {
    const rig = new Rig();
    const model = new EzoORPModel({ now: rig.now, orp: () => 250, probe: { offsetMv: 12 }, seed: 3 });
    rig.attach(0x62, model);
    const { driver, errors } = collect((h) => new EzoORP({ sensor: rig.sensor(), timer: rig.timers, ...h }));
    driver.measure();
    rig.run(2000);
    expect(Math.abs(driver.sample()!.orp - 262)).toBeLessThanOrEqual(0.5);
    expect(calibrate(rig, driver, "Cal,225")).toMatchObject({ ok: true });
    expect(calibrate(rig, driver, "Cal,?")).toMatchObject({ ok: true, reply: "?CAL,1" });
    expect(calibrate(rig, driver, "Cal,1500")).toMatchObject({ ok: false, reason: "invalid" });
    driver.measure();
    rig.run(2000);
    expect(Math.abs(driver.sample()!.orp - 250)).toBeLessThanOrEqual(0.5);
    model.fault = "unplugged";
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      driver.measure();
      rig.run(300_000);
      seen.push(driver.sample()!.orp);
    }
    for (const v of seen) expect(Math.abs(v)).toBeLessThanOrEqual(1019.9);
    expect(Math.max(...seen) - Math.min(...seen)).toBeGreaterThan(20);
    expect(errors).toEqual([]);
  });
});

describe("EZO-DO driver against the model", () => {
  const P = 81; // kPa at Dianchi
  function doBench(water: { T: number; mg: number; us?: number }) {
    const rig = new Rig();
    const model = new EzoDOModel({
      now: rig.now,
      oxygen: () => water.mg,
      temperature: () => water.T,
      conductivity: () => water.us ?? 0,
      airPressure: () => P,
      probe: { sensitivity: 0.93 },
    });
    rig.attach(0x61, model);
    return { rig, model, ...collect((h) => new EzoDO({ sensor: rig.sensor(), timer: rig.timers, ...h })) };
  }

  it("sends its outputs, salinity and pressure before the first reading, once", () => {
    const { rig, driver, model } = doBench({ T: 20, mg: 7 });
    driver.measure();
    rig.run(5000);
    driver.measure();
    rig.run(5000);
    expect(model.commands).toEqual(["i", "O,mg,1", "O,%,1", "S,0", "P,101.33", "R", "Sleep", "R", "Sleep"]);
    expect(Object.keys(driver.sample()!).sort()).toEqual(["oxygen", "saturation"]);
  });

  it("at 81 kPa: calibrated and read at the default pressure it reads 100 % but sea-level mg/L; with P and RT it reads the water", () => {
    const water = { T: 20, mg: oxygenSaturation(20, 0, P) };
    const { rig, driver, errors } = doBench(water);
    driver.measure();
    rig.run(5000);
    // Uncalibrated: the probe's own sensitivity (93 %) against air at 81 kPa instead of the nominal sea level.
    const uncalibrated = (93 * (P - waterVapourKpa(20))) / (101.325 - waterVapourKpa(20));
    expect(Math.abs(driver.sample()!.saturation! - uncalibrated)).toBeLessThanOrEqual(0.1);
    expect(calibrate(rig, driver, "Cal")).toMatchObject({ ok: true });
    expect(calibrate(rig, driver, "Cal,0")).toMatchObject({ ok: true });
    expect(calibrate(rig, driver, "Cal,?")).toMatchObject({ ok: true, reply: "?CAL,2" });
    driver.measure();
    rig.run(5000);
    let s = driver.sample()!;
    expect(s.saturation).toBe(100);
    expect(Math.abs(s.oxygen! - oxygenSaturation(20, 0))).toBeLessThanOrEqual(0.01); // 9.09, some 25 % high
    // Told the pressure (sent before the calibration command), calibrated again: the water's own mg/L.
    driver.configure({ pressure: P });
    expect(calibrate(rig, driver, "Cal")).toMatchObject({ ok: true });
    driver.measure();
    rig.run(5000);
    s = driver.sample()!;
    expect(Math.abs(s.oxygen! - water.mg)).toBeLessThanOrEqual(0.05);
    expect(s.saturation).toBe(100);
    // Colder water, half saturated: the default 20 °C compensation is wrong until RT carries the RTD's reading.
    water.T = 8;
    water.mg = oxygenSaturation(8, 0, P) / 2;
    driver.measure();
    rig.run(5000);
    expect(Math.abs(driver.sample()!.oxygen! - water.mg)).toBeGreaterThan(0.5);
    driver.configure({ temperature: 8 });
    driver.measure();
    rig.run(5000);
    s = driver.sample()!;
    expect(Math.abs(s.oxygen! - water.mg)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(s.saturation! - 50)).toBeLessThanOrEqual(0.2);
    expect(errors).toEqual([]);
  });

  it("salinity compensation from the water's conductivity; an unplugged probe reads 0.00 (zero current), not an error", () => {
    const psu = salinityFromConductivity(30_000, 25);
    const water = { T: 25, mg: 0.9 * oxygenSaturation(25, psu, P), us: 30_000 };
    const { rig, driver, model, errors } = doBench(water);
    driver.configure({ pressure: P, temperature: 25, mgPerLitre: true, saturation: false });
    calibrate(rig, driver, "Cal");
    driver.measure();
    rig.run(5000);
    expect(Object.keys(driver.sample()!)).toEqual(["oxygen"]);
    expect(Math.abs(driver.sample()!.oxygen! - 0.9 * oxygenSaturation(25, 0, P))).toBeLessThanOrEqual(0.05); // as if fresh
    driver.configure({ salinity: 30_000 });
    driver.measure();
    rig.run(5000);
    expect(Math.abs(driver.sample()!.oxygen! - water.mg)).toBeLessThanOrEqual(0.05);
    expect(model.salinity).toEqual({ value: 30_000, ppt: false });
    model.fault = "unplugged";
    driver.measure();
    rig.run(5000);
    expect(driver.sample()).toEqual({ oxygen: 0 });
    expect(errors).toEqual([]);
    expect(() => driver.configure({ mgPerLitre: false, saturation: false })).toThrow(/at least one/);
    expect(() => driver.configure({ pressure: 5 })).toThrow(/pressure must be 10–1000 kPa/);
  });
});

describe("EZO-EC driver against the model", () => {
  function ecBench(water: { T: number; us: number }, k = 1) {
    const rig = new Rig();
    const model = new EzoECModel({ now: rig.now, conductivity: () => water.us, temperature: () => water.T, probe: { k } });
    rig.attach(0x64, model);
    return { rig, model, ...collect((h) => new EzoEC({ sensor: rig.sensor(), timer: rig.timers, ...h })) };
  }

  it("compensates to 25 °C only when told the temperature: 400 µS/cm water at 15 °C reads 320 uncompensated", () => {
    const { rig, driver, model, errors } = ecBench({ T: 15, us: 400 });
    driver.measure();
    rig.run(5000);
    expect(model.commands.slice(0, 8)).toEqual(["i", "O,EC,1", "O,TDS,0", "O,S,0", "O,SG,0", "K,1", "TDS,0.54", "R"]);
    expect(driver.sample()).toEqual({ conductivity: 320 });
    driver.configure({ temperature: 15 });
    driver.measure();
    rig.run(5000);
    expect(driver.sample()).toEqual({ conductivity: 400 });
    expect(errors).toEqual([]);
  });

  it("all four outputs, in order; O,? lists them; TDS, salinity and specific gravity follow the conductivity", () => {
    const { rig, driver, model } = ecBench({ T: 25, us: 53_065 });
    driver.configure({ tds: true, salinity: true, specificGravity: true, tdsFactor: 0.5 });
    driver.measure();
    rig.run(5000);
    expect(driver.sample()).toEqual({ conductivity: 53_065, tds: 26_533, salinity: 35, specificGravity: 1.026 });
    rig.bus.write(0x64, encodeCommand("O,?"), true);
    rig.run(300);
    expect(text(rig.bus.read(0x64, 17, true)!)).toBe("\x01?,O,EC,TDS,S,SG\x00");
    expect(model.outputs).toEqual({ EC: true, TDS: true, S: true, SG: true });
  });

  it("calibration removes a 5 % cell-constant error (dry, low, high); an unplugged or dry probe is a range error", () => {
    const water = { T: 25, us: 400 };
    const { rig, driver, model, errors } = ecBench(water, 1.05);
    driver.measure();
    rig.run(5000);
    expect(driver.sample()!.conductivity).toBe(381);
    for (const c of ["Cal,dry", "Cal,low,12880", "Cal,high,80000"]) expect(calibrate(rig, driver, c)).toMatchObject({ ok: true });
    expect(calibrate(rig, driver, "Cal,?")).toMatchObject({ reply: "?CAL,2" });
    driver.measure();
    rig.run(5000);
    expect(driver.sample()).toEqual({ conductivity: 400 });
    model.fault = "unplugged";
    driver.measure();
    rig.run(5000);
    expect(errors.map((e) => e.message)).toEqual(["ezo-ec@0x64: conductivity 0.00 µS/cm is below the circuit's range (0.07): probe dry or unplugged"]);
    expect(driver.sample()).toBeUndefined();
    expect(() => driver.configure({ k: 20 })).toThrow(/cell constant of 0.1–10/);
  });
});

describe("EZO circuits immersed in the water they measure (a moored buoy calibrated by downlink)", () => {
  /** Read once through the driver, after `run` ms. */
  function readOnce<S>(rig: Rig, driver: { measure(): void; sample(): S | undefined }, ms = 3000): S {
    driver.measure();
    rig.run(ms);
    return driver.sample()!;
  }

  it("pH: Cal,mid,n takes the water's reading there and then to be n, and the offset follows the water", () => {
    const rig = new Rig();
    let pH = 8.6;
    const model = new EzoPHModel({ now: rig.now, pH: () => pH, temperature: () => 25, immersed: true });
    rig.attach(0x63, model);
    const { driver } = collect((h) => new EzoPH({ sensor: rig.sensor(), timer: rig.timers, ...h }));
    expect(readOnce(rig, driver).pH).toBe(8.6);
    expect(calibrate(rig, driver, "Cal,mid,8.42")).toMatchObject({ ok: true });
    expect(readOnce(rig, driver).pH).toBe(8.42);
    pH = 9.0;
    expect(readOnce(rig, driver).pH).toBe(8.82);
    calibrate(rig, driver, "Cal,clear");
    expect(readOnce(rig, driver).pH).toBe(9);
  });

  it("RTD and ORP: the offset is the water's reading less the command's value", () => {
    const rig = new Rig();
    let water = 17.25;
    let mv = 240;
    const rtdModel = new EzoRTDModel({ now: rig.now, temperature: () => water, immersed: true });
    const orpModel = new EzoORPModel({ now: rig.now, orp: () => mv, immersed: true });
    rig.attach(0x66, rtdModel);
    rig.attach(0x62, orpModel);
    const rtd = collect((h) => new EzoRTD({ sensor: rig.sensor(), timer: rig.timers, ...h }));
    const orp = collect((h) => new EzoORP({ sensor: rig.sensor(), timer: rig.timers, ...h }));
    expect(calibrate(rig, rtd.driver, "Cal,17.5")).toMatchObject({ ok: true });
    expect(calibrate(rig, orp.driver, "Cal,300")).toMatchObject({ ok: true });
    water = 18;
    mv = 250;
    expect(readOnce(rig, rtd.driver).temperature).toBe(18.25);
    expect(readOnce(rig, orp.driver).orp).toBe(310);
  });

  it("EC: Cal,n sets the gain from the water's reading; Cal,dry in the water zeroes it (what a real circuit would do)", () => {
    const rig = new Rig();
    const model = new EzoECModel({ now: rig.now, conductivity: () => 480, temperature: () => 25, immersed: true });
    rig.attach(0x64, model);
    const { driver, errors } = collect((h) => new EzoEC({ sensor: rig.sensor(), timer: rig.timers, ...h }));
    expect(calibrate(rig, driver, "Cal,500")).toMatchObject({ ok: true });
    expect(Math.abs(readOnce(rig, driver).conductivity! - 500)).toBeLessThanOrEqual(0.5);
    expect(errors).toEqual([]);
    calibrate(rig, driver, "Cal,dry");
    driver.measure();
    rig.run(3000);
    expect(driver.sample()).toBeUndefined();
    expect(errors.map((e) => e.kind)).toEqual(["range"]);
    expect(errors[0]!.message).toContain("0.00");
  });

  it("DO: Cal in the water makes the water's oxygen 100 % saturation", () => {
    const rig = new Rig();
    const T = 20;
    const model = new EzoDOModel({ now: rig.now, oxygen: () => 0.8 * oxygenSaturation(T, 0, 81), temperature: () => T, airPressure: () => 81, immersed: true });
    rig.attach(0x61, model);
    const { driver } = collect((h) => new EzoDO({ sensor: rig.sensor(), timer: rig.timers, ...h }));
    driver.configure({ pressure: 81, temperature: T, saturation: true });
    expect(Math.abs(readOnce(rig, driver, 5000).saturation! - 80)).toBeLessThanOrEqual(0.2);
    expect(calibrate(rig, driver, "Cal")).toMatchObject({ ok: true });
    expect(readOnce(rig, driver, 5000).saturation).toBe(100);
  });
});
