/**
 * A board running device firmware: its buses and retained words, a fresh host provider at every boot, and the
 * rules by which a board crashes, sleeps and reboots. The simulator's node (node.ts) and the emulator image's
 * (emulator/image/main.ts) are both this, so a device crashes and wakes the same way in V8, in XS and on the
 * emulated MCU; they differ only in the world behind the pins and in where logs and crashes are written.
 *
 * - An exception escaping a device callback is caught, recorded with the phase it happened in, and the node
 *   reboots (reset reason "watchdog") after the watchdog delay. A power cut (flash.ts) reboots with "power-on".
 * - `host.power.deepSleep` stops the firmware and boots it again after the delay with "deep-sleep"; RAM is gone,
 *   flash and retained words stay.
 */
import type { Ciphers, DeviceConfig, DeviceMain, FlashStore, LogLevel, NodeApp, ResetReason } from "../../hal/host.js";
import { I2CBusSim } from "./buses/i2c.js";
import { SPIBusSim } from "./buses/spi.js";
import { UARTLink } from "./buses/uart.js";
import type { SimBoardSpec } from "./board.js";
import type { Engine, Micros } from "./engine.js";
import { PowerCut, RetainedWords } from "./flash.js";
import { PinWorld } from "./io/lines.js";
import type { Network } from "./network.js";
import { createSimProvider } from "./provider.js";
import type { SimProvider } from "./provider.js";

export interface NodeCrash {
  at: Micros;
  node: string;
  phase: string;
  error: string;
}

export interface BoardNodeOptions {
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
  /** `host.cipher`: the native AES-128 of the substrate the node runs on (simulator/core/ciphers.ts). */
  cipher: Ciphers;
  /** How long a crashed node stays down before its watchdog reboots it. */
  watchdogMs: number;
}

/** Thrown through the device's stack by `host.power.deepSleep`, so nothing after it runs. */
class DeepSleepRequest {
  readonly ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
}

export abstract class BoardNode {
  readonly id: string;
  readonly board: SimBoardSpec;
  readonly engine: Engine;
  readonly world = new PinWorld();
  readonly i2c: Record<string, I2CBusSim> = {};
  readonly spi: Record<string, SPIBusSim> = {};
  readonly uart: Record<string, UARTLink> = {};
  abstract readonly flash: FlashStore;
  readonly retained = new RetainedWords(32);
  readonly crashes: NodeCrash[] = [];
  boots = 0;
  /** Device callbacks run so far (not the start-up: the main itself). */
  callbacks = 0;
  /** Virtual µs spent in deep sleep. */
  sleptUs = 0;
  app: NodeApp | undefined;
  #provider: SimProvider | undefined;
  /** When the current deep sleep began (undefined: awake). */
  #sleepingSince: Micros | undefined;
  #phase = "boot";
  #running = false;
  readonly #options: BoardNodeOptions;

  constructor(options: BoardNodeOptions) {
    this.#options = options;
    this.id = options.id;
    this.board = options.board;
    this.engine = options.engine;
    const now = () => this.engine.now;
    for (const name of Object.keys(options.board.i2c)) this.i2c[name] = new I2CBusSim(`${options.id}/${name}`, now);
    for (const name of Object.keys(options.board.spi)) this.spi[name] = new SPIBusSim(`${options.id}/${name}`, now);
    for (const name of Object.keys(options.board.serial)) this.uart[name] = new UARTLink(`${options.id}/${name}`, options.engine);
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
    // A reboot starts from an empty heap: nothing of the last boot's app may stay reachable while main builds the next.
    this.app = undefined;
    this.#provider = undefined;
    this.boots++;
    const o = this.#options;
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
      cipher: o.cipher,
      wrap: (fn) => this.callback(fn),
      log: (level, message) => this.log(level, message),
      deepSleep: (ms) => {
        throw new DeepSleepRequest(ms);
      },
    });
    this.adapt(provider);
    this.#provider = provider;
    this.#running = true;
    this.guard(
      "start-up",
      () => {
        this.app = o.main(provider.host);
      },
      false,
    );
  }

  /** Stop the firmware without a reboot (end of run); a deep sleep still going counts up to now. */
  halt(): void {
    this.#provider?.shutdown();
    this.#running = false;
    if (this.#sleepingSince !== undefined) {
      this.sleptUs += this.engine.now - this.#sleepingSince;
      this.#sleepingSince = undefined;
    }
  }

  /** Where the device's `host.log` goes. */
  protected abstract log(level: LogLevel, message: string): void;

  /** A crash was recorded (and the watchdog armed). By default it is logged as an error. */
  protected crashed(crash: NodeCrash): void {
    this.log("error", `crash in ${crash.phase}: ${crash.error}`);
  }

  /** A hook to adjust a boot's provider before the device sees it (the image tags timer callbacks). */
  protected adapt(_provider: SimProvider): void {}

  /** Run an IO callback into device code. */
  protected callback(fn: () => void): void {
    this.guard("callback", fn);
  }

  /** Run device code in `phase`: a throw is a crash, a deep-sleep request puts the node to sleep. */
  protected guard(phase: string, fn: () => void, counted = true): void {
    if (!this.#running) return;
    if (counted) this.callbacks++;
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
      this.#sleepingSince = engine.now;
      engine.after(Math.round(error.ms * 1000), () => {
        if (this.#sleepingSince === undefined) return; // halted meanwhile
        this.sleptUs += engine.now - this.#sleepingSince;
        this.#sleepingSince = undefined;
        this.boot("deep-sleep");
      });
      return;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const cut = error instanceof PowerCut;
    const crash: NodeCrash = { at: engine.now, node: this.id, phase: cut ? "power-cut" : this.#phase, error: message };
    this.crashes.push(crash);
    this.crashed(crash);
    engine.after(this.#options.watchdogMs * 1000, () => this.boot(cut ? "power-on" : "watchdog"));
  }
}
