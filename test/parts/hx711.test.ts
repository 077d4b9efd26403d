import { describe, expect, it } from "vitest";
import type { Clock } from "../../hal/host.js";
import type { ClockedSerialClass, ClockedSerialOptions, DigitalClass, DigitalOptions } from "../../hal/io.js";
import type { SensorError } from "../../hal/sensor.js";
import type { ResolvedPart } from "../../manifests/schema/config.js";
import { validate } from "../../manifests/schema/builder.js";
import { getPart } from "../../manifests/schema/parts.js";
import { HX711_DEFAULTS } from "../../parts/hx711/config.js";
import { HX711, type HX711Config, type StrainReading } from "../../parts/hx711/driver.js";
import { HX711Model, type HX711ModelOptions } from "../../parts/hx711/model.js";
import { CODE_MAX, CODE_MIN, GAIN, PULSES, codeFromRatio, inputOfPulses, ratioFromCode, signed24 } from "../../parts/hx711/protocol.js";
import { bridgeRatio, strainFromRatio } from "../../parts/strain-bridge/bridge.js";
import { Engine, MS } from "../../simulator/core/engine.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import { makeClockedSerialClass } from "../../simulator/core/io/clocked-serial.js";
import { makeDigitalClass } from "../../simulator/core/io/digital.js";
import { PinWorld } from "../../simulator/core/io/lines.js";
import { PinRegistry } from "../../simulator/core/io/pins.js";
import { attachModels } from "../../simulator/core/parts.js";
import { EngineTimers } from "../../simulator/core/timers.js";
import { DigitalConstants, heldTimers, strainBoard, strainNode, times, xsCost } from "./strain-rig.js";

const PD_SCK = 16;
const DOUT = 17;
const NO_NOISE = { noiseVoltsRms: () => 0 } as const;

/**
 * A board with an HX711 (or nothing) on two GPIOs. `cpuUs` is CPU time that passed inside engine turns: the host
 * clock and the model's pulse timing both include it, so a test can put an interrupt inside a PD_SCK high phase.
 */
class Bench {
  readonly engine = new Engine();
  readonly world = new PinWorld();
  readonly pins = new PinRegistry("bench");
  readonly timers = new EngineTimers(this.engine);
  readonly errors: SensorError[] = [];
  readonly sampleTimes: number[] = [];
  readonly values: number[] = [];
  readonly model: HX711Model | undefined;
  cpuUs = 0;
  strain = 0;
  readonly clock: Clock = {
    ticks: () => Math.floor(this.clock.microseconds() / 1000),
    microseconds: () => this.engine.now + this.cpuUs,
    unixMs: () => 0,
  };
  driver: HX711 | undefined;

  constructor(options: { chip?: boolean; model?: Partial<HX711ModelOptions> } = {}) {
    this.world.line(PD_SCK).set(0); // pulled down on the board until the MCU drives it
    if (options.chip !== false) {
      this.model = new HX711Model({
        engine: this.engine,
        pdSck: this.world.line(PD_SCK),
        dout: this.world.line(DOUT),
        strain: () => this.strain,
        now: () => this.engine.now + this.cpuUs,
        ...options.model,
      });
    }
  }

  get chip(): HX711Model {
    return this.model!;
  }

  /**
   * Start the driver on the simulator's Digital and ClockedSerial; with `stall`, the n-th rising edge of PD_SCK is
   * followed by that many µs of CPU time (an interrupt inside the high phase: a host whose native does not hold
   * interrupts off, or one it cannot hold off).
   */
  start(config: Partial<HX711Config> = {}, stall?: (rise: number) => number): HX711 {
    const bench = this;
    if (stall) {
      let rises = 0;
      this.world.line(PD_SCK).listen((level) => {
        if (level === 1) bench.cpuUs += stall(++rises);
      });
    }
    this.driver = new HX711({
      digital: makeDigitalClass(this.world, this.pins, (fn) => fn()),
      serial: makeClockedSerialClass(this.world, this.pins, () => this.clock.microseconds()),
      pins: { pdSck: PD_SCK, dout: DOUT },
      timer: this.timers,
      clock: this.clock,
      config,
      onSample() {
        bench.sampleTimes.push(bench.engine.now);
        bench.values.push(this.microstrain);
      },
      onError: (e) => this.errors.push(e),
    });
    return this.driver;
  }

  run(ms: number): void {
    this.engine.runUntil(this.engine.now + ms * MS);
  }

  dout(): number {
    return this.world.line(DOUT).level;
  }

  /** `n` PD_SCK pulses from the test itself; the bits DOUT shows after each rising edge. */
  pulses(n: number): number[] {
    const sck = this.world.line(PD_SCK);
    const bits: number[] = [];
    for (let i = 0; i < n; i++) {
      sck.set(1);
      bits.push(this.dout());
      sck.set(0);
    }
    return bits;
  }

  /** Run until DOUT falls (ready); returns the virtual time. */
  untilReady(ms = 200): number {
    const limit = this.engine.now + ms * MS;
    while (this.dout() !== 0 && this.engine.step(limit));
    if (this.dout() !== 0) throw new Error("DOUT did not fall");
    return this.engine.now;
  }

  /** Read one result with `n` pulses: the 24 bits as a signed code. */
  read(n = 25): number {
    this.untilReady();
    let v = 0;
    for (const bit of this.pulses(n).slice(0, 24)) v = (v << 1) | bit;
    return signed24(v);
  }
}

describe("HX711 protocol (datasheet)", () => {
  it("selects the next conversion's input by the pulse count: 25 A/128, 26 B/32, 27 A/64 (Table 3)", () => {
    expect(PULSES).toEqual({ A128: 25, B32: 26, A64: 27 });
    expect([24, 25, 26, 27, 28].map(inputOfPulses)).toEqual([undefined, "A128", "B32", "A64", undefined]);
    expect(GAIN).toEqual({ A128: 128, B32: 32, A64: 64 });
  });

  it("codes ±0.5·AVDD/gain as 7FFFFFh and 800000h: ±20, ±40, ±80 mV at AVDD 5 V, saturating beyond", () => {
    for (const [gain, mv] of [
      [128, 20],
      [64, 40],
      [32, 80],
    ] as const) {
      expect(Math.abs((ratioFromCode(CODE_MAX, gain) * 5 * 1000) / mv - 1)).toBeLessThan(0.025); // 19.5, 39.1, 78.1 mV: the datasheet rounds
      expect(codeFromRatio((0.5 / gain) * (1 - 2 ** -23), gain)).toBe(CODE_MAX);
      expect(codeFromRatio(-0.5 / gain, gain)).toBe(CODE_MIN);
      expect(codeFromRatio(1 / gain, gain)).toBe(CODE_MAX);
      expect(codeFromRatio(-1 / gain, gain)).toBe(CODE_MIN);
    }
    expect([signed24(0x800000), signed24(0x7fffff), signed24(0xffffff), signed24(0x000001)]).toEqual([-8388608, 8388607, -1, 1]);
  });
});

describe("HX711 model", () => {
  it("readies a conversion by DOUT falling; 25 pulses shift the code out MSB first, the 25th pulls DOUT high", () => {
    const b = new Bench({ model: NO_NOISE });
    b.strain = 500;
    expect(b.dout()).toBe(1);
    const ready = b.untilReady();
    expect(ready).toBe(12_500); // 80 SPS from power-on
    const bits = b.pulses(25);
    expect(bits[24]).toBe(1); // the 25th pulse: DOUT back high
    expect(b.dout()).toBe(1);
    let v = 0;
    for (const bit of bits.slice(0, 24)) v = (v << 1) | bit;
    expect(v).toBe(b.chip.lastCode);
    expect(b.chip.reads).toBe(1);
  });

  it("settles over 4 conversions after power-on: 1/4, 1/2, 3/4, then all of the input", () => {
    const b = new Bench({ model: NO_NOISE });
    b.strain = 500;
    const full = codeFromRatio(bridgeRatio("full", 2, 500), 128); // 1 mV/V at gain 128 = 2^24·128/1000
    expect(full).toBe(2_147_484);
    const codes = [b.read(), b.read(), b.read(), b.read(), b.read()];
    expect(codes).toEqual([codeFromRatio(0.00025, 128), codeFromRatio(0.0005, 128), codeFromRatio(0.00075, 128), full, full]);
  });

  it("switches input by the pulse count; fewer than 25 or more than 27 pulses change nothing and are protocol errors", () => {
    const b = new Bench({ model: { ...NO_NOISE, channelB: () => 0.01 } });
    b.strain = 250;
    for (let i = 0; i < 4; i++) b.read();
    b.read(26); // → B/32
    b.untilReady();
    expect(b.chip.input).toBe("B32");
    for (let i = 0; i < 4; i++) b.read(26);
    expect(b.read(26)).toBe(codeFromRatio(0.01 / 3.3, 32)); // settled on channel B at gain 32
    b.read(27); // → A/64
    b.untilReady();
    expect(b.chip.input).toBe("A64");
    for (let i = 0; i < 4; i++) b.read(27);
    expect(b.read(27)).toBe(codeFromRatio(bridgeRatio("full", 2, 250), 64));
    b.read(24); // one short: a communication error, the input stays
    b.untilReady();
    expect([b.chip.input, b.chip.protocolErrors]).toEqual(["A64", 1]);
    b.read(28); // one too many
    b.untilReady();
    expect([b.chip.input, b.chip.protocolErrors]).toEqual(["A64", 2]);
    b.read(25);
    b.untilReady();
    expect(b.chip.input).toBe("A128");
  });

  it("keeps DOUT low through a conversion nobody read: the new result replaces it without a second falling edge", () => {
    const b = new Bench({ model: NO_NOISE });
    let falls = 0;
    b.world.line(DOUT).listen((level) => {
      if (level === 0) falls++;
    });
    b.run(100);
    expect(b.chip.conversions).toBe(8);
    expect([falls, b.chip.unreadConversions]).toEqual([1, 7]);
  });

  it("keeps its supply for the energy estimate: chip and bridge while powered, 1 µA powered down", () => {
    // 1.5 mA (the datasheet's bound for the chip) + the full bridge on AVDD: 3.3 V over 350 Ω, 9.43 mA.
    const b = new Bench({ model: { ...NO_NOISE, excitationVolts: 3.3, bridgeOhms: 350 } });
    b.run(1000);
    const sck = b.world.line(PD_SCK);
    sck.set(1);
    b.run(500); // powered down from 61 µs after the rise
    sck.set(0);
    b.run(500);
    const [up, down] = b.chip.residency();
    expect(up!.milliamps).toBeCloseTo(1.5 + 3300 / 350, 6);
    expect(down!.milliamps).toBe(0.001);
    expect(down!.us).toBe(500_000 - 61);
    expect(up!.us).toBe(1_500_000 + 61);
    expect(up!.milliampSeconds).toBeCloseTo((up!.milliamps * up!.us) / 1e6, 9);
  });

  it("powers down when PD_SCK stays high over 60 µs, and resets to A/128 when it goes low", () => {
    const b = new Bench({ model: NO_NOISE });
    b.read(27); // A/64 next
    b.untilReady();
    expect(b.chip.input).toBe("A64");
    const sck = b.world.line(PD_SCK);
    sck.set(1);
    b.engine.runUntil(b.engine.now + 60);
    expect(b.chip.powered).toBe(true);
    b.engine.runUntil(b.engine.now + 2);
    expect([b.chip.powered, b.dout(), b.chip.powerDowns]).toEqual([false, 1, 1]);
    const conversions = b.chip.conversions;
    b.run(100);
    expect(b.chip.conversions).toBe(conversions);
    sck.set(0);
    const wake = b.engine.now;
    expect([b.chip.powered, b.chip.input, b.chip.resets]).toEqual([true, "A128", 1]);
    expect(b.untilReady() - wake).toBe(12_500);
  });

  it("resets when a pulse inside one turn lasted over 60 µs (CPU time), and only counts one of 50–60 µs", () => {
    const b = new Bench({ model: NO_NOISE });
    b.untilReady();
    const sck = b.world.line(PD_SCK);
    sck.set(1);
    b.cpuUs += 55;
    sck.set(0);
    expect([b.chip.timingViolations, b.chip.powerDowns]).toEqual([1, 0]);
    sck.set(1);
    b.cpuUs += 80;
    sck.set(0);
    expect([b.chip.powerDowns, b.chip.resets, b.dout()]).toEqual([1, 1, 1]);
  });

  it("saturates an open bridge at positive full scale", () => {
    const b = new Bench({ model: NO_NOISE });
    b.chip.fault = "open";
    expect(b.read()).toBe(CODE_MAX);
  });
});

describe("HX711 driver against the model", () => {
  it("waits out the settling time, then reads every conversion at 80 SPS on DOUT's falling edge with 25 pulses", () => {
    const b = new Bench();
    b.strain = 300;
    let rises = 0;
    b.world.line(PD_SCK).listen((level) => {
      if (level) rises++;
    });
    const d = b.start();
    b.run(1000);
    expect(b.errors).toEqual([]);
    expect(b.sampleTimes[0]).toBe(50_000); // 4 conversions: the 50 ms settling time at 80 SPS
    expect(b.sampleTimes.length).toBe(77); // 50 ms … 1000 ms every 12.5 ms
    for (let i = 1; i < b.sampleTimes.length; i++) expect(b.sampleTimes[i]! - b.sampleTimes[i - 1]!).toBe(12_500);
    expect(rises).toBe(25 * b.chip.reads);
    expect(b.chip.reads).toBe(80); // every conversion read, the 3 settling ones too
    expect([b.chip.unreadConversions, b.chip.protocolErrors, b.chip.timingViolations]).toEqual([0, 0, 0]);
    // 90 nV RMS over 3.3 V and 2 mV/V per 1000 µε: 0.014 µε RMS.
    for (const v of b.values) expect(Math.abs(v - 300)).toBeLessThan(0.1);
    const r: StrainReading = { microstrain: 0, ratio: 0, code: 0, atUs: 0, temperature: 0, count: 0 };
    expect(d.readInto(r)).toBe(true);
    expect([r.count, r.atUs]).toEqual([77, 1_000_000]);
    expect(Number.isNaN(r.temperature)).toBe(true); // the HX711 has no temperature sensor
    expect(Math.abs(r.ratio - bridgeRatio("full", 2, 300))).toBeLessThan(1e-7);
    expect(d.sample()!.strainGauge.strain).toBe(d.microstrain);
  });

  it("A/64: the first read switches the input with 27 pulses; samples start once that has settled", () => {
    const b = new Bench();
    b.strain = -800;
    b.start({ input: "A64" });
    b.run(500);
    expect(b.chip.input).toBe("A64");
    expect(b.sampleTimes[0]).toBe(12_500 + 50_000);
    for (const v of b.values) expect(Math.abs(v + 800)).toBeLessThan(0.1);
  });

  it("B/32 reads channel B", () => {
    const b = new Bench({ model: { channelB: () => 0.02 } });
    const d = b.start({ input: "B32" });
    b.run(300);
    const r: StrainReading = { microstrain: 0, ratio: 0, code: 0, atUs: 0, temperature: 0, count: 0 };
    expect(d.readInto(r)).toBe(true);
    expect(Math.abs(r.ratio - 0.02 / 3.3)).toBeLessThan(1e-7);
  });

  it("discards a read when an interrupt held PD_SCK high 80 µs: the chip powered down and reset; samples resume after settling", () => {
    const b = new Bench();
    b.strain = 150;
    const d = b.start({}, (rise) => (rise === 25 * 10 + 5 ? 80 : 0));
    b.run(1000);
    expect(b.chip.powerDowns).toBe(1);
    expect(d.timingViolations).toBe(1);
    expect(b.errors.map((e) => [e.kind, e.message])).toEqual([
      ["state", "hx711@dout17: PD_SCK stayed high 80 µs during a read (at most 50 µs; beyond 60 µs the chip powers down and resets): reading discarded, settling 50 ms"],
    ]);
    for (const v of b.values) expect(Math.abs(v - 150)).toBeLessThan(0.1); // nothing garbled got through
    const violationAt = 11 * 12_500; // the 11th read (reads start at the first conversion, settling or not)
    const after = b.sampleTimes.filter((t) => t > violationAt);
    expect(after[0]! - violationAt).toBeGreaterThanOrEqual(50_000);
    expect(after.length).toBeGreaterThan(50);
  });

  it("discards a read with a 55 µs pulse too (out of the datasheet's range), though the chip kept running", () => {
    const b = new Bench();
    b.strain = 150;
    const d = b.start({}, (rise) => (rise === 200 ? 55 : 0));
    b.run(500);
    expect([b.chip.powerDowns, b.chip.timingViolations, d.timingViolations]).toEqual([0, 1, 1]);
    expect(b.errors.map((e) => e.kind)).toEqual(["state"]);
  });

  it("reads a result whose edge came before it started listening (DOUT already low) from its watchdog", () => {
    const b = new Bench();
    b.strain = 42;
    b.run(20); // a conversion is ready and unread: DOUT is low, and stays low
    expect(b.dout()).toBe(0);
    b.start();
    b.run(500);
    expect(b.chip.reads).toBeGreaterThan(30);
    expect(b.values.length).toBeGreaterThan(30);
    for (const v of b.values) expect(Math.abs(v - 42)).toBeLessThan(0.1);
  });

  it("reports an absent chip once: DOUT never goes low", () => {
    const b = new Bench({ chip: false });
    const d = b.start();
    b.run(2000);
    expect(d.count).toBe(0);
    expect(b.errors.map((e) => [e.kind, e.message])).toEqual([
      ["timeout", "hx711@dout17: DOUT has not gone low for 96 ms: HX711 absent or unpowered, DOUT not wired, or PD_SCK held high"],
    ]);
  });

  it("reports an open bridge's saturated input as a range error, not a sample", () => {
    const b = new Bench();
    b.strain = 10;
    const d = b.start();
    b.run(200);
    const n = d.count;
    b.chip.fault = "open";
    b.run(200);
    expect(d.count).toBe(n);
    expect(b.errors[0]!.message).toBe("hx711@dout17: input saturated (code 7fffffh): bridge open or strained beyond ±0.5·AVDD/128");
  });

  it("powers the chip down between readings and back up, settling again", () => {
    const b = new Bench();
    b.strain = 5;
    const d = b.start();
    b.run(100);
    d.powerDown();
    b.run(500);
    expect(b.chip.powered).toBe(false);
    const n = d.count;
    const up = b.engine.now;
    d.powerUp();
    b.run(200);
    expect(b.chip.resets).toBe(1);
    expect(d.count).toBeGreaterThan(n);
    expect(b.sampleTimes.find((t) => t > up)! - up).toBe(50_000);
  });

  it("reads through the simulator's ClockedSerial: two writes a pulse, MSB first, each high phase timed; bad calls named", () => {
    const b = new Bench({ model: NO_NOISE });
    b.strain = 700;
    const Serial = makeClockedSerialClass(b.world, b.pins, () => b.clock.microseconds());
    const s = new Serial({ clock: PD_SCK, data: DOUT });
    b.untilReady();
    const writes = b.world.writes;
    const code = signed24(s.read(24, 1));
    expect(b.world.writes - writes).toBe(50);
    expect(code).toBe(b.chip.lastCode);
    expect(s.highUs).toBe(0);
    expect(() => s.read(0)).toThrow("ClockedSerial(16): bits must be an integer 1…32, got 0");
    expect(() => s.read(24, 20)).toThrow("ClockedSerial(16): extraPulses must be an integer 0…16, got 20");
    const Digital = makeDigitalClass(b.world, b.pins, (fn) => fn());
    expect(() => new Digital({ pin: PD_SCK, mode: Digital.Output })).toThrow("bench: Digital(16) cannot open GPIO16: it is already in use by ClockedSerial(16)");
    expect(() => new Serial({ clock: 3, data: 3 })).toThrow("ClockedSerial: clock and data are the same pin (3)");
    s.close();
    expect(() => s.read(24)).toThrow("ClockedSerial(16): closed");
  });

  it("validates its options naming the field", () => {
    const b = new Bench();
    expect(() => b.start({ rate: 40 as never })).toThrow("hx711: rate must be 10 or 80 SPS (the RATE pin), got 40");
    expect(() => b.start({ input: "A32" as never })).toThrow("hx711: input must be one of A128, B32, A64, got A32");
    expect(() => b.start({ excitationVolts: 12 })).toThrow("hx711: excitationVolts (AVDD) must be 2.6…5.5 V, got 12");
  });

  it("allocates nothing on the sample path, within an XS metering budget (counted on XS; on V8 nothing new reaches the device)", () => {
    const fake = fakeHx711(0x123456);
    const d = new HX711({
      digital: fake.Digital,
      serial: fake.ClockedSerial,
      pins: { pdSck: PD_SCK, dout: DOUT },
      timer: fake.timers,
      clock: fake.clock,
      onSample() {
        fake.samples++;
      },
    });
    const ready = fake.ready!;
    fake.advance(60_000); // past the settling time
    times(ready, 200)(); // warm up
    const run = times(ready, 2000);
    const counted = xsCost(run);
    if (counted) {
      expect(counted.slots).toBe(0);
      expect(counted.chunks).toBe(0);
      // And its cost, stand-in IO included: a budget in XS metering units per read (the train is one native call:
      // it was 4000 when the driver made the 25 pulses from JavaScript).
      expect(counted.units / 2000).toBeLessThan(1500);
    } else {
      // The driver's only outputs are numbers and pin writes: count the objects the stand-ins ever received.
      fake.objects.clear();
      run();
      expect(fake.objects.size).toBe(0);
    }
    expect(fake.samples).toBe(2200);
    expect(d.microstrain).toBe(strainFromRatio("full", 2, ratioFromCode(0x123456, 128)));
  });

  it("is wired by the simulator's part factory: DOUT as the part's pin, PD_SCK as pins.pd_sck", () => {
    const engine = new Engine();
    const board = strainBoard();
    const def = getPart("hx711")!;
    expect(validate(def.options, {}).issues).toEqual([]);
    expect(def.defaults).toEqual({ ...HX711_DEFAULTS });
    const part = { part: "hx711", io: "digital-edge", pin: DOUT, edge: "falling", pull: "none", options: { ...HX711_DEFAULTS }, pins: { pd_sck: PD_SCK } } as ResolvedPart;
    const values: number[] = [];
    const node = strainNode(engine, "strain-2", board, (host) => {
      const d = new HX711({
        digital: host.io.Digital,
        serial: host.io.ClockedSerial,
        pins: { pdSck: PD_SCK, dout: DOUT },
        timer: host.timer,
        clock: host.clock,
        onSample() {
          values.push(this.microstrain);
        },
      });
      return { stats: () => ({ samples: d.count }) };
    });
    const atmosphere = createKunmingWeather({ seed: 1 });
    const structure = { strain: () => -333, temperature: () => 18, deckTemperature: () => 17.7 };
    expect(() => attachModels({ strain: { ...part, pins: {} } as ResolvedPart }, { node, atmosphere, structure })).toThrow(
      'hx711 (role strain): pin "pd_sck" is not wired (resolved config pins.pd_sck)',
    );
    expect(() => attachModels({ strain: part }, { node, atmosphere })).toThrow("hx711 (role strain): the scenario gives no structure");
    expect(attachModels({ strain: part }, { node, atmosphere, structure }).map((a) => a.part)).toEqual(["hx711"]);
    node.boot();
    engine.runUntil(500 * MS);
    expect(node.crashes).toEqual([]);
    expect(values.length).toBeGreaterThan(30);
    for (const v of values) expect(Math.abs(v + 333)).toBeLessThan(0.1);
  });
});

/** ECMA-419 Digital, timers and clock that allocate nothing once made: an HX711 that always answers `code`. */
function fakeHx711(code: number) {
  const objects = new Set<unknown>();
  const state = { samples: 0, ready: undefined as (() => void) | undefined, bit: 0, us: 0 };
  class FakeDigital extends DigitalConstants {
    constructor(o: DigitalOptions) {
      super(o);
      if (o.onReadable) state.ready = o.onReadable as () => void;
    }
    read(): number {
      // DOUT: low (ready) before the train, high after it.
      return state.bit === 0 ? 0 : 1;
    }
    write(v: unknown): void {
      objects.add(v);
    }
  }
  /** The native train's stand-in: the code's bits as a host would shift them in. */
  class FakeClockedSerial {
    highUs = 0;
    constructor(_o: ClockedSerialOptions) {}
    read(bits: unknown, extra: unknown): number {
      if (bits !== 24 || extra !== 1) objects.add(bits);
      state.bit += 25;
      return code & 0xffffff;
    }
    write(v: unknown): void {
      if (v !== 0 && v !== 1) objects.add(v);
    }
    close(): void {}
  }
  const clock: Clock = { ticks: () => 0, microseconds: () => state.us, unixMs: () => 0 };
  return {
    Digital: FakeDigital as unknown as DigitalClass,
    ClockedSerial: FakeClockedSerial as unknown as ClockedSerialClass,
    timers: heldTimers().timers,
    clock,
    objects,
    get samples() {
      return state.samples;
    },
    set samples(n: number) {
      state.samples = n;
    },
    get ready() {
      // Each call is a new conversion: the shift position starts over.
      const fire = state.ready!;
      return () => {
        state.bit = 0;
        state.us += 12_500;
        fire();
      };
    },
    advance(us: number) {
      state.us += us;
    },
  };
}
