/**
 * Where every report a node made went, across its boots, from the device's standard uplink counters
 * (runtime/uplink.ts: UPLINK_MADE …), so the run summary knows no device's own keys.
 *
 * Each boot runs a fresh app whose queue lives in RAM: what it still held when the node reset (a crash and the
 * watchdog, a power cut, a deep sleep) is lost, and is counted as dropped for that reason. Portable: the V8
 * session and the XS runner's world (simulator/xs/inside/entry.ts) keep one ledger per node alike.
 */
import type { DeviceMain, NodeApp, ResetReason } from "../../hal/host.js";
import type { NodeCrash } from "./board-node.js";
import { UPLINK_DELIVERED, UPLINK_DROPPED, UPLINK_HELD, UPLINK_MADE } from "../../runtime/uplink.js";

export interface ReportAccounting {
  /** Reports the firmware made (offered to its uplink queue). */
  made: number;
  /** Acknowledged by the link (for MQTT QoS 1, the broker's PUBACK). */
  delivered: number;
  /** Still in a queue that is alive (the node runs): not delivered yet. */
  held: number;
  /** Lost, by reason: "queue-full" (the device's), "crash", "power-cut", "deep-sleep", "reset". */
  dropped: Record<string, number>;
}

export function emptyAccounting(): ReportAccounting {
  return { made: 0, delivered: 0, held: 0, dropped: {} };
}

/** The accounting a device's stats give, or undefined when it has no standard uplink counters. */
export function accountingOf(stats: Readonly<Record<string, number>>): ReportAccounting | undefined {
  if (stats[UPLINK_MADE] === undefined) return undefined;
  const dropped: Record<string, number> = {};
  for (const key of Object.keys(stats)) {
    if (key.startsWith(UPLINK_DROPPED)) dropped[key.slice(UPLINK_DROPPED.length)] = stats[key]!;
  }
  return { made: stats[UPLINK_MADE]!, delivered: stats[UPLINK_DELIVERED] ?? 0, held: stats[UPLINK_HELD] ?? 0, dropped };
}

/** Add `b` into `a`. */
export function addAccounting(a: ReportAccounting, b: ReportAccounting): ReportAccounting {
  a.made += b.made;
  a.delivered += b.delivered;
  a.held += b.held;
  for (const [k, v] of Object.entries(b.dropped)) a.dropped[k] = (a.dropped[k] ?? 0) + v;
  return a;
}

export function droppedTotal(a: ReportAccounting): number {
  let n = 0;
  for (const v of Object.values(a.dropped)) n += v;
  return n;
}

/** Why a queue in RAM was lost, by the reset that followed. */
function lostTo(reason: ResetReason): string {
  return reason === "watchdog" ? "crash" : reason === "power-on" ? "power-cut" : reason === "deep-sleep" ? "deep-sleep" : "reset";
}

/** One node's reports across its boots. */
export class ReportLedger {
  #past: ReportAccounting = emptyAccounting();
  #app: NodeApp | undefined;
  /** An app without the standard counters was seen: the device does not account for its reports. */
  #silent = false;
  /** The node's crashes when the current app started. */
  #crashesAtBoot = 0;

  /** `main` for a node whose crashes are `crashes`, with every app it returns entered in this ledger. */
  wrap(main: DeviceMain, crashes: () => readonly NodeCrash[]): DeviceMain {
    return (host) => {
      const app = main(host);
      this.#fold(host.power.resetReason);
      this.#app = app;
      this.#crashesAtBoot = crashes().length;
      return app;
    };
  }

  /** The reset a node that is not running waits for: its watchdog or a power cut after a crash, else a wake. */
  pendingReset(running: boolean, crashes: readonly NodeCrash[]): ResetReason | undefined {
    if (running) return undefined;
    if (crashes.length > this.#crashesAtBoot) return crashes[crashes.length - 1]!.phase === "power-cut" ? "power-on" : "watchdog";
    return "deep-sleep";
  }

  /** What the current boot's queue holds now (0 when the device does not account). */
  held(): number {
    return this.#app ? (accountingOf(this.#app.stats())?.held ?? 0) : 0;
  }

  /**
   * The node's accounting at the end of the run (nothing made when it never started), or undefined when its
   * firmware has no uplink counters. `down` is the reset the node waits for when it is not running: its queue is gone.
   */
  total(down: ResetReason | undefined): ReportAccounting | undefined {
    if (down !== undefined) this.#fold(down);
    const now = this.#app ? accountingOf(this.#app.stats()) : undefined;
    if (this.#silent || (this.#app && !now)) return undefined;
    const total = addAccounting(emptyAccounting(), this.#past);
    return now ? addAccounting(total, now) : total;
  }

  #fold(reason: ResetReason): void {
    const app = this.#app;
    this.#app = undefined;
    if (!app) return;
    const a = accountingOf(app.stats());
    if (!a) {
      this.#silent = true;
      return;
    }
    const lost = lostTo(reason);
    if (a.held > 0) a.dropped[lost] = (a.dropped[lost] ?? 0) + a.held;
    a.held = 0;
    addAccounting(this.#past, a);
  }
}
