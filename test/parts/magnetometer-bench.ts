/**
 * What the magnetometer part tests share: a field the test sets, one reading run to its end, the writes a driver
 * made, and a simulated node with one magnetometer on its I2C bus whose device code takes one reading 10 ms after
 * boot (how the tests check that the simulator's factory wires a model where a device's driver finds it).
 */
import type { Host, TimerHandle, Timers } from "../../hal/host.js";
import type { I2CClass, I2COptions } from "../../hal/io.js";
import type { MagnetometerSample } from "../../parts/magnetometer/reading.js";
import type { SimBoardSpec } from "../../simulator/core/board.js";
import type { MagneticField } from "../../simulator/core/environment/types.js";
import { Rig, SCL, SDA } from "./rig.js";
import { partNode } from "../helpers/part-node.js";

/** A field the test sets, µT, as the world quantity a model reads. */
export function world(initial: MagneticField) {
  const field = { ...initial };
  return { field, at: (_t: number, out: MagneticField) => ((out.x = field.x), (out.y = field.y), (out.z = field.z), out) };
}

/** Start a reading and run 50 ms, long enough for it to end either way; the driver's sample after it. */
export function reading(b: { rig: Rig; driver: { measure(): void; sample(): MagnetometerSample | undefined } }) {
  b.driver.measure();
  b.rig.run(50);
  return b.driver.sample();
}

/** The acknowledged writes on the bench's bus, as byte arrays. */
export function written(b: { rig: Rig }) {
  return b.rig.log.filter((t) => t.op === "write" && t.ack).map((t) => Array.from(t.bytes));
}

const BOARD: SimBoardSpec = {
  name: "magnetometer-test-board",
  adc: { resolution: 12, fullScaleVolts: 3.3, pins: [] },
  pulseCountUnits: 0,
  i2c: { default: { data: SDA, clock: SCL, hz: 400_000 } },
  spi: {},
  serial: {},
  pins: {},
  flash: { size: 4096, blockLength: 4096, writeAlign: 4, partitions: {} },
  supplyVolts: 3.3,
};

interface Magnetometer {
  measure(): void;
  sample(): MagnetometerSample | undefined;
}

/** `open` makes the driver on the host's default I2C bus and calls `onSample` from the driver's own. */
export function oneReadingNode(id: string, open: (host: Host, bus: NonNullable<Host["I2C"][string]>, onSample: () => void) => Magnetometer) {
  const rig = new Rig();
  const samples: MagnetometerSample[] = [];
  const node = partNode({
    id,
    board: BOARD,
    engine: rig.engine,
    main(host) {
      const mag: Magnetometer = open(host, host.I2C["default"]!, () => samples.push(mag.sample()!));
      host.timer.set(() => mag.measure(), 10);
      return { stats: () => ({}) };
    },
  });
  return { rig, node, samples };
}

/**
 * An I2C register file that allocates nothing once made, with timers that hold one-shot callbacks for the test to
 * run (`fire`): for counting a driver's own allocations on its sample path. `mask` is the register address bits
 * (0x7f where bit 7 of the sub-address means auto-increment). `buffers` collects what the driver passed while
 * `recording` (V8 only: a Set grows).
 */
export function registerBus(registers: Uint8Array, mask = 0xff) {
  // One callback at a time (the drivers never have two timers pending): an array's push and shift would allocate.
  let held: (() => void) | undefined;
  const handle = {} as TimerHandle;
  const state = { pointer: 0, recording: false, samples: 0, buffers: new Set<Uint8Array>() };
  class FakeI2C {
    constructor(_o: I2COptions) {}
    write(b: Uint8Array, _stop?: boolean): void {
      state.pointer = b[0]! & mask;
      if (state.recording) state.buffers.add(b);
    }
    read(b: Uint8Array, _stop?: boolean): void {
      let p = state.pointer;
      for (let i = 0; i < b.length; i++) {
        b[i] = registers[p]!;
        p = (p + 1) & mask;
      }
      if (state.recording) state.buffers.add(b);
    }
    close(): void {}
  }
  const timers: Timers = {
    set(callback: () => void): TimerHandle {
      if (held) throw new Error("registerBus: a second timer while one is pending");
      held = callback;
      return handle;
    },
    clear() {},
  };
  return {
    I2C: FakeI2C as unknown as I2CClass,
    timers,
    state,
    /** Run the held timer callback. */
    fire(): void {
      const cb = held!;
      held = undefined;
      cb();
    },
  };
}
