/**
 * Messages between the Node shell (simulator/xs/session.ts) and a node running inside the XS runner
 * (simulator/xs/inside/entry.ts): one JSON object per line, shell → XS on stdin, XS → shell on stdout.
 *
 * The shell drives time in slices (`run`); XS ends a slice early after any event that touched a socket, so the
 * shell can hand the bytes to real TCP and decide, exactly as the V8 loop does, whether virtual time must wait for
 * an answer. Socket events from the real world come back in the next `run`, and XS posts them at its current
 * virtual time, as the V8 bridge does. Datagrams (the gateways' packet forwarders, the NB-IoT core's UDP) cross
 * the same way: `udp-*` operations out, `datagram` deliveries in, in the order the shell's bridges saw them.
 */
import type { DeviceConfig, LogLevel, SummaryLine } from "../../../hal/host.js";
import type { LinkSideSpec } from "../../core/link-side.js";
import type { ReportAccounting } from "../../core/report-ledger.js";
import type { SimBoardSpec } from "../../core/board.js";
import type { KindSpec, ProbeReport } from "./probe.js";

export interface InitMessage {
  t: "init";
  seed: number;
  /** Unix ms of virtual time 0; default: the atmosphere's own. */
  epochMs?: number;
  board: SimBoardSpec;
  config: DeviceConfig;
  /** Each node's own config, in fleet order (a link's identity or server); default: `config` for every node. */
  configs?: DeviceConfig[];
  /** The portable half of the link's network side (air and gateways, NB-IoT core); default: none (MQTT). */
  link?: LinkSideSpec;
  rolePins: Record<string, number>;
  /** The worlds the device's parts stand in besides the air (its manifest's `world`), built as the V8 session builds them. */
  worlds?: string[];
  /** Node ids, in fleet order. */
  nodes: string[];
  watchdogMs?: number;
  probe: { heap: boolean; callbackBudget: number; startupBudget: number };
}

export type Delivery =
  | { id: number; kind: "connected" }
  | { id: number; kind: "data"; hex: string }
  | { id: number; kind: "closed"; error?: string }
  | { id: number; kind: "datagram"; hex: string };

export interface RunMessage {
  t: "run";
  until: number;
  max: number;
  deliver: Delivery[];
}

export interface SettleMessage {
  t: "settle";
  until: number;
}

export interface FinishMessage {
  t: "finish";
}

/** What the named nodes' uplink queues hold now (asked when they get the broker back after an outage). */
export interface HeldMessage {
  t: "held";
  nodes: string[];
}

/** Each node's reports so far (as `result` counts them) and what its uplink queue holds: the drain at the end. */
export interface AccountsMessage {
  t: "accounts";
}

export type ToXs = InitMessage | RunMessage | SettleMessage | FinishMessage | HeldMessage | AccountsMessage;

export interface CrashRecord {
  at: number;
  node: string;
  /** "start-up", "sample", "report", "timer", "io", or the simulator's own ("power-cut", "callback"). */
  phase: string;
  /** The cycle kind, e.g. "sample:air+rain", when known. */
  kind?: string;
  error: string;
  /** XS's stack of the exception (function names; release builds have no line numbers). */
  stack?: string;
}

export type NetOp =
  | { t: "net"; op: "connect"; id: number; node: string; address: string; port: number; at: number }
  | { t: "net"; op: "write"; id: number; hex: string; at: number }
  | { t: "net"; op: "close"; id: number; at: number }
  | { t: "net"; op: "udp-open"; id: number; owner: string; address: string; port: number; at: number }
  | { t: "net"; op: "udp-send"; id: number; hex: string; at: number }
  | { t: "net"; op: "udp-close"; id: number; at: number };

export type StopReason = "io" | "until" | "slice" | "crash";

export type FromXs =
  | { t: "ready"; kinds: KindSpec[]; epochMs: number }
  | { t: "log"; at: number; node: string; level: LogLevel; message: string }
  | NetOp
  | { t: "stop"; why: StopReason; now: number; executed: number; next: number; crash?: CrashRecord }
  | { t: "settled"; now: number }
  | { t: "held"; held: Record<string, number> }
  | { t: "accounts"; reports: Record<string, ReportAccounting | null>; held: Record<string, number> }
  | {
      t: "result";
      now: number;
      executed: number;
      stats: Record<string, Record<string, number>>;
      /** Each node's reports across its boots; null: the device keeps no standard uplink counters. */
      reports: Record<string, ReportAccounting | null>;
      /** The device's own description of its counters (its app's `summary()`). */
      summary: readonly SummaryLine[] | null;
      crashes: CrashRecord[];
      boots: Record<string, number>;
      probe: ProbeReport;
      /** Counters of the link's portable half (air, gateways, core). */
      linkStats: Record<string, number>;
    }
  | { t: "error"; message: string }
  | { t: "fatal"; kind: string; message: string; phase: number; node: number; at: number };
