/**
 * Analog turbidity probe (DFRobot SEN0189 class): the manufacturer's curve and where it holds, the driver against
 * the model on a simulated ADC with a switched supply, the faults (unplugged, outside the curve), and the
 * registration of the water-quality parts (this probe and the five EZO circuits) in the part catalogue and the
 * simulator's model factory. Portable: runs on XS too (test/xs/unit.test.ts).
 */
import { describe, expect, it } from "vitest";
import type { SensorError } from "../../hal/sensor.js";
import { validate } from "../../manifests/schema/builder.js";
import type { ResolvedAnalogPart, ResolvedI2CPart } from "../../manifests/schema/config.js";
import { getPart } from "../../manifests/schema/parts.js";
import { decodeReply, encodeCommand } from "../../parts/ezo/protocol.js";
import { curveNtu, curveSpan, evaluate, TURBIDITY_DEFAULTS, type TurbidityCurve } from "../../parts/turbidity/curve.js";
import { Turbidity } from "../../parts/turbidity/driver.js";
import { sensorVolts, turbidityVoltage, type TurbidityModelOptions } from "../../parts/turbidity/model.js";
import type { SimBoardSpec } from "../../simulator/core/board.js";
import { Engine, MS } from "../../simulator/core/engine.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import { makeAnalogClass } from "../../simulator/core/io/analog.js";
import { makeDigitalClass } from "../../simulator/core/io/digital.js";
import { PinWorld } from "../../simulator/core/io/lines.js";
import { PinRegistry } from "../../simulator/core/io/pins.js";
import { attachModels, type WaterQuantities } from "../../simulator/core/parts.js";
import { EngineTimers } from "../../simulator/core/timers.js";
import { partNode } from "../helpers/part-node.js";

const CURVE: TurbidityCurve = Object.freeze({ c2: -1120.4, c1: 5742.3, c0: -4352.9, minVolts: 2.5, maxVolts: 4.2, maxNtu: 3000 });
/** A probe's own (linear) fit, NTU = 470 − 100·V: 50 NTU at 4.2 V. */
const LINEAR: TurbidityCurve = Object.freeze({ c2: 0, c1: -100, c0: 470, minVolts: 2.5, maxVolts: 4.2, maxNtu: 3000 });
const ADC_PIN = 34;
const POWER_PIN = 25;

function board() {
  const engine = new Engine();
  const world = new PinWorld();
  const pins = new PinRegistry("test-board");
  return {
    engine,
    world,
    timers: new EngineTimers(engine),
    Analog: makeAnalogClass(world, pins, { resolution: 12, fullScaleVolts: 3.3, pins: [ADC_PIN] }, () => engine.now),
    Digital: makeDigitalClass(world, pins, (fn) => fn()),
    run: (ms: number) => engine.runUntil(engine.now + ms * MS),
  };
}

function bench(ntu: () => number, extra: Partial<TurbidityModelOptions> = {}) {
  const b = board();
  const supply = b.world.line(POWER_PIN);
  const model: TurbidityModelOptions = {
    turbidity: () => ntu(),
    curve: CURVE,
    dividerRatio: TURBIDITY_DEFAULTS.dividerRatio,
    powered: () => supply.level === 1,
    ...extra,
  };
  b.world.analog.set(ADC_PIN, turbidityVoltage(model));
  const errors: SensorError[] = [];
  let samples = 0;
  const driver = new Turbidity({
    sensor: { io: b.Analog, pin: ADC_PIN },
    power: { io: b.Digital, pin: POWER_PIN },
    timer: b.timers,
    fullScaleVolts: 3.3,
    onError: (e) => errors.push(e),
    onSample: () => samples++,
  });
  return { ...b, supply, model, driver, errors, samples: () => samples };
}

/** Turbidity change for half an ADC step at the pin, around `ntu`: the driver's resolution there. */
function halfStepNtu(ntu: number): number {
  const v = sensorVolts(CURVE, ntu);
  const slope = Math.abs(2 * CURVE.c2 * v + CURVE.c1);
  return (slope * (3.3 / 4095 / 2)) / TURBIDITY_DEFAULTS.dividerRatio;
}

describe("SEN0189 curve (DFRobot wiki)", () => {
  it("gives about 3000 NTU at 2.5 V and about 0 at 4.2 V, falls in between, and peaks (3005 NTU) at its 2.563 V vertex", () => {
    expect(Math.abs(curveNtu(CURVE, 2.5) - 3000)).toBeLessThan(1);
    expect(Math.abs(curveNtu(CURVE, 4.2) - 0.9)).toBeLessThan(0.05);
    const span = curveSpan(CURVE);
    expect(span.lo).toBeCloseTo(5742.3 / 2240.8, 12);
    expect(Math.abs(curveNtu(CURVE, span.lo) - 3005)).toBeLessThan(1);
    for (let v = span.lo; v < 4.2; v += 0.05) expect(curveNtu(CURVE, v + 0.05)).toBeLessThan(curveNtu(CURVE, v));
    // Above the drawn span it turns negative within 0.1 V: that is why the driver clamps.
    expect(curveNtu(CURVE, 4.3)).toBeLessThan(-300);
  });

  it("evaluate() clamps outside the span and says so; a curve that does not fall is refused", () => {
    const span = curveSpan(CURVE);
    expect(evaluate(CURVE, 3.5, span)).toEqual({ ntu: curveNtu(CURVE, 3.5), clamped: false });
    expect(evaluate(CURVE, 2.0, span)).toEqual({ ntu: 3000, clamped: true });
    expect(evaluate(CURVE, 4.4, span)).toEqual({ ntu: curveNtu(CURVE, 4.2), clamped: true });
    expect(() => curveSpan({ ...CURVE, c2: 1120.4, c1: -5742.3 })).toThrow(/does not fall with voltage between 2.5 and 4.2 V/);
    expect(() => curveSpan({ ...CURVE, maxVolts: 2 })).toThrow(/maxVolts \(2\) must exceed minVolts \(2.5\)/);
  });

  it("the model's inverse of the curve returns each turbidity; beyond it the voltage keeps falling or is capped at 4.5 V", () => {
    for (const ntu of [1, 5, 50, 200, 1000, 2500, 2999]) expect(curveNtu(CURVE, sensorVolts(CURVE, ntu))).toBeCloseTo(ntu, 6);
    expect(sensorVolts(CURVE, 0)).toBeCloseTo(4.2 + curveNtu(CURVE, 4.2) / 3669.06, 6); // along the slope at 4.2 V
    // A fit whose top end is still 50 NTU: clear water would need 4.7 V, more than the 4.5 V the output reaches.
    expect(sensorVolts(LINEAR, 0)).toBe(4.5);
    expect(sensorVolts(CURVE, 6000)).toBeLessThan(sensorVolts(CURVE, 4000));
    expect(sensorVolts(CURVE, 4000)).toBeLessThan(curveSpan(CURVE).lo);
  });
});

describe("turbidity driver against the model", () => {
  it("switches the probe on, waits its 500 ms response time, reads through the divider and switches it off", () => {
    let ntu = 120;
    const { driver, supply, run, errors, samples } = bench(() => ntu);
    expect(supply.level).toBe(0);
    expect(driver.conversionMs).toBe(500);
    driver.measure();
    expect(supply.level).toBe(1);
    expect(driver.busy).toBe(true);
    run(499);
    expect(driver.sample()).toBeUndefined();
    run(1);
    expect(supply.level).toBe(0);
    let s = driver.sample()!;
    expect(Math.abs(s.turbidity - 120)).toBeLessThanOrEqual(halfStepNtu(120));
    expect(Math.abs(s.volts - sensorVolts(CURVE, 120))).toBeLessThanOrEqual(3.3 / 4095 / 2 / 0.6);
    expect(s.clamped).toBe(false);
    expect(samples()).toBe(1);
    for (ntu of [2, 30, 800, 2900]) {
      driver.measure();
      run(600);
      s = driver.sample()!;
      expect(Math.abs(s.turbidity - ntu)).toBeLessThanOrEqual(halfStepNtu(ntu));
    }
    expect(errors).toEqual([]);
  });

  it("outside the curve: clamped at 3000 NTU (opaque) and at the curve's top end (clearer than it), flagged", () => {
    const { driver, run, errors } = bench(() => 8000);
    driver.measure();
    run(600);
    expect(driver.sample()).toMatchObject({ turbidity: 3000, clamped: true });
    // A probe whose fit ends at 50 NTU, in clear water: the output is above the fit's 4.2 V.
    const clear = bench(() => 0, { curve: LINEAR });
    clear.driver.configure({ curveC2: LINEAR.c2, curveC1: LINEAR.c1, curveC0: LINEAR.c0 });
    clear.driver.measure();
    clear.run(600);
    expect(clear.driver.sample()).toMatchObject({ turbidity: 50, clamped: true });
    expect(clear.driver.sample()!.volts).toBeGreaterThan(4.49);
    expect([...errors, ...clear.errors]).toEqual([]);
  });

  it("probe unplugged: 0 V is no signal, a range error, not a reading of 3000 NTU", () => {
    const { driver, model, run, errors } = bench(() => 50);
    model.fault = "unplugged";
    driver.measure();
    run(600);
    expect(errors.map((e) => e.kind)).toEqual(["range"]);
    expect(errors[0]!.message).toMatch(/turbidity: no signal \(0.000 V at the sensor\): probe unplugged or its cable reversed/);
    expect(driver.sample()).toBeUndefined();
    model.fault = undefined;
    driver.measure();
    run(600);
    expect(Math.abs(driver.sample()!.turbidity - 50)).toBeLessThanOrEqual(halfStepNtu(50));
  });

  it("a probe's own curve from the options; bad options are refused naming the option; close() switches it off", () => {
    const { driver, run, supply } = bench(() => 100);
    // A fit twice as steep in NTU: the same voltage reads twice the turbidity.
    driver.configure({ curveC2: 2 * CURVE.c2, curveC1: 2 * CURVE.c1, curveC0: 2 * CURVE.c0, maxNtu: 6000 });
    driver.measure();
    run(600);
    expect(Math.abs(driver.sample()!.turbidity - 200)).toBeLessThanOrEqual(2 * halfStepNtu(100));
    expect(() => driver.configure({ dividerRatio: 0 })).toThrow(/dividerRatio must be in \(0, 1\]/);
    expect(() => driver.configure({ samples: 0.5 })).toThrow(/samples must be an integer 1–64/);
    expect(() => driver.configure({ maxVolts: 2 })).toThrow(/maxVolts/);
    expect(() => driver.configure({ bogus: 1 } as never)).toThrow(/unknown option "bogus"/);
    driver.measure();
    driver.close();
    expect(supply.level).toBe(0);
    expect(() => driver.measure()).toThrow(/closed/);
  });

  it("always powered (no power pin): no wait, and the part declares the probe's 40 mA for energy estimates", () => {
    const b = board();
    b.world.analog.set(ADC_PIN, turbidityVoltage({ turbidity: () => 10, curve: CURVE, dividerRatio: 0.6 }));
    const driver = new Turbidity({ sensor: { io: b.Analog, pin: ADC_PIN }, timer: b.timers, fullScaleVolts: 3.3 });
    expect(driver.conversionMs).toBe(0);
    driver.measure();
    b.run(0);
    expect(Math.abs(driver.sample()!.turbidity - 10)).toBeLessThanOrEqual(halfStepNtu(10));
    const def = getPart("turbidity")!;
    expect(def.analogDrawMilliamps!(def.defaults, 3)).toBe(40);
  });
});

describe("water-quality parts in the catalogue and the model factory", () => {
  const water: WaterQuantities = {
    temperature: () => 17.5,
    pH: () => 8.4,
    oxygen: () => 7.1,
    conductivity: () => 420,
    orp: () => 180,
    turbidity: () => 35,
  };
  const spec: SimBoardSpec = {
    name: "buoy-test-board",
    adc: { resolution: 12, fullScaleVolts: 3.3, pins: [ADC_PIN] },
    pulseCountUnits: 0,
    i2c: { default: { data: 21, clock: 22, hz: 100_000 } },
    spi: {},
    serial: {},
    pins: {},
    flash: { size: 4096, blockLength: 4096, writeAlign: 4, partitions: {} },
    supplyVolts: 3.3,
  };
  const ezo = (name: string, address: number): ResolvedI2CPart => ({
    part: name,
    io: "i2c",
    bus: "default",
    address,
    data: 21,
    clock: 22,
    hz: 100_000,
    options: { ...getPart(name)!.defaults } as ResolvedI2CPart["options"],
  });

  it("declares each part with valid defaults and the datasheet addresses first", () => {
    const expected: [string, number][] = [["ezo-ph", 0x63], ["ezo-do", 0x61], ["ezo-ec", 0x64], ["ezo-orp", 0x62], ["ezo-rtd", 0x66]];
    for (const [name, address] of expected) {
      const def = getPart(name)!;
      expect(def.connection).toMatchObject({ kind: "i2c", maxHz: 400_000 });
      const addresses = (def.connection as { addresses: readonly number[] }).addresses;
      expect(addresses[0]).toBe(address);
      expect(addresses.length).toBe(127);
      expect(validate(def.options, def.defaults).issues).toEqual([]);
    }
    expect(validate(getPart("ezo-do")!.options, { pressure: 5 }).issues.map((i) => i.pointer)).toEqual(["/pressure"]);
    const t = getPart("turbidity")!;
    expect(t.connection).toEqual({ kind: "analog" });
    expect(t.defaults).toEqual({ ...TURBIDITY_DEFAULTS });
    expect(validate(t.options, t.defaults).issues).toEqual([]);
    expect(validate(t.options, { samples: 0 }).issues.map((i) => i.pointer)).toEqual(["/samples"]);
  });

  it("attaches each model to the node's bus or ADC pin, fed by the scenario's water; without water it is an error naming the part", () => {
    const engine = new Engine();
    const node = partNode({
      id: "buoy-1",
      board: spec,
      engine,
      main: () => ({ stats: () => ({}) }),
    });
    const turbidityPart: ResolvedAnalogPart = {
      part: "turbidity",
      io: "analog",
      pin: ADC_PIN,
      powerPin: POWER_PIN,
      channel: "ADC1_CH6",
      resolutionBits: 12,
      fullScaleVolts: 3.3,
      options: { ...TURBIDITY_DEFAULTS },
    };
    const parts = { ph: ezo("ezo-ph", 0x63), oxygen: ezo("ezo-do", 0x61), conductivity: ezo("ezo-ec", 0x64), redox: ezo("ezo-orp", 0x62), water: ezo("ezo-rtd", 0x66), turbidity: turbidityPart };
    const atmosphere = createKunmingWeather({ seed: 1 });
    expect(() => attachModels({ ph: parts.ph }, { node, atmosphere })).toThrow(/ezo-ph \(role ph\): the scenario has no water for it to measure/);
    const attached = attachModels(parts, { node, atmosphere, water });
    expect(attached.map((a) => a.part)).toEqual(["ezo-ph", "ezo-do", "ezo-ec", "ezo-orp", "ezo-rtd", "turbidity"]);
    const bus = node.i2c["default"]!;
    const reading = (address: number): string => {
      bus.write(address, encodeCommand("R"), true);
      engine.runUntil(engine.now + 1000 * MS);
      const r = { code: 0, text: "" };
      expect(decodeReply(bus.read(address, 40, true)!, r)).toBeUndefined();
      return r.text;
    };
    // Uncompensated (the circuits' power-up defaults): pH by the Nernst slope at 25 °C, EC at 2 %/°C from 25 °C.
    expect(Math.abs(Number(reading(0x63)) - (7 + (1.4 * (17.5 + 273.15)) / 298.15))).toBeLessThanOrEqual(0.0015);
    expect(Math.abs(Number(reading(0x66)) - 17.5)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(Number(reading(0x62)) - 180)).toBeLessThanOrEqual(0.5);
    expect(reading(0x61)).toMatch(/^\d+\.\d\d$/);
    expect(Math.abs(Number(reading(0x64)) - 420 * (1 + 0.02 * (17.5 - 25)))).toBeLessThanOrEqual(0.01 * 357 + 0.5);
    // The probe's supply is switched: 0 V until the firmware drives the power pin.
    const pin = node.world.analog.get(ADC_PIN)!;
    expect(pin(engine.now)).toBe(0);
    node.world.line(POWER_PIN).set(1);
    expect(Math.abs(pin(engine.now) - 0.6 * sensorVolts(CURVE, 35))).toBeLessThanOrEqual(0.005 * 0.6);
  });
});
