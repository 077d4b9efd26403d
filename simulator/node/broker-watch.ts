/**
 * The broker as the nodes met it: when it could not be reached or was lost, for how long, and what the nodes held
 * meanwhile. Fed by the TCP bridge (tcp-bridge.ts `BridgeObserver`) at the virtual time of each event; a node is
 * without the broker from a lost connection or a failed attempt until its next connection succeeds. Outages of
 * several nodes that overlap are one outage of the broker.
 */
import type { BridgeObserver } from "./tcp-bridge.js";

export interface BrokerOutage {
  /** Virtual µs the first node lost the broker or failed to reach it. */
  from: number;
  /** Virtual µs the last of those nodes had it back; null: not back by the end of the run. */
  to: number | null;
  /** Nodes that were without it. */
  nodes: number;
  /** Nodes that never had a connection before it (the broker unreachable from their start). */
  neverConnected: number;
  /** Reports the nodes still held when they got the broker back (delivered afterwards unless lost later). */
  held: number;
}

export interface BrokerReport {
  url: string;
  /** Connection attempts, and how many failed before connecting. */
  attempts: number;
  failures: number;
  /** Connections that ended without the node closing them. */
  lost: number;
  /** The last error a failed or lost connection gave. */
  lastError: string | null;
  /** Nodes that never connected. */
  neverConnected: number;
  outages: BrokerOutage[];
}

interface NodeState {
  up: boolean;
  ever: boolean;
  downSince: number | undefined;
}

interface Gap {
  node: string;
  from: number;
  to: number | null;
  neverConnected: boolean;
  held: number;
}

export class BrokerWatch implements BridgeObserver {
  readonly #now: (node: string) => number;
  readonly #held: ((node: string) => number) | undefined;
  readonly #nodes = new Map<string, NodeState>();
  readonly #gaps: Gap[] = [];
  #pending: Gap[] = [];
  #attempts = 0;
  #failures = 0;
  #lost = 0;
  #lastError: string | null = null;

  /**
   * `now(node)` gives that node's virtual µs (a fleet's nodes run on clocks of their own); `held(node)`, when the
   * caller can read a node at once, what its queue holds (else the caller fills in reconnections with
   * `takeReconnected`/`setHeld`).
   */
  constructor(now: (node: string) => number, held?: (node: string) => number) {
    this.#now = now;
    this.#held = held;
  }

  #state(node: string): NodeState {
    let s = this.#nodes.get(node);
    if (!s) this.#nodes.set(node, (s = { up: false, ever: false, downSince: undefined }));
    return s;
  }

  failed(node: string, error: Error | undefined): void {
    this.#attempts++;
    this.#failures++;
    if (error) this.#lastError = error.message;
    const s = this.#state(node);
    s.up = false;
    s.downSince ??= this.#now(node);
  }

  connected(node: string): void {
    this.#attempts++;
    const s = this.#state(node);
    if (s.downSince !== undefined) {
      const gap: Gap = { node, from: s.downSince, to: this.#now(node), neverConnected: !s.ever, held: 0 };
      this.#gaps.push(gap);
      if (this.#held) gap.held = this.#held(node);
      else this.#pending.push(gap);
    }
    s.up = true;
    s.ever = true;
    s.downSince = undefined;
  }

  lost(node: string, error: Error | undefined): void {
    this.#lost++;
    if (error) this.#lastError = error.message;
    const s = this.#state(node);
    s.up = false;
    s.downSince = this.#now(node);
  }

  closed(node: string): void {
    this.#state(node).up = false;
  }

  /** Nodes that got the broker back since the last call and whose held reports are still to be read. */
  takeReconnected(): string[] {
    return [...new Set(this.#pending.map((g) => g.node))];
  }

  /** What the reconnected nodes held (from `takeReconnected`). */
  setHeld(held: Readonly<Record<string, number>>): void {
    for (const g of this.#pending) g.held = held[g.node] ?? 0;
    this.#pending = [];
  }

  /** The broker over the run, for nodes `ids` (a node that never tried to connect counts as never connected). */
  report(url: string, ids: readonly string[]): BrokerReport {
    const gaps: Gap[] = [...this.#gaps];
    for (const [node, s] of this.#nodes) {
      if (s.downSince !== undefined) gaps.push({ node, from: s.downSince, to: null, neverConnected: !s.ever, held: 0 });
    }
    gaps.sort((a, b) => a.from - b.from);
    const outages: BrokerOutage[] = [];
    let cur: (BrokerOutage & { members: Set<string>; fresh: Set<string> }) | undefined;
    for (const g of gaps) {
      const end = cur ? (cur.to === null ? Infinity : cur.to) : -Infinity;
      if (!cur || g.from > end) {
        cur = { from: g.from, to: g.to, nodes: 0, neverConnected: 0, held: 0, members: new Set(), fresh: new Set() };
        outages.push(cur);
      } else if (cur.to !== null) {
        cur.to = g.to === null ? null : Math.max(cur.to, g.to);
      }
      cur.members.add(g.node);
      if (g.neverConnected) cur.fresh.add(g.node);
      cur.held += g.held;
      cur.nodes = cur.members.size;
      cur.neverConnected = cur.fresh.size;
    }
    return {
      url,
      attempts: this.#attempts,
      failures: this.#failures,
      lost: this.#lost,
      lastError: this.#lastError,
      neverConnected: ids.filter((id) => !this.#nodes.get(id)?.ever).length,
      outages: outages.map((o) => ({ from: o.from, to: o.to, nodes: o.nodes, neverConnected: o.neverConnected, held: o.held })),
    };
  }
}
