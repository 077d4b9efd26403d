/**
 * The weather-meter kit (Argent 80422 / SparkFun SEN-15901): wind vane on an ADC, cup anemometer on a pulse
 * counter (or edge interrupts), tipping-bucket rain gauge on a digital edge — drivers against their models in
 * virtual time, and the vane model against the datasheet's own voltage table.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../../simulator/core/engine.js";
import { PinWorld } from "../../simulator/core/io/lines.js";
import { PinRegistry } from "../../simulator/core/io/pins.js";
import { makeAnalogClass } from "../../simulator/core/io/analog.js";
import { makeDigitalClass } from "../../simulator/core/io/digital.js";
import { makePulseCountClass } from "../../simulator/core/io/pulsecount.js";
import { EngineClock, EngineTimers } from "../../simulator/core/timers.js";
import { WindVane } from "../../parts/wind-vane/driver.js";
import { vaneResistance, windVaneVoltage } from "../../parts/wind-vane/model.js";
import { part as windVanePart } from "../../parts/wind-vane/part.js";
import { CupAnemometer } from "../../parts/cup-anemometer/driver.js";
import { AnemometerModel, driveAnemometerLine } from "../../parts/cup-anemometer/model.js";
import { TippingBucket } from "../../parts/tipping-bucket/driver.js";
import { TippingBucketModel } from "../../parts/tipping-bucket/model.js";
import { part as tippingBucketPart } from "../../parts/tipping-bucket/part.js";
import { edgeCounterClass } from "../../hal/edge-counter.js";
import type { SensorError } from "../../hal/sensor.js";

const HOUR = 3_600_000_000;

function board() {
  const engine = new Engine();
  const world = new PinWorld();
  const pins = new PinRegistry("test-board");
  const run = (fn: () => void) => fn();
  return {
    engine,
    world,
    timers: new EngineTimers(engine),
    clock: new EngineClock(engine, 0),
    Analog: makeAnalogClass(world, pins, { resolution: 12, fullScaleVolts: 3.3, pins: [34] }, () => engine.now),
    Digital: makeDigitalClass(world, pins, run),
    PulseCount: makePulseCountClass(world, pins, engine, 8, run),
  };
}

describe("wind vane (Argent 80422)", () => {
  // Datasheet table: voltage at the ADC with a 10 kΩ pull-up to 5 V, for 0°, 22.5°, … 337.5°.
  const DATASHEET_5V = [3.84, 1.98, 2.25, 0.41, 0.45, 0.32, 0.9, 0.62, 1.4, 1.19, 3.08, 2.93, 4.62, 4.04, 4.78, 3.43];

  it("model reproduces the datasheet voltage table from the eight switch resistors", () => {
    DATASHEET_5V.forEach((v, i) => {
      const volts = windVaneVoltage({ direction: () => i * 22.5, pullupOhms: 10_000, supplyVolts: 5 })(0);
      if (i === 14) {
        // Datasheet erratum: the 315° row lists 64.9 kΩ but 4.78 V; 64.9 kΩ against 10 kΩ at 5 V is 4.33 V.
        // The model follows the resistance (what the hardware has), so the row's own resistance must hold.
        expect(volts).toBeCloseTo((5 * 64_900) / 74_900, 10);
        expect(Math.abs(volts - v)).toBeGreaterThan(0.4);
        return;
      }
      expect(Math.abs(volts - v)).toBeLessThanOrEqual(0.01);
    });
    // Between detents the vane settles on the nearest one.
    expect(vaneResistance(10)).toBe(vaneResistance(0));
    expect(vaneResistance(12)).toBe(vaneResistance(22.5));
  });

  it("draws the divider's current from the supply: Vs / (R + Rpullup) at each of the datasheet's voltages", () => {
    // From the datasheet table's own numbers (5 V, 10 kΩ): the pull-up carries (5 − V) / 10 kΩ.
    const o = { ...windVanePart.defaults, supplyVolts: 5 };
    DATASHEET_5V.forEach((v) => expect(windVanePart.analogDrawMilliamps!(o, v)).toBeCloseTo((5 - v) / 10, 12));
    // And from the resistors: 33 kΩ (north) against 10 kΩ at 3.3 V is 3.3 V / 43 kΩ = 76.7 µA.
    const north = windVaneVoltage({ direction: () => 0, pullupOhms: 10_000, supplyVolts: 3.3 })(0);
    expect(windVanePart.analogDrawMilliamps!(windVanePart.defaults, north)).toBeCloseTo(3.3 / 43, 12);
  });

  it("with a power pin, feeds the divider only for the reading: high while read, low otherwise", () => {
    const b = board();
    const supply = b.world.line(25);
    const seen: number[] = [];
    supply.listen((v) => seen.push(v));
    const model = { direction: () => 90, pullupOhms: 10_000, supplyVolts: 3.3, powered: () => supply.level === 1 };
    b.world.analog.set(34, windVaneVoltage(model));
    const vane = new WindVane({ sensor: { io: b.Analog, pin: 34 }, power: { io: b.Digital, pin: 25 }, timer: b.timers, ...windVanePart.defaults, fullScaleVolts: 3.3 });
    expect(supply.level).toBe(0);
    expect(vane.sample()!.direction).toBe(90);
    expect(vane.sample()!.direction).toBe(90);
    expect(supply.level).toBe(0);
    expect(seen).toEqual([0, 1, 0, 1, 0]); // off at start, then on and off around each reading
    // Unpowered, the divider reads 0 V: no vane position has that, so it is a range error, not a direction.
    expect(windVaneVoltage(model)(0)).toBe(0);
    vane.close();
  });

  it("driver recovers all 16 directions through a 12-bit ADC at 3.3 V", () => {
    const b = board();
    let direction = 0;
    b.world.analog.set(34, windVaneVoltage({ direction: () => direction, pullupOhms: 10_000, supplyVolts: 3.3 }));
    const vane = new WindVane({ sensor: { io: b.Analog, pin: 34 }, timer: b.timers, ...windVanePart.defaults, fullScaleVolts: 3.3 });
    for (let i = 0; i < 16; i++) {
      direction = i * 22.5 + 3; // a little off the detent
      expect(vane.sample()!.direction).toBe(i * 22.5);
    }
  });

  it("an open cable is a range error, reported asynchronously, and no direction", () => {
    const b = board();
    const model = { direction: () => 90, pullupOhms: 10_000, supplyVolts: 3.3, fault: "open" as const };
    b.world.analog.set(34, windVaneVoltage(model));
    const errors: SensorError[] = [];
    const vane = new WindVane({
      sensor: { io: b.Analog, pin: 34 },
      timer: b.timers,
      ...windVanePart.defaults,
      fullScaleVolts: 3.3,
      onError: (e) => errors.push(e),
    });
    expect(vane.sample()).toBeUndefined();
    expect(errors).toHaveLength(0); // never from inside sample()
    b.engine.runUntil(1000);
    expect(errors.map((e) => e.kind)).toEqual(["range"]);
  });
});

describe("cup anemometer", () => {
  it("counts 2.4 km/h per Hz: 10 m/s for a minute is 900 pulses, and the driver reads 10 m/s", () => {
    const b = board();
    const model = new AnemometerModel({ speed: () => 10, kmhPerHz: 2.4 });
    b.world.pulse.set(27, model);
    const a = new CupAnemometer({ sensor: { io: b.PulseCount, signal: 27 }, clock: b.clock, kmhPerHz: 2.4 });
    b.engine.runUntil(60_000_000);
    const s = a.sample()!;
    expect(s.pulses).toBe(900);
    expect(s.speed).toBeCloseTo(10, 10);
  });

  it("places each pulse exactly: count steps by one at nextAfter, not a microsecond earlier", () => {
    const model = new AnemometerModel({ speed: (t) => 3 + 2 * Math.floor(t / 7_000_000) % 5, kmhPerHz: 2.4 });
    let t = 0;
    for (let k = 0; k < 500; k++) {
      const next = model.nextAfter(t);
      expect(model.count(next - 1)).toBe(model.count(t));
      expect(model.count(next)).toBe(model.count(t) + 1);
      t = next;
    }
  });

  it("an edge-interrupt counter on a Digital input sees the same pulses as the hardware counter", () => {
    const b = board();
    const speed = (t: number) => 4 + 3 * ((t / 1e6) % 11) / 11;
    const reference = new AnemometerModel({ speed, kmhPerHz: 2.4 });
    driveAnemometerLine(new AnemometerModel({ speed, kmhPerHz: 2.4 }), b.engine, b.world.line(5));
    const a = new CupAnemometer({ sensor: { io: edgeCounterClass(b.Digital), signal: 5 }, clock: b.clock, kmhPerHz: 2.4 });
    b.engine.runUntil(600_000_000);
    expect(a.sample()!.pulses).toBe(reference.count(600_000_000));
  });

  it("a seized bearing gives no pulses", () => {
    const model = new AnemometerModel({ speed: () => 12, kmhPerHz: 2.4, fault: "stuck" });
    expect(model.count(3_600_000_000)).toBe(0);
    expect(model.nextAfter(0)).toBe(Infinity);
  });
});

describe("tipping-bucket rain gauge", () => {
  const steadyRain = (mmPerHour: number) => (t0: number, t1: number) => (mmPerHour * Math.max(0, t1 - t0)) / HOUR;

  function gauge(fault?: "bounce" | "blocked") {
    const b = board();
    const model = new TippingBucketModel({ engine: b.engine, line: b.world.line(26), rainBetween: steadyRain(10), mmPerTip: 0.2794, fault });
    const driver = new TippingBucket({ sensor: { io: b.Digital, pin: 26 }, clock: b.clock, ...tippingBucketPart.defaults });
    b.engine.runUntil(HOUR + 1);
    return { model, driver };
  }

  it("10 mm in an hour is 35 tips of 0.2794 mm, at 10 mm/h", () => {
    const { model, driver } = gauge();
    const s = driver.sample();
    expect(model.tips).toBe(Math.floor(10 / 0.2794));
    expect(s.tips).toBe(35);
    expect(s.rain).toBeCloseTo(35 * 0.2794, 10);
    expect(s.rate).toBeCloseTo(10, 1);
  });

  it("contact bounce is debounced: the same 35 tips, the bounces counted", () => {
    const { driver } = gauge("bounce");
    expect(driver.sample().tips).toBe(35);
    expect(driver.bounces).toBe(35 * 2);
  });

  it("a blocked funnel gives no tips and no rate", () => {
    const { driver } = gauge("blocked");
    expect(driver.sample()).toEqual({ rain: 0, tips: 0, rate: 0 });
  });
});
