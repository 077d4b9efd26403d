/**
 * The simulated board behind the Moddable module names (modules.ts): which boot is running, the board's real-time
 * clock, its serial console, and the globals a Moddable app finds (`trace`, `device`, and `Date.now()` /
 * `Math.random()` as the board's clock and hardware RNG).
 *
 * Every module call is answered by the simulator's host provider of the current boot (simulator/core/provider.ts,
 * wrapped by the XS probe), so the board entry runs on the same buses, part models, timers and network as the
 * device entry, and a reboot (watchdog, deep sleep) drops every timer and IO instance of the previous boot.
 *
 * One board per XS machine, as on hardware: module-level singletons (`Timer`, `device`, `mc/config`) belong to it.
 */
import type { Host, LogLevel } from "../../../../hal/host.js";
import type { SimBoardSpec } from "../../../core/board.js";

export type ModdablePlatform = "esp32" | "nrf52";

export interface BoardOptions {
  platform: ModdablePlatform;
  /** Moddable `-p` target, e.g. "esp32" or "nrf52/dk": picks the host provider `device` models. */
  target: string;
}

const LEVELS: ReadonlySet<string> = new Set(["debug", "info", "warn", "error"]);

export class SimulatedBoard {
  readonly platform: ModdablePlatform;
  readonly target: string;
  #spec: SimBoardSpec | undefined;
  #host: Host | undefined;
  /** `Time.set` moves the board's clock by this much from the scenario's wall time (survives reboots, as the RTC does). */
  #rtcOffsetMs = 0;
  timezone = 0;
  dst = 0;
  #console = "";

  constructor(options: BoardOptions) {
    this.platform = options.platform;
    this.target = options.target;
  }

  /** The board as the simulator built it (flash layout, pins). */
  set spec(spec: SimBoardSpec) {
    this.#spec = spec;
  }
  get spec(): SimBoardSpec {
    if (this.#spec === undefined) throw new Error("the simulated board has no manifest yet (no init)");
    return this.#spec;
  }

  /** A boot begins: the simulator's host provider of this boot answers every module call until the next. */
  boot(host: Host): void {
    this.#host = host;
    this.#console = "";
  }

  /** The provider of the running boot; a module used outside one (e.g. at preload) fails as native code would. */
  get host(): Host {
    if (this.#host === undefined) throw new Error("a Moddable native module was called before the board booted (at preload time this is a build error)");
    return this.#host;
  }

  /**
   * Wall time, ms: the simulated RTC reads the scenario's wall time from power-on (standing for the clock a deployed
   * node sets over the network), moved by `Time.set`.
   */
  nowMs(): number {
    return this.host.clock.unixMs() + this.#rtcOffsetMs;
  }

  setTime(seconds: number): void {
    this.#rtcOffsetMs = seconds * 1000 - this.host.clock.unixMs();
  }

  /** `trace(…)`: text to the serial console; each complete line goes to the node's log ("[level] " prefix read back). */
  trace(text: string): void {
    this.#console += text;
    for (let nl = this.#console.indexOf("\n"); nl >= 0; nl = this.#console.indexOf("\n")) {
      const line = this.#console.slice(0, nl);
      this.#console = this.#console.slice(nl + 1);
      const m = /^\[([a-z]+)\] /.exec(line);
      const level = m && LEVELS.has(m[1]!) ? (m[1] as LogLevel) : "info";
      this.host.log(level, m && LEVELS.has(m[1]!) ? line.slice(m[0].length) : line);
    }
  }
}

let active: SimulatedBoard | undefined;

export function activate(board: SimulatedBoard): void {
  active = board;
}

/** The board the Moddable modules of this machine belong to. */
export function currentBoard(): SimulatedBoard {
  if (active === undefined) throw new Error("no simulated Moddable board in this XS machine");
  return active;
}
