/**
 * The node skeleton every device runs on: the link its board uses (devices/shared/board-link.ts builds it), the
 * uplink queue above it,
 * the scheduler, the report timer with its downlink-settable interval, and the configuration downlink.
 *
 * A device owns its parts and its algorithms; it hands finished reports to `report()` (telemetry: SenML-CBOR on
 * `<topic>/senml`, FPort 1) or `event()` (alarms and state changes, ahead of routine telemetry), and names the
 * extra settings a downlink may change: integers, or texts the device checks with its own grammar (a command such as
 * the buoy's calibration), every one checked before any is applied. The skeleton answers every downlink on `<topic>/config/ack` (FPort 2) with
 * the project's own text (runtime/settings.ts), so the same downlink gets the same bytes on V8, XS and a board.
 */
import type { Host } from "../../hal/host.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import type { Downlink, Link } from "../link/link.js";
import { Scheduler, type Task } from "../scheduler.js";
import { isTextSetting, parseSettings, type IntegerSetting, type TextSetting } from "../settings.js";
import { ALARM, EVENT, UplinkQueue, type Priority } from "../uplink.js";
import { utf8Encode } from "../utf8.js";
import { WorkQueue } from "../work-queue.js";
import { CONFIG_PORT, EVENT_PORT, eventTopic, TELEMETRY_PORT, telemetryTopic } from "./topics.js";

export { CONFIG_PORT, EVENT_PORT, TELEMETRY_PORT };

/** The name of the report-interval setting every node takes by downlink (docs/downlinks.md). */
export const REPORT_SETTING = "reportS";

export interface NodeSetting extends IntegerSetting {
  /** Apply a value the downlink set (already checked against min/max); returns the value now in force. */
  readonly apply: (value: number) => number;
  /** The value in force, for the acknowledgement. */
  readonly current: () => number;
}

/**
 * A text setting: `check` says what is wrong with a value (the answer's error), or undefined; `apply` takes a value
 * that passed and returns the text the acknowledgement echoes (printable ASCII without `"` or `\`).
 */
export interface NodeTextSetting extends TextSetting {
  readonly check: (value: string) => string | undefined;
  readonly apply: (value: string) => string;
}

export type NodeSettingKind = NodeSetting | NodeTextSetting;

export interface NodeOptions {
  host: Host;
  config: NodeConfig;
  /** Builds the board's link for the node's topic (devices/shared/board-link.ts: `boardLink`). */
  link: (host: Host, config: NodeConfig, topic: string, work?: WorkQueue) => Link;
  /** What the report timer calls (the device builds its report and calls `report()`). */
  onReport: () => void;
  /** Settings besides `reportS` a configuration downlink may change. */
  settings?: readonly NodeSettingKind[];
  /** Frames the uplink queue holds at most (RAM budget; default 48). */
  capacity?: number;
  /**
   * Hand reports and events to the link on a piece of work of their own (`work`), after the callback that made
   * them, rather than inside `report()`/`event()`, and let the link cut its own sending into pieces (an MQTT
   * publish's encoding, then its write): for a device whose sampling period is shorter than a report's encoding
   * plus the link's work. Default false.
   */
  deferUplink?: boolean;
  /**
   * The report's slots this many ms after (negative: before) each whole period from start (default 0): keeps the
   * report off the slots of tasks and drivers' timers that fall on whole seconds, whose work would otherwise add up
   * with its own.
   */
  reportOffsetMs?: number;
}

export class Node {
  readonly host: Host;
  readonly topic: string;
  /** Where reports and events go (made once: a report's hand-over to the uplink is on a sampling device's clock). */
  readonly #telemetryTopic: string;
  readonly #eventTopic: string;
  readonly scheduler: Scheduler;
  readonly link: Link;
  readonly uplink: UplinkQueue;
  #work: WorkQueue | undefined;
  readonly #config: NodeConfig;
  readonly #settings: readonly NodeSettingKind[];
  readonly #onReport: () => void;
  readonly #reportOffsetMs: number;
  #reportTask: Task | undefined;
  #reportS: number;
  readonly #stats = { reports: 0, events: 0, downlinks: 0, downlinkRejected: 0 };

  constructor(o: NodeOptions) {
    this.host = o.host;
    this.#config = o.config;
    this.topic = o.config.uplink.topic.replace("{id}", o.host.id);
    this.#telemetryTopic = telemetryTopic(this.topic);
    this.#eventTopic = eventTopic(this.topic);
    this.scheduler = new Scheduler(o.host.timer, o.host.clock);
    this.#reportS = o.config.reporting.intervalS;
    this.#onReport = o.onReport;
    const offset = o.reportOffsetMs ?? 0;
    if (!Number.isInteger(offset) || Math.abs(offset) >= o.config.reporting.minIntervalS * 1000) {
      throw new RangeError(`node: reportOffsetMs must be a whole number of ms shorter than the shortest report interval (${o.config.reporting.minIntervalS} s), got ${String(o.reportOffsetMs)}`);
    }
    this.#reportOffsetMs = offset;
    const r = o.config.reporting;
    const report: NodeSetting = Object.freeze({
      name: REPORT_SETTING,
      min: r.minIntervalS,
      max: r.maxIntervalS,
      apply: (s: number) => {
        this.#reportS = s;
        this.#reportTask?.setPeriod(s * 1000);
        return s;
      },
      current: () => this.#reportS,
    });
    this.#settings = Object.freeze([report, ...(o.settings ?? [])]);
    this.link = o.deferUplink === true ? o.link(o.host, o.config, this.topic, this.work) : o.link(o.host, o.config, this.topic);
    this.uplink = new UplinkQueue({
      link: this.link,
      clock: o.host.clock,
      capacity: o.capacity ?? 48,
      window: 4,
      timer: o.host.timer,
      random: () => o.host.random(),
      ...(o.deferUplink === true ? { work: this.work } : {}),
    });
  }

  /** Long work in pieces, with the device's events between them (runtime/work-queue.ts); made on first use. */
  get work(): WorkQueue {
    return (this.#work ??= new WorkQueue(this.host.timer));
  }

  /** Seconds between reports now (a downlink may have changed it). */
  get reportS(): number {
    return this.#reportS;
  }

  /** Connect or join, and start the report timer. */
  start(): void {
    this.link.start({
      onReady: () => this.uplink.pump(),
      onDownlink: (d) => this.#downlink(d),
      onError: (e) => this.host.log("warn", `${this.link.kind}: ${e.message}`),
    });
    const periodMs = this.#reportS * 1000;
    this.#reportTask = this.scheduler.every(periodMs, () => this.#onReport(), { name: "report", phaseMs: periodMs + this.#reportOffsetMs });
  }

  /** A telemetry report (SenML-CBOR), sent as the board's link sends telemetry (confirmed or not, split to fit). */
  report(payload: Uint8Array): void {
    this.#stats.reports++;
    this.uplink.enqueue(payload, { topic: this.#telemetryTopic, port: TELEMETRY_PORT, confirmed: this.#config.uplink.confirmed, senml: true });
  }

  /** An event (SenML-CBOR on `<topic>/event`, FPort 3): always confirmed, ahead of routine reports. */
  event(payload: Uint8Array, alarm = false): void {
    this.#stats.events++;
    const priority: Priority = alarm ? ALARM : EVENT;
    this.uplink.enqueue(payload, { topic: this.#eventTopic, port: EVENT_PORT, confirmed: true, senml: true, priority });
  }

  /** Whether a downlink is this node's configuration: its topic, FPort 2, or (NB-IoT) any answer the server piggybacks. */
  #isConfig(d: Downlink): boolean {
    if (d.port !== undefined) return d.port === CONFIG_PORT;
    if (this.#config.uplink.link === "nbiot") return true;
    return d.topic === `${this.topic}/config`;
  }

  #downlink(d: Downlink): void {
    if (!this.#isConfig(d)) return;
    this.#stats.downlinks++;
    const r = parseSettings(d.payload, this.#settings);
    const error = "error" in r ? r.error : this.#check(r.values);
    let answer: string;
    if (error !== undefined) {
      this.#stats.downlinkRejected++;
      answer = `{"error":${JSON.stringify(error)}}`;
    } else {
      // Every setting the downlink named, as now in force, in the order the settings are declared.
      const values = (r as { values: readonly (number | string | undefined)[] }).values;
      const parts: string[] = [];
      for (let i = 0; i < this.#settings.length; i++) {
        const v = values[i];
        const s = this.#settings[i]!;
        if (v === undefined) continue;
        if (isTextSetting(s)) parts.push(`"${s.name}":"${(s as NodeTextSetting).apply(v as string)}"`);
        else parts.push(`"${s.name}":${(s as NodeSetting).apply(v as number)}`);
      }
      answer = `{${parts.join(",")}}`;
    }
    this.uplink.enqueue(utf8Encode(answer), { topic: `${this.topic}/config/ack`, port: CONFIG_PORT, priority: EVENT, report: false });
  }

  /** The first text value its setting's own check refuses, as the answer's error (nothing is applied then). */
  #check(values: readonly (number | string | undefined)[]): string | undefined {
    for (let i = 0; i < this.#settings.length; i++) {
      const s = this.#settings[i]!;
      const v = values[i];
      if (v === undefined || !isTextSetting(s)) continue;
      const problem = (s as NodeTextSetting).check(v as string);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }

  /** The skeleton's counters: reports, downlinks, the uplink's standard accounting, the queue's and the link's. */
  stats(): Record<string, number> {
    const l = this.link.stats;
    const u = this.uplink.stats;
    return {
      ...this.#stats,
      ...this.uplink.counters(),
      reportIntervalS: this.#reportS,
      framesQueued: u.queued,
      framesAcked: u.acked,
      framesDropped: u.dropped,
      uplinkMaxDepth: u.maxDepth,
      uplinkMaxLatencyMs: u.maxLatencyMs,
      linkFramesOut: l.framesOut,
      linkFailed: l.failed,
      bytesOut: l.bytesOut,
      bytesIn: l.bytesIn,
      ...this.link.counters?.(),
    };
  }
}
