/**
 * A bench for the BC95 driver against its model: engine, UART with 8N1 timing, ECMA-419 Serial and Digital, host
 * timers, the NB-IoT core stand-in with one cell, and an in-engine UDP server behind it (replies after a fixed
 * time), so the whole path runs in virtual time without Node.
 */
import { Bc95 } from "../../parts/bc95/driver.js";
import type { Bc95Options } from "../../parts/bc95/driver.js";
import { Bc95Model } from "../../parts/bc95/model.js";
import type { Bc95ModelOptions } from "../../parts/bc95/model.js";
import { UARTLink } from "../../simulator/core/buses/uart.js";
import type { UARTTransfer } from "../../simulator/core/buses/uart.js";
import { Engine, MS, SECOND } from "../../simulator/core/engine.js";
import { makeDigitalClass } from "../../simulator/core/io/digital.js";
import { PinWorld } from "../../simulator/core/io/lines.js";
import { PinRegistry } from "../../simulator/core/io/pins.js";
import { makeSerialClass } from "../../simulator/core/io/serial.js";
import { NbiotCore } from "../../simulator/core/nbiot/core.js";
import type { NbiotCoreOptions } from "../../simulator/core/nbiot/core.js";
import type { DatagramEvents, DatagramNetwork, DatagramSocket } from "../../simulator/core/network.js";
import { EngineTimers } from "../../simulator/core/timers.js";

export const RX = 16;
export const TX = 17;
export const RESET = 4;
export const SERVER = { address: "192.0.2.10", port: 5683 };

/** A UDP server inside the engine: records what it gets and answers with `reply(bytes)` after `delayUs`. */
export class EchoNetwork implements DatagramNetwork {
  readonly received: { at: number; owner: string; bytes: Uint8Array }[] = [];
  reply: ((bytes: Uint8Array) => Uint8Array | undefined) | undefined = (b) => b;
  delayUs = 5 * MS;
  constructor(readonly engine: Engine) {}
  open(owner: string, _address: string, _port: number, events: DatagramEvents): DatagramSocket {
    return {
      send: (bytes) => {
        this.received.push({ at: this.engine.now, owner, bytes });
        const answer = this.reply?.(bytes);
        if (answer) this.engine.after(this.delayUs, () => events.message(answer));
      },
      close: () => undefined,
    };
  }
}

export interface RigOptions {
  /** Coupling loss forced at the UE, dB (default 130: CE0). */
  mclDb?: number | null;
  model?: Partial<Bc95ModelOptions>;
  driver?: Partial<Bc95Options>;
  core?: Partial<NbiotCoreOptions>;
  /** Wire the RESET line (default true). */
  reset?: boolean;
  /** What lies behind the core (default an in-engine echo server). */
  network?: DatagramNetwork;
  engine?: Engine;
}

export class Bc95Rig {
  readonly engine: Engine;
  readonly link: UARTLink;
  readonly world = new PinWorld();
  readonly pins = new PinRegistry("bench");
  readonly timers: EngineTimers;
  readonly server: EchoNetwork;
  readonly core: NbiotCore;
  readonly model: Bc95Model;
  readonly driver: Bc95;
  readonly wire: UARTTransfer[] = [];
  readonly events: string[] = [];
  readonly datagrams: { at: number; address: string; port: number; bytes: Uint8Array }[] = [];
  readonly errors: Error[] = [];

  constructor(o: RigOptions = {}) {
    this.engine = o.engine ?? new Engine();
    this.link = new UARTLink("n1/modem", this.engine);
    this.timers = new EngineTimers(this.engine);
    this.server = new EchoNetwork(this.engine);
    this.link.recorder = (t) => this.wire.push(t);
    this.core = new NbiotCore({ engine: this.engine, seed: 7, cells: [{ name: "cell-1", position: { x: 0, y: 0, height: 30 } }], network: o.network ?? this.server, ...o.core });
    this.core.setCoupling("n1", o.mclDb === undefined ? 130 : o.mclDb);
    const reset = o.reset !== false;
    this.model = new Bc95Model({ engine: this.engine, uart: this.link, name: "n1", network: this.core, ...(reset ? { reset: this.world.line(RESET) } : {}), ...o.model });
    const Serial = makeSerialClass([{ receive: RX, transmit: TX, link: this.link }], this.pins, (fn) => fn());
    const Digital = makeDigitalClass(this.world, this.pins, (fn) => fn());
    this.driver = new Bc95({ serial: { io: Serial, receive: RX, transmit: TX, baud: 9600 }, timer: this.timers, ...(reset ? { reset: { io: Digital, pin: RESET } } : {}), ...o.driver });
  }

  start(): this {
    this.driver.start({
      onReady: () => this.events.push(`${this.seconds()} ready`),
      onDown: (why) => this.events.push(`${this.seconds()} down: ${why}`),
      onDatagram: (address, port, bytes) => this.datagrams.push({ at: this.engine.now, address, port, bytes }),
      onError: (e) => {
        this.errors.push(e);
        this.events.push(`${this.seconds()} error: ${e.message}`);
      },
    });
    return this;
  }

  seconds(): string {
    return (this.engine.now / SECOND).toFixed(3);
  }

  run(seconds: number): void {
    this.engine.runUntil(this.engine.now + Math.round(seconds * SECOND));
  }

  /** Run until `cond` holds or `seconds` pass; returns whether it held. */
  until(cond: () => boolean, seconds: number): boolean {
    const end = this.engine.now + seconds * SECOND;
    while (!cond()) {
      const next = this.engine.peek();
      if (next > end) {
        this.engine.runUntil(end);
        return cond();
      }
      this.engine.step(end);
    }
    return true;
  }

  /** What the MCU sent and got over the UART, as text lines (for failure messages). */
  transcript(): string {
    return this.wire.map((t) => `${(t.at / SECOND).toFixed(3)} ${t.dir} ${JSON.stringify(String.fromCharCode(...t.bytes))}`).join("\n");
  }
}
