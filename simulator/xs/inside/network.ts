/**
 * The simulator's `Network` and `DatagramNetwork` inside XS: socket operations go out to the Node shell as protocol
 * messages (the shell owns the real TCP connections and UDP sockets, through the V8 run's own bridges), and the
 * shell's socket events and datagrams come back as deliveries that are posted on the engine at the current virtual
 * time, as the V8 bridges post them.
 */
import type { Engine } from "../../core/engine.js";
import type { DatagramEvents, DatagramNetwork, DatagramSocket, NetSocket, NetSocketEvents, Network } from "../../core/network.js";
import type { Delivery } from "./protocol.js";
import { fromHex, toHex, type XsHost } from "./xs-host.js";

interface PendingOp {
  op: "connect" | "write" | "close" | "udp-open" | "udp-send" | "udp-close";
  id: number;
  at: number;
  /** The node (TCP) or the datagram socket's owner (a gateway's EUI, a UE). */
  node?: string;
  address?: string;
  port?: number;
  bytes?: Uint8Array;
}

/**
 * Operations are queued during the event and sent when it is over (`flush`, before the slice stops): encoding them
 * inside the device's callback would count as the device's work and heap.
 */
export class XsNetwork implements Network, DatagramNetwork {
  readonly #xs: XsHost;
  readonly #engine: Engine;
  readonly #sockets = new Map<number, NetSocketEvents>();
  readonly #datagrams = new Map<number, DatagramEvents>();
  #next = 0;
  #queue: PendingOp[] = [];

  constructor(xs: XsHost, engine: Engine) {
    this.#xs = xs;
    this.#engine = engine;
  }

  /** Socket operations waiting to go to the shell (a slice ends after an event that made any). */
  get ops(): number {
    return this.#queue.length;
  }

  #send(op: PendingOp): void {
    this.#queue.push(op);
  }

  /** Send the queued operations, in order. */
  flush(): void {
    const xs = this.#xs;
    const queue = this.#queue;
    this.#queue = [];
    for (const q of queue) {
      if (q.op === "connect") xs.send(JSON.stringify({ t: "net", op: "connect", id: q.id, node: q.node, address: q.address, port: q.port, at: q.at }));
      else if (q.op === "write") xs.send(JSON.stringify({ t: "net", op: "write", id: q.id, hex: toHex(q.bytes!), at: q.at }));
      else if (q.op === "close") xs.send(JSON.stringify({ t: "net", op: "close", id: q.id, at: q.at }));
      else if (q.op === "udp-open") xs.send(JSON.stringify({ t: "net", op: "udp-open", id: q.id, owner: q.node, address: q.address, port: q.port, at: q.at }));
      else if (q.op === "udp-send") xs.send(JSON.stringify({ t: "net", op: "udp-send", id: q.id, hex: toHex(q.bytes!), at: q.at }));
      else xs.send(JSON.stringify({ t: "net", op: "udp-close", id: q.id, at: q.at }));
    }
  }

  connect(node: string, address: string, port: number, events: NetSocketEvents): NetSocket {
    const id = ++this.#next;
    this.#sockets.set(id, events);
    this.#send({ op: "connect", id, node, address, port, at: this.#engine.now });
    return {
      write: (bytes: Uint8Array) => {
        if (!this.#sockets.has(id)) return;
        this.#send({ op: "write", id, bytes, at: this.#engine.now });
      },
      close: () => {
        if (!this.#sockets.delete(id)) return;
        this.#send({ op: "close", id, at: this.#engine.now });
      },
    };
  }

  open(owner: string, address: string, port: number, events: DatagramEvents): DatagramSocket {
    const id = ++this.#next;
    this.#datagrams.set(id, events);
    this.#send({ op: "udp-open", id, node: owner, address, port, at: this.#engine.now });
    return {
      send: (bytes: Uint8Array) => {
        if (!this.#datagrams.has(id)) return;
        this.#send({ op: "udp-send", id, bytes: bytes.slice(), at: this.#engine.now });
      },
      close: () => {
        if (!this.#datagrams.delete(id)) return;
        this.#send({ op: "udp-close", id, at: this.#engine.now });
      },
    };
  }

  /** Post the shell's socket events and datagrams, in order, at the current virtual time. */
  deliver(list: readonly Delivery[]): void {
    const engine = this.#engine;
    for (const d of list) {
      if (d.kind === "datagram") {
        const events = this.#datagrams.get(d.id);
        if (!events) continue;
        const bytes = fromHex(d.hex);
        engine.at(engine.now, () => events.message(bytes));
        continue;
      }
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
