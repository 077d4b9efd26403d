import { describe, expect, it } from "vitest";
import { LIS3MDL, type LIS3MDLSample } from "../../parts/lis3mdl/driver.js";
import { LIS3MDLModel, noiseRmsGauss, type LIS3MDLModelOptions } from "../../parts/lis3mdl/model.js";
import {
  LIS3MDL_DEFAULTS,
  LIS3MDL_DEFAULT_ADDRESS,
  REG_CTRL1,
  REG_CTRL2,
  REG_CTRL3,
  REG_CTRL4,
  REG_CTRL5,
  REG_INT_SRC,
  REG_OUT_X_L,
  REG_STATUS,
  REG_TEMP_OUT_L,
  REG_WHO_AM_I,
  conversionUs,
  lsbPerGauss,
  modeCode,
  rangeCode,
} from "../../parts/lis3mdl/registers.js";
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

const AI = 0x80; // sub-address auto-increment
/** XS metering units one reading may take, stand-in I2C included: 1 561 when this was set, about 8 % below the budget. */
const LIS_UNITS_PER_READING = 1_700;

function bench(options: { model?: Partial<LIS3MDLModelOptions>; field?: MagneticField; timers?: (t: Timers) => Timers } = {}) {
  const rig = new Rig();
  const w = world(options.field ?? { x: 30, y: -20, z: 45 });
  const model = new LIS3MDLModel({ now: rig.now, field: w.at, noise: false, ...options.model });
  rig.attach(LIS3MDL_DEFAULT_ADDRESS, model);
  const errors: SensorError[] = [];
  const sampledAt: number[] = [];
  const driver = new LIS3MDL({
    sensor: rig.sensor(),
    timer: options.timers ? options.timers(rig.timers) : rig.timers,
    onSample: () => sampledAt.push(rig.engine.now),
    onError: (e) => errors.push(e),
  });
  return { rig, model, driver, errors, sampledAt, field: w.field };
}

/** Direct register access to a model, as a bus master would. */
function master(m: LIS3MDLModel) {
  return {
    write: (...bytes: number[]) => expect(m.write(Uint8Array.from(bytes), true)).toBe(true),
    read: (sub: number, n: number) => {
      m.write(Uint8Array.of(sub), false);
      return Array.from(m.read(n, true)!);
    },
  };
}

describe("LIS3MDL register encodings", () => {
  it("packs FS, OM, OMZ and DO as ST's register map and independent drivers give them", () => {
    // FS[6:5] of CTRL_REG2: ±4/8/12/16 G = 0x00/0x20/0x40/0x60 (RIOT's lis3mdl_scale_t).
    expect([4, 8, 12, 16].map((r) => rangeCode(r) << 5)).toEqual([0x00, 0x20, 0x40, 0x60]);
    // OM[6:5] of CTRL_REG1 and OMZ[3:2] of CTRL_REG4 (RIOT's xy/z modes).
    expect(["low-power", "medium", "high", "ultra-high"].map((m) => modeCode(m) << 5)).toEqual([0x00, 0x20, 0x40, 0x60]);
    expect(["low-power", "medium", "high", "ultra-high"].map((m) => modeCode(m) << 2)).toEqual([0x00, 0x04, 0x08, 0x0c]);
    // Pololu's "OM = 11 (ultra-high-performance), DO = 100 (10 Hz)" = 0x70: the driver's CTRL_REG1 without TEMP_EN.
    const b = bench();
    b.rig.run(2);
    const ctrl1 = written(b).find((w) => w[0] === (REG_CTRL1 | AI))![1]!;
    expect(ctrl1 & 0x7f).toBe(0x70);
    expect(ctrl1 & 0x80).toBe(0x80); // TEMP_EN
  });

  it("gives 6842, 3421, 2281 and 1711 LSB/G for ±4, 8, 12, 16 G", () => {
    expect([4, 8, 12, 16].map((r) => lsbPerGauss(r as 4))).toEqual([6842, 3421, 2281, 1711]);
    const b = bench();
    expect(b.driver.sensitivity).toBe(6842);
    b.driver.configure({ range: 12 });
    expect(b.driver.sensitivity).toBe(2281);
  });

  it("takes a conversion time from the mode's FAST_ODR rate: 1 ms, 1.79 ms, 3.33 ms, 6.45 ms", () => {
    expect([0, 1, 2, 3].map((m) => Math.round(conversionUs(m)))).toEqual([1000, 1786, 3333, 6452]);
  });

  it("refuses values the map does not have, naming the field", () => {
    expect(() => rangeCode(6)).toThrow(/range must be 4, 8, 12 or 16/);
    expect(() => modeCode("turbo")).toThrow(/mode must be/);
  });
});

describe("LIS3MDL model registers", () => {
  const raw = (field: MagneticField = { x: 30, y: -20, z: 45 }, model: Partial<LIS3MDLModelOptions> = {}) => {
    const rig = new Rig();
    const w = world(field);
    const m = new LIS3MDLModel({ now: rig.now, field: w.at, noise: false, ...model });
    return { rig, m, field: w.field, ...master(m) };
  };

  it("powers up with WHO_AM_I 0x3D, CTRL_REG1 0x10, CTRL_REG3 0x03 (power-down)", () => {
    const { read } = raw();
    expect(read(REG_WHO_AM_I, 1)).toEqual([0x3d]);
    expect(read(REG_CTRL1 | AI, 5)).toEqual([0x10, 0x00, 0x03, 0x00, 0x00]);
  });

  it("advances the address only with the sub-address MSB, and wraps the output registers from 0x2D to 0x28", () => {
    const { rig, write, read } = raw();
    write(REG_CTRL3, 0x01);
    rig.run(7);
    const xl = read(REG_OUT_X_L, 1)[0]!;
    expect(read(REG_OUT_X_L, 3)).toEqual([xl, xl, xl]); // no MSB: the same register three times
    const burst = read(REG_OUT_X_L | AI, 8);
    expect(burst.slice(6)).toEqual(burst.slice(0, 2)); // past OUT_Z_H comes OUT_X_L again, not TEMP_OUT
    expect(read(REG_TEMP_OUT_L | AI, 2)).not.toEqual(burst.slice(0, 2));
  });

  it("converts once in single mode, sets the DA flags and goes back to power-down", () => {
    const { rig, m, write, read } = raw();
    write(REG_CTRL1, 0xf0); // TEMP_EN, UHP, 10 Hz
    write(REG_CTRL3, 0x01);
    expect(m.active).toBe(true);
    rig.run(6.45);
    expect(read(REG_STATUS, 1)).toEqual([0]);
    rig.run(0.002);
    expect(read(REG_STATUS, 1)).toEqual([0x0f]); // ZYXDA | ZDA | YDA | XDA
    expect(read(REG_CTRL3, 1)).toEqual([0x03]);
    expect(m.active).toBe(false);
    expect(m.conversions).toBe(1);
    rig.run(100);
    expect(m.conversions).toBe(1);
  });

  it("clears an axis's DA with its high byte, and ZYXDA once all three are read", () => {
    const { rig, write, read } = raw();
    write(REG_CTRL3, 0x01);
    rig.run(7);
    read(REG_OUT_X_L | AI, 2);
    expect(read(REG_STATUS, 1)).toEqual([0x0e]);
    read(REG_OUT_X_L + 3, 1); // Y high byte alone
    expect(read(REG_STATUS, 1)).toEqual([0x0c]);
    read(REG_OUT_X_L + 5, 1);
    expect(read(REG_STATUS, 1)).toEqual([0x00]);
  });

  it("sets the overrun flags when a continuous conversion overwrites unread data", () => {
    const { rig, write, read } = raw();
    write(REG_CTRL1, 0xf0 | 0x08); // DO = 110: 40 Hz
    write(REG_CTRL3, 0x00);
    rig.run(25);
    expect(read(REG_STATUS, 1)).toEqual([0x0f]);
    rig.run(25);
    expect(read(REG_STATUS, 1)).toEqual([0xff]);
    read(REG_OUT_X_L | AI, 6);
    expect(read(REG_STATUS, 1)).toEqual([0x00]);
  });

  it("with BDU holds a new conversion back until the high byte of a half-read axis is read", () => {
    const { rig, field, write, read } = raw({ x: 10, y: 0, z: 0 });
    write(REG_CTRL5, 0x40);
    write(REG_CTRL1, 0xf0 | 0x08); // 40 Hz
    write(REG_CTRL3, 0x00);
    rig.run(25);
    const [lo] = read(REG_OUT_X_L, 1);
    field.x = 20;
    rig.run(25); // a new conversion while X is half read
    const [hi] = read(REG_OUT_X_L + 1, 1);
    expect(((hi! << 8) | lo!) << 16 >> 16).toBe(684); // 10 µT · 68.42: the old word, whole
    expect(read(REG_OUT_X_L | AI, 2)).toEqual([0x58, 0x05]); // 20 µT → 1368 = 0x0558, landed after the high byte
  });

  it("swaps the bytes of each word with BLE", () => {
    const { rig, write, read } = raw({ x: 10, y: 0, z: 0 });
    write(REG_CTRL4, 0x02);
    write(REG_CTRL3, 0x01);
    rig.run(7);
    expect(read(REG_OUT_X_L | AI, 2)).toEqual([0x02, 0xac]); // 684 = 0x02AC, high byte first
  });

  it("writes TEMP_OUT at 8 LSB/°C with 0 at 25 °C when TEMP_EN is set", () => {
    let celsius = 20;
    const { rig, write, read } = raw(undefined, { temperature: () => celsius });
    write(REG_CTRL3, 0x01); // TEMP_EN off (CTRL_REG1 at reset)
    rig.run(7);
    expect(read(REG_TEMP_OUT_L | AI, 2)).toEqual([0, 0]);
    write(REG_CTRL1, 0x90);
    write(REG_CTRL3, 0x01);
    rig.run(7);
    expect(read(REG_TEMP_OUT_L | AI, 2)).toEqual([0xd8, 0xff]); // −40
    celsius = 31.5;
    write(REG_CTRL3, 0x01);
    rig.run(7);
    expect(read(REG_TEMP_OUT_L | AI, 2)).toEqual([0x34, 0x00]); // +52
  });

  it("saturates at the int16 limits and raises INT_SRC.MROI", () => {
    const { rig, write, read } = raw({ x: 0, y: -480, z: 0 }); // −4.8 G · 6842 = −32 842
    write(REG_CTRL3, 0x01);
    rig.run(7);
    expect(read(REG_OUT_X_L + 2 | AI, 2)).toEqual([0x00, 0x80]);
    expect(read(REG_INT_SRC, 1)[0]! & 0x02).toBe(0x02);
  });

  it("soft reset puts the configuration back to its reset values", () => {
    const { write, read } = raw();
    write(REG_CTRL1 | AI, 0xf2, 0x60, 0x00, 0x0c, 0x40);
    expect(read(REG_CTRL1 | AI, 5)).toEqual([0xf2, 0x60, 0x00, 0x0c, 0x40]);
    write(REG_CTRL2, 0x04);
    expect(read(REG_CTRL1 | AI, 5)).toEqual([0x10, 0x00, 0x03, 0x00, 0x00]);
  });
});

describe("LIS3MDL driver against the model", () => {
  it("checks WHO_AM_I, resets, configures, then one single conversion per reading", () => {
    const b = bench();
    b.rig.run(2);
    expect(written(b)).toEqual([
      [REG_WHO_AM_I],
      [REG_CTRL2, 0x04],
      [REG_CTRL4 | AI, 0x0c, 0x40], // OMZ ultra-high, little-endian; BDU
      [REG_CTRL1 | AI, 0xf0, 0x00, 0x03], // TEMP_EN, OM ultra-high, DO 10 Hz; ±4 G; power-down
    ]);
    b.rig.log.length = 0;
    const start = b.rig.engine.now;
    const s = reading(b)!;
    // 30 µT · 68.42 = 2052.6 → 2053 → 30.006 µT; the reading is the field to within half a code.
    expect(Array.from(b.driver.raw.subarray(0, 3))).toEqual([2053, -1368, 3079]);
    expect(s.magnetometer.x).toBe((2053 * 100) / 6842);
    expect(Math.abs(s.magnetometer.y + 20)).toBeLessThan(0.5 / 68.42);
    expect(s.temperature).toBe(20);
    expect(b.sampledAt).toEqual([start + 7097]); // 6.45 ms + 10 %
    expect(written(b)).toEqual([[REG_CTRL4 | AI, 0x0c, 0x40], [REG_CTRL1 | AI, 0xf0, 0x00, 0x01], [REG_STATUS | AI], [REG_TEMP_OUT_L | AI]]);
    expect(b.model.active).toBe(false); // back in power-down by itself
    expect(b.model.activeUs).toBeCloseTo(1e6 / 155, 6); // one ultra-high-performance conversion
    expect(b.errors).toEqual([]);
  });

  it("decodes a reading posted by a user on ST's forum: bytes EB EE 94 07 4A 1E at ±4 G are −4373, 1940, 7754", () => {
    const g = (code: number) => (code / 6842) * 100; // the field that gives exactly this code
    const b = bench({ field: { x: g(-4373), y: g(1940), z: g(7754) } });
    const s = reading(b)!;
    const data = b.rig.log.find((t) => t.op === "read" && t.bytes.length === 7)!;
    expect(Array.from(data.bytes.subarray(1))).toEqual([0xeb, 0xee, 0x94, 0x07, 0x4a, 0x1e]);
    expect(Array.from(b.driver.raw.subarray(0, 3))).toEqual([-4373, 1940, 7754]);
    // The poster's |B| = √(x² + y² + z²)/6842 = 1.33 G.
    const m = s.magnetometer;
    expect(Math.sqrt(m.x * m.x + m.y * m.y + m.z * m.z) / 100).toBeCloseTo(1.33, 2);
  });

  it("refuses another part at the address (a wrong WHO_AM_I) with an identity error", () => {
    const rig = new Rig();
    const w = world({ x: 0, y: 0, z: 0 });
    rig.attach(LIS3MDL_DEFAULT_ADDRESS, new LIS3MDLModel({ now: rig.now, field: w.at, whoAmI: 0x40 }));
    let thrown: unknown;
    try {
      new LIS3MDL({ sensor: rig.sensor(), timer: rig.timers });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SensorError);
    expect((thrown as SensorError).kind).toBe("identity");
    expect((thrown as SensorError).message).toBe("lis3mdl@0x1c: WHO_AM_I 0x40 read from 0x0F, expected 0x3d");
  });

  it("scales by the configured range and mode", () => {
    const b = bench({ field: { x: 100, y: -300, z: 0 } });
    b.driver.configure({ range: 8, mode: "low-power" });
    b.rig.run(2);
    const start = b.rig.engine.now;
    const s = reading(b)!;
    expect(Array.from(b.driver.raw.subarray(0, 3))).toEqual([3421, -10263, 0]);
    expect(s.magnetometer).toEqual({ x: 100, y: -300, z: 0 });
    expect(b.sampledAt[0]! - start).toBe(1100);
  });

  it("fills a caller's object without making a new one", () => {
    const b = bench();
    const into: LIS3MDLSample = { magnetometer: { x: 0, y: 0, z: 0 }, temperature: 0 };
    b.driver.measure();
    b.rig.run(10);
    expect(b.driver.sample(into)).toBe(into);
    expect(into.temperature).toBe(20);
  });

  it("reports a saturated axis as a range error and gives no reading", () => {
    const b = bench({ field: { x: 500, y: 0, z: 0 } }); // 5 G at ±4 G
    expect(reading(b)).toBeUndefined();
    expect(b.errors.map((e) => e.kind)).toEqual(["range"]);
    expect(b.errors[0]!.message).toMatch(/^lis3mdl@0x1c: field out of range on an axis \(32767, 0, 0; ±4 G/);
    b.driver.configure({ range: 8 });
    expect(reading(b)!.magnetometer.x).toBe(500);
  });

  it("the overflow fault is a range error until cleared", () => {
    const b = bench();
    b.model.fault = "overflow";
    expect(reading(b)).toBeUndefined();
    b.model.fault = undefined;
    expect(reading(b)).toBeDefined();
    expect(b.errors.map((e) => e.kind)).toEqual(["range"]);
  });

  it("an absent part: NACKs reported on a timer, never thrown; found once it answers", () => {
    const rig = new Rig();
    const w = world({ x: 1, y: 2, z: 3 });
    rig.attach(LIS3MDL_DEFAULT_ADDRESS, new LIS3MDLModel({ now: rig.now, field: w.at, noise: false }));
    rig.bus.injectNack(LIS3MDL_DEFAULT_ADDRESS);
    const errors: SensorError[] = [];
    const driver = new LIS3MDL({ sensor: rig.sensor(), timer: rig.timers, onError: (e) => errors.push(e) });
    expect(errors).toEqual([]);
    rig.run(1);
    expect(errors.map((e) => e.message)).toEqual(["lis3mdl@0x1c: WHO_AM_I read (0x0F) not acknowledged: I2C: NACK from 0x1c on i2c0 (write 1)"]);
    driver.measure();
    rig.run(20);
    expect(driver.sample()).toBeUndefined();
    expect(errors).toHaveLength(2);
    rig.bus.clearFault(LIS3MDL_DEFAULT_ADDRESS);
    driver.measure();
    rig.run(20);
    expect(driver.sample()!.magnetometer.z).toBeCloseTo(3, 1);
    expect(errors).toHaveLength(2);
  });

  it("polls STATUS_REG again when the data are not yet ready, and reads no data before ZYXDA", () => {
    const b = bench({ model: { timeScale: 1.2 } }); // 7.74 ms conversions, past the 7.10 ms first read
    b.rig.run(2);
    b.rig.log.length = 0;
    const start = b.rig.engine.now;
    expect(reading(b)!.magnetometer.x).toBeCloseTo(30, 1);
    const reads = b.rig.log.filter((t) => t.op === "read").map((t) => [t.at - start, t.bytes.length, t.bytes[0]]);
    expect(reads).toEqual([
      [7097, 7, 0x00],
      [8710, 7, 0x0f],
      [8710, 2, 0xd8],
    ]);
    expect(b.errors).toEqual([]);
  });

  it("gives up after two conversion times without data: a timeout error", () => {
    const b = bench({ model: { timeScale: 3 } });
    expect(reading(b)).toBeUndefined();
    expect(b.errors.map((e) => e.kind)).toEqual(["timeout"]);
    expect(b.errors[0]!.message).toMatch(/no data ready \(STATUS_REG 0x00\) two conversion times/);
  });

  it("counts repeated identical readings: a stuck part", () => {
    const b = bench({ model: { noise: true, seed: 3 } });
    reading(b);
    reading(b);
    expect(b.driver.repeats).toBe(0);
    b.model.fault = "stuck";
    reading(b);
    reading(b);
    expect(b.driver.repeats).toBe(2);
  });

  it("works on after the part lost its configuration between readings, and after a new driver", () => {
    const b = bench();
    reading(b);
    b.model.write(Uint8Array.of(REG_CTRL2, 0x04), true); // back to reset values, as after a power cycle
    expect(b.model.peek(REG_CTRL5)).toBe(0);
    expect(reading(b)!.temperature).toBe(20); // TEMP_EN written again
    expect(b.model.peek(REG_CTRL5)).toBe(0x40);
    expect(b.model.peek(REG_CTRL4)).toBe(0x0c);
    b.driver.close();
    const again = new LIS3MDL({ sensor: b.rig.sensor(), timer: b.rig.timers });
    again.measure();
    b.rig.run(10);
    expect(again.sample()!.magnetometer.z).toBeCloseTo(45, 1);
    expect(b.errors).toEqual([]);
  });

  it("allocates nothing on the sample path, within an XS metering budget (counted on XS; on V8 the same buffers every time)", () => {
    const regs = new Uint8Array(128);
    regs[REG_WHO_AM_I] = 0x3d;
    regs.set([0x0f, 0x05, 0x08, 0xa8, 0xfa, 0x07, 0x0c, 0xd8, 0xff], REG_STATUS); // ZYXDA; 2053, −1368, 3079; TEMP_OUT −40
    const fake = registerBus(regs, 0x7f);
    const d = new LIS3MDL({
      sensor: { io: fake.I2C, data: SDA, clock: SCL, hz: 400_000 },
      timer: fake.timers,
      onSample() {
        fake.state.samples++;
      },
    });
    fake.fire(); // the wait after the soft reset
    const one = () => {
      d.measure(); // configuration, MD = single, and a timer for the conversion
      fake.fire(); // status and data, temperature, onSample
    };
    times(one, 200)(); // warm up
    const run = times(one, 2000);
    const counted = xsCost(run);
    if (counted) {
      expect(counted.slots).toBe(0);
      expect(counted.chunks).toBe(0);
      expect(counted.units / 2000).toBeLessThan(LIS_UNITS_PER_READING);
    } else {
      fake.state.recording = true;
      run();
      expect(fake.state.buffers.size).toBe(5); // two configuration bursts, the register byte, status+data, temperature
    }
    expect(fake.state.samples).toBe(2200);
    expect(d.sample()!.temperature).toBe(20);
    expect(Array.from(d.raw.subarray(0, 3))).toEqual([2053, -1368, 3079]);
  });

  it("validates configure before changing anything, and refuses use after close", () => {
    const b = bench();
    expect(() => b.driver.configure({ range: 8, mode: "fast" as "high" })).toThrow(/mode must be/);
    expect(b.driver.sensitivity).toBe(6842);
    b.driver.close();
    expect(() => b.driver.measure()).toThrow(/closed/);
  });
});

describe("LIS3MDL noise (model)", () => {
  const spread = (mode: "ultra-high" | "low-power", seed: number) => {
    const b = bench({ model: { noise: true, seed } });
    b.driver.configure({ mode });
    const xs: number[] = [];
    for (let i = 0; i < 400; i++) xs.push(reading(b)!.magnetometer.z);
    const mean = xs.reduce((a, v) => a + v, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, v) => a + (v - mean) * (v - mean), 0) / (xs.length - 1));
    return { mean, sd, xs };
  };

  it("has the modelled RMS per mode (3.2 mG in ultra-high performance), zero mean, and is seeded", () => {
    const uhp = spread("ultra-high", 1);
    const lp = spread("low-power", 1);
    // Standard error of the standard deviation of 400 normal draws: 3.5 %; ±10 % is 2.8 of those.
    expect(Math.abs(uhp.sd / (noiseRmsGauss(3) * 100) - 1)).toBeLessThan(0.1);
    expect(Math.abs(lp.sd / (noiseRmsGauss(0) * 100) - 1)).toBeLessThan(0.1);
    expect(noiseRmsGauss(3)).toBe(0.0032);
    expect(Math.abs(uhp.mean - 45)).toBeLessThan(0.05);
    expect(spread("ultra-high", 1).xs).toEqual(uhp.xs);
    expect(spread("ultra-high", 2).xs).not.toEqual(uhp.xs);
  });
});

describe("LIS3MDL as a catalogue part on a simulated node", () => {
  it("declares I2C at 0x1C/0x1E and its defaults once, validated by its own schema", () => {
    const def = getPart("lis3mdl")!;
    expect(def.connection).toEqual({ kind: "i2c", addresses: [0x1c, 0x1e], maxHz: 400_000 });
    expect(def.defaults).toEqual({ ...LIS3MDL_DEFAULTS });
    expect(validate(def.options, def.defaults).issues).toEqual([]);
    expect(validate(def.options, { mode: "turbo" }).issues.map((i) => i.pointer)).toEqual(["/mode"]);
  });

  it("is attached by the factory to the node's I2C bus and reads the field the simulation gives it", () => {
    const part: ResolvedI2CPart = { part: "lis3mdl", io: "i2c", bus: "default", address: 0x1e, data: SDA, clock: SCL, hz: 400_000, options: { ...LIS3MDL_DEFAULTS } };
    const { rig, node, samples } = oneReadingNode("bay-2", (host, b, onSample) =>
      new LIS3MDL({ sensor: { io: b.io, data: b.data, clock: b.clock, hz: part.hz, address: part.address }, timer: host.timer, onSample }),
    );
    const w = world({ x: 28, y: 2, z: 36 });
    const attached = attachModels({ mag: part }, { node, atmosphere: createKunmingWeather({ seed: 1 }), street: { magneticField: w.at, temperature: () => 20 } });
    expect(attached.map((a) => [a.role, a.part])).toEqual([["mag", "lis3mdl"]]);
    node.boot();
    rig.run(100);
    expect(node.crashes).toEqual([]);
    expect(samples).toHaveLength(1);
    // Seeded noise of about 0.3 µT per axis around the field.
    expect(Math.abs(samples[0]!.magnetometer.x - 28)).toBeLessThan(2);
    expect(Math.abs(samples[0]!.magnetometer.z - 36)).toBeLessThan(2);
    expect((attached[0]!.model as LIS3MDLModel).conversions).toBe(1);
  });
});
