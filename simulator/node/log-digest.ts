/**
 * The nodes' log lines, each distinct one kept once with how often it came: a node that fails the same way
 * thousands of times (a crash loop, a fleet with one bad setting) gives one line and a count, not a flood.
 * Lines that differ only in their numbers ("reconnecting in 546 ms", "… in 1666 ms") count as one; the first
 * one's text stands for them.
 */
import type { LogLevel } from "../../hal/host.js";
import type { NodeLogEntry } from "../core/node.js";

export interface RepeatedLog {
  level: LogLevel;
  message: string;
  count: number;
  /** Virtual µs and node of the first and the latest occurrence. */
  first: { at: number; node: string };
  last: { at: number; node: string };
}

const RANK: Readonly<Record<LogLevel, number>> = Object.freeze({ debug: 0, info: 1, warn: 2, error: 3 });

export class LogDigest {
  readonly #seen = new Map<string, RepeatedLog>();
  readonly #min: number;

  /** Keeps entries of `min` and above. */
  constructor(min: LogLevel = "warn") {
    this.#min = RANK[min];
  }

  /** Enter one entry; returns how many times its level and message have come so far (1: the first), 0 below `min`. */
  add(e: NodeLogEntry): number {
    if (RANK[e.level] < this.#min) return 0;
    const key = `${e.level}\0${e.message.replace(/\d+/g, "#")}`;
    const r = this.#seen.get(key);
    if (r) {
      r.count++;
      r.last = { at: e.at, node: e.node };
      return r.count;
    }
    this.#seen.set(key, { level: e.level, message: e.message, count: 1, first: { at: e.at, node: e.node }, last: { at: e.at, node: e.node } });
    return 1;
  }

  /** The distinct entries, most severe first, then in the order they first came. */
  entries(): RepeatedLog[] {
    return [...this.#seen.values()].sort((a, b) => RANK[b.level] - RANK[a.level]);
  }
}
