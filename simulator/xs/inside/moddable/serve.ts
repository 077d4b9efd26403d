/**
 * The board entry on XS: the project `ganzhi build` writes (main.js + app.js, hal/moddable and the device) runs as
 * Moddable would run it, with the simulator behind the module names it imports (modules.ts) and behind the globals
 * a Moddable app finds. The node is built and driven exactly as the device entry's (entry.ts `serve`), so the same
 * seed gives the same world; only what sits between the device and the simulator differs: hal/moddable instead of
 * the simulator's provider.
 *
 * Globals installed here, as on a board:
 * - `trace` (the serial console: lines go to the node's log), `device` (the target's ECMA-419 host provider);
 * - `Date.now()` / `new Date()`: the board's clock (board.ts), `Math.random()`: the board's RNG, which is the
 *   node's seeded source (the V8 run's `host.random()`), so backoff jitter matches.
 */
import type { NodeApp } from "../../../../hal/host.js";
import { serve } from "../entry.js";
import { activate, SimulatedBoard, type BoardOptions } from "./board.js";
import { Analog, Digital, I2C, PulseCount, Serial, SPI, TCP } from "./modules.js";

/** Moddable's `main`: the default export of main.js (hal/moddable/main.ts). */
export type ModdableMain = () => NodeApp | undefined;

const NO_STATS: NodeApp = Object.freeze({ stats: () => Object.freeze({}) });

/**
 * `globalThis.device` as the target's host provider builds it (`embedded:provider/builtin`, made global by
 * Moddable's `system` module): Moddable's generic ESP32 provider has IO classes and no pins; nrf52/dk names its
 * default I2C and serial buses, a button and a LED. The simulator attaches its network to every board, so `io`
 * also holds TCP (no Moddable provider does).
 */
function hostProvider(board: SimulatedBoard): object {
  const freeze = <T extends object>(o: T): T => Object.freeze(o);
  if (board.target === "nrf52/dk") {
    return freeze({
      I2C: freeze({ default: freeze({ io: I2C, data: 26, clock: 27 }) }),
      Serial: freeze({ default: freeze({ io: Serial, port: 1, receive: 30, transmit: 31 }) }),
      io: freeze({ Analog, Digital, I2C, Serial, TCP }),
      pin: freeze({ button: 11, led: 13 }),
    });
  }
  const io = board.platform === "esp32" ? { Analog, Digital, I2C, PulseCount, Serial, SPI, TCP } : { Analog, Digital, I2C, Serial, TCP };
  return freeze({ io: freeze(io), pin: freeze({}) });
}

/** The globals of a Moddable app on `board` (tests of hal/moddable install them without serving a shell). */
export function installGlobals(board: SimulatedBoard): void {
  const g = globalThis as unknown as Record<string, unknown>;
  g.trace = (...parts: unknown[]): void => board.trace(parts.map(String).join(""));
  g.device = hostProvider(board);
  const EngineDate = Date;
  class BoardDate extends EngineDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(board.nowMs());
      else super(...(args as [string]));
    }
    static override now(): number {
      return board.nowMs();
    }
  }
  g.Date = BoardDate;
  Math.random = (): number => board.host.random();
}

/** Serve the shell (protocol.ts) with one board running Moddable's `main`. */
export function serveBoard(main: ModdableMain, options: BoardOptions): void {
  const board = new SimulatedBoard(options);
  activate(board);
  installGlobals(board);
  serve(
    (host) => {
      board.boot(host);
      return main() ?? NO_STATS;
    },
    (init) => {
      if (init.nodes.length !== 1) throw new Error(`the board entry runs one board per XS machine, not ${init.nodes.length}`);
      board.spec = init.board;
    },
  );
}
