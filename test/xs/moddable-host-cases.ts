/**
 * hal/moddable's paths the weather station does not take — flash partitions, retained words, deep sleep and the
 * reset reason after it, timer rounding and clearing — run against the simulated Moddable SDK modules
 * (simulator/xs/inside/moddable) on a simulated board. Bundled by moddable-host.test.ts with each Moddable specifier
 * aliased to its simulated module, and run on XS (and V8) through the portable harness. Not in the Node project's
 * type check (tsconfig.json excludes it): it imports hal/moddable, whose `embedded:*` imports only the Moddable
 * typings declare (hal/moddable/tsconfig.json checks hal/moddable itself).
 */
import { testCiphers } from "../helpers/ciphers.js";
import { describe, expect, it } from "vitest";
import type { Host, NodeApp } from "../../hal/host.js";
import type { BoardDescription } from "../../hal/moddable/board.js";
import esp32 from "../../hal/moddable/esp32.js";
import { createHost } from "../../hal/moddable/host.js";
import nrf52 from "../../hal/moddable/nrf52.js";
import type { Platform } from "../../hal/moddable/platform.js";
import type { SimBoardSpec } from "../../simulator/core/board.js";
import { Engine } from "../../simulator/core/engine.js";
import type { Network } from "../../simulator/core/network.js";
import { SimNode } from "../../simulator/core/node.js";
import { activate, SimulatedBoard } from "../../simulator/xs/inside/moddable/board.js";
import { installGlobals } from "../../simulator/xs/inside/moddable/serve.js";
import { NO_DEVICE_CONFIG } from "../helpers/no-config.js";

const EPOCH_MS = 1_780_000_000_000;
const STORAGE = { offset: 0xdc000, size: 0x10000 };

function spec(platform: "esp32" | "nrf52"): SimBoardSpec {
  return {
    name: `sim-${platform}`,
    adc: { resolution: 12, fullScaleVolts: 3.3, pins: [] },
    pulseCountUnits: 0,
    i2c: {},
    spi: {},
    serial: {},
    pins: {},
    flash: { size: 0x100000, blockLength: 4096, writeAlign: platform === "nrf52" ? 4 : 1, partitions: { storage: STORAGE } },
    supplyVolts: 3.3,
  };
}

function description(platform: "esp32" | "nrf52"): BoardDescription {
  const storage = platform === "esp32" ? { moddable: "storage", size: STORAGE.size, writeAlign: 1 } : { ...STORAGE, writeAlign: 4 };
  return { board: `sim-${platform}`, device: "probe", platform, target: platform === "esp32" ? "esp32" : "nrf52/dk", pins: {}, i2c: {}, spi: {}, serial: {}, flash: { storage }, configKeys: [] };
}

const noNetwork: Network = {
  connect() {
    throw new Error("no network in this test");
  },
};

const NO_STATS: NodeApp = { stats: () => ({}) };

/** A board running `boot(host)` through hal/moddable at every boot; returns the engine, node and logs. */
function board(platform: "esp32" | "nrf52", boot: (host: Host, count: number) => void) {
  const simulated = new SimulatedBoard({ platform, target: platform === "esp32" ? "esp32" : "nrf52/dk" });
  simulated.spec = spec(platform);
  activate(simulated);
  installGlobals(simulated);
  const engine = new Engine();
  const logs: string[] = [];
  let boots = 0;
  const node = new SimNode({
    id: "n-1",
    board: spec(platform),
    config: NO_DEVICE_CONFIG,
    rolePins: {},
    engine,
    network: noNetwork,
    epochMs: EPOCH_MS,
    random: () => 0.25,
    cipher: testCiphers(),
    log: (e) => logs.push(`${e.level} ${e.message}`),
    main: (simHost) => {
      simulated.boot(simHost);
      const host = createHost((platform === "esp32" ? esp32 : nrf52) as Platform, description(platform), {});
      boot(host, ++boots);
      return NO_STATS;
    },
  });
  engine.at(0, () => node.boot("power-on"));
  return { engine, node, logs };
}

describe("hal/moddable on the simulated Moddable modules", () => {
  it("esp32: a flash partition by name — NOR writes, reads, erase, and a partition the board lacks", () => {
    const seen: unknown[] = [];
    const { engine } = board("esp32", (host) => {
      const p = host.flash.open("storage");
      seen.push(p.size, p.blockLength, p.blocks);
      p.write(5, new Uint8Array([0xf0, 0x12]));
      p.write(5, new Uint8Array([0x3c]));
      seen.push([...p.read(4, 4)]);
      p.eraseBlock(0);
      seen.push([...p.read(4, 4)], p.read(0, 0).length);
      try {
        host.flash.open("logs");
      } catch (e) {
        seen.push((e as Error).message);
      }
    });
    engine.runUntil(1000);
    expect(seen).toEqual([0x10000, 4096, 16, [0xff, 0x30, 0x12, 0xff], [0xff, 0xff, 0xff, 0xff], 0, 'flash partition "logs" is not in board sim-esp32 (known: storage)']);
  });

  it("nrf52: a flash partition by offset and size; writes must be word-aligned", () => {
    const seen: unknown[] = [];
    const { engine } = board("nrf52", (host) => {
      const p = host.flash.open("storage");
      p.write(8, new Uint8Array([1, 2, 3, 4]));
      seen.push([...p.read(8, 4)]);
      try {
        p.write(9, new Uint8Array([1, 2, 3, 4]));
      } catch (e) {
        seen.push((e as Error).message);
      }
    });
    engine.runUntil(1000);
    expect(seen).toEqual([[1, 2, 3, 4], 'flash "storage": write of 4 bytes at 9 is not 4-byte aligned']);
  });

  it("nrf52: deep sleep reboots with reset reason deep-sleep; retained words survive, the marker slot is hidden", () => {
    const seen: unknown[] = [];
    const { engine, node } = board("nrf52", (host, count) => {
      seen.push(`${count}: ${host.power.resetReason}, ${host.retained.length} words, word 0 = ${host.retained.get(0).toString(16)}`);
      if (count === 1) {
        host.retained.set(0, 0xdeadbeef);
        host.power.deepSleep(5000);
      }
    });
    engine.runUntil(10_000_000);
    expect(seen).toEqual(["1: power-on, 31 words, word 0 = 0", "2: deep-sleep, 31 words, word 0 = deadbeef"]);
    expect(node.sleptUs).toBe(5_000_000);
  });

  it("nrf52: a crash reboots with reset reason watchdog (RESETREAS DOG)", () => {
    const seen: string[] = [];
    const { engine } = board("nrf52", (host, count) => {
      seen.push(host.power.resetReason);
      if (count === 1) host.timer.set(() => { throw new Error("boom"); }, 10);
    });
    engine.runUntil(5_000_000);
    expect(seen).toEqual(["power-on", "watchdog"]);
  });

  it("esp32: deep sleep throws the documented error; the platform's limitation goes to the console at boot", () => {
    const seen: string[] = [];
    const { engine, logs } = board("esp32", (host) => {
      seen.push(host.power.resetReason);
      try {
        host.power.deepSleep(1000);
      } catch (e) {
        seen.push((e as Error).message.split(":")[0]!);
      }
    });
    engine.runUntil(1000);
    expect(seen).toEqual(["power-on", "deep sleep (1000 ms) is not available on ESP32 with the Moddable SDK"]);
    expect(logs[0]).toMatch(/^warn esp32: no deep sleep in the Moddable SDK/);
  });

  it("timers: fractional delays round up to whole ms, a cleared timer never fires, clearing a fired one is harmless", () => {
    const fired: number[] = [];
    const { engine } = board("esp32", (host) => {
      const at = () => host.clock.microseconds();
      host.timer.set(() => fired.push(at()), 2.5);
      const never = host.timer.set(() => fired.push(-1), 4);
      host.timer.clear(never);
      const once = host.timer.set(() => {
        fired.push(at());
        host.timer.clear(once);
      }, 0);
      const every = host.timer.set(() => {
        fired.push(at());
        if (at() >= 30_000) host.timer.clear(every);
      }, 10, 10);
    });
    engine.runUntil(100_000);
    // Time.microseconds is absent from the project's build (no microseconds module): ticks × 1000.
    expect(fired).toEqual([0, 3000, 10_000, 20_000, 30_000]);
  });

  it("clock: ticks since boot; wall time from the board's clock (Date.now), which the simulated board sets at power-on", () => {
    const seen: number[] = [];
    const { engine } = board("nrf52", (host) => {
      host.timer.set(() => seen.push(host.clock.ticks(), host.clock.unixMs() - EPOCH_MS), 1234);
    });
    engine.runUntil(2_000_000);
    expect(seen).toEqual([1234, 1234]);
  });
});
