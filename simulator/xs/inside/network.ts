/**
 * The simulator's `Network` inside XS: socket operations go out to the Node shell as protocol messages (the shell
 * owns the real TCP connections), and the shell's socket events come back as deliveries that are posted on the
 * engine at the current virtual time, as the V8 bridge posts them.
 */
import type { Engine } from "../../core/engine.js";
import type { NetSocket, NetSocketEvents, Network } from "../../core/network.js";
import type { Delivery } from "./protocol.js";
import { fromHex, toHex, type XsHost } from "./xs-host.js";

export class XsNetwork implements Network {
  readonly #xs: XsHost;
  readonly #engine: Engine;
  readonly #sockets = new Map<number, NetSocketEvents>();
  #next = 0;
  /** Socket operations since the shell last looked (a slice ends after an event that made any). */
  ops = 0;

  constructor(xs: XsHost, engine: Engine) {
    this.#xs = xs;
    this.#engine = engine;
  }

  #send(message: object): void {
    const xs = this.#xs;
    xs.pause();
    xs.send(JSON.stringify(message));
    this.ops++;
    xs.resume();
  }

  connect(node: string, address: string, port: number, events: NetSocketEvents): NetSocket {
    const id = ++this.#next;
    this.#sockets.set(id, events);
    this.#send({ t: "net", op: "connect", id, node, address, port, at: this.#engine.now });
    return {
      write: (bytes: Uint8Array) => {
        if (!this.#sockets.has(id)) return;
        this.#send({ t: "net", op: "write", id, hex: toHex(bytes), at: this.#engine.now });
      },
      close: () => {
        if (!this.#sockets.delete(id)) return;
        this.#send({ t: "net", op: "close", id, at: this.#engine.now });
      },
    };
  }

  /** Post the shell's socket events, in order, at the current virtual time. */
  deliver(list: readonly Delivery[]): void {
    const engine = this.#engine;
    for (const d of list) {
      const events = this.#sockets.get(d.id);
      if (!events) continue;
      if (d.kind === "connected") engine.at(engine.now, () => events.connected());
      else if (d.kind === "data") {
        const bytes = fromHex(d.hex);
        engine.at(engine.now, () => events.data(bytes));
      } else {
        const error = d.error === undefined ? undefined : new Error(d.error);
        engine.at(engine.now, () => {
          this.#sockets.delete(d.id);
          events.closed(error);
        });
      }
    }
  }
}
