import { describe, expect, it } from "vitest";
import type { Clock } from "../../hal/host.js";
import type { DigitalClass, DigitalOptions, SPIClass, SPIOptions } from "../../hal/io.js";
import type { SensorError } from "../../hal/sensor.js";
import type { ResolvedSPIPart } from "../../manifests/schema/config.js";
import { validate } from "../../manifests/schema/builder.js";
import { getPart } from "../../manifests/schema/parts.js";
import { ADS1220, type ADS1220Config, type StrainReading } from "../../parts/ads1220/driver.js";
import { ADS1220_DEFAULTS } from "../../parts/ads1220/config.js";
import { ADS1220Model, type ADS1220ModelOptions } from "../../parts/ads1220/model.js";
import {
  CMD_POWERDOWN,
  CMD_RDATA,
  CMD_RESET,
  CMD_START_SYNC,
  CODE_MAX,
  CODE_MIN,
  DATA_RATES,
  codeFromBytes,
  codeFromRatio,
  codeFromTemperature,
  commandOf,
  conversionUs,
  decodeRegisters,
  encodeRegisters,
  ratioFromCode,
  rreg,
  temperatureFromCode,
  wreg,
  type RegisterFields,
} from "../../parts/ads1220/registers.js";
import { bridgeRatio, strainFromRatio, type BridgeType } from "../../parts/strain-bridge/bridge.js";
import { SPIBusSim, type SPITransaction } from "../../simulator/core/buses/spi.js";
import { Engine, MS } from "../../simulator/core/engine.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import { makeDigitalClass } from "../../simulator/core/io/digital.js";
import { PinWorld } from "../../simulator/core/io/lines.js";
import { PinRegistry } from "../../simulator/core/io/pins.js";
import { makeSPIClass } from "../../simulator/core/io/spi.js";
import { attachModels } from "../../simulator/core/parts.js";
import { EngineClock, EngineTimers } from "../../simulator/core/timers.js";
import { DigitalConstants, heldTimers, strainBoard, strainNode, times, xsCost } from "./strain-rig.js";

// ESP32-style wiring: VSPI and two GPIOs.
const SCK = 18;
const MISO = 19;
const MOSI = 23;
const CS = 5;
const DRDY = 4;
const SCLK_HZ = 4_000_000;

/** One board: an SPI bus with an ADS1220 (or nothing) on CS, its DRDY line, the world's strain and temperature. */
class Bench {
  readonly engine = new Engine();
  readonly world = new PinWorld();
  readonly pins = new PinRegistry("bench");
  readonly bus = new SPIBusSim("spi", () => this.engine.now);
  readonly log: SPITransaction[] = [];
  readonly timers = new EngineTimers(this.engine);
  readonly clock = new EngineClock(this.engine, 0, 0);
  readonly errors: SensorError[] = [];
  readonly sampleTimes: number[] = [];
  readonly values: number[] = [];
  readonly model: ADS1220Model | undefined;
  /** µε at the gauges, as a function of virtual time. */
  strainAt: (t: number) => number = () => 0;
  celsius = 21.5;
  driver: ADS1220 | undefined;

  constructor(options: { chip?: boolean; drdyPin?: number; model?: Partial<ADS1220ModelOptions> } = {}) {
    this.bus.recorder = (t) => this.log.push(t);
    if (options.chip !== false) {
      this.model = new ADS1220Model({
        engine: this.engine,
        drdy: this.world.line(options.drdyPin ?? DRDY),
        strain: (t) => this.strainAt(t),
        temperature: () => this.celsius,
        sclkHz: SCLK_HZ,
        ...options.model,
      });
      this.bus.attach(CS, this.model);
    }
  }

  get chip(): ADS1220Model {
    return this.model!;
  }

  start(config: Partial<ADS1220Config> = {}, spiClass?: SPIClass): ADS1220 {
    const SPI = spiClass ?? makeSPIClass([{ clock: SCK, in: MISO, out: MOSI, bus: this.bus }], this.pins);
    const Digital = makeDigitalClass(this.world, this.pins, (fn) => fn());
    const bench = this;
    this.driver = new ADS1220({
      spi: { io: SPI, clock: SCK, in: MISO, out: MOSI, hz: SCLK_HZ },
      digital: Digital,
      pins: { cs: CS, drdy: DRDY },
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

  /** One transaction on the bus, as a driver would send it (mode 1 unless told). */
  xfer(bytes: number[], mode = 1): number[] {
    return [...this.bus.exchange(CS, Uint8Array.from(bytes), mode)];
  }

  drdy(): number {
    return this.world.line(DRDY).level;
  }

  /** Run until DRDY falls (at most `ms`); returns the virtual time it fell. */
  untilDrdyFalls(ms = 200): number {
    const limit = this.engine.now + ms * MS;
    while (this.drdy() !== 0 && this.engine.step(limit));
    if (this.drdy() !== 0) throw new Error("DRDY did not fall");
    return this.engine.now;
  }
}

const NO_NOISE = { noiseVoltsRms: () => 0 } as const;
const TWO23 = 8388608;

/** The registers the driver writes by default: AIN1–AIN2, gain 128, 20 SPS normal continuous, REFP0, 50/60 Hz. */
const DEFAULT_REGS = [0x3e, 0x04, 0x50, 0x00];

function fields(over: Partial<RegisterFields> = {}): RegisterFields {
  return {
    mux: 3,
    gain: 128,
    pgaBypass: false,
    dataRate: 20,
    mode: "normal",
    continuous: false,
    temperatureSensor: false,
    burnout: false,
    reference: "refp0",
    rejection: "off",
    lowSideSwitch: false,
    idacMicroamps: 0,
    idac1: 0,
    idac2: 0,
    drdyOnDout: false,
    ...over,
  };
}

function regBytes(over: Partial<RegisterFields> = {}): number[] {
  return [...encodeRegisters(fields(over), new Uint8Array(4))];
}

describe("strain-gauge bridges (Vout/Vex from ΔR/R = GF·ε)", () => {
  /** The bridge solved from its four resistances as two dividers, independently of bridge.ts. */
  function fromResistors(type: BridgeType, gf: number, microstrain: number): number {
    const d = gf * microstrain * 1e-6;
    const r = 350;
    const up = r * (1 + d);
    const down = r * (1 - d);
    // Left divider (− output) and right divider (+ output), each top arm over bottom arm.
    const arms: Record<BridgeType, [number, number, number, number]> = {
      full: [up, down, down, up],
      half: [r, r, down, up],
      quarter: [r, r, r, up],
    };
    const [topL, bottomL, topR, bottomR] = arms[type];
    return bottomR / (topR + bottomR) - bottomL / (topL + bottomL);
  }

  it("gives NI's sensitivities at 1000 µε with GF 2: about 2.0, 1.0 and 0.5 mV/V for full, half and quarter bridges", () => {
    expect(bridgeRatio("full", 2, 1000) * 1000).toBeCloseTo(2.0, 9);
    expect(bridgeRatio("half", 2, 1000) * 1000).toBeCloseTo(1.0, 9);
    expect(bridgeRatio("quarter", 2, 1000) * 1000).toBeCloseTo(0.5, 2);
  });

  it("matches the bridge solved from its resistances, and strainFromRatio inverts it", () => {
    for (const type of ["full", "half", "quarter"] as const) {
      for (const ue of [-3000, -500, -1, 0, 2, 750, 3900]) {
        const ratio = bridgeRatio(type, 2.1, ue);
        expect(ratio).toBeCloseTo(fromResistors(type, 2.1, ue), 14);
        expect(strainFromRatio(type, 2.1, ratio)).toBeCloseTo(ue, 8);
      }
    }
  });
});

describe("ADS1220 registers and data format (datasheet tables)", () => {
  it("encodes the commands of Table 10, low bits don't-care", () => {
    expect([CMD_RESET, CMD_START_SYNC, CMD_POWERDOWN, CMD_RDATA]).toEqual([0x06, 0x08, 0x02, 0x10]);
    expect(rreg(0, 4)).toBe(0x23); // the pseudo-code's read-back of all four registers
    expect(wreg(0, 4)).toBe(0x43);
    expect(wreg(1, 1)).toBe(0x44);
    expect(rreg(3, 1)).toBe(0x2c);
    expect([0x06, 0x07, 0x08, 0x09, 0x02, 0x03, 0x10, 0x1f, 0x20, 0x2f, 0x40, 0x4f, 0x00, 0x01, 0x04, 0x0a, 0x30, 0x80].map(commandOf)).toEqual([
      "reset",
      "reset",
      "start",
      "start",
      "powerdown",
      "powerdown",
      "rdata",
      "rdata",
      "rreg",
      "rreg",
      "wreg",
      "wreg",
      "none",
      "none",
      "none",
      "none",
      "none",
      "none",
    ]);
  });

  it("writes the pseudo-code's example configuration as 08h 04h 10h 00h (gain 16, continuous, 50 and 60 Hz rejection)", () => {
    const f = fields({ mux: 0, gain: 16, continuous: true, reference: "internal", rejection: "50-60" });
    expect(regBytes(f)).toEqual([0x08, 0x04, 0x10, 0x00]);
    const back = decodeRegisters([0x08, 0x04, 0x10, 0x00]);
    expect([back.mux, back.gain, back.continuous, back.reference, back.rejection, back.dataRate, back.mode]).toEqual([0, 16, true, "internal", "50-60", 20, "normal"]);
  });

  it("puts every field at its bit position", () => {
    expect(regBytes(fields({ mux: 14, gain: 1, pgaBypass: true }))[0]).toBe(0xe1); // MUX[7:4] GAIN[3:1] PGA_BYPASS[0]
    expect(regBytes(fields({ mode: "turbo", dataRate: 2000, continuous: true, temperatureSensor: true, burnout: true }))[1]).toBe(0xd7); // DR 110, MODE 10, CM, TS, BCS
    expect(regBytes(fields({ mode: "duty-cycle", dataRate: 5 }))[1]).toBe(0x08);
    expect(regBytes(fields({ reference: "avdd", rejection: "60", lowSideSwitch: true, idacMicroamps: 1500 }))[2]).toBe(0xff); // VREF 11, 50/60 11, PSW, IDAC 111
    expect(regBytes(fields({ reference: "refp1", rejection: "50", idacMicroamps: 10 }))[2]).toBe(0xa1);
    expect(regBytes(fields({ idac1: 6, idac2: 5, drdyOnDout: true }))[3]).toBe(0xd6); // I1MUX 110, I2MUX 101, DRDYM
    for (const mode of ["normal", "duty-cycle", "turbo"] as const) {
      DATA_RATES[mode].forEach((dataRate, code) => {
        const f = fields({ mode, dataRate, continuous: true });
        const d = decodeRegisters(regBytes(f));
        expect([d.dataRate, d.dataRateCode, d.mode]).toEqual([dataRate, code, mode]);
      });
    }
  });

  it("refuses a field with no code, naming it", () => {
    expect(() => regBytes(fields({ dataRate: 100 }))).toThrow("dataRate must be one of 20, 45, 90, 175, 330, 600, 1000 SPS in normal mode, got 100");
    expect(() => regBytes(fields({ gain: 3 as never }))).toThrow("gain must be one of 1, 2, 4, 8, 16, 32, 64, 128, got 3");
    expect(() => regBytes(fields({ mux: 15 }))).toThrow("mux code must be 0…14, got 15");
  });

  it("maps codes as the ideal output code table does: ±FS = ±VREF/gain at 7FFFFFh and 800000h, 1 LSB = 2·VREF/gain/2^24", () => {
    const fs = 1 / 128; // VREF/gain over VREF
    expect(codeFromRatio((fs * (TWO23 - 1)) / TWO23, 128)).toBe(0x7fffff);
    expect(codeFromRatio(fs / TWO23, 128)).toBe(0x000001);
    expect(codeFromRatio(0, 128)).toBe(0);
    expect(codeFromRatio(-fs / TWO23, 128) & 0xffffff).toBe(0xffffff);
    expect(codeFromRatio(-fs, 128) & 0xffffff).toBe(0x800000);
    expect(codeFromRatio(2 * fs, 128)).toBe(CODE_MAX);
    expect(codeFromRatio(-2 * fs, 128)).toBe(CODE_MIN);
    expect(codeFromBytes(0x7f, 0xff, 0xff)).toBe(8388607);
    expect(codeFromBytes(0x80, 0x00, 0x00)).toBe(-8388608);
    expect(codeFromBytes(0xff, 0xff, 0xff)).toBe(-1);
    // With the internal 2.048 V reference at gain 1, one code is 2·2.048/2^24 V = 244.14 nV.
    expect(ratioFromCode(1, 1) * 2.048).toBeCloseTo((2 * 2.048) / 2 ** 24, 15);
    expect(ratioFromCode(1, 1) * 2.048 * 1e9).toBeCloseTo(244.14, 2);
  });

  it("converts temperature-sensor codes as the datasheet's examples and table do (14 bits left-justified, 0.03125 °C)", () => {
    // Worked examples: 0960h → 75 °C; 3CE0h → −25 °C (two's complement).
    expect(temperatureFromCode(codeFromBytes(0x09 << 2, 0x60 << 2, 0))).toBe(75);
    expect(temperatureFromCode(codeFromBytes(...bytes24(0x0960 << 10)))).toBe(75);
    expect(temperatureFromCode(codeFromBytes(...bytes24(0x3ce0 << 10)))).toBe(-25);
    const table: [number, number][] = [
      [128, 0x1000],
      [127.96875, 0x0fff],
      [100, 0x0c80],
      [75, 0x0960],
      [50, 0x0640],
      [25, 0x0320],
      [0.25, 0x0008],
      [0.03125, 0x0001],
      [0, 0x0000],
      [-0.25, 0x3ff8],
      [-25, 0x3ce0],
      [-40, 0x3b00],
    ];
    for (const [celsius, hex14] of table) {
      expect((codeFromTemperature(celsius) >> 10) & 0x3fff).toBe(hex14);
      expect(temperatureFromCode(codeFromBytes(...bytes24(hex14 << 10)))).toBe(celsius);
    }
  });

  it("times conversions by the conversion-time table: 50.01 ms single-shot and 49.99 ms continuous at 20 SPS", () => {
    // The ADS1220's own figure: 204850 t(CLK) at 4.096 MHz for 20 SPS single-shot (TI E2E 928519).
    expect(Math.abs(conversionUs("normal", 0, true) - 204850 / 4.096)).toBeLessThan(1);
    expect(conversionUs("normal", 0, false) / 1000).toBeCloseTo(49.99, 2);
    expect(conversionUs("turbo", 6, true) / 1000).toBeCloseTo(0.52, 2);
    expect(conversionUs("duty-cycle", 0, false)).toBeCloseTo(4 * conversionUs("normal", 0, false), 6);
    for (const mode of ["normal", "duty-cycle", "turbo"] as const) {
      DATA_RATES[mode].forEach((rate, code) => {
        const period = conversionUs(mode, code, false);
        expect(Math.abs(period * rate - 1e6) / 1e6).toBeLessThan(0.02); // the nominal rates, to 2 % (44 SPS is 175/4)
        expect(conversionUs(mode, code, true)).toBeGreaterThan(mode === "duty-cycle" ? 0 : period);
      });
    }
  });
});

function bytes24(v: number): [number, number, number] {
  return [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
}

describe("ADS1220 model (register level)", () => {
  it("ignores the interface during power-up and reset, answers RREG with 00h after them, keeps what WREG writes", () => {
    const b = new Bench({ model: NO_NOISE });
    expect(b.xfer([0x23, 0, 0, 0, 0])).toEqual([0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(b.chip.ignored).toBe(1);
    b.run(0.05);
    expect(b.xfer([0x23, 0, 0, 0, 0]).slice(1)).toEqual([0, 0, 0, 0]);
    b.xfer([0x43, 0x08, 0x04, 0x10, 0x01]);
    expect(b.xfer([0x23, 0, 0, 0, 0]).slice(1)).toEqual([0x08, 0x04, 0x10, 0x00]); // register 3 bit 0 is reserved
    expect(b.xfer([0x29, 0, 0]).slice(1)).toEqual([0x10, 0x00]); // RREG from register 2, two registers
    b.xfer([0x06]);
    expect(b.xfer([0x23, 0, 0, 0, 0])).toEqual([0xff, 0xff, 0xff, 0xff, 0xff]); // within 50 µs + 32·t(CLK)
    b.run(0.06); // the command's 8 clocks (2 µs) + 50 µs + 32·t(CLK) (7.8 µs)
    expect(b.xfer([0x23, 0, 0, 0, 0]).slice(1)).toEqual([0, 0, 0, 0]);
    // A WREG cut short by CS is lost.
    b.xfer([0x43, 0x08, 0x04]);
    expect(b.chip.incompleteCommands).toBe(1);
    expect(b.xfer([0x23, 0, 0, 0, 0]).slice(1)).toEqual([0, 0, 0, 0]);
  });

  it("single-shot: DRDY falls the first-conversion time after START/SYNC; a read before it returns the previous result", () => {
    const b = new Bench({ model: NO_NOISE });
    b.strainAt = () => 500;
    b.run(1);
    b.xfer([0x43, ...regBytes()]);
    const t0 = b.engine.now;
    b.xfer([CMD_START_SYNC]);
    // The command is latched after its 8 clocks (2 µs at 4 MHz); the conversion ends 50 012.7 µs later.
    const end = Math.round(t0 + 2 + conversionUs("normal", 0, true));
    b.engine.runUntil(end - 100);
    expect(b.xfer([0, 0, 0])).toEqual([0, 0, 0]); // too early: the output buffer still holds the reset value
    expect(b.chip.staleReads).toBe(1);
    b.engine.runUntil(end - 1);
    expect(b.drdy()).toBe(1);
    b.engine.runUntil(end);
    expect(b.drdy()).toBe(0);
    expect(b.chip.running).toBe("off");
    // Full bridge, GF 2, 500 µε: Vout/Vex = 1 mV/V; ratiometric at gain 128: round(0.001·128·2^23).
    expect(codeFromBytes(...(b.xfer([0, 0, 0]) as [number, number, number]))).toBe(1_073_742);
    expect(b.drdy()).toBe(1); // SCLK returns DRDY high
    expect(codeFromBytes(...(b.xfer([CMD_RDATA, 0, 0, 0]).slice(1) as [number, number, number]))).toBe(1_073_742);
    expect(b.chip.staleReads).toBe(2); // the RDATA read the same result again
  });

  it("continuous: DRDY every conversion period; unread data make it pulse high 2·t(MOD) before each fall", () => {
    const b = new Bench({ model: NO_NOISE });
    const falls: number[] = [];
    const rises: number[] = [];
    b.world.line(DRDY).listen((level) => (level ? rises : falls).push(b.engine.now));
    b.run(1);
    b.xfer([0x43, ...regBytes({ continuous: true })]);
    const t0 = b.engine.now;
    b.xfer([CMD_START_SYNC]);
    b.run(1000);
    expect(falls[0]).toBe(Math.round(t0 + 2 + conversionUs("normal", 0, true)));
    const gaps = falls.slice(1).map((t, i) => t - falls[i]!);
    expect(gaps.length).toBeGreaterThan(15);
    for (const g of gaps) expect(Math.abs(g - conversionUs("normal", 0, false))).toBeLessThanOrEqual(1);
    // 2·t(MOD) = 2/256 kHz = 7.8 µs high before every fall after the first.
    for (let i = 1; i < falls.length; i++) expect(falls[i]! - rises[i - 1]!).toBeGreaterThanOrEqual(7), expect(falls[i]! - rises[i - 1]!).toBeLessThanOrEqual(9);
  });

  it("marks DRDY's changes for a board's clock: the first fall after START or a register write starts the converter's clock, later ones keep it, SCLK's return answers the read", () => {
    const b = new Bench({ model: NO_NOISE });
    const marks: string[] = [];
    b.world.line(DRDY).listen((level, timing) => marks.push(`${level}:${timing}`));
    b.run(1);
    b.xfer([0x43, ...regBytes({ continuous: true })]);
    b.xfer([CMD_START_SYNC]);
    b.untilDrdyFalls();
    b.run(55); // unread: DRDY pulses high before the second fall
    b.xfer([0, 0, 0], 1); // a direct read returns DRDY high
    b.untilDrdyFalls();
    b.xfer([0x43, ...regBytes({ continuous: true, gain: 2 })]); // a write restarts: a new clock
    b.untilDrdyFalls();
    expect(marks).toEqual(["0:clock-start", "1:clock", "0:clock", "1:answer", "0:clock", "1:answer", "0:clock-start"]);
  });

  it("restarts a conversion when a register is written during it, and reads the die temperature with TS = 1", () => {
    const b = new Bench({ model: NO_NOISE });
    b.run(1);
    b.xfer([0x43, ...regBytes({ continuous: true })]);
    b.xfer([CMD_START_SYNC]);
    b.untilDrdyFalls();
    b.run(20);
    const t1 = b.engine.now;
    b.xfer([0x44, regBytes({ continuous: true, temperatureSensor: true })[1]!]);
    expect(b.chip.restarts).toBe(1);
    const fell = b.untilDrdyFalls();
    expect(fell).toBe(Math.round(t1 + 4 + conversionUs("normal", 0, true)));
    b.celsius = 21.5;
    expect(temperatureFromCode(codeFromBytes(...(b.xfer([0, 0, 0]) as [number, number, number])))).toBe(21.5);
  });

  it("tears a word when a conversion ends while it is clocked out: the bits after that instant come from the new result", () => {
    const b = new Bench({ model: { ...NO_NOISE, sclkHz: 1000 } }); // 1 ms per bit
    let stepAt = Infinity;
    b.strainAt = (t) => (t < stepAt ? 100 : 900);
    b.run(1);
    b.xfer([0x43, ...regBytes({ continuous: true })]);
    b.xfer([CMD_START_SYNC]);
    b.untilDrdyFalls(500);
    stepAt = b.engine.now + 1; // the next conversion sees 900 µε
    const nextEnd = b.chip.conversionEndsAt;
    b.engine.runUntil(Math.floor(nextEnd) - 4000); // just over 4 bits before the end
    const before = codeFromRatio(bridgeRatio("full", 2, 100), 128); // 0346DCh
    const after = codeFromRatio(bridgeRatio("full", 2, 900), 128); // 1D7DBFh
    expect([before, after]).toEqual([0x0346dc, 0x1d7dbf]);
    const word = codeFromBytes(...(b.xfer([0, 0, 0]) as [number, number, number]));
    expect(word).toBe(((before & 0xf00000) | (after & 0x0fffff)) << 8 >> 8);
    expect(b.chip.tornReads).toBe(1);
  });

  it("computes codes from the bridge: ratiometric on REFP0, against 2.048 V internally, clipped at full scale; monitors and short", () => {
    const b = new Bench({ model: NO_NOISE });
    b.strainAt = () => 500;
    b.run(1);
    const convert = (over: Partial<RegisterFields>): number => {
      b.xfer([0x43, ...regBytes(over)]);
      b.xfer([CMD_START_SYNC]);
      b.untilDrdyFalls();
      return codeFromBytes(...(b.xfer([0, 0, 0]) as [number, number, number]));
    };
    expect(convert({})).toBe(1_073_742);
    // 1 mV/V of 3.3 V = 3.3 mV against 2.048 V at gain 128: round(0.0033·128/2.048·2^23) = round(1 730 150.4).
    expect(convert({ reference: "internal" })).toBe(1_730_150);
    expect(convert({ mux: 6 })).toBe(CODE_MAX); // AIN1–AIN0: AIN0 is not wired (0 V), AIN1 sits near Vex/2: far beyond ±VREF/128
    b.strainAt = () => 5000;
    expect(convert({})).toBe(CODE_MAX); // 10 mV/V > VREF/128
    b.strainAt = () => -5000;
    expect(convert({})).toBe(CODE_MIN);
    expect(convert({ mux: 12 })).toBe(TWO23 / 4); // (VREFP − VREFN)/4, PGA bypassed
    expect(convert({ mux: 13 })).toBe(TWO23 / 4); // (AVDD − AVSS)/4 with AVDD = the excitation
    expect(convert({ mux: 14 })).toBe(0);
    b.strainAt = () => 500;
    expect(convert({ reference: "refp1" })).toBe(CODE_MAX); // nothing on REFP1/REFN1: no reference
  });

  it("burn-out sources: +10 µA·R on a connected bridge, full scale on an open one; open inputs without them hold their voltage", () => {
    const b = new Bench({ model: NO_NOISE });
    b.strainAt = () => 0;
    b.run(1);
    const convert = (burnout: boolean): number => {
      b.xfer([0x43, ...regBytes({ burnout })]);
      b.xfer([CMD_START_SYNC]);
      b.untilDrdyFalls();
      return codeFromBytes(...(b.xfer([0, 0, 0]) as [number, number, number]));
    };
    // 10 µA × 350 Ω = 3.5 mV across the inputs, over 3.3 V at gain 128.
    expect(convert(true)).toBe(1_138_817);
    b.strainAt = () => 300;
    const connected = convert(false);
    b.chip.fault = "open";
    expect(convert(true)).toBe(CODE_MAX);
    const floating = convert(false);
    expect(floating).not.toBe(CODE_MAX);
    expect(Math.abs(floating - connected)).toBeLessThan(codeFromRatio(50e-6 / 3.3, 128)); // within the 20 µV wander
  });

  it("charges the bridge's excitation, Vex/R, while the bridge is powered: always when wired to AVSS, while the switch is closed when wired through it", () => {
    const excited = (b: Bench) => b.chip.residency().find((r) => r.state === "bridge excited")!;
    // Hard-wired 350 Ω bridge at 3.3 V: 9.43 mA from power-on, whatever the converter does.
    const wired = new Bench({ model: { ...NO_NOISE, excitationVolts: 3.3, bridgeOhms: 350 } });
    wired.run(1000);
    expect(excited(wired).milliamps).toBeCloseTo(9.4286, 3);
    expect(excited(wired).us).toBe(1000 * MS);
    expect(excited(wired).milliampSeconds).toBeCloseTo(9.4286, 3);
    // Through the low-side switch: nothing until START with PSW = 1, nothing after POWERDOWN.
    const b = new Bench({ model: { ...NO_NOISE, excitationVolts: 3.3, bridgeOhms: 350, switchedBridge: true } });
    b.run(100);
    b.xfer([0x43, ...regBytes({ continuous: true, lowSideSwitch: true })]);
    b.xfer([CMD_START_SYNC]);
    const on = b.engine.now;
    b.run(250);
    b.xfer([CMD_POWERDOWN]);
    const off = b.engine.now;
    b.run(650);
    const r = b.chip.residency();
    // START and POWERDOWN act at the end of their byte (2 µs at 4 MHz), inside the transactions timed here.
    expect(Math.abs(excited(b).us - (off - on))).toBeLessThanOrEqual(2);
    expect(excited(b).us + r.find((x) => x.state === "bridge off")!.us).toBe(b.engine.now);
  });

  it("closes the low-side switch on START/SYNC with PSW = 1 and opens it on POWERDOWN; POWERDOWN stops conversions", () => {
    const b = new Bench({ model: NO_NOISE });
    b.run(1);
    b.xfer([0x43, ...regBytes({ continuous: true, lowSideSwitch: true })]);
    expect(b.chip.lowSideSwitchClosed).toBe(false);
    b.xfer([CMD_START_SYNC]);
    expect([b.chip.lowSideSwitchClosed, b.chip.running]).toEqual([true, "continuous"]);
    b.xfer([CMD_POWERDOWN]);
    expect([b.chip.lowSideSwitchClosed, b.chip.running]).toEqual([false, "off"]);
    b.run(200);
    expect(b.chip.conversions).toBe(0);
  });

  it("decodes nothing while RDATA's or RREG's bytes go out, and nothing in the wrong SPI mode, where every bit read is one late", () => {
    const b = new Bench({ model: NO_NOISE });
    b.strainAt = () => 500;
    b.run(1);
    b.xfer([0x43, ...regBytes()]);
    b.xfer([CMD_START_SYNC]);
    b.untilDrdyFalls();
    const rx = b.xfer([CMD_RDATA, CMD_RESET, 0, 0]); // the RESET byte is a clock for the data, not a command
    expect(codeFromBytes(rx[1]!, rx[2]!, rx[3]!)).toBe(1_073_742);
    expect(b.xfer([0x23, 0, 0, 0, 0]).slice(1)).toEqual(regBytes());
    // Mode 0: the WREG is not understood, and RREG's answer arrives one bit late.
    b.xfer([0x43, 0x00, 0x00, 0x00, 0x00], 0);
    expect(b.chip.badSpiMode).toBe(1);
    const wrong = b.xfer([0x23, 0, 0, 0, 0], 0);
    expect(b.chip.badSpiMode).toBe(2);
    expect(wrong).not.toEqual(b.xfer([0x23, 0, 0, 0, 0]));
    expect(b.xfer([0x23, 0, 0, 0, 0]).slice(1)).toEqual(regBytes());
  });
});

describe("ADS1220 driver against the model", () => {
  it("resets, writes and reads back the configuration, starts, and delivers a sample at every DRDY, read after it fell", () => {
    const b = new Bench();
    b.strainAt = () => 250;
    const d = b.start();
    b.run(2000);
    expect(b.errors).toEqual([]);
    const tx = b.log.map((t) => [...t.tx]);
    expect(tx.slice(0, 4)).toEqual([[0x06], [0x43, ...DEFAULT_REGS], [0x23, 0, 0, 0, 0], [0x08]]);
    expect(b.log[0]!.at).toBe(1000); // a timer tick after power-up
    expect(b.log[1]!.at).toBe(2000); // a tick after RESET (≥ 50 µs + 32·t(CLK))
    expect([...b.chip.registers()]).toEqual(DEFAULT_REGS);
    // Every other transaction is a 3-byte read with DIN low, each right at a DRDY fall, none early, none torn.
    expect(tx.slice(4).every((t) => t.length === 3 && t.every((x) => x === 0))).toBe(true);
    expect(b.chip.staleReads).toBe(0);
    expect(b.chip.tornReads).toBe(0);
    expect(b.sampleTimes.length).toBe(39); // 52.0 ms to the first, then every 49.99 ms, to 2 s
    expect(b.sampleTimes[0]).toBe(Math.round(2000 + 2 + conversionUs("normal", 0, true)));
    const gaps = b.sampleTimes.slice(1).map((t, i) => t - b.sampleTimes[i]!);
    for (const g of gaps) expect(Math.abs(g - conversionUs("normal", 0, false))).toBeLessThanOrEqual(1);
    // 90 nV RMS against 1 mV/V per 500 µε at 3.3 V: 0.014 µε RMS.
    expect(Math.abs(d.microstrain - 250)).toBeLessThan(0.1);
    const r: StrainReading = { microstrain: 0, ratio: 0, code: 0, atUs: 0, temperature: 0, count: 0 };
    expect(d.readInto(r)).toBe(true);
    expect(r.count).toBe(39);
    expect(r.atUs).toBe(b.sampleTimes[38]);
    expect(Number.isNaN(r.temperature)).toBe(true); // no temperature conversion yet (every 60 s)
    expect(Math.abs(r.ratio - 0.0005)).toBeLessThan(1e-7);
    const s = d.sample()!;
    expect(s.strainGauge.strain).toBe(d.microstrain);
    expect(s.thermometer).toBeUndefined();
    d.close();
    expect(b.log.at(-1)!.tx[0]).toBe(CMD_POWERDOWN);
    expect(b.chip.running).toBe("off");
  });

  it("follows a changing strain sample by sample at 180 SPS (turbo), each from the conversion that just ended", () => {
    const b = new Bench();
    const square = (t: number): number => (Math.floor(t / 100_000) % 2 === 0 ? 300 : -300); // ±300 µε, 5 Hz
    b.strainAt = square;
    b.start({ mode: "turbo", dataRate: 180, rejection: "off", temperatureS: 0, openCheckS: 0 });
    b.run(1000);
    const period = conversionUs("turbo", 2, false);
    expect(b.sampleTimes.length).toBeGreaterThanOrEqual(177); // enough for a 100 Hz loop
    let compared = 0;
    b.sampleTimes.forEach((t, i) => {
      const mid = t - period / 2; // the model samples the middle of each conversion
      if (Math.abs(mid - Math.round(mid / 100_000) * 100_000) < 20) return; // too close to an edge to say
      expect(Math.abs(b.values[i]! - square(mid))).toBeLessThan(0.2);
      compared++;
    });
    expect(compared).toBeGreaterThan(170);
  });

  it("puts temperature and burn-out conversions into the stream, and reports an open bridge only the burn-out check reveals", () => {
    const b = new Bench();
    b.strainAt = () => 120;
    b.celsius = 23.4;
    const d = b.start({ temperatureS: 0.5, openCheckS: 0.7 });
    b.run(3000);
    expect(b.errors).toEqual([]);
    expect(Math.abs(d.temperature - 23.4)).toBeLessThanOrEqual(0.03125);
    const writes1 = b.log.filter((t) => t.tx[0] === 0x44).map((t) => t.tx[1]);
    expect(new Set(writes1)).toEqual(new Set([0x06, 0x05, 0x04])); // TS + CM, BCS + CM, back to CM
    expect(Math.abs(d.microstrain - 120)).toBeLessThan(0.1); // the BCS conversion's 3.5 mV offset never reaches a sample
    const before = d.count;
    b.chip.fault = "open";
    b.run(1000);
    const open = b.errors.filter((e) => e.message.includes("bridge open"));
    expect(open.length).toBeGreaterThan(0);
    expect([open[0]!.kind, open[0]!.message]).toEqual(["range", "ads1220@cs5: bridge open: with the 10 µA burn-out sources on, the input reads positive full scale (7fffffh)"]);
    // Without the burn-out sources the open inputs look like a steady strain: samples went on.
    expect(d.count).toBeGreaterThan(before);
  });

  it("reports a strain beyond the range as a range error, not a sample", () => {
    const b = new Bench();
    b.strainAt = () => 5000; // 10 mV/V: beyond ±VREF/128 = ±7.8 mV/V
    const d = b.start({ temperatureS: 0, openCheckS: 0 });
    b.run(200);
    expect(d.count).toBe(0);
    expect(d.sample()).toBeUndefined();
    expect(b.errors[0]!.kind).toBe("range");
    expect(b.errors[0]!.message).toBe("ads1220@cs5: strain input at full scale (code 7fffffh): bridge open or shorted, or strain beyond the range of gain 128");
  });

  it("reports an absent chip by its read-back, and looks for it again every 5 s", () => {
    const b = new Bench({ chip: false });
    b.start();
    b.run(6000);
    expect(b.errors.map((e) => e.kind)).toEqual(["identity", "identity"]);
    expect(b.errors[0]!.message).toBe(
      "ads1220@cs5: no ADS1220 answers: registers read back ff ff ff ff after writing 3e 04 50 00 (chip absent, CS or MISO not wired, or not SPI mode 1)",
    );
    expect(b.log.filter((t) => t.tx[0] === CMD_START_SYNC)).toEqual([]);
  });

  it("reports a DRDY that never falls (not wired) after two watchdog periods, and starts over", () => {
    const b = new Bench({ drdyPin: 27 }); // the chip's DRDY goes nowhere near the driver's pin
    b.start();
    b.run(300);
    expect(b.errors.map((e) => [e.kind, e.message])).toEqual([
      ["timeout", "ads1220@cs5: DRDY did not fall for 202 ms with conversions running: DRDY not wired, or the chip reset (brown-out); starting over"],
    ]);
    expect(b.log.filter((t) => t.tx[0] === CMD_RESET).length).toBe(2);
  });

  it("single-shot: each measure() is one conversion and one sample, DRDY-paced", () => {
    const b = new Bench();
    b.strainAt = () => -75;
    const d = b.start({ conversion: "single-shot", temperatureS: 0, openCheckS: 0 });
    b.run(10);
    const starts: number[] = [];
    const every = b.timers.set(
      () => {
        starts.push(b.engine.now);
        d.measure();
        if (starts.length === 10) b.timers.clear(every);
      },
      100,
      100,
    );
    b.run(1200);
    expect(starts.length).toBe(10);
    expect(b.sampleTimes.length).toBe(10);
    for (let i = 0; i < 10; i++) expect(b.sampleTimes[i]).toBe(Math.round(starts[i]! + 2 + conversionUs("normal", 0, true)));
    expect(Math.abs(d.microstrain + 75)).toBeLessThan(0.1);
    expect(d.conversionMs).toBeCloseTo(50.0127, 3);
  });

  it("validates its options naming the field, and applies a new configuration while running", () => {
    const b = new Bench();
    expect(() => b.start({ dataRate: 90 })).toThrow('ads1220: rejection "50-60" needs the lowest data rate (20 SPS normal, 5 SPS duty-cycle); set rejection "off" at 90 SPS normal');
    expect(() => b.start({ gaugeFactor: 0 })).toThrow("ads1220: gaugeFactor must be a number between 0.5 and 10");
    expect(() => b.start({ mode: "turbo", dataRate: 20, rejection: "off" })).toThrow("ads1220: dataRate must be one of 40, 90, 180, 350, 660, 1200, 2000 SPS in turbo mode, got 20");
    b.strainAt = () => 1500;
    const d = b.start();
    b.run(300);
    d.configure({ gain: 64 });
    b.run(300);
    expect(b.chip.registers()[0]).toBe(0x3c); // gain 64 = 110
    expect(Math.abs(d.microstrain - 1500)).toBeLessThan(0.2);
    expect(() => d.configure({ bridge: "diagonal" as never })).toThrow('ads1220: bridge must be "full", "half" or "quarter", got diagonal');
  });

  it("allocates nothing on the sample path, within an XS metering budget (counted on XS; on V8 the same buffers every time)", () => {
    const fake = fakeAds1220(0x012345);
    const d = new ADS1220({
      spi: { io: fake.SPI, clock: SCK, in: MISO, out: MOSI, hz: SCLK_HZ },
      digital: fake.Digital,
      pins: { cs: CS, drdy: DRDY },
      timer: fake.timers,
      clock: fake.clock,
      config: { temperatureS: 0.2, openCheckS: 0.3 }, // a temperature and a burn-out slot every few samples
      onSample() {
        fake.samples++;
      },
    });
    fake.fire(); // power-up → RESET
    fake.fire(); // → configuration, read back, START
    const conversion = fake.drdy!;
    times(conversion, 200)(); // warm up
    const run = times(conversion, 2000);
    const counted = xsCost(run);
    if (counted) {
      expect(counted.slots).toBe(0);
      expect(counted.chunks).toBe(0);
      // And its cost, stand-in IO included: a budget in XS metering units per sample.
      expect(counted.units / 2000).toBeLessThan(600);
    } else {
      fake.buffers.clear();
      run();
      expect(fake.buffers.size).toBe(2); // the 3-byte read and the 2-byte register-1 write
    }
    expect(fake.samples).toBeGreaterThan(1500);
    expect(Math.abs(d.microstrain - strainFromRatio("full", 2, ratioFromCode(0x012345, 128)))).toBeLessThan(1e-9);
  });

  it("is wired by the simulator's part factory from a resolved config, with the strain from the scenario's structure", () => {
    const engine = new Engine();
    const board = strainBoard({ default: { clock: SCK, in: MISO, out: MOSI, hz: 4_000_000 } });
    const def = getPart("ads1220")!;
    expect(validate(def.options, {}).issues).toEqual([]);
    expect(def.defaults).toEqual({ ...ADS1220_DEFAULTS });
    const adc: ResolvedSPIPart = {
      part: "ads1220",
      io: "spi",
      bus: "default",
      clock: SCK,
      in: MISO,
      out: MOSI,
      select: CS,
      hz: 4_000_000,
      mode: 1,
      pins: { cs: CS, drdy: DRDY },
      options: { ...ADS1220_DEFAULTS },
    };
    const values: number[] = [];
    const node = strainNode(engine, "strain-1", board, (host) => {
      const d = new ADS1220({
        spi: host.SPI["default"]!,
        digital: host.io.Digital,
        pins: adc.pins as { cs: number; drdy: number },
        timer: host.timer,
        clock: host.clock,
        config: adc.options as Partial<ADS1220Config>,
        onSample() {
          values.push(this.microstrain);
        },
      });
      return { stats: () => ({ samples: d.count }) };
    });
    const atmosphere = createKunmingWeather({ seed: 1 });
    expect(() => attachModels({ strain: adc }, { node, atmosphere })).toThrow(
      "ads1220 (role strain): the scenario gives no structure (ModelContext.structure), so there is no strain to measure",
    );
    const attached = attachModels({ strain: adc }, { node, atmosphere, structure: { strain: () => 640, temperature: () => 18, deckTemperature: () => 17.7 } });
    expect(attached.map((a) => [a.role, a.part])).toEqual([["strain", "ads1220"]]);
    node.boot();
    engine.runUntil(500 * MS);
    expect(node.crashes).toEqual([]);
    expect(values.length).toBe(9);
    for (const v of values) expect(Math.abs(v - 640)).toBeLessThan(0.1);
  });
});

/** ECMA-419 stand-ins that allocate nothing once made: an ADS1220 that answers `code` with DRDY low. */
function fakeAds1220(code: number) {
  const regs = new Uint8Array(4);
  const buffers = new Set<Uint8Array>();
  const held = heldTimers();
  const state = { samples: 0, drdy: undefined as (() => void) | undefined, us: 0 };
  class FakeSPI {
    constructor(_o: SPIOptions) {}
    transfer(b: Uint8Array): void {
      buffers.add(b);
      const cmd = b[0]!;
      if (b.length === 5 && cmd === 0x43) regs.set(b.subarray(1));
      else if (b.length === 5 && cmd === 0x23) b.set(regs, 1);
      else if (b.length === 3) {
        b[0] = code >> 16;
        b[1] = (code >> 8) & 0xff;
        b[2] = code & 0xff;
      }
    }
    flush(): void {}
    read(): ArrayBuffer {
      return new ArrayBuffer(0);
    }
    write(): void {}
    close(): void {}
  }
  class FakeDigital extends DigitalConstants {
    constructor(o: DigitalOptions) {
      super(o);
      if (o.onReadable) state.drdy = o.onReadable as () => void;
    }
    read(): number {
      return 0;
    }
    write(): void {}
  }
  const clock: Clock = { ticks: () => 0, microseconds: () => (state.us += 10_000), unixMs: () => 0 };
  return {
    SPI: FakeSPI as unknown as SPIClass,
    Digital: FakeDigital as unknown as DigitalClass,
    timers: held.timers,
    fire: held.fire,
    clock,
    buffers,
    get samples() {
      return state.samples;
    },
    set samples(n: number) {
      state.samples = n;
    },
    get drdy() {
      return state.drdy;
    },
  };
}
