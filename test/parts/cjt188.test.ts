/**
 * CJ/T 188-2004 over RS-485: published frames byte for byte, the driver against the water-meter model in virtual
 * time (register, settlement-day volume, clock, status bits) and every reply fault as a named, counted error.
 * Portable: runs on V8 and XS.
 */
import { describe, expect, it } from "vitest";
import { Cjt188, decodeMetering, type MeterError } from "../../parts/cjt188/driver.js";
import { CJT188_SHAPE, encodeFrame, encodeReadMetering, ST } from "../../parts/cjt188/frame.js";
import { Cjt188MeterModel, type WaterSupply } from "../../parts/cjt188/model.js";
import { FrameAssembler, sealFrame } from "../../parts/rs485/assembler.js";
import { addressBytes } from "../../parts/rs485/bcd.js";
import type { MeterReplyFault } from "../../parts/rs485/model.js";
import { bytes, hexOf, MeterRig } from "./meter-rig.js";

function scan(hex: string) {
  const a = new FrameAssembler(CJT188_SHAPE);
  a.push(bytes(hex));
  return a.next();
}

describe("CJ/T 188-2004 frames (published examples)", () => {
  // hftangyu.com/563.html ("CJ/T-188水表协议", also topic.alibabacloud.com in English): meter 78330011223344,
  // cold water, read metering data with DI 1F 90 and SER 00; CS 80 = 68+10+44+33+22+11+00+33+78+01+03+1F+90+00.
  it("a read of metering data, byte for byte", () => {
    expect(hexOf(encodeReadMetering(0x10, addressBytes("78330011223344", 7, "t"), 0))).toBe("FE FE FE FE 68 10 44 33 22 11 00 33 78 01 03 1F 90 00 80 16");
  });

  const PUBLISHED_REPLY = "FE FE FE FE 68 10 44 33 22 11 00 33 78 81 16 1F 90 00 00 77 66 55 2C 00 77 66 55 2C 31 01 22 11 05 15 20 21 84 08 16";

  it("the same page's reply: its CS (08) does not match its bytes (they sum to 13), which the assembler names", () => {
    const r = scan(PUBLISHED_REPLY);
    expect(r).toMatchObject({ kind: "bad", fault: "checksum", message: "CJ/T 188 frame checksum 0x08 where its bytes sum to 0x13" });
  });

  it("its fields, re-sealed: 556677.00 m³ now and at settlement (2C = m³), clock 2015-05-11 22:01:31, ST 21 84", () => {
    const f = bytes(PUBLISHED_REPLY).slice(4);
    sealFrame(CJT188_SHAPE, f, 0);
    const r = scan(hexOf(f));
    expect(r.kind).toBe("frame");
    const m = decodeMetering(f);
    expect(m.volumeM3).toBe(556677);
    expect(m.settlementM3).toBe(556677);
    expect(m.clock).toEqual({ year: 2015, month: 5, day: 11, hour: 22, minute: 1, second: 31 });
    expect(m.status).toBe(0x8421);
    expect(m.valve).toBe("closed"); // D0–D1 = 01
  });

  // aixiwang/python_cjt188 (python_cjt188.py, its commented self-test): meter 00000000000012, a request and a reply
  // with the identifier in the other order (90 1F), both with consistent checksums (3D, 67).
  it("another implementation's frames: the checksums hold, and its 90 1F order is told apart from 1F 90", () => {
    expect(scan("68 10 12 00 00 00 00 00 00 01 03 90 1f 00 3d 16").kind).toBe("frame");
    const r = scan("fe fe fe 68 10 12 00 00 00 00 00 00 81 16 90 1f 00 10 00 10 00 2c 10 00 10 00 2c 00 00 00 00 00 00 00 00 ff 67 16");
    expect(r.kind).toBe("frame");
    const m = decodeMetering((r as { frame: Uint8Array }).frame);
    expect(m.volumeM3).toBeCloseTo(1000.1, 9); // 10 00 10 00 low byte first: 00100010 hundredths
    expect(m.status).toBe(0xff00);
  });
});

const ADDRESS = "78330011223344";
/** 0.5 L/s: 1800 L an hour, known in closed form. */
const TAP: WaterSupply = Object.freeze({ volumeLitres: (t: number) => (0.5 * t) / 1e6 });

function bench(o: { fault?: MeterReplyFault; faultReplies?: number; address?: string; retries?: number; supply?: WaterSupply } = {}) {
  const rig = new MeterRig();
  // Run starts 2024-06-03 00:00 Kunming time; settlement on the 1st.
  const meter = new Cjt188MeterModel({ engine: rig.engine, bus: rig.bus, address: ADDRESS, supply: o.supply ?? TAP, epochMs: Date.UTC(2024, 5, 2, 16), initialM3: 12.34 });
  if (o.fault) meter.inject(o.fault, o.faultReplies);
  const errors: MeterError[] = [];
  const driver = new Cjt188({ ...rig.port("even"), address: o.address ?? ADDRESS, retries: o.retries ?? 2, onError: (e) => errors.push(e) });
  return { rig, meter, driver, errors };
}

function measure(b: ReturnType<typeof bench>) {
  b.driver.measure();
  b.rig.run(20_000);
  return b.driver.sample();
}

describe("CJ/T 188 driver against the water-meter model", () => {
  it("reads the register the model keeps from the supply, its clock and status", () => {
    const b = bench();
    b.rig.run(2 * 3_600_000 + 61_000); // 02:01:01
    const r = measure(b)!;
    expect(b.errors).toEqual([]);
    expect(r.volumeM3).toBe(15.97); // 2 h 1 min 1 s at 0.5 L/s = 3630.5 L, kept in 10 L steps
    expect(r.settlementM3).toBe(12.34); // the 1st was before the run: the register at its start
    expect(r.clock).toEqual({ year: 2024, month: 6, day: 3, hour: 2, minute: 1, second: 1 });
    expect(r).toMatchObject({ valve: "open", batteryLow: false, status: 0 });
    // 20 bytes out at 2400 8E1, DE released on the next whole ms.
    expect(b.rig.deEdges.slice(0, 2).map(([t, l]) => [t - (2 * 3_600_000 + 61_000) * 1000, l])).toEqual([
      [0, 1],
      [92_000, 0],
    ]);
  });

  it("volume at the settlement day once the run has passed one (00:00 local on the 1st)", () => {
    const b = bench();
    b.rig.run(29 * 86_400_000); // 2024-07-02 00:00
    const r = measure(b)!;
    const settled = 12.34 + (0.5 * 28 * 86_400) / 1000; // 2024-07-01 00:00 is 28 days in
    expect(r.settlementM3).toBeCloseTo(Math.floor(settled * 100 + 1e-9) / 100, 9);
    expect(r.clock).toMatchObject({ year: 2024, month: 7, day: 2, hour: 0 });
  });

  it("status: valve, low battery, a magnet and reverse flow", () => {
    let litres = 1000;
    const b = bench({ supply: { volumeLitres: () => litres } });
    b.meter.valve = "abnormal";
    b.meter.batteryLow = true;
    b.meter.magnet = true;
    litres = 900;
    const r = measure(b)!;
    expect(r.valve).toBe("abnormal");
    expect(r.batteryLow).toBe(true);
    expect(r.status).toBe(ST.VALVE_ABNORMAL | ST.BATTERY_LOW | ST.MAGNET | ST.REVERSE_FLOW);
  });

  const FAULTS: readonly [MeterReplyFault, string, RegExp][] = [
    ["checksum", "checksum", /CJ\/T 188 frame checksum 0x.. where its bytes sum to 0x../],
    ["address", "address", /from address 78330011223345, not 78330011223344/],
    ["silence", "timeout", /no reply to read metering data \(DI 90 1F, SER 0\) within 679 ms \(try 1 of 3\)/],
    ["truncated", "truncated", /cut short: 17 byte\(s\) of 35 by the deadline/],
    ["identifier", "identifier", /carries data identifier 90 20, not 90 1F/],
    ["control", "control", /control code 0x83, not 0x81/],
  ];

  it.each(FAULTS)("a %s reply is a counted %s error, and the retry reads the register", (fault, kind, message) => {
    const b = bench({ fault, faultReplies: 1 });
    b.rig.run(3_600_000);
    const r = measure(b);
    expect(r?.volumeM3).toBe(12.34 + 1.8);
    expect(b.errors.map((e) => e.fault)).toEqual([kind]);
    expect(b.errors[0]!.message).toMatch(message);
    expect(b.errors[0]!.message).toMatch(/^cjt188@78330011223344: /);
    expect(b.driver.stats.retries).toBe(1);
  });

  it("garbage between frames is counted and named; a slow meter's late reply is stray", () => {
    const g = bench({ fault: "garbage", faultReplies: 1 });
    expect(measure(g)?.volumeM3).toBe(12.34);
    expect(g.errors.map((e) => e.fault)).toEqual(["garbage"]);
    const s = bench({ fault: "slow", faultReplies: 1 });
    expect(measure(s)?.volumeM3).toBe(12.34);
    expect(s.errors.map((e) => e.fault)).toEqual(["timeout", "garbage"]);
    expect(s.errors[1]!.message).toMatch(/byte\(s\) when no reply was due/);
  });

  it("a meter that stays silent: three tries, three errors, no sample", () => {
    const b = bench({ fault: "silence" });
    expect(measure(b)).toBeUndefined();
    expect(b.errors).toHaveLength(3);
    expect(b.driver.stats).toMatchObject({ requests: 3, failures: 1 });
  });

  it("another address: silence; the wildcard: the meter on the bus; an unknown identifier: its abnormal reply, once", () => {
    const other = bench({ address: "78330011223345", retries: 0 });
    expect(measure(other)).toBeUndefined();
    expect(other.meter.stats.ignored).toBe(1);
    const wild = bench({ address: "AAAAAAAAAAAAAA" });
    expect(measure(wild)?.volumeM3).toBe(12.34);

    // Another identifier (90 20), sent by hand with SER 7: C1, SER, ST.
    const b = bench();
    const replies: string[] = [];
    b.rig.link.recorder = (t) => t.dir === "rx" && replies.push(hexOf(t.bytes));
    b.driver.close();
    const serial = new b.rig.Serial({ receive: 16, transmit: 17, baud: 2400, parity: "even" });
    const pin = new b.rig.Digital({ pin: 4, mode: b.rig.Digital.Output });
    pin.write(1);
    serial.write(encodeFrame(0x10, addressBytes(ADDRESS, 7, "t"), 0x01, Uint8Array.of(0x20, 0x90, 0x07)));
    b.rig.timers.set(() => pin.write(0), 92);
    b.rig.run(2000);
    expect(replies).toEqual(["FE FE FE FE 68 10 44 33 22 11 00 33 78 C1 03 07 00 00 98 16"]);
    expect(b.meter.stats.exceptions).toBe(1);
  });
});
