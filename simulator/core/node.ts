/**
 * One simulated sensor node: a board (buses, lines, flash, retained memory), the part models wired to it, and the
 * device firmware running on a fresh host provider at every boot.
 *
 * A node crashes the way a board does: an exception escaping a device callback is caught here, logged with the
 * phase it happened in, and the node reboots (reset reason "watchdog") after a watchdog delay. Deep sleep stops
 * the firmware and boots it again later with reset reason "deep-sleep"; RAM is gone, flash and retained words stay.
 */
import type { DeviceConfig, DeviceMain, LogLevel, NodeApp, ResetReason } from "../../hal/host.js";
import { I2CBusSim } from "./buses/i2c.js";
import { SPIBusSim } from "./buses/spi.js";
import { UARTLink } from "./buses/uart.js";
import type { SimBoardSpec } from "./board.js";
import type { Engine, Micros } from "./engine.js";
import { PowerCut, RetainedWords, SimFlash } from "./flash.js";
import { PinWorld } from "./io/lines.js";
import type { Network } from "./network.js";
import { createSimProvider } from "./provider.js";
import type { SimProvider } from "./provider.js";

export interface NodeLogEntry {
  at: Micros;
  node: string;
  level: LogLevel;
  message: string;
}

export interface NodeCrash {
  at: Micros;
  node: string;
  phase: string;
  error: string;
}

export interface SimNodeOptions {
  id: string;
  board: SimBoardSpec;
  config: DeviceConfig;
  rolePins: Readonly<Record<string, number>>;
  main: DeviceMain;
  engine: Engine;
  network: Network;
  epochMs: number;
  /** Uniform [0,1) source for this node's `host.random()`. */
  random: () => number;
  log?: (entry: NodeLogEntry) => void;
  /** How long a crashed node stays down before its watchdog reboots it. */
  watchdogMs?: number;
}

class DeepSleepRequest {
  readonly ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
}

export class SimNode {
  readonly id: string;
  readonly board: SimBoardSpec;
  readonly engine: Engine;
  readonly world = new PinWorld();
  readonly i2c: Record<string, I2CBusSim> = {};
  readonly spi: Record<string, SPIBusSim> = {};
  readonly uart: Record<string, UARTLink> = {};
  readonly flash: SimFlash;
  readonly retained = new RetainedWords(32);
  readonly crashes: NodeCrash[] = [];
  boots = 0;
  /** Virtual µs spent in deep sleep. */
  sleptUs = 0;
  app: NodeApp | undefined;
  #provider: SimProvider | undefined;
  #phase = "boot";
  #running = false;
  readonly #o: SimNodeOptions;

  constructor(options: SimNodeOptions) {
    this.#o = options;
    this.id = options.id;
    this.board = options.board;
    this.engine = options.engine;
    const now = () => this.engine.now;
    for (const name of Object.keys(options.board.i2c)) this.i2c[name] = new I2CBusSim(`${options.id}/${name}`, now);
    for (const name of Object.keys(options.board.spi)) this.spi[name] = new SPIBusSim(`${options.id}/${name}`, now);
    for (const name of Object.keys(options.board.serial)) this.uart[name] = new UARTLink(`${options.id}/${name}`, options.engine);
    this.flash = new SimFlash(options.board.flash);
  }

  get running(): boolean {
    return this.#running;
  }

  /** The live host of the current boot (tests poke at it). */
  get provider(): SimProvider | undefined {
    return this.#provider;
  }

  boot(reason: ResetReason = "power-on"): void {
    this.#provider?.shutdown();
    this.boots++;
    const o = this.#o;
    const provider = createSimProvider({
      id: o.id,
      board: o.board,
      config: o.config,
      rolePins: o.rolePins,
      engine: o.engine,
      world: this.world,
      i2c: this.i2c,
      spi: this.spi,
      uart: this.uart,
      network: o.network,
      flash: this.flash,
      retained: this.retained,
      epochMs: o.epochMs,
      resetReason: reason,
      random: o.random,
      wrap: (fn) => this.#guard("callback", fn),
      log: (level, message) => o.log?.({ at: o.engine.now, node: o.id, level, message }),
      deepSleep: (ms) => {
        throw new DeepSleepRequest(ms);
      },
    });
    this.#provider = provider;
    this.#running = true;
    this.#guard("start-up", () => {
      this.app = o.main(provider.host);
    });
  }

  /** Stop the firmware without a reboot (end of run). */
  halt(): void {
    this.#provider?.shutdown();
    this.#running = false;
  }

  #guard(phase: string, fn: () => void): void {
    if (!this.#running) return;
    const previous = this.#phase;
    this.#phase = phase;
    try {
      fn();
    } catch (error) {
      this.#fault(error);
    } finally {
      this.#phase = previous;
    }
  }

  #fault(error: unknown): void {
    const engine = this.engine;
    this.#provider?.shutdown();
    this.#running = false;
    if (error instanceof DeepSleepRequest) {
      const start = engine.now;
      engine.after(Math.round(error.ms * 1000), () => {
        this.sleptUs += engine.now - start;
        this.boot("deep-sleep");
      });
      return;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const phase = error instanceof PowerCut ? "power-cut" : this.#phase;
    this.crashes.push({ at: engine.now, node: this.id, phase, error: message });
    this.#o.log?.({ at: engine.now, node: this.id, level: "error", message: `crash in ${phase}: ${message}` });
    const reason: ResetReason = error instanceof PowerCut ? "power-on" : "watchdog";
    engine.after((this.#o.watchdogMs ?? 1000) * 1000, () => this.boot(reason));
  }
}
