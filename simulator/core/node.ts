/**
 * One simulated sensor node: a board (buses, lines, flash, retained memory), the part models wired to it, and the
 * device firmware running on a fresh host provider at every boot. How it boots, crashes, sleeps and reboots is
 * BoardNode's (board-node.ts), shared with the emulator's image; here the flash is the simulator's SimFlash (power
 * cuts mid-write included) and logs go to the session.
 */
import type { LogLevel } from "../../hal/host.js";
import { BoardNode } from "./board-node.js";
import type { BoardNodeOptions } from "./board-node.js";
import type { Micros } from "./engine.js";
import { SimFlash } from "./flash.js";

export type { NodeCrash } from "./board-node.js";

export interface NodeLogEntry {
  at: Micros;
  node: string;
  level: LogLevel;
  message: string;
}

export interface SimNodeOptions extends Omit<BoardNodeOptions, "watchdogMs"> {
  log?: (entry: NodeLogEntry) => void;
  /** How long a crashed node stays down before its watchdog reboots it (default 1000). */
  watchdogMs?: number;
}

export class SimNode extends BoardNode {
  readonly flash: SimFlash;
  readonly #log: ((entry: NodeLogEntry) => void) | undefined;

  constructor(options: SimNodeOptions) {
    super({ ...options, watchdogMs: options.watchdogMs ?? 1000 });
    this.flash = new SimFlash(options.board.flash);
    this.#log = options.log;
  }

  protected log(level: LogLevel, message: string): void {
    this.#log?.({ at: this.engine.now, node: this.id, level, message });
  }
}
