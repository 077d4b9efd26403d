/**
 * Bridges simulated sockets to real TCP, and holds virtual time still while real I/O is in flight.
 *
 * The rule (design brief, "Time"): the engine advances only when no real I/O is pending. A socket is pending from
 * `connect` until it connects or fails, and while the peer owes it an answer. Which writes are owed an answer is
 * the protocol's business: with a `ReplyLedger` (the MQTT tap) the bridge holds until every request the device
 * made has been answered; without one it falls back to a short wall-clock grace after each write. Data from the
 * peer is handed to the engine at the current virtual time. Replies therefore land at the same virtual instant in
 * every run, however slow the machine: the frames a node sends do not depend on wall time.
 *
 * In a fleet each node can run on an engine of its own (a lane, see loop.ts `runFleet`): then the rule holds per
 * node. A connection holds its own node's lane, data lands on that lane's engine at that node's virtual time, and
 * the other nodes run on meanwhile, since nothing they do depends on this node's answer. `busy`/`idle()` still
 * speak for every connection together.
 */
import net from "node:net";
import type { Engine } from "../core/engine.js";
import type { NetSocket, NetSocketEvents, Network } from "../core/network.js";

export interface BridgeTap {
  /** Bytes a node sent (`dir` "tx") or received ("rx") on one connection, at virtual time `at` (µs). */
  (event: { node: string; connection: number; dir: "tx" | "rx"; bytes: Uint8Array; at: number }): void;
}

/** Knows, from the bytes tapped so far, how many answers a connection is still owed. */
export interface ReplyLedger {
  outstanding(connection: number): number;
  closed(connection: number): void;
}

export interface BridgeStats {
  connects: number;
  refused: number;
  bytesTx: number;
  bytesRx: number;
  /** Times the safety limit released virtual time while an answer was still owed. */
  stalls: number;
}

/** Told how each node's connections fare (simulator/node/broker-watch.ts keeps the broker's outages). */
export interface BridgeObserver {
  /** A connection attempt failed before it connected. */
  failed(node: string, error: Error | undefined): void;
  connected(node: string): void;
  /** A connection the node had not closed ended (the peer closed it, or it failed). */
  lost(node: string, error: Error | undefined): void;
  /** The node closed a connection. */
  closed(node: string): void;
}

export interface BridgeOptions {
  /** Protocol-aware reply accounting; without it, `graceMs` after each write. */
  ledger?: ReplyLedger;
  tap?: BridgeTap;
  graceMs?: number;
  /** Longest wall-clock wait for an owed answer before virtual time moves on anyway (a hung peer). */
  maxWaitMs?: number;
  observer?: BridgeObserver;
}

/** One node's engine as the bridge sees it: busy while that node waits for the real world. */
export interface BridgeLane {
  readonly engine: Engine;
  readonly busy: boolean;
}

class Lane implements BridgeLane {
  readonly engine: Engine;
  pending = 0;
  constructor(engine: Engine) {
    this.engine = engine;
  }
  get busy(): boolean {
    return this.pending > 0;
  }
}

export class TcpBridge implements Network {
  readonly #o: BridgeOptions;
  /** Where a node without a lane of its own runs (every node, unless `lane()` gave it one). */
  readonly #world: Lane;
  readonly #lanes = new Map<string, Lane>();
  #pending = 0;
  #waiters: (() => void)[] = [];
  /** Waiting for any hold to end (`released`). */
  #watchers: (() => void)[] = [];
  #connections = 0;
  readonly stats: BridgeStats = { connects: 0, refused: 0, bytesTx: 0, bytesRx: 0, stalls: 0 };
  readonly #open = new Set<net.Socket>();
  /** The run is over: connections closing now are the shell's doing, not the broker's. */
  #closing = false;

  constructor(engine: Engine, options: BridgeOptions = {}) {
    this.#world = new Lane(engine);
    this.#o = options;
  }

  /** Run node `node`'s connections on `engine` (its own lane), and hold only that lane while they wait. */
  lane(node: string, engine: Engine): BridgeLane {
    const lane = new Lane(engine);
    this.#lanes.set(node, lane);
    return lane;
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

  /** Resolves once any hold ends (at once when none is held): a lane may be free to run again. */
  released(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#watchers.push(resolve));
  }

  /** Hold virtual time on `lane`; the returned function releases this hold (once). */
  #hold(lane: Lane): () => void {
    this.#pending++;
    lane.pending++;
    let released = false;
    const limit = setTimeout(() => {
      this.stats.stalls++;
      release();
    }, this.#o.maxWaitMs ?? 10_000);
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(limit);
      this.#pending--;
      lane.pending--;
      if (this.#watchers.length > 0) {
        const w = this.#watchers;
        this.#watchers = [];
        for (const fn of w) fn();
      }
      if (this.#pending === 0) {
        const w = this.#waiters;
        this.#waiters = [];
        for (const fn of w) fn();
      }
    };
    return release;
  }

  connect(node: string, address: string, port: number, events: NetSocketEvents): NetSocket {
    const id = ++this.#connections;
    const { ledger, tap, observer } = this.#o;
    const graceMs = this.#o.graceMs ?? 20;
    const lane = this.#lanes.get(node) ?? this.#world;
    const engine = lane.engine;
    const post = (fn: () => void): void => void engine.at(engine.now, fn);
    const socket = net.connect({ host: address, port, noDelay: true });
    this.#open.add(socket);
    let releaseConnect: (() => void) | undefined = this.#hold(lane);
    let releaseReply: (() => void) | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let closed = false;
    const settle = (): void => {
      if (graceTimer) clearTimeout(graceTimer);
      graceTimer = undefined;
      releaseReply?.();
      releaseReply = undefined;
    };
    const tapped = (dir: "tx" | "rx", bytes: Uint8Array): void => tap?.({ node, connection: id, dir, bytes, at: engine.now });

    socket.on("connect", () => {
      this.stats.connects++;
      observer?.connected(node);
      post(() => events.connected());
      releaseConnect?.();
      releaseConnect = undefined;
    });
    socket.on("data", (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice();
      this.stats.bytesRx += bytes.length;
      tapped("rx", bytes);
      post(() => events.data(bytes));
      if (!ledger || ledger.outstanding(id) === 0) settle();
    });
    const finish = (error: Error | undefined): void => {
      if (closed) return;
      closed = true;
      this.#open.delete(socket);
      ledger?.closed(id);
      if (releaseConnect) this.stats.refused++;
      if (!this.#closing) {
        if (releaseConnect) observer?.failed(node, error);
        else observer?.lost(node, error);
      }
      post(() => events.closed(error));
      settle();
      releaseConnect?.();
      releaseConnect = undefined;
    };
    socket.on("error", (err) => finish(err));
    socket.on("close", () => finish(undefined));

    return {
      write: (bytes: Uint8Array) => {
        if (closed) return;
        this.stats.bytesTx += bytes.length;
        tapped("tx", bytes);
        if (ledger) {
          if (ledger.outstanding(id) > 0 && !releaseReply) releaseReply = this.#hold(lane);
        } else {
          if (!releaseReply) releaseReply = this.#hold(lane);
          if (graceTimer) clearTimeout(graceTimer);
          graceTimer = setTimeout(settle, graceMs);
        }
        socket.write(bytes);
      },
      close: () => {
        if (closed) return;
        closed = true;
        if (!this.#closing) observer?.closed(node);
        this.#open.delete(socket);
        ledger?.closed(id);
        settle();
        releaseConnect?.();
        releaseConnect = undefined;
        socket.end();
        socket.destroy();
      },
    };
  }

  /** Drop every real connection (end of run). */
  closeAll(): void {
    this.#closing = true;
    for (const s of this.#open) s.destroy();
    this.#open.clear();
  }
}
