/**
 * One NB-IoT node on a bench: the BC95 driver (device code) on an ECMA-419 Serial over a simulated UART with 8N1
 * timing, the module model on the other end with its RESET line, attached to an NB-IoT core. What tests and the
 * figures script wire; a full node gets the same parts through the part registry (simulator/core/parts.ts).
 */
import { Bc95 } from "../../../parts/bc95/driver.js";
import type { Bc95Options } from "../../../parts/bc95/driver.js";
import { Bc95Model } from "../../../parts/bc95/model.js";
import type { Bc95ModelOptions } from "../../../parts/bc95/model.js";
import { UARTLink } from "../buses/uart.js";
import type { UARTTransfer } from "../buses/uart.js";
import { Engine } from "../engine.js";
import { makeDigitalClass } from "../io/digital.js";
import { PinWorld } from "../io/lines.js";
import { PinRegistry } from "../io/pins.js";
import { makeSerialClass } from "../io/serial.js";
import type { DatagramNetwork } from "../network.js";
import { EngineTimers } from "../timers.js";
import { NbiotCore } from "./core.js";
import type { NbiotCoreOptions } from "./core.js";

export const BENCH_PINS = Object.freeze({ rx: 16, tx: 17, reset: 4 });

export interface ModemBenchOptions {
  /** The UE's name (default "n1"). */
  name?: string;
  engine?: Engine;
  /** The core to attach to, or options for a bench-own core with one cell (which then needs `network`). */
  core?: NbiotCore | Partial<NbiotCoreOptions>;
  network?: DatagramNetwork;
  /** Coupling loss forced at the UE, dB, or null for no coverage (default 130: CE0). */
  mclDb?: number | null;
  model?: Partial<Bc95ModelOptions>;
  driver?: Partial<Bc95Options>;
  /** Wire the RESET line (default true). */
  reset?: boolean;
  baud?: number;
}

export class ModemBench {
  readonly name: string;
  readonly engine: Engine;
  readonly link: UARTLink;
  readonly world = new PinWorld();
  readonly pins = new PinRegistry("bench");
  readonly timers: EngineTimers;
  readonly core: NbiotCore;
  readonly model: Bc95Model;
  readonly driver: Bc95;
  /** Every UART transfer, both ways. */
  readonly wire: UARTTransfer[] = [];

  constructor(o: ModemBenchOptions = {}) {
    this.name = o.name ?? "n1";
    this.engine = o.engine ?? new Engine();
    this.link = new UARTLink(`${this.name}/modem`, this.engine);
    this.link.recorder = (t) => this.wire.push(t);
    this.timers = new EngineTimers(this.engine);
    if (o.core instanceof NbiotCore) this.core = o.core;
    else {
      if (!o.network) throw new Error("ModemBench: a core of its own needs a network behind it");
      this.core = new NbiotCore({ engine: this.engine, seed: 7, cells: [{ name: "cell-1", position: { x: 0, y: 0, height: 30 } }], network: o.network, ...o.core });
    }
    if (o.mclDb !== undefined || !(o.core instanceof NbiotCore)) this.core.setCoupling(this.name, o.mclDb === undefined ? 130 : o.mclDb);
    const reset = o.reset !== false;
    const p = BENCH_PINS;
    this.model = new Bc95Model({ engine: this.engine, uart: this.link, name: this.name, network: this.core, ...(reset ? { reset: this.world.line(p.reset) } : {}), ...o.model });
    const Serial = makeSerialClass([{ receive: p.rx, transmit: p.tx, link: this.link }], this.pins, (fn) => fn());
    const Digital = makeDigitalClass(this.world, this.pins, (fn) => fn());
    this.driver = new Bc95({ serial: { io: Serial, receive: p.rx, transmit: p.tx, baud: o.baud ?? 9600 }, timer: this.timers, ...(reset ? { reset: { io: Digital, pin: p.reset } } : {}), ...o.driver });
  }
}
