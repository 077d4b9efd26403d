/**
 * DL/T 645-2007 over RS-485: published frames byte for byte, the driver against the meter model in virtual time
 * (registers from a known supply, tariffs, DE timing from the UART's own framing), and every fault a reply can
 * have, each a named, counted error. Portable: runs on V8 and XS.
 */
import { describe, expect, it } from "vitest";
import { Dlt645, DI, type MeterError, TARIFF_ITEMS } from "../../parts/dlt645/driver.js";
import { CONTROL, decodeValue, DLT645_SHAPE, encodeFrame, encodeRead, encodeValue, errName, frameData } from "../../parts/dlt645/frame.js";
import { Dlt645MeterModel } from "../../parts/dlt645/model.js";
import { FrameAssembler } from "../../parts/rs485/assembler.js";
import { addressBytes } from "../../parts/rs485/bcd.js";
import type { MeterReplyFault } from "../../parts/rs485/model.js";
import { bytes, DE, hexOf, MeterRig, STEADY } from "./meter-rig.js";
import type { PartOptionValue, ResolvedPart, ResolvedUARTPart } from "../../manifests/schema/config.js";
import { getPart } from "../../manifests/schema/parts.js";
import { Rs485Bus } from "../../parts/rs485/model.js";
import type { S0PulseModel } from "../../parts/s0-pulse/model.js";
import type { SimBoardSpec } from "../../simulator/core/board.js";
import { Engine } from "../../simulator/core/engine.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import { attachModels } from "../../simulator/core/parts.js";
import { partNode } from "../helpers/part-node.js";

/** Frames one frame out of bytes through the shared assembler; fails the test when there is none. */
function frameOf(hex: string): Uint8Array {
  const a = new FrameAssembler(DLT645_SHAPE);
  a.push(bytes(hex));
  const r = a.next();
  if (r.kind !== "frame") throw new Error(`no frame in ${hex}: ${JSON.stringify(r)}`);
  return r.frame;
}

describe("DL/T 645-2007 frames (published examples)", () => {
  // "DL645通信协议97/07规约(附上下行例子)", 553668.com/manong/786292.html (also m.icode9.com/content-4-712469.html):
  // read forward active total energy (DI 00 01 00 00) from meter 000102030425, and its reply: 1206.42 kWh.
  const REQUEST = "68 25 04 03 02 01 00 68 11 04 33 33 34 33 E1 16";
  const REPLY = "68 25 04 03 02 01 00 68 91 08 33 33 34 33 75 39 45 33 8B 16";

  it("a read of forward active energy, byte for byte: address low byte first, DI +0x33 low byte first, checksum", () => {
    expect(hexOf(encodeRead(addressBytes("000102030425", 6, "test"), DI.FORWARD_ACTIVE_TOTAL.di, 0))).toBe(REQUEST);
    // With the wake-up preamble the frame is the same after four FE.
    expect(hexOf(encodeRead(addressBytes("000102030425", 6, "test"), DI.FORWARD_ACTIVE_TOTAL.di))).toBe(`FE FE FE FE ${REQUEST}`);
  });

  it("its reply decodes to 1206.42 kWh (75 39 45 33 − 33 → 42 06 12 00, XXXXXX.XX)", () => {
    const f = frameOf(REPLY);
    expect(f[8]).toBe(CONTROL.READ_REPLY);
    const data = frameData(f);
    expect(hexOf(data)).toBe("00 00 01 00 42 06 12 00");
    expect(decodeValue(DI.FORWARD_ACTIVE_TOTAL, data, 4)).toBe(1206.42);
    // The meter model's encoder gives the same bytes for the same register.
    const out = new Uint8Array(8);
    out.set([0x00, 0x00, 0x01, 0x00]);
    encodeValue(DI.FORWARD_ACTIVE_TOTAL, 1206.42, out, 4);
    expect(hexOf(encodeFrame(addressBytes("000102030425", 6, "t"), CONTROL.READ_REPLY, out, 0))).toBe(REPLY);
  });

  // A DLT645-2007 frame log found by search (page "DLT645-2007报文解析"; no address recorded): phase A voltage,
  // DI 02 01 01 00, of meter 000000000161: 100.1 V.
  it("a read of phase A voltage and its reply (34 43 − 33 → 01 10: 100.1 V, XXX.X)", () => {
    expect(hexOf(encodeRead(addressBytes("161", 6, "t"), DI.VOLTAGE_A.di))).toBe("FE FE FE FE 68 61 01 00 00 00 00 68 11 04 33 34 34 35 17 16");
    const data = frameData(frameOf("68 61 01 00 00 00 00 68 91 06 33 34 34 35 34 43 10 16"));
    expect(decodeValue(DI.VOLTAGE_A, data, 4)).toBeCloseTo(100.1, 10);
    // Same log: energy 000000.26 kWh from 59 33 33 33.
    expect(decodeValue(DI.FORWARD_ACTIVE_TOTAL, frameData(frameOf("68 61 01 00 00 00 00 68 91 08 33 33 34 33 59 33 33 33 8A 16")), 4)).toBe(0.26);
  });

  it("read-address to the AA wildcard (553668.com: FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16)", () => {
    expect(hexOf(encodeFrame(addressBytes("AAAAAAAAAAAA", 6, "t"), CONTROL.READ_ADDRESS, new Uint8Array(0), 3))).toBe("FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16");
  });

  it("the project reference's worked request for meter 123456789012 (computed by hand there)", () => {
    expect(hexOf(encodeRead(addressBytes("123456789012", 6, "t"), DI.FORWARD_ACTIVE_TOTAL.di, 0))).toBe("68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16");
  });

  it("signed values carry the direction in the top bit; error-status bits are named", () => {
    const d = Uint8Array.of(0x56, 0x34, 0x92); // −12.3456 A as XXX.XXX with bit 7 set
    expect(decodeValue(DI.CURRENT_A, d, 0)).toBe(-123.456);
    expect(decodeValue(DI.VOLTAGE_A, Uint8Array.of(0x1a, 0x23), 0)).toBeNaN();
    expect(errName(0x02)).toBe("no requested data (ERR 0x02)");
    expect(errName(0x06)).toBe("no requested data, password error or unauthorised (ERR 0x06)");
  });
});

const ADDRESS = "000102030425";

function bench(o: { fault?: MeterReplyFault; faultReplies?: number; parity?: "none" | "even"; retries?: number; address?: string } = {}) {
  const rig = new MeterRig();
  const meter = new Dlt645MeterModel({ engine: rig.engine, bus: rig.bus, address: ADDRESS, supply: STEADY, epochMs: Date.UTC(2024, 5, 1, 16, 0, 0) }); // 00:00 in Kunming
  if (o.fault) meter.inject(o.fault, o.faultReplies);
  const errors: MeterError[] = [];
  const samples: number[] = [];
  const driver = new Dlt645({
    ...rig.port(o.parity ?? "even"),
    address: o.address ?? ADDRESS,
    retries: o.retries ?? 2,
    onError: (e) => errors.push(e),
    onSample: () => samples.push(rig.engine.now),
  });
  return { rig, meter, driver, errors, samples };
}

function readOne(b: ReturnType<typeof bench>, item = DI.FORWARD_ACTIVE_TOTAL) {
  const out: { error?: MeterError | undefined; value?: number | undefined; at?: number } = {};
  b.driver.read(item, (error, value) => Object.assign(out, { error, value, at: b.rig.engine.now }));
  b.rig.run(20_000);
  return out;
}

describe("DL/T 645 driver against the meter model", () => {
  it("reads the registers the model integrated from the supply, by tariff, with the total their sum", () => {
    const b = bench();
    b.rig.run(3_600_000 * 8 + 30 * 60_000); // 00:00 → 08:30 local: 7 h valley (tariff 4), 1.5 h flat (tariff 3)
    b.driver.measure();
    b.rig.run(10_000);
    expect(b.errors).toEqual([]);
    const r = b.driver.sample()!;
    expect(r.failed).toEqual([]);
    expect(r.values.get(DI.FORWARD_ACTIVE_TOTAL.di)).toBe(10.2); // 8.5 h × 1.2 kW
    expect(TARIFF_ITEMS.map((it) => r.values.get(it.di))).toEqual([0, 0, 1.8, 8.4]);
    expect(r.values.get(DI.VOLTAGE_A.di)).toBe(230);
    expect(r.values.get(DI.CURRENT_A.di)).toBe(5.491); // 1200 / (230 × 0.95) = 5.4919… rounded down to mA
    expect(b.samples).toHaveLength(1);
    expect(b.driver.stats.requests).toBe(7);
    expect(b.meter.stats.requests).toBe(7);
  });

  it("raises DE for exactly the request's time on the wire (16 + 4 bytes × 11 bits at 2400 baud, to the ms) and hears the reply", () => {
    const b = bench();
    const start = b.rig.engine.now;
    readOne(b);
    const [up, down] = b.rig.deEdges;
    expect(up).toEqual([start, 1]);
    // 20 bytes × 11 bits / 2400 baud = 91.67 ms: DE drops at the next whole ms, after the last stop bit.
    expect(down).toEqual([start + 92_000, 0]);
    expect(b.rig.bus.stats).toEqual({ txCutByDe: 0, rxLostToDe: 0, collided: 0, framingMismatches: 0 });
    // The reply (4 FE + 20) took 24 × 11 / 2400 s on the wire after the model's 50 ms.
    expect(b.rig.wire.filter((t) => t.dir === "rx").map((t) => t.at - start)).toEqual([91_667 + 50_000 + 110_000]);
  });

  const FAULTS: readonly [MeterReplyFault, string, RegExp][] = [
    ["checksum", "checksum", /checksum 0x.. where its bytes sum to 0x../],
    ["address", "address", /from address 000102030426, not 000102030425/],
    ["silence", "timeout", /no reply to read 00 01 00 00 \(forward active energy, total\) within 610 ms \(try 1 of 3\)/],
    ["slow", "timeout", /no reply/],
    ["truncated", "truncated", /cut short: 10 byte\(s\) of 20 by the deadline \(68 25 04 03 02 01 00 68 91 08\)/],
    ["identifier", "identifier", /carries data identifier 00 01 00 01, not 00 01 00 00/],
    ["control", "control", /control code 0x93, not 0x91/],
  ];

  it.each(FAULTS)("a %s reply is a counted %s error, and the retry reads the value", (fault, kind, message) => {
    const b = bench({ fault, faultReplies: 1 });
    b.rig.run(3_600_000);
    const r = readOne(b);
    expect(r.error).toBeUndefined();
    expect(r.value).toBe(1.2);
    expect(b.errors.map((e) => e.fault)).toEqual(fault === "slow" ? ["timeout", "garbage"] : [kind]);
    expect(b.errors[0]!.message).toMatch(message);
    expect(b.errors[0]!.message).toMatch(/^dlt645@000102030425: /);
    expect(b.driver.stats.faults[kind as "timeout"]).toBe(1);
    expect(b.driver.stats.retries).toBe(1);
  });

  it("garbage before a good reply is reported and counted, and the reply is used", () => {
    const b = bench({ fault: "garbage" });
    b.rig.run(3_600_000);
    const r = readOne(b);
    expect(r.value).toBe(1.2);
    expect(b.errors.map((e) => [e.fault, e.message])).toEqual([["garbage", "dlt645@000102030425: 5 byte(s) that are not part of a DL/T 645 frame before the reply to read 00 01 00 00 (forward active energy, total)"]]);
    expect(b.driver.stats.strayBytes).toBe(5);
  });

  it("a meter that keeps failing: every try is an error, then the read fails with the last", () => {
    const b = bench({ fault: "checksum" });
    const r = readOne(b);
    expect(r.error?.fault).toBe("checksum");
    expect(b.errors).toHaveLength(3);
    expect(b.driver.stats).toMatchObject({ exchanges: 1, requests: 3, retries: 2, failures: 1, replies: 0 });
  });

  it("an identifier the meter does not keep gets its abnormal reply (0xD1, no requested data), asked once", () => {
    const b = bench();
    const r = readOne(b, { di: 0x00150000, name: "an unkept register", bytes: 4, decimals: 2, signed: false, unit: "kWh" });
    expect(r.error?.fault).toBe("exception");
    expect(r.error?.message).toMatch(/the meter answered abnormally: no requested data \(ERR 0x02\)/);
    expect(b.driver.stats.requests).toBe(1);
    expect(b.meter.stats.exceptions).toBe(1);
  });

  it("another meter's address gets silence; the AA wildcard reaches the one meter on the bus", () => {
    const other = bench({ address: "000102030426", retries: 0 });
    expect(readOne(other).error?.fault).toBe("timeout");
    expect(other.meter.stats.ignored).toBe(1);
    const wild = bench({ address: "AAAAAAAAAAAA" });
    wild.rig.run(3_600_000);
    expect(readOne(wild).value).toBe(1.2);
  });

  it("tamper counters travel in the event registers", () => {
    const b = bench();
    b.meter.openCover();
    b.meter.applyMagnet();
    b.meter.applyMagnet();
    expect(readOne(b, DI.COVER_OPENINGS).value).toBe(1);
    expect(readOne(b, DI.MAGNETIC_EVENTS).value).toBe(2);
  });

  it("a driver framed 8N1 is not understood by an 8E1 meter: silence, and the bus says why", () => {
    const b = bench({ parity: "none", retries: 0 });
    expect(readOne(b).error?.fault).toBe("timeout");
    expect(b.rig.bus.stats.framingMismatches).toBe(1);
    expect(b.meter.stats.requests).toBe(0);
  });

  it("a meter that answers before DE is released loses the reply's head to the transceiver", () => {
    const b = bench({ retries: 0 });
    b.meter.replyDelayMs = 0;
    b.meter.preamble = 0;
    const r = readOne(b);
    expect(r.error).toBeDefined();
    expect(b.rig.bus.stats.rxLostToDe).toBeGreaterThan(0);
  });

  it("a DE released in the middle of a request cuts it short on the pair, and the meter does not answer", () => {
    const rig = new MeterRig();
    const meter = new Dlt645MeterModel({ engine: rig.engine, bus: rig.bus, address: ADDRESS, supply: STEADY, epochMs: 0 });
    const de = new rig.Digital({ pin: DE, mode: rig.Digital.Output });
    const serial = new rig.Serial({ receive: 16, transmit: 17, baud: 2400, parity: "even" });
    de.write(1);
    serial.write(encodeRead(addressBytes(ADDRESS, 6, "t"), DI.FORWARD_ACTIVE_TOTAL.di));
    rig.timers.set(() => de.write(0), 50); // half the frame's 91.7 ms
    rig.run(2000);
    expect(rig.bus.stats.txCutByDe).toBe(10); // bytes 11…20: the 11th is on the wire from 45.8 to 50.4 ms
    expect(meter.stats.requests).toBe(0);
    expect(rig.hex("rx")).toEqual([]);
  });

  it("two meters answering the wildcard at once collide; the driver names the damage", () => {
    const b = bench({ address: "AAAAAAAAAAAA", retries: 0 });
    const second = new Dlt645MeterModel({ engine: b.rig.engine, bus: b.rig.bus, address: "000102030426", supply: STEADY, epochMs: 0 });
    const r = readOne(b);
    expect(r.error).toBeDefined();
    expect(b.rig.bus.stats.collided).toBeGreaterThan(0);
    expect(second.stats.requests).toBe(1);
  });

  it("is deterministic: the same run twice gives the same wire", () => {
    const run = () => {
      const b = bench({ fault: "truncated", faultReplies: 2 });
      b.rig.run(1_800_000);
      b.driver.measure();
      b.rig.run(30_000);
      return b.rig.wire.map((t) => `${t.at} ${t.dir} ${hexOf(t.bytes)}`).join("\n");
    };
    expect(run()).toBe(run());
  });

  it("refuses a bad address and a preamble longer than four bytes, naming them", () => {
    const rig = new MeterRig();
    expect(() => new Dlt645({ ...rig.port(), address: "12345678901X" })).toThrow(/dlt645: address "12345678901X" must be up to 12 decimal digits/);
    expect(() => new Dlt645({ ...rig.port(), address: ADDRESS, preamble: 5 })).toThrow(/preamble must be 0…4 FE bytes/);
  });
});

describe("meter parts in the catalogue and the simulator's factory", () => {
  it("declares DL/T 645 and CJ/T 188 on a UART with a DE pin, 2400 8E1, and wires both meters to one bus on one port", () => {
    expect(getPart("dlt645")?.connection).toEqual({ kind: "uart", baud: 2400, multidrop: true });
    expect(Object.keys(getPart("dlt645")?.pins ?? {})).toEqual(["de"]);
    expect(getPart("cjt188")?.defaults).toMatchObject({ baud: 2400, parity: "even", meterType: 0x10, address: "AAAAAAAAAAAAAA" });
    expect(getPart("s0-pulse")?.defaults).toMatchObject({ impulsesPerKwh: 1000 });
    const engine = new Engine();
    const board: SimBoardSpec = {
      name: "meter-board",
      adc: { resolution: 12, fullScaleVolts: 3.3, pins: [] },
      pulseCountUnits: 0,
      i2c: {},
      spi: {},
      serial: { default: { receive: 16, transmit: 17, baud: 115_200 } },
      pins: {},
      flash: { size: 4096, blockLength: 4096, writeAlign: 4, partitions: {} },
      supplyVolts: 3.3,
    };
    const uart = (part: "dlt645" | "cjt188", address: string): ResolvedUARTPart => ({
      part,
      io: "uart",
      bus: "default",
      receive: 16,
      transmit: 17,
      baud: 2400,
      pins: { de: DE },
      options: { ...(getPart(part)!.defaults as Record<string, PartOptionValue>), address },
    });
    const parts: Record<string, ResolvedPart> = {
      electricity: uart("dlt645", ADDRESS),
      water: uart("cjt188", "78330011223344"),
      pulses: { part: "s0-pulse", io: "digital-edge", pin: 27, edge: "both", pull: "up", options: { ...(getPart("s0-pulse")!.defaults as Record<string, PartOptionValue>) } },
    };
    const got: number[] = [];
    const node = partNode({
      id: "meter-1",
      board,
      engine,
      main(host) {
        const p = parts["electricity"] as ResolvedUARTPart;
        const o = p.options as { address: string; baud: number; parity: "even"; retries: number; replyTimeoutMs: number };
        const meter = new Dlt645({
          serial: { io: host.io.Serial, receive: p.receive, transmit: p.transmit },
          de: { io: host.io.Digital, pin: p.pins["de"]! },
          timer: host.timer,
          ...o,
        });
        host.timer.set(() => meter.read(DI.FORWARD_ACTIVE_TOTAL, (e, v) => got.push(e ? -1 : v!)), 3_600_000);
        return { stats: () => ({}) };
      },
    });
    const attached = attachModels(parts, { node, atmosphere: createKunmingWeather({ seed: 1 }), household: { electricity: STEADY, water: { volumeLitres: () => 0 } } });
    expect(attached.map((a) => a.part)).toEqual(["dlt645", "cjt188", "s0-pulse"]);
    expect(node.uart["default"]!.peer).toBeInstanceOf(Rs485Bus);
    node.boot();
    engine.runUntil(3_601_000_000);
    expect(got).toEqual([1.2]);
    expect((attached[2]!.model as S0PulseModel).pulses).toBe(1200);
    expect(() => attachModels({ e: uart("dlt645", ADDRESS) }, { node, atmosphere: createKunmingWeather({ seed: 1 }) })).toThrow(
      /dlt645 \(role e\): the scenario gives no household electricity/,
    );
  });
});
