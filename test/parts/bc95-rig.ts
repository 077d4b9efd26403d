/**
 * A bench for the BC95 driver against its model (simulator/core/nbiot/bench.ts) with an in-engine UDP server behind
 * the core (replies after a fixed time), so the whole path runs in virtual time without Node.
 */
import { Engine, MS, SECOND } from "../../simulator/core/engine.js";
import { BENCH_PINS, ModemBench } from "../../simulator/core/nbiot/bench.js";
import type { ModemBenchOptions } from "../../simulator/core/nbiot/bench.js";
import type { DatagramEvents, DatagramNetwork, DatagramSocket } from "../../simulator/core/network.js";

export const RX = BENCH_PINS.rx;
export const TX = BENCH_PINS.tx;
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

export interface RigOptions extends ModemBenchOptions {
  /** What lies behind the core (default an in-engine echo server). */
  network?: DatagramNetwork;
}

export class Bc95Rig extends ModemBench {
  readonly server: EchoNetwork;
  readonly events: string[] = [];
  readonly datagrams: { at: number; address: string; port: number; bytes: Uint8Array }[] = [];
  readonly errors: Error[] = [];

  constructor(o: RigOptions = {}) {
    const engine = o.engine ?? new Engine();
    const server = new EchoNetwork(engine);
    super({ ...o, engine, network: o.network ?? server });
    this.server = server;
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
