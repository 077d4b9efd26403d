/**
 * What the ADS1220 and HX711 tests share: a board and node for the part factory, ECMA-419 stand-ins that allocate
 * nothing once made (for counting the drivers' allocations), and the XS heap count itself. Portable: the tests run
 * on XS too (test/xs/unit.test.ts).
 */
import type { Timers, TimerHandle } from "../../hal/host.js";
import type { DigitalOptions } from "../../hal/io.js";
import type { NodeApp, Host } from "../../hal/host.js";
import type { SimBoardSpec } from "../../simulator/core/board.js";
import type { Engine } from "../../simulator/core/engine.js";
import { SimNode } from "../../simulator/core/node.js";
import { partNode } from "../helpers/part-node.js";

/** A board with nothing but the SPI bus given (if any). */
export function strainBoard(spi: SimBoardSpec["spi"] = {}): SimBoardSpec {
  return {
    name: "strain-test-board",
    adc: { resolution: 12, fullScaleVolts: 3.3, pins: [] },
    pulseCountUnits: 0,
    i2c: {},
    spi,
    serial: {},
    pins: {},
    flash: { size: 4096, blockLength: 4096, writeAlign: 4, partitions: {} },
    supplyVolts: 3.3,
  };
}

/** A node without a network running `main`. */
export function strainNode(engine: Engine, id: string, board: SimBoardSpec, main: (host: Host) => NodeApp): SimNode {
  return partNode({
    id,
    board,
    engine,
    main,
  });
}

/** ECMA-419 Digital's constants, for a stand-in class to extend. */
export class DigitalConstants {
  static readonly Input = 0;
  static readonly InputPullUp = 1;
  static readonly InputPullDown = 2;
  static readonly InputPullUpDown = 3;
  static readonly Output = 8;
  static readonly OutputOpenDrain = 9;
  static readonly Rising = 1;
  static readonly Falling = 2;
  constructor(_o: DigitalOptions) {}
  close(): void {}
}

/** Timers that keep one-shot callbacks for the test to run (`fire`) and ignore repeating ones. */
export function heldTimers(): { timers: Timers; fire(): void } {
  const held: (() => void)[] = [];
  return {
    timers: {
      set(callback: () => void, _delay: number, repeat?: number): TimerHandle {
        if (repeat === undefined) held.push(callback);
        return {} as TimerHandle;
      },
      clear() {},
    },
    fire() {
      held.shift()!();
    },
  };
}

/** A function that calls `fn` n times, with nothing allocated per call (for counting the calls' own allocations). */
export function times(fn: () => void, n: number): () => void {
  return () => {
    let i = 0;
    while (i < n) {
      fn();
      i++;
    }
  };
}

interface XsHost {
  heap(i: number): number;
  gc(): void;
  resetPeak(): void;
  meter(): number;
}

/**
 * On XS: the slots and chunk bytes `run` allocated at its peak (after a collection, so garbage from before does not
 * count), and the XS metering units it took; elsewhere undefined (V8 has no such counts).
 */
export function xsCost(run: () => void): { slots: number; chunks: number; units: number } | undefined {
  const xs = (globalThis as { $xs?: Partial<XsHost> }).$xs;
  if (!xs || !xs.heap || !xs.gc || !xs.resetPeak || !xs.meter) return undefined;
  xs.gc();
  xs.resetPeak();
  const slots = xs.heap(1);
  const chunks = xs.heap(0);
  const m0 = xs.meter();
  run();
  const m1 = xs.meter();
  // Both peaks before anything else is made (an object literal would count itself).
  const peakSlots = xs.heap(3);
  const peakChunks = xs.heap(2);
  return { slots: peakSlots - slots, chunks: peakChunks - chunks, units: m1 - m0 };
}
