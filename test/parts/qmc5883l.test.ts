import { describe, expect, it } from "vitest";
import { QMC5883L, type QMC5883LSample } from "../../parts/qmc5883l/driver.js";
import { QMC5883LModel, noiseRmsGauss, type QMC5883LModelOptions } from "../../parts/qmc5883l/model.js";
import {
  CHIP_ID,
  QMC5883L_ADDRESS,
  QMC5883L_DEFAULTS,
  REG_CHIP_ID,
  REG_CTRL1,
  REG_CTRL2,
  REG_SET_RESET,
  REG_STATUS,
  STATUS_DOR,
  STATUS_DRDY,
  STATUS_OVL,
  encodeCtrl1,
  lsbPerGauss,
} from "../../parts/qmc5883l/registers.js";
import type { Timers } from "../../hal/host.js";
import { SensorError } from "../../hal/sensor.js";
import { getPart } from "../../manifests/schema/parts.js";
import { validate } from "../../manifests/schema/builder.js";
import type { ResolvedI2CPart } from "../../manifests/schema/config.js";
import type { MagneticField } from "../../simulator/core/environment/types.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import { attachModels } from "../../simulator/core/parts.js";
import { oneReadingNode, reading, registerBus, world, written } from "./magnetometer-bench.js";
import { times, xsCost } from "./strain-rig.js";
import { Rig, SCL, SDA } from "./rig.js";

/** XS metering units one reading may take, stand-in I2C included: 1 573 when this was set, about 7 % below the budget. */
const QMC_UNITS_PER_READING = 1_700;

function bench(options: { model?: Partial<QMC5883LModelOptions>; field?: MagneticField; timers?: (t: Timers) => Timers } = {}) {
  const rig = new Rig();
  const w = world(options.field ?? { x: 30, y: -20, z: 45 });
  const model = new QMC5883LModel({ now: rig.now, field: w.at, noise: false, ...options.model });
  rig.attach(QMC5883L_ADDRESS, model);
  const errors: SensorError[] = [];
  const sampledAt: number[] = [];
  const driver = new QMC5883L({
    sensor: rig.sensor(),
    timer: options.timers ? options.timers(rig.timers) : rig.timers,
    onSample: () => sampledAt.push(rig.engine.now),
    onError: (e) => errors.push(e),
  });
  return { rig, model, driver, errors, sampledAt, field: w.field };
}

describe("QMC5883L register encodings (datasheet Table 18)", () => {
  it("packs OSR[7:6] RNG[5:4] ODR[3:2] MODE[1:0] with the table's codes", () => {
    // OSR 512/256/128/64 = 00/01/10/11; RNG 2 G/8 G = 00/01; ODR 10/50/100/200 Hz = 00/01/10/11; MODE 00/01.
    expect([512, 256, 128, 64].map((o) => encodeCtrl1(o, 2, 10, 0))).toEqual([0x00, 0x40, 0x80, 0xc0]);
    expect([2, 8].map((r) => encodeCtrl1(512, r, 10, 0))).toEqual([0x00, 0x10]);
    expect([10, 50, 100, 200].map((d) => encodeCtrl1(512, 2, d, 0))).toEqual([0x00, 0x04, 0x08, 0x0c]);
    expect([0, 1].map((m) => encodeCtrl1(512, 2, 10, m))).toEqual([0x00, 0x01]);
    // Values written by drivers in the field, decoded by hand from the table:
    // "512 samples, 8 gauss, 10 Hz, continuous" = 0b00010001; Linux's default OSR 64, 2 G, 50 Hz, continuous.
    expect(encodeCtrl1(512, 8, 10, 1)).toBe(0x11);
    expect(encodeCtrl1(64, 2, 50, 1)).toBe(0xc5);
  });

  it("refuses what the table marks reserved or does not list, naming the field", () => {
    expect(() => encodeCtrl1(1024, 2, 10, 1)).toThrow(/OSR/);
    expect(() => encodeCtrl1(512, 4, 10, 1)).toThrow(/range/);
    expect(() => encodeCtrl1(512, 2, 20, 1)).toThrow(/ODR/);
    expect(() => encodeCtrl1(512, 2, 10, 2)).toThrow(/mode/);
  });

  it("gives 12 000 LSB/G at ±2 G and 3 000 LSB/G at ±8 G (Table 2), 100 LSB/°C for TOUT", () => {
    expect(lsbPerGauss(2)).toBe(12_000);
    expect(lsbPerGauss(8)).toBe(3_000);
    const b = bench();
    b.rig.run(2);
    expect(b.driver.sensitivity).toBe(3_000); // the default range, ±8 G
    b.driver.configure({ range: 2 });
    expect(b.driver.sensitivity).toBe(12_000);
  });
});

describe("QMC5883L model registers", () => {
  const raw = (field: MagneticField = { x: 30, y: -20, z: 45 }, model: Partial<QMC5883LModelOptions> = {}) => {
    const rig = new Rig();
    const w = world(field);
    const m = new QMC5883LModel({ now: rig.now, field: w.at, noise: false, ...model });
    const read = (reg: number, n: number) => {
      expect(m.write(Uint8Array.of(reg), false)).toBe(true);
      return Array.from(m.read(n, true)!);
    };
    return { rig, m, read, field: w.field };
  };

  it("powers up in standby with chip id 0xFF and everything else 0", () => {
    const { m, read } = raw();
    expect(read(0x00, 14)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, CHIP_ID]);
    expect(m.continuous).toBe(false);
  });

  it("measures one period after continuous mode starts; X/Y/Z little-endian int16 at the range's sensitivity", () => {
    const { rig, m, read } = raw();
    m.write(Uint8Array.of(REG_CTRL1, encodeCtrl1(512, 2, 200, 1)), true);
    rig.run(4.999);
    expect(read(REG_STATUS, 1)).toEqual([0]);
    rig.run(0.001);
    expect(read(REG_STATUS, 1)).toEqual([STATUS_DRDY]);
    // 30 µT = 0.30 G → 3600 = 0x0E10; −20 µT → −2400 = 0xF6A0; 45 µT → 5400 = 0x1518.
    expect(read(0x00, 6)).toEqual([0x10, 0x0e, 0xa0, 0xf6, 0x18, 0x15]);
  });

  it("keeps DRDY through status reads and clears DRDY and DOR when a data register is read (§9.2.2)", () => {
    const { rig, m, read } = raw();
    m.write(Uint8Array.of(REG_CTRL1, encodeCtrl1(512, 8, 100, 1)), true);
    rig.run(10);
    expect(read(REG_STATUS, 1)).toEqual([STATUS_DRDY]);
    expect(read(REG_STATUS, 1)).toEqual([STATUS_DRDY]);
    rig.run(10); // a second measurement replaces one nobody read
    expect(read(REG_STATUS, 1)).toEqual([STATUS_DRDY | STATUS_DOR]);
    read(0x05, 1); // any data register, even the last
    expect(read(REG_STATUS, 1)).toEqual([0]);
    rig.run(35); // three more periods with nothing read in between
    expect(read(REG_STATUS, 1)).toEqual([STATUS_DRDY | STATUS_DOR]);
    // The data stay the same however often they are read, until the next measurement (§9.2.1).
    const first = read(0x00, 6);
    expect(read(0x00, 6)).toEqual(first);
    expect(read(REG_STATUS, 1)).toEqual([0]);
  });

  it("sets OVL when an axis saturates at the int16 limits and clears it when the next measurement is back in range", () => {
    const { rig, m, read, field } = raw({ x: 0, y: 0, z: 0 });
    m.write(Uint8Array.of(REG_CTRL1, encodeCtrl1(512, 2, 200, 1)), true);
    field.x = 273; // 2.73 G · 12 000 = 32 760: still in
    rig.run(5);
    expect(read(REG_STATUS, 1)).toEqual([STATUS_DRDY]);
    expect(read(0x00, 2)).toEqual([0xf8, 0x7f]);
    field.z = -274; // −32 880 saturates at −32 768
    rig.run(5);
    expect(read(REG_STATUS, 1)).toEqual([STATUS_DRDY | STATUS_OVL]);
    expect(read(0x04, 2)).toEqual([0x00, 0x80]);
    field.z = 0;
    rig.run(5);
    expect(read(REG_STATUS, 1)).toEqual([STATUS_DRDY]);
  });

  it("rolls the read pointer over 0x00–0x06 only with ROL_PNT, and otherwise runs through to 0x0D", () => {
    const { rig, m, read } = raw();
    m.write(Uint8Array.of(REG_CTRL1, encodeCtrl1(512, 2, 200, 1)), true);
    rig.run(5);
    const plain = read(0x00, 9);
    expect(plain.slice(7)).toEqual(read(0x07, 2)); // TOUT follows the status register
    m.write(Uint8Array.of(REG_CTRL2, 0x40), true);
    rig.run(5);
    const rolled = read(0x00, 9);
    expect(rolled.slice(7)).toEqual(rolled.slice(0, 2));
  });

  it("soft reset: every register back to its default, standby, and nothing answered for the POR time", () => {
    const { rig, m, read } = raw();
    m.write(Uint8Array.of(REG_CTRL1, encodeCtrl1(512, 2, 200, 1)), true);
    m.write(Uint8Array.of(REG_SET_RESET, 0x01), true);
    rig.run(5);
    expect(m.write(Uint8Array.of(REG_CTRL2, 0x80), true)).toBe(true);
    expect(m.continuous).toBe(false);
    rig.run(0.349);
    expect(m.write(Uint8Array.of(REG_STATUS), false)).toBe(false);
    expect(m.read(1, true)).toBeNull();
    rig.run(0.001);
    expect(read(0x00, 14)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, CHIP_ID]);
    expect(m.nacks).toBe(2);
  });

  it("writes TOUT at 100 LSB/°C from an offset the part leaves uncalibrated", () => {
    let celsius = 20;
    const { rig, m, read } = raw(undefined, { temperature: () => celsius, temperatureZeroC: 25 });
    m.write(Uint8Array.of(REG_CTRL1, encodeCtrl1(512, 2, 200, 1)), true);
    rig.run(5);
    expect(read(0x07, 2)).toEqual([0x0c, 0xfe]); // −500 = 0xFE0C
    celsius = 21.5;
    rig.run(5);
    expect(read(0x07, 2)).toEqual([0xa2, 0xfe]); // −350 = 0xFEA2
  });
});

describe("QMC5883L driver against the model", () => {
  it("resets, configures, then reads one measurement the low-power way: continuous, DRDY, data, standby", () => {
    const b = bench();
    b.rig.run(2);
    expect(b.driver.chipId).toBe(CHIP_ID);
    expect(written(b)).toEqual([[REG_CHIP_ID], [REG_CTRL2, 0x80], [REG_CTRL2, 0x01], [REG_SET_RESET, 0x01]]);
    expect(b.model.nacks).toBe(0); // it waited out the POR time
    b.rig.log.length = 0;
    const start = b.rig.engine.now;
    const s = reading(b)!;
    // Defaults: ±8 G, 200 Hz, OSR 512. 3000 LSB/G: 30 µT → 900 codes → 30 µT exactly.
    expect(s).toEqual({ magnetometer: { x: 30, y: -20, z: 45 }, temperature: -30 });
    expect(b.sampledAt).toEqual([start + 5_500]); // one 5 ms period + 10 %
    expect(written(b)).toEqual([[REG_SET_RESET, 0x01], [REG_CTRL1, 0x1d], [REG_STATUS], [0x00], [REG_CTRL1, 0x1c]]);
    expect(b.model.continuous).toBe(false);
    expect(b.model.measurements).toBe(1);
    // Awake from the continuous write to the standby write, then standby for the rest of the run.
    expect(b.model.activeUs).toBe(5_500);
    expect(b.errors).toEqual([]);
  });

  it("scales by the range's sensitivity and reports µT", () => {
    const b = bench({ field: { x: 31.25, y: -12.5, z: 48.75 } });
    b.driver.configure({ range: 2, odr: 50, osr: 64 });
    const s = reading(b)!;
    expect(Array.from(b.driver.raw.subarray(0, 3))).toEqual([3750, -1500, 5850]);
    expect(s.magnetometer).toEqual({ x: 31.25, y: -12.5, z: 48.75 });
    expect(b.errors).toEqual([]);
  });

  it("fills a caller's object without making a new one", () => {
    const b = bench();
    const into: QMC5883LSample = { magnetometer: { x: 0, y: 0, z: 0 }, temperature: 0 };
    b.driver.measure();
    b.rig.run(10);
    expect(b.driver.sample(into)).toBe(into);
    expect(into.magnetometer.z).toBe(45);
  });

  it("reports a field beyond the output range as a range error and gives no reading", () => {
    const b = bench({ field: { x: 1200, y: 0, z: 0 } }); // 12 G · 3000 = 36 000 > 32 767
    expect(reading(b)).toBeUndefined();
    b.rig.run(1);
    expect(b.errors.map((e) => e.kind)).toEqual(["range"]);
    expect(b.errors[0]!.message).toMatch(/^qmc5883l@0xd: field out of range/);
    expect(b.model.continuous).toBe(false);
    b.field.x = 30;
    expect(reading(b)!.magnetometer.x).toBe(30);
  });

  it("the overflow fault (a magnet on the part) is a range error on every reading until cleared", () => {
    const b = bench();
    b.model.fault = "overflow";
    expect(reading(b)).toBeUndefined();
    expect(reading(b)).toBeUndefined();
    b.model.fault = undefined;
    expect(reading(b)).toBeDefined();
    expect(b.errors.map((e) => e.kind)).toEqual(["range", "range"]);
  });

  it("an absent part: NACKs are reported on a timer, never thrown, and the part is found once it answers", () => {
    const rig = new Rig();
    const w = world({ x: 1, y: 2, z: 3 });
    const model = new QMC5883LModel({ now: rig.now, field: w.at, noise: false });
    rig.attach(QMC5883L_ADDRESS, model);
    rig.bus.injectNack(QMC5883L_ADDRESS);
    const errors: SensorError[] = [];
    const driver = new QMC5883L({ sensor: rig.sensor(), timer: rig.timers, onError: (e) => errors.push(e) });
    expect(errors).toEqual([]); // not synchronously
    rig.run(1);
    expect(errors.map((e) => e.kind)).toEqual(["nack"]);
    expect(errors[0]!.message).toMatch(/chip id read \(0x0D\) not acknowledged/);
    expect(driver.chipId).toBe(-1);
    driver.measure();
    rig.run(20);
    expect(driver.sample()).toBeUndefined();
    expect(errors).toHaveLength(2);
    rig.bus.clearFault(QMC5883L_ADDRESS);
    driver.measure(); // starts over: chip id, reset, configuration, then the reading
    rig.run(20);
    expect(driver.sample()!.magnetometer).toEqual({ x: 1, y: 2, z: 3 });
    expect(errors).toHaveLength(2);
  });

  it("a part that stops answering mid-reading: a NACK error, no reading, and the next one works", () => {
    const b = bench();
    b.rig.run(2);
    b.driver.measure();
    b.rig.bus.injectNack(QMC5883L_ADDRESS, b.rig.engine.now + 6_000);
    b.rig.run(20);
    expect(b.driver.sample()).toBeUndefined();
    expect(b.errors.map((e) => e.kind)).toEqual(["nack"]);
    expect(b.errors[0]!.message).toMatch(/status read failed/);
    expect(reading(b)!.magnetometer.y).toBe(-20);
  });

  it("reads status before the data and polls again when DRDY is not yet set (a slow oscillator)", () => {
    const b = bench({ model: { periodScale: 1.25 } }); // the first measurement lands at 6.25 ms, after the 5.5 ms read
    b.rig.run(2);
    b.rig.log.length = 0;
    const start = b.rig.engine.now;
    const s = reading(b);
    expect(s!.magnetometer.x).toBe(30);
    const statusReads = b.rig.log.filter((t) => t.op === "read" && t.bytes.length === 3).map((t) => [t.at - start, t.bytes[0]]);
    expect(statusReads).toEqual([
      [5_500, 0],
      [6_750, STATUS_DRDY],
    ]);
    // Never a data read before DRDY.
    expect(b.rig.log.filter((t) => t.op === "read" && t.bytes.length === 6).map((t) => t.at - start)).toEqual([6_750]);
    expect(b.errors).toEqual([]);
  });

  it("gives up after two periods without DRDY: a timeout error, and the part back in standby", () => {
    const b = bench({ model: { periodScale: 3 } });
    expect(reading(b)).toBeUndefined();
    expect(b.errors.map((e) => e.kind)).toEqual(["timeout"]);
    expect(b.errors[0]!.message).toMatch(/no data ready \(status 0x00\) two ODR periods/);
    expect(b.model.continuous).toBe(false);
  });

  it("counts a measurement the part skipped (DOR) when the timer comes late, and keeps the reading", () => {
    const late = (t: Timers): Timers => ({ set: (cb, delay, repeat) => t.set(cb, delay > 2 ? delay * 2.5 : delay, repeat), clear: (h) => t.clear(h) });
    const b = bench({ timers: late });
    const s = reading(b);
    expect(s!.magnetometer.x).toBe(30);
    expect(b.driver.skipped).toBe(1);
    expect(b.errors).toEqual([]);
  });

  it("counts repeated identical readings: a stuck part", () => {
    const b = bench({ model: { noise: true, seed: 7 } });
    reading(b);
    reading(b);
    expect(b.driver.repeats).toBe(0);
    b.model.fault = "stuck";
    reading(b);
    reading(b);
    reading(b);
    expect(b.driver.repeats).toBe(3);
    b.model.fault = undefined;
    reading(b);
    expect(b.driver.repeats).toBe(0);
  });

  it("works on after the part lost its registers between readings (supply cut in deep sleep)", () => {
    const b = bench();
    reading(b);
    b.model.write(Uint8Array.of(REG_CTRL2, 0x80), true); // defaults, as after a power cycle
    b.rig.run(1);
    expect(b.model.peek(REG_SET_RESET)).toBe(0);
    expect(reading(b)!.magnetometer.z).toBe(45);
    expect(b.model.peek(REG_SET_RESET)).toBe(0x01);
    expect(b.errors).toEqual([]);
  });

  it("a driver made anew (as after an MCU deep sleep) resets the part and reads it", () => {
    const b = bench();
    reading(b);
    b.driver.close();
    const again = new QMC5883L({ sensor: b.rig.sensor(), timer: b.rig.timers });
    again.measure();
    b.rig.run(10);
    expect(again.sample()!.magnetometer.x).toBe(30);
    expect(b.model.nacks).toBe(0);
  });

  it("keeps a rev 1.0 part's chip id (a reserved register there) and measures it all the same", () => {
    const b = bench({ model: { chipId: 0x00 } });
    expect(reading(b)!.magnetometer.y).toBe(-20);
    expect(b.driver.chipId).toBe(0);
    expect(b.errors).toEqual([]);
  });

  it("reports relative temperature: the differences are right, the level is the part's own", () => {
    let celsius = 12;
    const b = bench({ model: { temperature: () => celsius } });
    const t0 = reading(b)!.temperature;
    celsius = 19.25;
    const t1 = reading(b)!.temperature;
    expect(t1 - t0).toBeCloseTo(7.25, 9);
  });

  it("allocates nothing on the sample path, within an XS metering budget (counted on XS; on V8 the same buffers every time)", () => {
    const regs = new Uint8Array(256);
    regs.set([0x84, 0x03, 0xa8, 0xfd, 0x46, 0x05, STATUS_DRDY, 0x0c, 0xfe], 0); // 900, −600, 1350; TOUT −500
    regs[REG_CHIP_ID] = CHIP_ID;
    const fake = registerBus(regs);
    const d = new QMC5883L({
      sensor: { io: fake.I2C, data: SDA, clock: SCL, hz: 400_000 },
      timer: fake.timers,
      onSample() {
        fake.state.samples++;
      },
    });
    fake.fire(); // the wait after the soft reset
    const one = () => {
      d.measure(); // continuous mode, and a timer for the first measurement
      fake.fire(); // status, data, standby, onSample
    };
    times(one, 200)(); // warm up
    const run = times(one, 2000);
    const counted = xsCost(run);
    if (counted) {
      expect(counted.slots).toBe(0);
      expect(counted.chunks).toBe(0);
      expect(counted.units / 2000).toBeLessThan(QMC_UNITS_PER_READING);
    } else {
      fake.state.recording = true;
      run();
      expect(fake.state.buffers.size).toBe(4); // the pair, the register byte, the status and data buffers
    }
    expect(fake.state.samples).toBe(2200);
    expect(d.sample()).toEqual({ magnetometer: { x: 30, y: -20, z: 45 }, temperature: -5 });
  });

  it("validates configure before changing anything, and refuses use after close", () => {
    const b = bench();
    expect(() => b.driver.configure({ range: 8, odr: 30 as 50 })).toThrow(/ODR must be/);
    expect(b.driver.sensitivity).toBe(3000);
    b.driver.close();
    expect(() => b.driver.measure()).toThrow(/closed/);
  });
});

describe("QMC5883L noise (model)", () => {
  const spread = (osr: 512 | 64, seed: number) => {
    const b = bench({ model: { noise: true, seed }, field: { x: 30, y: -20, z: 45 } });
    b.driver.configure({ range: 2, osr });
    const xs: number[] = [];
    for (let i = 0; i < 400; i++) xs.push(reading(b)!.magnetometer.x);
    const mean = xs.reduce((a, v) => a + v, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, v) => a + (v - mean) * (v - mean), 0) / (xs.length - 1));
    return { mean, sd, xs };
  };

  it("has the assumed RMS for the OSR (2 mG at 512, √8 times that at 64), zero mean, and is seeded", () => {
    const fine = spread(512, 1);
    const coarse = spread(64, 1);
    // 2 mG = 0.2 µT; the standard deviation of 400 normal draws has a standard error of 3.5 %; ±10 % is 2.8 of those.
    expect(Math.abs(fine.sd / (noiseRmsGauss(512) * 100) - 1)).toBeLessThan(0.1);
    expect(Math.abs(coarse.sd / (noiseRmsGauss(64) * 100) - 1)).toBeLessThan(0.1);
    expect(Math.abs(fine.mean - 30)).toBeLessThan(0.05);
    expect(spread(512, 1).xs).toEqual(fine.xs);
    expect(spread(512, 2).xs).not.toEqual(fine.xs);
  });
});

describe("QMC5883L as a catalogue part on a simulated node", () => {
  it("declares I2C at 0x0D and its defaults once, validated by its own schema", () => {
    const def = getPart("qmc5883l")!;
    expect(def.connection).toEqual({ kind: "i2c", addresses: [0x0d], maxHz: 400_000 });
    expect(def.defaults).toEqual({ ...QMC5883L_DEFAULTS });
    expect(validate(def.options, def.defaults).issues).toEqual([]);
    expect(validate(def.options, { range: 4 }).issues.map((i) => i.pointer)).toEqual(["/range"]);
  });

  it("is attached by the factory to the node's I2C bus and reads the field the simulation gives it", () => {
    const part: ResolvedI2CPart = { part: "qmc5883l", io: "i2c", bus: "default", address: 0x0d, data: SDA, clock: SCL, hz: 400_000, options: { ...QMC5883L_DEFAULTS } };
    const { rig, node, samples } = oneReadingNode("bay-1", (host, b, onSample) => new QMC5883L({ sensor: { io: b.io, data: b.data, clock: b.clock, hz: part.hz }, timer: host.timer, onSample }));
    const atmosphere = createKunmingWeather({ seed: 1 });
    expect(() => attachModels({ mag: part }, { node, atmosphere })).toThrow(/qmc5883l \(role mag\): the scenario gives no street \(ModelContext.street\)/);
    const w = world({ x: 28, y: 2, z: 36 });
    const attached = attachModels({ mag: part }, { node, atmosphere, street: { magneticField: w.at, temperature: () => 20 } });
    expect(attached.map((a) => [a.role, a.part])).toEqual([["mag", "qmc5883l"]]);
    node.boot();
    rig.run(100);
    expect(node.crashes).toEqual([]);
    expect(samples).toHaveLength(1);
    // Seeded noise of about 0.2 µT per axis around the field.
    expect(Math.abs(samples[0]!.magnetometer.x - 28)).toBeLessThan(1.5);
    expect(Math.abs(samples[0]!.magnetometer.z - 36)).toBeLessThan(1.5);
    expect((attached[0]!.model as QMC5883LModel).measurements).toBe(1);
  });
});
