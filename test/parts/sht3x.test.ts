import { describe, expect, it } from "vitest";
import { crc8Sensirion } from "../../parts/crc/crc8.js";
import { SHT3x } from "../../parts/sht3x/driver.js";
import { SHT3xModel } from "../../parts/sht3x/model.js";
import type { SensorError } from "../../hal/sensor.js";
import { Rig } from "./rig.js";

const T_LSB = 175 / 65535; // °C per code
const RH_LSB = 100 / 65535; // %RH per code

function bench(modelOptions: Partial<ConstructorParameters<typeof SHT3xModel>[0]> = {}) {
  const rig = new Rig();
  const model = new SHT3xModel({ now: rig.now, air: rig.airAt, ...modelOptions });
  rig.attach(0x44, model);
  const errors: SensorError[] = [];
  let samples = 0;
  const driver = new SHT3x({
    sensor: rig.sensor(),
    timer: rig.timers,
    onSample: () => samples++,
    onError: (e) => errors.push(e),
  });
  return { rig, model, driver, errors, samples: () => samples };
}

describe("Sensirion CRC-8", () => {
  it("matches the datasheet example CRC(0xBE, 0xEF) = 0x92 (SHT3x-DIS Table 20)", () => {
    expect(crc8Sensirion(Uint8Array.of(0xbe, 0xef))).toBe(0x92);
  });

  it("is the plain MSB-first CRC with poly 0x31, init 0xFF (cross-check against a bit-serial reference)", () => {
    // Independent formulation: feed bits one at a time through a shift register.
    const reference = (bytes: number[]): number => {
      let reg = 0xff;
      for (const byte of bytes) {
        for (let i = 7; i >= 0; i--) {
          const top = ((reg >> 7) & 1) ^ ((byte >> i) & 1);
          reg = ((reg << 1) & 0xff) ^ (top ? 0x31 : 0);
        }
      }
      return reg;
    };
    for (let a = 0; a < 256; a += 7) for (let b = 0; b < 256; b += 11) expect(crc8Sensirion(Uint8Array.of(a, b))).toBe(reference([a, b]));
    // With offset and length, as the driver uses it on the second word.
    expect(crc8Sensirion(Uint8Array.of(1, 2, 3, 0xbe, 0xef, 4), 3, 2)).toBe(0x92);
  });
});

describe("SHT3x model (register level)", () => {
  it("NACKs the read header while a single shot without stretching runs, then returns T, RH with valid CRCs", () => {
    const rig = new Rig();
    rig.air = { temperature: 23.7, humidity: 65.6, pressure: 80_000 };
    const model = new SHT3xModel({ now: rig.now, air: rig.airAt, timing: "max" });
    rig.attach(0x44, model);
    expect(rig.bus.write(0x44, Uint8Array.of(0x24, 0x00), true)).toBe(true);
    expect(rig.bus.read(0x44, 6, true)).toBeNull(); // still measuring
    expect(rig.bus.write(0x44, Uint8Array.of(0x30, 0x66), true)).toBe(false); // any header is NACKed while busy
    rig.run(14.999);
    expect(rig.bus.read(0x44, 6, true)).toBeNull();
    rig.run(0.001);
    const rx = rig.bus.read(0x44, 6, true)!;
    expect(rx).not.toBeNull();
    expect(crc8Sensirion(rx, 0, 2)).toBe(rx[2]);
    expect(crc8Sensirion(rx, 3, 2)).toBe(rx[5]);
    const sT = (rx[0]! << 8) | rx[1]!;
    const sRH = (rx[3]! << 8) | rx[4]!;
    expect(Math.abs(-45 + sT * T_LSB - 23.7)).toBeLessThanOrEqual(T_LSB / 2);
    expect(Math.abs(sRH * RH_LSB - 65.6)).toBeLessThanOrEqual(RH_LSB / 2);
    // The result is read once: no data left.
    expect(rig.bus.read(0x44, 6, true)).toBeNull();
  });

  it("measures for the typical durations by default (12.5 / 4.5 / 2.5 ms)", () => {
    const rig = new Rig();
    const model = new SHT3xModel({ now: rig.now, air: rig.airAt });
    rig.attach(0x44, model);
    for (const [cmd, ms] of [[0x2400, 12.5], [0x240b, 4.5], [0x2416, 2.5]] as const) {
      rig.bus.write(0x44, Uint8Array.of(cmd >> 8, cmd & 0xff), true);
      rig.run(ms - 0.001);
      expect(rig.bus.read(0x44, 6, true)).toBeNull();
      rig.run(0.001);
      expect(rig.bus.read(0x44, 6, true)).not.toBeNull();
    }
  });

  it("decodes status, heater, clear status, soft reset and rejects unknown commands", () => {
    const rig = new Rig();
    const model = new SHT3xModel({ now: rig.now, air: rig.airAt });
    rig.attach(0x44, model);
    const status = (): number => {
      expect(rig.bus.write(0x44, Uint8Array.of(0xf3, 0x2d), true)).toBe(true);
      const rx = rig.bus.read(0x44, 3, true)!;
      expect(crc8Sensirion(rx, 0, 2)).toBe(rx[2]);
      return (rx[0]! << 8) | rx[1]!;
    };
    expect(status()).toBe(0x8010); // after power-up: alert pending (bit 15), reset detected (bit 4)
    rig.bus.write(0x44, Uint8Array.of(0x30, 0x41), true); // clear status
    expect(status()).toBe(0x0000);
    rig.bus.write(0x44, Uint8Array.of(0x30, 0x6d), true); // heater on
    expect(status() & 0x2000).toBe(0x2000);
    rig.bus.write(0x44, Uint8Array.of(0x30, 0x66), true); // heater off
    expect(status() & 0x2000).toBe(0);
    expect(rig.bus.write(0x44, Uint8Array.of(0x12, 0x34), true)).toBe(false); // unknown command: NACK
    expect(status()).toBe(0x0002); // command status: last command not processed
    rig.bus.write(0x44, Uint8Array.of(0x30, 0x66), true);
    expect(status()).toBe(0x0000);
    rig.bus.write(0x44, Uint8Array.of(0x30, 0x6d), true);
    rig.bus.write(0x44, Uint8Array.of(0x30, 0xa2), true); // soft reset: heater off, reset detected, busy for a while
    expect(rig.bus.write(0x44, Uint8Array.of(0xf3, 0x2d), true)).toBe(false);
    rig.run(1.5);
    expect(status()).toBe(0x8010);
  });

  it("break stops periodic mode; fetch returns each periodic result once", () => {
    const rig = new Rig();
    const model = new SHT3xModel({ now: rig.now, air: rig.airAt });
    rig.attach(0x44, model);
    rig.bus.write(0x44, Uint8Array.of(0x21, 0x30), true); // 1 mps, high repeatability
    expect(rig.bus.write(0x44, Uint8Array.of(0x24, 0x00), true)).toBe(false); // single shot needs a break first
    rig.run(20);
    rig.bus.write(0x44, Uint8Array.of(0xe0, 0x00), true);
    expect(rig.bus.read(0x44, 6, true)).not.toBeNull();
    rig.bus.write(0x44, Uint8Array.of(0xe0, 0x00), true);
    expect(rig.bus.read(0x44, 6, true)).toBeNull(); // nothing new yet
    rig.run(1000);
    rig.bus.write(0x44, Uint8Array.of(0xe0, 0x00), true);
    expect(rig.bus.read(0x44, 6, true)).not.toBeNull();
    rig.bus.write(0x44, Uint8Array.of(0x30, 0x93), true); // break
    expect(rig.bus.write(0x44, Uint8Array.of(0x24, 0x00), true)).toBe(true);
  });
});

describe("SHT3x driver against the model", () => {
  it("reads T and RH within one code of the true air, with ECMA-419 compound keys, a new object each time", () => {
    const { rig, driver, errors, samples } = bench();
    expect(driver.sample()).toBeUndefined();
    for (const [temperature, humidity] of [[-20, 10], [0, 100], [23.7, 65.6], [40, 35.25], [-40, 0]] as const) {
      rig.air = { temperature, humidity, pressure: 81_000 };
      driver.measure();
      rig.run(20);
      const s = driver.sample()!;
      expect(Object.keys(s).sort()).toEqual(["hygrometer", "thermometer"]);
      expect(Math.abs(s.thermometer.temperature - temperature)).toBeLessThanOrEqual(T_LSB / 2 + 1e-9);
      expect(Math.abs(s.hygrometer.humidity - humidity)).toBeLessThanOrEqual(RH_LSB / 2 + 1e-9);
      expect(driver.sample()).not.toBe(s);
      expect(driver.sample()).toEqual(s);
    }
    expect(samples()).toBe(5);
    expect(errors).toEqual([]);
  });

  it("soft-resets at construction, sends 0x2400 without stretching and waits exactly the maximum 15 / 6 / 4 ms", () => {
    const { rig, driver, model } = bench();
    expect(Array.from(rig.log[0]!.bytes)).toEqual([0x30, 0xa2]);
    driver.measure(); // during the reset wait: deferred, not lost
    rig.run(30);
    for (const [repeatability, command, ms] of [["high", 0x2400, 15], ["medium", 0x240b, 6], ["low", 0x2416, 4]] as const) {
      driver.configure({ repeatability });
      expect(driver.conversionMs).toBe(ms);
      const from = rig.log.length;
      driver.measure();
      rig.run(30);
      const [cmd, read] = rig.log.slice(from);
      expect(Array.from(cmd!.bytes)).toEqual([command >> 8, command & 0xff]);
      expect(read!.op).toBe("read");
      expect(read!.ack).toBe(true);
      expect(read!.at - cmd!.at).toBe(ms * 1000);
    }
    expect(model.stretchedUs).toBe(0);
    expect(model.nackedReads).toBe(0);
  });

  it("a wrong CRC rejects the reading and is reported through onError; the next reading is fine", () => {
    const { rig, driver, model, errors } = bench();
    rig.run(2);
    driver.measure();
    rig.run(20);
    expect(driver.sample()).toBeDefined();
    model.fault = "crc";
    let during = 0;
    driver.measure();
    rig.run(20);
    during = errors.length;
    expect(during).toBe(1);
    expect(errors[0]!.kind).toBe("crc");
    expect(errors[0]!.part).toBe("sht3x@0x44");
    expect(driver.sample()).toBeUndefined(); // no value from that conversion
    model.fault = undefined;
    driver.measure();
    rig.run(20);
    expect(errors.length).toBe(1);
    expect(driver.sample()!.thermometer.temperature).toBeCloseTo(20, 2);
  });

  it("an I2C NACK is reported asynchronously (never inside measure()), and the node keeps running", () => {
    const { rig, driver, errors, samples } = bench();
    rig.run(2);
    // A node loop: measure every second, as a device would.
    rig.timers.set(() => driver.measure(), 1000, 1000);
    rig.run(3020); // loop turns at 1002, 2002, 3002 ms, each result 15 ms later
    expect(samples()).toBe(3);
    rig.bus.injectNack(0x44, rig.engine.now + 2500 * 1000);
    expect(() => driver.measure()).not.toThrow();
    expect(errors).toEqual([]); // not from inside measure()
    rig.run(1);
    expect(errors.length).toBe(1);
    expect(errors[0]!.kind).toBe("nack");
    rig.run(3000);
    expect(errors.every((e) => e.kind === "nack")).toBe(true);
    expect(errors.length).toBe(3); // the explicit measure and two loop turns fell inside the fault window
    expect(samples()).toBe(4); // and the loop recovered on its own
    expect(driver.sample()).toBeDefined();
  });

  it("a NACK on the result read (part dropped off the bus mid-conversion) is reported and recovered", () => {
    const { rig, driver, errors } = bench();
    rig.run(2);
    driver.measure();
    rig.run(5);
    rig.bus.injectNack(0x44, rig.engine.now + 20_000);
    rig.run(20);
    expect(errors.map((e) => e.kind)).toEqual(["nack"]);
    expect(errors[0]!.message).toMatch(/read of the measurement result/);
    expect(driver.sample()).toBeUndefined();
    driver.measure();
    rig.run(20);
    expect(driver.sample()).toBeDefined();
  });

  it("configure({heater}) drives the heater, deferred while a conversion runs; close() makes methods throw", () => {
    const { rig, driver, model, errors } = bench();
    rig.run(2);
    driver.configure({ heater: true });
    expect(model.heater).toBe(true);
    driver.measure();
    driver.configure({ heater: false }); // the sensor is busy: applied before the next measurement
    expect(model.heater).toBe(true);
    rig.run(20);
    driver.measure();
    expect(model.heater).toBe(false);
    rig.run(20);
    expect(errors).toEqual([]);
    expect(() => driver.configure({ repeatability: "fast" as never })).toThrow(RangeError);
    driver.close();
    driver.close();
    expect(() => driver.measure()).toThrow(/closed/);
    expect(() => driver.sample()).toThrow(/closed/);
  });
});
