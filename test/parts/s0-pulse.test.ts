/**
 * S0 pulse input: the model's pulses at the exact instants the energy integral gives, the driver counting them by
 * edge and width through bounce and interference, the OFF-time rule, and the count kept in retained memory across
 * deep sleep and a crash on a simulated board (pulses while the firmware is down are not seen, and none is counted
 * twice). Portable: runs on V8 and XS.
 */
import { describe, expect, it } from "vitest";
import type { DeviceMain } from "../../hal/host.js";
import { S0PulseCounter, type S0Sample } from "../../parts/s0-pulse/driver.js";
import { S0PulseModel } from "../../parts/s0-pulse/model.js";
import { part as s0Part } from "../../parts/s0-pulse/part.js";
import type { SimBoardSpec } from "../../simulator/core/board.js";
import { Engine } from "../../simulator/core/engine.js";
import { RetainedWords } from "../../simulator/core/flash.js";
import { makeDigitalClass } from "../../simulator/core/io/digital.js";
import { PinWorld } from "../../simulator/core/io/lines.js";
import { PinRegistry } from "../../simulator/core/io/pins.js";
import { EngineClock } from "../../simulator/core/timers.js";
import { partNode } from "../helpers/part-node.js";

const PIN = 27;
const HOUR = 3_600_000_000;
/** 1.2 kW steady: at 1000 imp/kWh, a pulse every 3 s. */
const steady = (t: number) => (1200 * t) / 3.6e9;

function bench(energyWh = steady, impulsesPerKwh = 1000) {
  const engine = new Engine();
  const world = new PinWorld();
  const Digital = makeDigitalClass(world, new PinRegistry("s0-bench"), (fn) => fn());
  const clock = new EngineClock(engine, 0);
  const retained = new RetainedWords(32);
  const line = world.line(PIN);
  const model = new S0PulseModel({ engine, line, energyWh, impulsesPerKwh });
  const counter = (o: { initialCount?: number; retainedIndex?: number } = {}) =>
    new S0PulseCounter({ input: { io: Digital, pin: PIN }, clock, retained, retainedIndex: o.retainedIndex ?? 4, impulsesPerKwh, ...o });
  return { engine, line, model, retained, counter, run: (us: number) => engine.runUntil(engine.now + us) };
}

describe("S0 pulse model", () => {
  it("puts each pulse where the energy integral crosses the next 1/impulsesPerKwh kWh, to the microsecond", () => {
    // A ramp: P(t) = 100 W + 900 W per hour, E(t) = 100 h + 450 h² Wh.
    const energy = (t: number) => {
      const h = t / HOUR;
      return 100 * h + 450 * h * h;
    };
    const b = bench(energy, 800);
    const falls: number[] = [];
    b.line.listen((level) => level === 0 && falls.push(b.engine.now));
    b.run(2 * HOUR);
    expect(falls.length).toBe(Math.floor(energy(2 * HOUR) / 1.25)); // 2000 Wh at 1.25 Wh a pulse
    falls.forEach((t, k) => {
      expect(energy(t)).toBeGreaterThanOrEqual((k + 1) * 1.25);
      expect(energy(t - 1)).toBeLessThan((k + 1) * 1.25);
    });
  });

  it("holds a pulse back when it would come sooner than a pulse length after the last one ended", () => {
    const b = bench((t) => (100_000 * t) / 3.6e9); // 100 kW: a pulse due every 36 ms, but 30 ms on + 30 ms off
    const falls: number[] = [];
    b.line.listen((level) => level === 0 && falls.push(b.engine.now));
    b.run(10_000_000);
    expect(b.model.delayed).toBeGreaterThan(0);
    for (let i = 1; i < falls.length; i++) expect(falls[i]! - falls[i - 1]!).toBeGreaterThanOrEqual(60_000);
  });

  it("declares the standard's figures: 1000 imp/kWh, 30 ms pulses, a both-edge input with pull-up", () => {
    expect(s0Part.defaults).toEqual({ impulsesPerKwh: 1000, pulseMs: 30, minPulseMs: 20, debounceMs: 5 });
    expect(s0Part.connection).toEqual({ kind: "digital-edge", pull: "up", edge: "both" });
  });
});

describe("S0 pulse driver against the model", () => {
  it("counts an hour at 1.2 kW: 1200 pulses, 1.2 kWh, 1200 W from the pulse interval", () => {
    const b = bench();
    const s0 = b.counter();
    b.run(HOUR + 1_000_000); // the 1200th pulse starts at 1 h exactly and counts at its trailing edge, 30 ms later
    const s = s0.sample();
    expect(s).toEqual({ pulses: 1200, total: 1200, energyKwh: 1.2, powerW: 1200, rejected: 0 } satisfies S0Sample);
    expect(s0.sample().pulses).toBe(0);
    expect(b.model.pulses).toBe(1200);
  });

  it("counts a bouncing relay output once per pulse, and rejects interference spikes", () => {
    const bouncing = bench();
    bouncing.model.fault = "bounce";
    const s0 = bouncing.counter();
    bouncing.run(HOUR + 1_000_000);
    expect(s0.sample()).toMatchObject({ total: 1200, rejected: 0 });

    const noisy = bench();
    noisy.model.fault = "spikes";
    const n = noisy.counter();
    noisy.run(HOUR + 1_000_000);
    expect(noisy.model.spikes).toBeGreaterThan(100);
    const s = n.sample();
    expect(s.total).toBe(1200);
    // A spike within the debounce time of a pulse's edge is indistinguishable from bounce and joins the pulse (about
    // 11 ms in 3 s: 2 of 492 here); every other one is rejected.
    expect(s.rejected).toBeLessThanOrEqual(noisy.model.spikes);
    expect(s.rejected).toBeGreaterThanOrEqual(noisy.model.spikes - 3);
  });

  it("a dead output gives no pulses and no power", () => {
    const b = bench();
    b.model.fault = "dead";
    const s0 = b.counter();
    b.run(HOUR);
    expect(s0.sample()).toMatchObject({ pulses: 0, total: 0, powerW: 0 });
  });

  it("keeps the count in two retained words: restored by the next instance, started afresh from initialCount after a power loss", () => {
    const b = bench();
    const first = b.counter({ initialCount: 5000 });
    expect(first.restored).toBe(false);
    b.run(HOUR + 1_000_000);
    first.close();
    const second = b.counter();
    expect(second.restored).toBe(true);
    expect(second.total).toBe(6200);
    b.retained.words.fill(0); // power lost: RAM, retained words included, comes back as zeros
    second.close();
    const third = b.counter({ initialCount: 6100 });
    expect(third.restored).toBe(false);
    expect(third.total).toBe(6100);
  });

  it("refuses a retained index without room for two words, and a zero meter constant", () => {
    const b = bench();
    expect(() => b.counter({ retainedIndex: 31 })).toThrow(/retainedIndex 31 needs two words inside retained memory of 32/);
    expect(() => new S0PulseModel({ engine: b.engine, line: b.line, energyWh: steady, impulsesPerKwh: 0 })).toThrow(/impulsesPerKwh must be > 0/);
  });
});

describe("S0 counting on a board that sleeps and crashes", () => {
  const board: SimBoardSpec = {
    name: "s0-test-board",
    adc: { resolution: 12, fullScaleVolts: 3.3, pins: [] },
    pulseCountUnits: 0,
    i2c: {},
    spi: {},
    serial: {},
    pins: { s0: PIN },
    flash: { size: 4096, blockLength: 4096, writeAlign: 4, partitions: {} },
    supplyVolts: 3.3,
  };

  it("loses nothing counted across deep sleeps and a watchdog reset, and counts exactly the pulses that ended while it ran", () => {
    const engine = new Engine();
    const readings: { reason: string; restored: boolean; total: number }[] = [];
    let boots = 0;
    const main: DeviceMain = (host) => {
      boots++;
      const s0 = new S0PulseCounter({ input: { io: host.io.Digital, pin: host.pin["s0"]! }, clock: host.clock, retained: host.retained, retainedIndex: 0, impulsesPerKwh: 1000 });
      readings.push({ reason: host.power.resetReason, restored: s0.restored, total: s0.total });
      // Awake 10 min 0.01 s (ends mid-pulse now and then), then 5 min of deep sleep; the third boot crashes after 7 min.
      host.timer.set(() => {
        if (boots === 3) throw new Error("a fault in the device");
        host.power.deepSleep(300_000);
      }, boots === 3 ? 420_000 : 600_010);
      return { stats: () => ({ total: s0.total }) };
    };
    const node = partNode({
      id: "meter-1",
      board,
      engine,
      main,
    });
    const line = node.world.line(PIN);
    const model = new S0PulseModel({ engine, line, energyWh: steady, impulsesPerKwh: 1000 });
    let endedWhileRunning = 0;
    line.listen((level) => {
      if (level === 1 && node.running) endedWhileRunning++;
    });
    node.boot();
    engine.runUntil(2 * HOUR);
    expect(readings.map((r) => r.reason)).toEqual(["power-on", "deep-sleep", "deep-sleep", "watchdog", "deep-sleep", "deep-sleep", "deep-sleep", "deep-sleep", "deep-sleep"]);
    expect(readings[0]!.restored).toBe(false);
    expect(readings.slice(1).every((r) => r.restored)).toBe(true);
    // Each boot starts where the last left off.
    const totals = readings.map((r) => r.total);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    const final = (node.app!.stats() as { total: number }).total;
    expect(final).toBe(endedWhileRunning);
    expect(model.pulses - final).toBeGreaterThan(600); // the sleeps: about a third of two hours at one pulse per 3 s
    expect(node.crashes.map((c) => c.error)).toEqual(["Error: a fault in the device"]);
    expect(engine.now).toBe(2 * HOUR);
  });
});
