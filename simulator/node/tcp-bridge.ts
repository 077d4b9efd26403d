/**
 * Bridges simulated sockets to real TCP, and holds virtual time still while real I/O is in flight.
 *
 * The rule (design brief, "Time"): the engine advances only when no real I/O is pending. A socket is pending from
 * `connect` until it connects or fails, and from each write until the peer answers or a short wall-clock grace
 * passes with no answer (some writes, such as a QoS 0 publish or a PUBACK, expect none). Data from the peer is
 * injected into the engine at the current virtual time. On loopback a reply takes well under a millisecond, so a
 * simulated day with a real broker still runs in seconds, and replies land at the same virtual instant in every
 * run: the frames a node sends do not depend on the machine's speed.
 */
import net from "node:net";
import type { Engine } from "../core/engine.js";
import type { NetSocket, NetSocketEvents, Network } from "../core/network.js";

export interface BridgeTap {
  /** Bytes a node sent (`dir` "tx") or received ("rx") on one connection, at virtual time `at`. */
  (event: { node: string; connection: number; dir: "tx" | "rx"; bytes: Uint8Array; at: number }): void;
}

export interface BridgeStats {
  connects: number;
  refused: number;
  bytesTx: number;
  bytesRx: number;
}

export class TcpBridge implements Network {
  readonly #engine: Engine;
  readonly #graceMs: number;
  #pending = 0;
  #waiters: (() => void)[] = [];
  #connections = 0;
  readonly stats: BridgeStats = { connects: 0, refused: 0, bytesTx: 0, bytesRx: 0 };
  readonly #open = new Set<net.Socket>();
  tap: BridgeTap | undefined;

  constructor(engine: Engine, options: { graceMs?: number } = {}) {
    this.#engine = engine;
    this.#graceMs = options.graceMs ?? 20;
  }

  /** True while virtual time must wait for the real world. */
  get busy(): boolean {
    return this.#pending > 0;
  }

  /** Resolves when no real I/O is pending. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #hold(): () => void {
    this.#pending++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#pending--;
      if (this.#pending === 0) {
        const w = this.#waiters;
        this.#waiters = [];
        for (const fn of w) fn();
      }
    };
  }

  #post(fn: () => void): void {
    this.#engine.at(this.#engine.now, fn);
  }

  connect(node: string, address: string, port: number, events: NetSocketEvents): NetSocket {
    const id = ++this.#connections;
    const socket = net.connect({ host: address, port, noDelay: true });
    this.#open.add(socket);
    let releaseConnect: (() => void) | undefined = this.#hold();
    let awaitingReply: (() => void) | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let closed = false;
    const settleReply = (): void => {
      if (graceTimer) clearTimeout(graceTimer);
      graceTimer = undefined;
      awaitingReply?.();
      awaitingReply = undefined;
    };

    socket.on("connect", () => {
      this.stats.connects++;
      this.#post(() => events.connected());
      releaseConnect?.();
      releaseConnect = undefined;
    });
    socket.on("data", (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice();
      this.stats.bytesRx += bytes.length;
      this.#post(() => {
        this.tap?.({ node, connection: id, dir: "rx", bytes, at: this.#engine.now });
        events.data(bytes);
      });
      settleReply();
    });
    const finish = (error: Error | undefined): void => {
      if (closed) return;
      closed = true;
      this.#open.delete(socket);
      if (releaseConnect) this.stats.refused++;
      this.#post(() => events.closed(error));
      settleReply();
      releaseConnect?.();
      releaseConnect = undefined;
    };
    socket.on("error", (err) => finish(err));
    socket.on("close", () => finish(undefined));

    return {
      write: (bytes: Uint8Array) => {
        if (closed) return;
        this.stats.bytesTx += bytes.length;
        this.tap?.({ node, connection: id, dir: "tx", bytes, at: this.#engine.now });
        if (!awaitingReply) awaitingReply = this.#hold();
        if (graceTimer) clearTimeout(graceTimer);
        graceTimer = setTimeout(settleReply, this.#graceMs);
        socket.write(bytes);
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.#open.delete(socket);
        settleReply();
        releaseConnect?.();
        releaseConnect = undefined;
        socket.end();
        socket.destroy();
      },
    };
  }

  /** Drop every real connection (end of run). */
  closeAll(): void {
    for (const s of this.#open) s.destroy();
    this.#open.clear();
  }
}
