import { describe, expect, it } from "vitest";
import type { LoraRadioError, LoraRxParams, LoraRxResult, LoraTxParams, LoraTxResult } from "../../runtime/link/lorawan/radio.js";
import { airtimeMicros } from "../../runtime/link/lorawan/airtime.js";
import { SX1262, type SX1262Config } from "../../parts/sx1262/driver.js";
import { SX1262Model, SX1262_CURRENTS, type LoraAir, type SX126xAirFrame } from "../../parts/sx1262/model.js";
import {
  COMMAND_BUSY_US,
  IMAGE_BANDS,
  RC_TO_RX_US,
  RC_TO_TX_US,
  REG_IQ_POLARITY,
  REG_LORA_SYNC_WORD,
  REG_RX_GAIN,
  REG_TX_CLAMP_CONFIG,
  RX_GAIN_BOOSTED,
  RX_GAIN_POWER_SAVING,
  WAKE_COLD_US,
  WAKE_WARM_US,
  cmdStatusOf,
  chipModeOf,
  frequencyToSteps,
  stepsToFrequency,
  symbolTimeoutCode,
} from "../../parts/sx1262/registers.js";
import type { ResolvedSPIPart } from "../../manifests/schema/config.js";
import { getPart } from "../../manifests/schema/parts.js";
import { validate } from "../../manifests/schema/builder.js";
import { SX1262_DEFAULTS } from "../../parts/sx1262/config.js";
import type { SimBoardSpec } from "../../simulator/core/board.js";
import { Engine } from "../../simulator/core/engine.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import { RadioChannel, type LoraAirFrame, type Position, type RadioReceiver } from "../../simulator/core/radio/channel.js";
import { attachModels } from "../../simulator/core/parts.js";
import { SPIBusSim, type SPITransaction } from "../../simulator/core/buses/spi.js";
import { makeDigitalClass } from "../../simulator/core/io/digital.js";
import { PinWorld } from "../../simulator/core/io/lines.js";
import { PinRegistry } from "../../simulator/core/io/pins.js";
import { makeSPIClass } from "../../simulator/core/io/spi.js";
import { EngineClock, EngineTimers } from "../../simulator/core/timers.js";
import { partNode } from "../helpers/part-node.js";

// ESP32-style wiring of an SX1262 module.
const SCK = 18;
const MISO = 19;
const MOSI = 23;
const NSS = 5;
const BUSY = 4;
const DIO1 = 26;
const RESET = 14;

/** The test's air: every frame reaches every other receiver, with the quality the test sets, spoiled when it says. */
class LoopbackAir implements LoraAir {
  readonly #receivers: RadioReceiver[] = [];
  readonly frames: SX126xAirFrame[] = [];
  rssiDbm = -80;
  snrDb = 7.25;
  spoil = false;

  constructor(readonly engine: Engine) {}

  transmit(frame: LoraAirFrame): void {
    this.frames.push(frame as SX126xAirFrame);
    const spoiled = this.spoil;
    for (const r of this.#receivers) {
      if (r.name === frame.sender) continue;
      this.engine.at(frame.startUs, () => r.onPreamble?.(frame));
      this.engine.at(frame.endUs, () => r.onFrameEnd({ frame, rssiDbm: this.rssiDbm, snrDb: this.snrDb, decodable: !spoiled, lost: spoiled ? "collision" : undefined }));
    }
  }

  listen(receiver: RadioReceiver): void {
    this.#receivers.push(receiver);
  }
}

/** One board with an SX1262: its own pins and SPI bus, the shared engine and air. */
class Board {
  readonly world = new PinWorld();
  readonly pins = new PinRegistry("rig");
  readonly bus: SPIBusSim;
  readonly log: SPITransaction[] = [];
  readonly model: SX1262Model | undefined;
  readonly timers: EngineTimers;
  readonly clock: EngineClock;
  readonly errors: LoraRadioError[] = [];
  driver: SX1262 | undefined;

  constructor(
    readonly engine: Engine,
    air: LoraAir | undefined,
    options: { name?: string; tcxoVolts?: number; chip?: boolean; select?: number; position?: Position } = {},
  ) {
    this.bus = new SPIBusSim("spi", () => engine.now);
    this.bus.recorder = (t) => this.log.push(t);
    this.timers = new EngineTimers(engine);
    this.clock = new EngineClock(engine, 0, 0);
    if (options.chip !== false) {
      this.model = new SX1262Model({
        engine,
        busy: this.world.line(BUSY),
        dio1: this.world.line(DIO1),
        reset: this.world.line(RESET),
        ...(air ? { air } : {}),
        name: options.name ?? "sx1262",
        ...(options.position ? { position: options.position } : {}),
        ...(options.tcxoVolts !== undefined ? { tcxoVolts: options.tcxoVolts } : {}),
      });
      this.bus.attach(options.select ?? NSS, this.model);
    }
  }

  start(config: Partial<SX1262Config> = {}): SX1262 {
    const SPI = makeSPIClass([{ clock: SCK, in: MISO, out: MOSI, bus: this.bus }], this.pins);
    const Digital = makeDigitalClass(this.world, this.pins, (fn) => fn());
    this.driver = new SX1262({
      spi: { io: SPI, clock: SCK, in: MISO, out: MOSI, hz: 8_000_000 },
      digital: Digital,
      pins: { nss: NSS, busy: BUSY, dio1: DIO1, reset: RESET },
      timer: this.timers,
      clock: this.clock,
      config,
      onError: (e) => this.errors.push(e),
    });
    return this.driver;
  }

  get chip(): SX1262Model {
    return this.model!;
  }

  /** Opcodes of the transactions since `from`. */
  opcodes(from = 0): number[] {
    return this.log.slice(from).map((t) => t.tx[0]!);
  }
}

interface Outcome<R> {
  error: LoraRadioError | undefined;
  result: R | undefined;
  at: number;
}

function bench(config: Partial<SX1262Config> = {}, options: { tcxoVolts?: number } = {}) {
  const engine = new Engine();
  const air = new LoopbackAir(engine);
  const node = new Board(engine, air, options);
  const radio = node.start(config);
  run(engine, 20_000); // reset, start-up and configuration, then warm sleep
  return { engine, air, node, radio };
}

function run(engine: Engine, us: number): void {
  engine.runUntil(engine.now + us);
}

function send(radio: SX1262, engine: Engine, payload: Uint8Array, params: LoraTxParams): Outcome<LoraTxResult>[] {
  const out: Outcome<LoraTxResult>[] = [];
  radio.transmit(payload, params, (error, result) => out.push({ error, result, at: engine.now }));
  return out;
}

function listen(radio: SX1262, engine: Engine, params: LoraRxParams): Outcome<LoraRxResult>[] {
  const out: Outcome<LoraRxResult>[] = [];
  radio.receive(params, (error, result) => out.push({ error, result, at: engine.now }));
  return out;
}

/** CN470 channel 0 at DR5 (SF7/125 kHz), an uplink: normal IQ, CRC on. */
const UPLINK: LoraTxParams = {
  frequencyHz: 470_300_000,
  sf: 7,
  bandwidthHz: 125_000,
  codingRate: 5,
  preamble: 8,
  invertIq: false,
  crc: true,
  powerDbm: 14,
};
/** A downlink as a class A device listens for it: inverted IQ, no payload CRC. */
const DOWNLINK_RX: LoraRxParams = { frequencyHz: 500_300_000, sf: 7, bandwidthHz: 125_000, codingRate: 5, preamble: 8, invertIq: true, crc: false, timeoutSymbols: 8 };
const DOWNLINK_TX: LoraTxParams = { ...DOWNLINK_RX, powerDbm: 22 };

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed) & 0xff);

describe("SX1262 PLL frequency steps (RFfreq = steps · 32 MHz / 2^25)", () => {
  it("gives exact steps for whole-MHz multiples and round-trips CN470 channels to within half a step", () => {
    expect(frequencyToSteps(868_000_000)).toBe(0x36400000); // 868 · 2^20
    expect(frequencyToSteps(915_000_000)).toBe(0x39300000);
    for (let ch = 0; ch < 96; ch++) {
      const f = 470_300_000 + ch * 200_000;
      expect(Math.abs(stepsToFrequency(frequencyToSteps(f)) - f)).toBeLessThanOrEqual(32e6 / 2 ** 26);
    }
  });
});

describe("SX1262 driver against the model: start-up", () => {
  it("resets, configures with BUSY respected, applies the errata and sleeps warm", () => {
    const { node } = bench();
    const chip = node.chip;
    expect(chip.mode).toBe("sleep");
    expect(chip.supplyState).toBe("sleep (warm)");
    expect(chip.dropped).toBe(0);
    expect(chip.rejected).toBe(0);
    expect(chip.unmodelled).toEqual([]);
    expect(node.errors).toEqual([]);
    expect(node.opcodes()).toEqual([
      0x80, // SetStandby(STDBY_RC)
      0x96, // SetRegulatorMode(DC-DC)
      0x89, // Calibrate(0x7F)
      0x98, // CalibrateImage(470–510 MHz)
      0x9d, // SetDIO2AsRfSwitchCtrl
      0x8a, // SetPacketType(LoRa)
      0x0d, // sync word
      0x1d, // read TxClampConfig …
      0x0d, // … and set bits 4:1 (§15.2)
      0x1d, // read IQ polarity
      0x1d, // read TX modulation
      0x95, // SetPaConfig
      0x8f, // SetBufferBaseAddress
      0x08, // SetDioIrqParams
      0x1d, // read back the sync word
      0x84, // SetSleep(warm)
    ]);
    const tx = (op: number) => node.log.find((t) => t.tx[0] === op)!.tx;
    expect([...tx(0x98)]).toEqual([0x98, IMAGE_BANDS["470-510"][2], IMAGE_BANDS["470-510"][3]]);
    expect([...tx(0x95)]).toEqual([0x95, 0x04, 0x07, 0x00, 0x01]); // Table 13-21, +22 dBm row, SX1262
    expect([...tx(0x08)]).toEqual([0x08, 0x02, 0x63, 0x02, 0x63, 0, 0, 0, 0]); // TxDone|RxDone|HeaderErr|CrcErr|Timeout on DIO1
    expect([...tx(0x84)]).toEqual([0x84, 0x04]);
    expect((chip.register(REG_LORA_SYNC_WORD) << 8) | chip.register(REG_LORA_SYNC_WORD + 1)).toBe(0x3444);
    expect(chip.register(REG_TX_CLAMP_CONFIG) & 0x1e).toBe(0x1e);
    expect(chip.rfSwitchOnDio2).toBe(true);
    // Each command went out only after the previous one's BUSY pulse: the reset's start-up, then 3.5 ms calibration.
    const at = (op: number) => node.log.find((t) => t.tx[0] === op)!.at;
    expect(at(0x80)).toBe(1000 + WAKE_COLD_US); // 1 ms reset pulse, cold start-up
    expect(at(0x98) - at(0x89)).toBe(3500);
  });

  it("reports a missing chip: BUSY low through the reset, or stuck high; and a chip that does not answer on its select", () => {
    const engine = new Engine();
    const low = new Board(engine, undefined, { chip: false });
    low.world.line(BUSY).set(0); // pulled down on this board
    low.start();
    const high = new Board(engine, undefined, { chip: false }); // BUSY idles high
    high.start();
    const miswired = new Board(engine, undefined, { select: NSS + 1 }); // the module's NSS is not the driver's
    miswired.start();
    run(engine, 30_000);
    expect(low.errors).toEqual([{ kind: "bus", message: "sx1262: BUSY reads low with NRESET held low: no chip, or BUSY or NRESET not wired" }]);
    expect(high.errors).toEqual([{ kind: "busy", message: "sx1262: waited 20 ms for BUSY to fall after the reset (start-up and calibration); BUSY reads high" }]);
    expect(miswired.errors).toEqual([{ kind: "bus", message: "sx1262: no answer to SetStandby (status byte 0xff): no chip on select, or it is still asleep" }]);
  });

  it("starts over with a reset on the next operation once a chip answers", () => {
    const engine = new Engine();
    const air = new LoopbackAir(engine);
    const node = new Board(engine, air, { chip: false });
    node.world.line(BUSY).set(0);
    const radio = node.start();
    run(engine, 30_000);
    expect(node.errors).toHaveLength(1);
    // The module is plugged in (powered up) and answers from now on.
    const chip = new SX1262Model({ engine, busy: node.world.line(BUSY), dio1: node.world.line(DIO1), reset: node.world.line(RESET), air });
    node.bus.attach(NSS, chip);
    const out = send(radio, engine, bytes(10), UPLINK);
    run(engine, 100_000);
    expect(out[0]!.error).toBeUndefined();
    expect(air.frames).toHaveLength(1);
    expect(chip.dropped).toBe(0);
  });
});

describe("SX1262 driver against the model: transmit", () => {
  it("raises TxDone one time on air after the preamble starts (SF7/125 kHz/4/5, 8 symbols, 10 bytes: 41.216 ms)", () => {
    const { engine, air, node, radio } = bench();
    const t0 = engine.now;
    const payload = bytes(10);
    const out = send(radio, engine, payload, UPLINK);
    run(engine, 100_000);
    expect(out).toHaveLength(1);
    const { error, result } = out[0]!;
    expect(error).toBeUndefined();
    const frame = air.frames[0]!;
    expect(result!.airtimeUs).toBe(41_216);
    expect(frame.endUs - frame.startUs).toBe(41_216);
    expect(result!.txEndUs).toBe(frame.endUs); // stamped in the DIO1 handler, at the edge
    // Warm wake, eight configuration commands, STDBY_RC → TX, then the air.
    expect(frame.startUs - t0).toBe(WAKE_WARM_US + 8 * COMMAND_BUSY_US + RC_TO_TX_US);
    expect({ ...frame, payload: [...frame.payload] }).toEqual({
      sender: "sx1262",
      payload: [...payload],
      frequencyHz: stepsToFrequency(frequencyToSteps(470_300_000)),
      sf: 7,
      bandwidthHz: 125_000,
      codingRate: 5,
      preamble: 8,
      explicitHeader: true,
      crc: true,
      invertIq: false,
      lowDataRateOptimize: false,
      syncWord: 0x3444,
      powerDbm: 14,
      startUs: frame.startUs,
      endUs: frame.endUs,
      truncated: false,
    });
    // The same figure as the MAC's and the channel's shared formula.
    expect(airtimeMicros({ sf: 7, bandwidthHz: 125_000, codingRate: 5, preamble: 8, payloadBytes: 10, explicitHeader: true, crc: true })).toBe(41_216);
    expect(node.chip.workaroundsMissing).toEqual({ iqPolarity: 0, txModulation: 0, txClamp: 0, lowDataRateOptimize: 0 });
    expect(node.chip.dropped).toBe(0);
    expect(node.chip.mode).toBe("stdby-rc");
  });

  it.each([
    [11, 10, 577_536, true], // RF Wireless World, LDRO on
    [9, 13, 164_864, false], // TTN's sheet
  ])("SF%i with %i bytes: TxDone after %i µs on air (LDRO %s)", (sf, n, us, ldro) => {
    const { engine, air, radio } = bench();
    const out = send(radio, engine, bytes(n), { ...UPLINK, sf });
    run(engine, us + 100_000);
    expect(out[0]!.error).toBeUndefined();
    expect(out[0]!.result!.airtimeUs).toBe(us);
    expect(air.frames[0]!.endUs - air.frames[0]!.startUs).toBe(us);
    expect(out[0]!.result!.txEndUs).toBe(air.frames[0]!.endUs);
    expect(air.frames[0]!.lowDataRateOptimize).toBe(ldro);
  });

  it("refuses a second operation while one runs, and bad parameters by name", () => {
    const { engine, radio } = bench();
    const first = send(radio, engine, bytes(10), UPLINK);
    const second = send(radio, engine, bytes(10), UPLINK);
    run(engine, 100_000);
    expect(first[0]!.error).toBeUndefined();
    expect(second[0]!.error!.kind).toBe("busy");
    expect(() => radio.transmit(bytes(10), { ...UPLINK, frequencyHz: 868_100_000 }, () => {})).toThrow(/frequencyHz 868100000 is outside the module's band 470-510/);
    expect(() => radio.transmit(bytes(10), { ...UPLINK, sf: 13 }, () => {})).toThrow(/sf must be 7…12, got 13/);
    expect(() => radio.transmit(bytes(10), { ...UPLINK, sf: 6 }, () => {})).toThrow(/sf must be 7…12, got 6/);
    expect(() => radio.transmit(bytes(10), { ...UPLINK, powerDbm: 23 }, () => {})).toThrow(/powerDbm must be an integer -9…22/);
    expect(() => radio.transmit(bytes(256), UPLINK, () => {})).toThrow(/256 bytes/);
    expect(() => radio.receive({ ...DOWNLINK_RX, timeoutSymbols: 0 }, () => {})).toThrow(/timeoutSymbols must be an integer 1…255/);
    expect(() => radio.transmit(bytes(10), { ...UPLINK, bandwidthHz: 200_000 as 125_000 }, () => {})).toThrow(/LoRa bandwidth must be one of/);
  });
});

describe("SX1262 driver against the model: receive", () => {
  /** A transmitting node and a receiving node on the loopback air. */
  function pair(rxConfig: Partial<SX1262Config> = {}) {
    const engine = new Engine();
    const air = new LoopbackAir(engine);
    const gw = new Board(engine, air, { name: "gateway" });
    const dev = new Board(engine, air, { name: "device" });
    const tx = gw.start();
    const rx = dev.start(rxConfig);
    run(engine, 20_000);
    return { engine, air, gw, dev, tx, rx };
  }

  it("times out 8 symbols after the receiver opens, which is rxSetupUs after receive() from warm sleep", () => {
    const { engine, dev, rx } = pair();
    const t0 = engine.now;
    const out = listen(rx, engine, DOWNLINK_RX);
    run(engine, 50_000);
    expect(rx.rxSetupUs).toBe(WAKE_WARM_US + 7 * COMMAND_BUSY_US + RC_TO_RX_US); // 528 µs
    expect(rx.lastRxSetupUs).toBe(rx.rxSetupUs);
    expect(out).toHaveLength(1);
    expect(out[0]!.error!.kind).toBe("timeout");
    // The Timeout IRQ at 8 · 1.024 ms after listening starts; the callback runs in that same microsecond.
    expect(out[0]!.at - t0).toBe(rx.rxSetupUs + 8 * 1024);
    expect(dev.chip.mode).toBe("stdby-rc");
    expect(dev.chip.workaroundsMissing.iqPolarity).toBe(0);
    expect(dev.chip.register(REG_IQ_POLARITY) & 0x04).toBe(0); // §15.4: inverted IQ clears bit 2
  });

  it("prepared ahead, a window costs SetRx alone: the configuration survives warm sleep and wake(), listening preparedRxSetupUs after receive()", () => {
    const { engine, air, dev, tx, rx } = pair();
    rx.prepareReceive(DOWNLINK_RX);
    rx.sleep();
    run(engine, 5_000);
    expect(dev.chip.mode).toBe("sleep");
    rx.wake();
    run(engine, 5_000);
    expect(dev.chip.mode).toBe("stdby-rc");
    const from = dev.log.length;
    const t0 = engine.now;
    const out = listen(rx, engine, DOWNLINK_RX);
    // One transaction in receive()'s own turn, and it is SetRx.
    expect(dev.opcodes(from)).toEqual([0x82]);
    run(engine, 1_000);
    // SetRx's 4 bytes at 8 MHz, then STDBY_RC → RX.
    expect(rx.preparedRxSetupUs).toBe(4 + RC_TO_RX_US);
    expect(rx.lastRxSetupUs).toBe(RC_TO_RX_US);
    expect(dev.chip.mode).toBe("rx");
    // It hears what it was prepared for: inverted IQ at 500.3 MHz, SF7.
    const payload = bytes(12, 3);
    tx.transmit(payload, DOWNLINK_TX, () => {});
    run(engine, 200_000);
    expect(out).toHaveLength(1);
    expect(out[0]!.error).toBeUndefined();
    expect(Array.from(out[0]!.result!.payload)).toEqual(Array.from(payload));
    expect(out[0]!.at - t0).toBeGreaterThan(0);
    expect(air.frames.length).toBeGreaterThan(0);
  });

  it("prepares again when a transmission came in between, or the parameters differ: the window then sends the whole sequence", () => {
    const { engine, dev, rx } = pair();
    rx.prepareReceive(DOWNLINK_RX);
    run(engine, 5_000);
    const changed = { ...DOWNLINK_RX, frequencyHz: 500_500_000 };
    const from = dev.log.length;
    const out = listen(rx, engine, changed);
    run(engine, 50_000);
    expect(out[0]!.error!.kind).toBe("timeout");
    expect(dev.opcodes(from).slice(0, 2)).toEqual([0x86, 0x8b]); // SetRfFrequency, SetModulationParams, …
    expect(Math.round(dev.chip.frequencyHz)).toBe(500_500_000);
    // A transmission rewrites frequency, modulation and IQ: the preparation is gone.
    rx.prepareReceive(DOWNLINK_RX);
    run(engine, 5_000);
    send(rx, engine, bytes(5), UPLINK);
    run(engine, 100_000);
    const after = dev.log.length;
    const out2 = listen(rx, engine, DOWNLINK_RX);
    run(engine, 50_000);
    expect(out2[0]!.error!.kind).toBe("timeout");
    expect(dev.opcodes(after)).toContain(0x8b);
    expect(Math.round(dev.chip.frequencyHz)).toBe(500_300_000);
    expect(() => rx.prepareReceive({ ...DOWNLINK_RX, timeoutSymbols: 0 })).toThrow(/timeoutSymbols must be an integer 1…255/);
  });

  it("with boosted RX gain: warm sleep drops the gain (§9.6), so wake() writes it again before the window", () => {
    const { engine, dev, rx } = pair({ rxBoosted: true });
    rx.prepareReceive(DOWNLINK_RX);
    run(engine, 5_000);
    expect(dev.chip.register(REG_RX_GAIN)).toBe(RX_GAIN_BOOSTED);
    rx.sleep();
    run(engine, 5_000);
    rx.wake();
    run(engine, 1);
    expect(dev.chip.register(REG_RX_GAIN)).toBe(RX_GAIN_POWER_SAVING);
    run(engine, 5_000);
    expect(dev.chip.register(REG_RX_GAIN)).toBe(RX_GAIN_BOOSTED);
    expect(rx.wakeUs).toBe(WAKE_WARM_US + COMMAND_BUSY_US);
    const from = dev.log.length;
    listen(rx, engine, DOWNLINK_RX);
    expect(dev.opcodes(from)).toEqual([0x82]);
  });

  it.each([
    [5, 6],
    [8, 8],
    [63, 64],
    [100, 104],
    [248, 248],
  ])("asked for a %i-symbol timeout, the modem waits %i symbols (mantissa-exponent register, rounded up)", (asked, symbols) => {
    expect(symbolTimeoutCode(asked).symbols).toBe(symbols);
    const { engine, dev, rx } = pair();
    const t0 = engine.now;
    const out = listen(rx, engine, { ...DOWNLINK_RX, timeoutSymbols: asked });
    run(engine, 400_000);
    expect(out[0]!.error!.kind).toBe("timeout");
    expect(out[0]!.at - t0).toBe(rx.rxSetupUs + symbols * 1024);
    expect(dev.chip.register(0x0706)).toBe(symbolTimeoutCode(asked).register);
  });

  it("takes the contract's longest timeout (255 symbols, the MAC's cap) as the chip's longest, 248", () => {
    const { engine, rx } = pair();
    const t0 = engine.now;
    const out = listen(rx, engine, { ...DOWNLINK_RX, timeoutSymbols: 255 });
    run(engine, 400_000);
    expect(out[0]!.error!.kind).toBe("timeout");
    expect(out[0]!.at - t0).toBe(rx.rxSetupUs + 248 * 1024);
  });

  it("receives a downlink whose preamble starts while it listens: payload, RSSI, SNR, RxDone at the last symbol", () => {
    const { engine, air, dev, tx, rx } = pair();
    const rxOut = listen(rx, engine, { ...DOWNLINK_RX, timeoutSymbols: 30 });
    run(engine, 1000); // the device is listening
    const payload = bytes(17, 5);
    const txOut = send(tx, engine, payload, DOWNLINK_TX);
    run(engine, 200_000);
    expect(txOut[0]!.error).toBeUndefined();
    expect(rxOut).toHaveLength(1);
    const { error, result } = rxOut[0]!;
    expect(error).toBeUndefined();
    expect([...result!.payload]).toEqual([...payload]);
    expect(result!.rssiDbm).toBe(-80);
    expect(result!.snrDb).toBe(7.25);
    expect(result!.rxEndUs).toBe(air.frames[0]!.endUs);
    expect(dev.chip.framesReceived).toBe(1);
  });

  it.each([
    ["another channel", { frequencyHz: 500_500_000 }],
    ["normal IQ (an uplink)", { invertIq: false }],
    ["another spreading factor", { sf: 8 }],
    ["another bandwidth", { bandwidthHz: 250_000 as const }],
  ])("ignores a frame on %s and times out", (_what, change) => {
    const { engine, dev, tx, rx } = pair();
    const rxOut = listen(rx, engine, { ...DOWNLINK_RX, timeoutSymbols: 30 });
    run(engine, 1000);
    send(tx, engine, bytes(12), { ...DOWNLINK_TX, ...change });
    run(engine, 200_000);
    expect(rxOut[0]!.error!.kind).toBe("timeout");
    expect(dev.chip.framesIgnored).toBe(1);
    expect(dev.chip.framesReceived).toBe(0);
  });

  it.each([
    [1.5, "catches", 6.5],
    [2.25, "misses", 5.75],
  ])("a receiver that starts listening %f symbols into a preamble %s it (%f of its 8 symbols left; 6 needed)", (late, verdict) => {
    const { engine, air, dev, tx, rx } = pair();
    const payload = bytes(12);
    send(tx, engine, payload, DOWNLINK_TX);
    run(engine, 1500); // the gateway's preamble is on the air
    const start = air.frames.at(-1)!.startUs;
    expect(start).toBeLessThan(engine.now);
    run(engine, start + late * 1024 - rx.rxSetupUs - engine.now);
    const rxOut = listen(rx, engine, { ...DOWNLINK_RX, timeoutSymbols: 8 });
    run(engine, 200_000);
    if (verdict === "catches") {
      expect(rxOut[0]!.error).toBeUndefined();
      expect(Array.from(rxOut[0]!.result!.payload)).toEqual(Array.from(payload));
      expect(dev.chip.framesMissed).toBe(0);
    } else {
      expect(rxOut[0]!.error!.kind).toBe("timeout");
      expect(dev.chip.framesMissed).toBe(1);
    }
  });

  it("ignores a private-network sync word; takes a frame without SX126x details (a gateway's) as public LoRaWAN", () => {
    const { engine, air, dev, rx } = pair();
    const at = engine.now + 1000;
    const gatewayFrame: LoraAirFrame = {
      sender: "gateway-concentrator",
      payload: bytes(12),
      frequencyHz: 500_300_000,
      sf: 7,
      bandwidthHz: 125_000,
      codingRate: 5,
      preamble: 8,
      invertIq: true,
      crc: false,
      powerDbm: 27,
      startUs: at,
      endUs: at + airtimeMicros({ sf: 7, bandwidthHz: 125_000, codingRate: 5, preamble: 8, payloadBytes: 12, explicitHeader: true, crc: false }),
    };
    const privateFrame: SX126xAirFrame = { ...gatewayFrame, sender: "private-node", syncWord: 0x1424, explicitHeader: true, lowDataRateOptimize: false, truncated: false };
    const ignored = listen(rx, engine, { ...DOWNLINK_RX, timeoutSymbols: 30 });
    engine.at(at, () => air.transmit(privateFrame));
    run(engine, 200_000);
    expect(ignored[0]!.error!.kind).toBe("timeout");
    expect(dev.chip.framesIgnored).toBe(1);

    const start = engine.now + 1000;
    const heard = listen(rx, engine, { ...DOWNLINK_RX, timeoutSymbols: 30 });
    engine.at(start, () => air.transmit({ ...gatewayFrame, startUs: start, endUs: start + (gatewayFrame.endUs - gatewayFrame.startUs) }));
    run(engine, 200_000);
    expect(heard[0]!.error).toBeUndefined();
    expect([...heard[0]!.result!.payload]).toEqual([...gatewayFrame.payload]);
  });

  it("reports a CRC error for a frame the air spoiled when it carries a CRC, a header error when it carries none", () => {
    const { engine, air, tx, rx } = pair();
    air.spoil = true;
    const withCrc = listen(rx, engine, { ...DOWNLINK_RX, timeoutSymbols: 30 });
    run(engine, 1000);
    send(tx, engine, bytes(12), { ...DOWNLINK_TX, crc: true });
    run(engine, 200_000);
    expect(withCrc[0]!.error!.kind).toBe("crc");

    const without = listen(rx, engine, { ...DOWNLINK_RX, timeoutSymbols: 30 });
    run(engine, 1000);
    send(tx, engine, bytes(12), { ...DOWNLINK_TX, crc: false });
    run(engine, 200_000);
    expect(without[0]!.error!.kind).toBe("header");
  });

  it("on the simulator's radio channel: hears a node 1 km away at the channel's RSSI, and loses a collided frame as a CRC error", () => {
    const engine = new Engine();
    const channel = new RadioChannel(engine, { seed: 7, shadowingDb: 0, fadingDb: 0 });
    const gw = new Board(engine, channel, { name: "gw", position: { x: 0, y: 0, height: 30 } });
    const a = new Board(engine, channel, { name: "node-a", position: { x: 1000, y: 0, height: 1.5 } });
    const c = new Board(engine, channel, { name: "node-c", position: { x: -1000, y: 0, height: 1.5 } });
    const [rx, txA, txC] = [gw.start(), a.start(), c.start()];
    run(engine, 20_000);
    const uplinkRx: LoraRxParams = { ...UPLINK, timeoutSymbols: 100 };

    const clean = listen(rx, engine, uplinkRx);
    run(engine, 1000);
    const payload = bytes(20, 9);
    send(txA, engine, payload, UPLINK);
    run(engine, 300_000);
    expect(clean[0]!.error).toBeUndefined();
    expect([...clean[0]!.result!.payload]).toEqual([...payload]);
    const rssi = UPLINK.powerDbm - channel.linkLossDb("node-a", "gw", stepsToFrequency(frequencyToSteps(UPLINK.frequencyHz)));
    expect(Math.abs(clean[0]!.result!.rssiDbm - rssi)).toBeLessThanOrEqual(0.3); // GetPacketStatus counts half dB

    const collided = listen(rx, engine, uplinkRx);
    run(engine, 1000);
    send(txA, engine, bytes(20), UPLINK);
    run(engine, 5000); // node-c starts 5 ms later, as strong at the gateway: no capture
    send(txC, engine, bytes(20), UPLINK);
    run(engine, 300_000);
    expect(collided[0]!.error!.kind).toBe("crc");
    expect(channel.stats.lostCollision).toBeGreaterThanOrEqual(1);
  });

  it("sleep() aborts a reception: the callback gets a busy error and the chip ends in warm sleep", () => {
    const { engine, dev, rx } = pair();
    const out = listen(rx, engine, { ...DOWNLINK_RX, timeoutSymbols: 200 });
    run(engine, 2000);
    expect(dev.chip.mode).toBe("rx");
    rx.sleep();
    run(engine, 1000);
    expect(out[0]!.error).toEqual({ kind: "busy", message: "sx1262: reception aborted by sleep()" });
    expect(dev.chip.mode).toBe("sleep");
    run(engine, 500_000);
    expect(out).toHaveLength(1);
  });
});

describe("SX1262 model: BUSY and reset", () => {
  /** The model alone on a bus, driven by raw transactions. */
  function chip() {
    const engine = new Engine();
    const node = new Board(engine, undefined);
    run(engine, WAKE_COLD_US); // power-on start-up
    const x = (...b: number[]) => node.bus.exchange(NSS, Uint8Array.from(b), 0);
    return { engine, node, chip: node.chip, x, busy: node.world.line(BUSY) };
  }

  it("holds BUSY high through the power-on start-up (cold start, 3.5 ms)", () => {
    const engine = new Engine();
    const node = new Board(engine, undefined);
    expect(node.world.line(BUSY).level).toBe(1);
    run(engine, WAKE_COLD_US - 1);
    expect(node.world.line(BUSY).level).toBe(1);
    run(engine, 1);
    expect(node.world.line(BUSY).level).toBe(0);
    expect(node.chip.mode).toBe("stdby-rc");
  });

  it("raises BUSY after the transaction (not inside it) and drops a command sent before it falls", () => {
    const { engine, chip: c, x, busy } = chip();
    x(0x8a, 0x01); // SetPacketType(LoRa)
    expect(busy.level).toBe(0); // T_SW: not yet risen in the same turn …
    engine.step(engine.now);
    expect(busy.level).toBe(1); // … but in the next event
    x(0x86, 0x1c, 0x65, 0x33, 0x33); // SetRfFrequency while BUSY is high: lost
    expect(c.dropped).toBe(1);
    expect(c.frequencyHz).toBe(0);
    run(engine, COMMAND_BUSY_US);
    expect(busy.level).toBe(0);
    x(0x86, 0x1c, 0x65, 0x33, 0x33);
    expect(c.frequencyHz).toBe(stepsToFrequency(0x1c653333));
  });

  it("cuts a transmission at SetTx's timeout: Timeout instead of TxDone, and the frame on the air is truncated", () => {
    const engine = new Engine();
    const air = new LoopbackAir(engine);
    const node = new Board(engine, air);
    run(engine, WAKE_COLD_US);
    const x = (...b: number[]) => {
      node.bus.exchange(NSS, Uint8Array.from(b), 0);
      run(engine, 5000);
    };
    x(0x8a, 0x01); // LoRa
    x(0x08, 0x02, 0x01, 0x02, 0x01, 0, 0, 0, 0); // TxDone|Timeout on DIO1
    x(0x8b, 7, 0x04, 1, 0); // SF7, 125 kHz, 4/5
    x(0x8c, 0, 8, 0, 50, 1, 0); // 8 symbols, explicit, 50 bytes, CRC
    const t = engine.now;
    x(0x83, 0x00, 0x02, 0x80); // SetTx, timeout 640 · 15.625 µs = 10 ms, shorter than the 50-byte frame
    run(engine, 200_000);
    expect(node.chip.irq & 0x0201).toBe(0x0200); // Timeout, no TxDone
    expect(node.world.line(DIO1).level).toBe(1);
    expect(air.frames[0]!.truncated).toBe(true);
    expect(air.frames[0]!.endUs).toBe(t + 10_000);
    expect(node.chip.mode).toBe("stdby-rc");
  });

  it("answers a command it cannot run in this mode with 'failure to execute' in the next status byte", () => {
    const { engine, chip: c, x } = chip();
    x(0x8a, 0x01);
    run(engine, 100);
    x(0x82, 0, 0, 0); // SetRx
    run(engine, 100);
    expect(c.mode).toBe("rx");
    x(0x84, 0x04); // SetSleep outside STDBY
    run(engine, 100);
    const status = x(0xc0, 0x00)[1]!;
    expect(chipModeOf(status)).toBe(5); // still RX
    expect(cmdStatusOf(status)).toBe(5);
    expect(c.rejected).toBe(1);
  });

  it("resets on NRESET held low ≥ 100 µs (configuration lost, BUSY high through a cold start); a 50 µs glitch does nothing", () => {
    const { engine, node, chip: c, x, busy } = chip();
    const reset = node.world.line(RESET);
    x(0x0d, 0x07, 0x40, 0x34, 0x44);
    run(engine, 100);
    expect(c.register(REG_LORA_SYNC_WORD)).toBe(0x34);
    reset.set(0);
    run(engine, 50);
    reset.set(1);
    run(engine, 100);
    expect(c.resetGlitches).toBe(1);
    expect(c.register(REG_LORA_SYNC_WORD)).toBe(0x34);
    reset.set(0);
    run(engine, 200);
    expect(busy.level).toBe(1);
    reset.set(1);
    run(engine, WAKE_COLD_US - 1);
    expect(busy.level).toBe(1);
    run(engine, 1);
    expect(busy.level).toBe(0);
    expect(c.register(REG_LORA_SYNC_WORD)).toBe(0x14); // back to 0x1424
  });

  it("wakes from warm sleep on a transaction (its bytes lost) in 340 µs with the configuration kept; cold in 3.5 ms without", () => {
    const { engine, chip: c, x, busy } = chip();
    x(0x0d, 0x07, 0x40, 0x34, 0x44);
    run(engine, 100);
    x(0x84, 0x04); // warm
    run(engine, 100);
    expect(c.mode).toBe("sleep");
    expect(busy.level).toBe(1);
    x(0xc0, 0x00);
    run(engine, WAKE_WARM_US - 1);
    expect(busy.level).toBe(1);
    run(engine, 1);
    expect(busy.level).toBe(0);
    expect(c.register(REG_LORA_SYNC_WORD)).toBe(0x34);
    x(0x84, 0x00); // cold
    run(engine, 100);
    x(0xc0, 0x00);
    run(engine, WAKE_WARM_US);
    expect(busy.level).toBe(1);
    run(engine, WAKE_COLD_US - WAKE_WARM_US);
    expect(busy.level).toBe(0);
    expect(c.register(REG_LORA_SYNC_WORD)).toBe(0x14);
  });

  it("keeps boosted RX gain through a warm sleep only when its address is in the register retention list (§9.6)", () => {
    const { engine, chip: c, x } = chip();
    const sleepAndWake = () => {
      x(0x84, 0x04);
      run(engine, 100);
      x(0xc0, 0x00);
      run(engine, WAKE_WARM_US);
    };
    x(0x0d, 0x08, 0xac, RX_GAIN_BOOSTED);
    run(engine, 100);
    sleepAndWake();
    expect(c.register(REG_RX_GAIN)).toBe(RX_GAIN_POWER_SAVING);
    x(0x0d, 0x08, 0xac, RX_GAIN_BOOSTED);
    run(engine, 100);
    x(0x0d, 0x02, 0x9f, 0x01, 0x08, 0xac); // one register in the list: 0x08AC
    run(engine, 100);
    sleepAndWake();
    expect(c.register(REG_RX_GAIN)).toBe(RX_GAIN_BOOSTED);
  });

  it("the driver recovers from a chip reset behind its back: the open window fails, the next transmission resets and succeeds", () => {
    const { engine, node, radio } = bench();
    const out = listen(radio, engine, DOWNLINK_RX);
    run(engine, 300);
    // Someone (a brown-out, a debugger) resets the chip while the driver waits for BUSY after the wake-up.
    node.world.line(RESET).set(0);
    run(engine, 200);
    node.world.line(RESET).set(1);
    run(engine, 500_000);
    expect(out).toHaveLength(1);
    // Back in its reset configuration (GFSK packet type) the chip refuses LoRa modulation parameters.
    expect(out[0]!.error).toEqual({ kind: "bus", message: "sx1262: the chip rejected SetModulationParams (command processing error, status 0x28)" });
    const retry = send(radio, engine, bytes(10), UPLINK);
    run(engine, 100_000);
    expect(retry[0]!.error).toBeUndefined();
    expect(retry[0]!.result!.airtimeUs).toBe(41_216);
  });
});

describe("SX1262 with a TCXO on DIO3", () => {
  it("programs the TCXO supply, adds its start-up to the RX set-up time, and clears the expected XOSC_START_ERR", () => {
    const { engine, node, radio } = bench({ tcxoVolts: 1.8, tcxoStartUs: 5000 }, { tcxoVolts: 1.8 });
    expect(node.errors).toEqual([]);
    expect(node.chip.deviceErrors).toBe(0);
    expect(radio.rxSetupUs).toBe(WAKE_WARM_US + 7 * COMMAND_BUSY_US + RC_TO_RX_US + 5000);
    const out = listen(radio, engine, DOWNLINK_RX);
    run(engine, 50_000);
    expect(out[0]!.error!.kind).toBe("timeout");
    expect(radio.lastRxSetupUs).toBe(radio.rxSetupUs);
  });

  it("fails with the chip's own complaint when the board's TCXO is not declared", () => {
    const { engine, node, radio } = bench({}, { tcxoVolts: 1.8 });
    const out = send(radio, engine, bytes(10), UPLINK);
    run(engine, 100_000);
    expect(out[0]!.error!.kind).toBe("bus");
    expect(out[0]!.error!.message).toMatch(/rejected SetTx \(failure to execute/);
    expect(node.chip.deviceErrors & 0x20).toBe(0x20); // XOSC_START_ERR
  });
});

describe("SX1262 supply current per state (Tables 3-5, 3-6)", () => {
  const residency = (node: Board, state: string) => node.chip.residency().find((r) => r.state === state);

  it("charges TX from SetTx to TxDone at the PA row's figure, and sleeps at 0.6 µA", () => {
    const { engine, node, radio } = bench();
    const sleepingFrom = engine.now;
    run(engine, 1_000_000);
    const asleep = residency(node, "sleep (warm)")!;
    expect(asleep.milliamps).toBe(SX1262_CURRENTS.sleepWarm);
    expect(asleep.us).toBeGreaterThanOrEqual(engine.now - sleepingFrom);
    const out = send(radio, engine, bytes(10), UPLINK);
    run(engine, 100_000);
    expect(out[0]!.error).toBeUndefined();
    const tx = residency(node, "TX +14 dBm (PA row +22 dBm)")!;
    expect(tx.milliamps).toBe(90);
    expect(tx.us).toBe(RC_TO_TX_US + 41_216);
    expect(tx.milliampSeconds).toBeCloseTo((90 * (RC_TO_TX_US + 41_216)) / 1e6, 9);
    expect(residency(node, "STDBY_RC")!.milliamps).toBe(0.6);
  });

  it.each([
    [22, 22, 118],
    [22, 20, 102],
    [22, 17, 95],
    [22, 19, 95 + (7 * 2) / 3], // between the +17 and +20 rows
    [14, 14, 45], // the +14 dBm PA row
    [20, 20, 84],
  ])("PA row +%i dBm at %i dBm: %f mA", (maxPowerDbm, powerDbm, ma) => {
    const { engine, node, radio } = bench({ maxPowerDbm: maxPowerDbm as 14 | 20 | 22 });
    send(radio, engine, bytes(10), { ...UPLINK, powerDbm });
    run(engine, 100_000);
    const tx = node.chip.residency().find((r) => r.state.startsWith("TX "))!;
    expect(tx.state).toBe(`TX +${powerDbm} dBm (PA row +${maxPowerDbm} dBm)`);
    expect(tx.milliamps).toBeCloseTo(ma, 9);
  });

  it.each([
    [{ regulator: "dcdc" as const }, "RX", 4.6],
    [{ regulator: "ldo" as const }, "RX", 8.8],
    [{ regulator: "dcdc" as const, rxBoosted: true }, "RX boosted", 5.3],
    [{ regulator: "ldo" as const, rxBoosted: true }, "RX boosted", 10.1],
  ])("RX with %o draws %s %f mA while listening", (config, state, ma) => {
    const { engine, node, radio } = bench(config);
    listen(radio, engine, DOWNLINK_RX);
    run(engine, 50_000);
    const rx = residency(node, state)!;
    expect(rx.milliamps).toBe(ma);
    // From SetRx to the Timeout IRQ: STDBY_RC → RX, then 8 symbols.
    expect(rx.us).toBe(RC_TO_RX_US + 8 * 1024);
  });
});

describe("SX1262 as a catalogue part on a simulated node", () => {
  it("declares SPI mode 0 up to 16 MHz with its four pins, and its defaults validate against its own schema", () => {
    const def = getPart("sx1262")!;
    expect(def.connection).toEqual({ kind: "spi", maxHz: 16_000_000, mode: 0, select: "nss" });
    expect(Object.keys(def.pins ?? {})).toEqual(["nss", "busy", "dio1", "reset"]);
    expect(def.defaults).toEqual({ ...SX1262_DEFAULTS });
    expect(validate(def.options, def.defaults).issues).toEqual([]);
    expect(validate(def.options, { tcxoVolts: 2.0 }).issues.map((i) => i.pointer)).toEqual(["/tcxoVolts"]);
    expect(validate(def.options, { maxPowerDbm: 15 }).issues.map((i) => i.pointer)).toEqual(["/maxPowerDbm"]);
  });

  it("is attached by the factory table to the node's SPI bus and pins, and a device drives it through its host", () => {
    const engine = new Engine();
    const air = new LoopbackAir(engine);
    const board: SimBoardSpec = {
      name: "lora-test-board",
      adc: { resolution: 12, fullScaleVolts: 3.3, pins: [] },
      pulseCountUnits: 0,
      i2c: {},
      spi: { default: { clock: SCK, in: MISO, out: MOSI, hz: 8_000_000 } },
      serial: {},
      pins: {},
      flash: { size: 4096, blockLength: 4096, writeAlign: 4, partitions: {} },
      supplyVolts: 3.3,
    };
    const radioPart: ResolvedSPIPart = {
      part: "sx1262",
      io: "spi",
      bus: "default",
      clock: SCK,
      in: MISO,
      out: MOSI,
      select: NSS,
      hz: 8_000_000,
      mode: 0,
      pins: { nss: NSS, busy: BUSY, dio1: DIO1, reset: RESET },
      options: { ...SX1262_DEFAULTS },
    };
    const results: Outcome<LoraTxResult>[] = [];
    const node = partNode({
      id: "lora-1",
      board,
      engine,
      main(host) {
        const radio = new SX1262({
          spi: host.SPI["default"]!,
          digital: host.io.Digital,
          pins: radioPart.pins as { nss: number; busy: number; dio1: number; reset: number },
          timer: host.timer,
          clock: host.clock,
          config: radioPart.options as Partial<SX1262Config>,
        });
        radio.transmit(bytes(10), UPLINK, (error, result) => results.push({ error, result, at: host.clock.microseconds() }));
        return { stats: () => ({}) };
      },
    });
    const attached = attachModels({ radio: radioPart }, { node, atmosphere: createKunmingWeather({ seed: 1 }), air });
    expect(attached.map((a) => [a.role, a.part])).toEqual([["radio", "sx1262"]]);
    node.boot();
    run(engine, 200_000);
    expect(node.crashes).toEqual([]);
    expect(results).toHaveLength(1);
    expect(results[0]!.error).toBeUndefined();
    expect(results[0]!.result!.airtimeUs).toBe(41_216);
    expect(air.frames).toHaveLength(1);
    expect((attached[0]!.model as SX1262Model).name).toBe("lora-1/radio");
  });
});
