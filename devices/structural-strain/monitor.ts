/**
 * The structural-strain monitor: what it samples, how often, and what it sends.
 *
 * - The converter paces the strain samples itself (converter.ts: the ADS1220's continuous conversions at the
 *   manifest's `dataRate`, each DRDY edge one sample, or the HX711's at its `rate`, each DOUT edge one), 20–100 Hz.
 *   The deck temperature is the ADS1220's die, every `temperatureS`, or the HX711 node's SHT3x. Each sample
 *   goes down the channel's path (channel.ts: capture ring, temperature compensation, quasi-static split,
 *   rainflow, graded alarm) without allocating: `readInto` fills one reading object.
 * - A change of the alarm level goes out at once as an event (priority ALARM on a raise), and once the capture
 *   window after a raise is recorded, its raw samples follow as another event.
 * - Every hour the rainflow counts become Miner damage; every reporting interval the minute means, the deck
 *   temperature, the period's peak, the alarm level and (after an hour closed) the damage go out as a report.
 */
import type { Host, NodeApp, SummaryLine } from "../../hal/host.js";
import type { SensorError } from "../../hal/sensor.js";
import type { StrainReading } from "../../parts/strain-bridge/bridge.js";
import { Node } from "../../runtime/node/node.js";
import type { Job } from "../../runtime/work-queue.js";
import { ConfigReader } from "../shared/config.js";
import { boardLink } from "../shared/board-link.js";
import { StrainChannel } from "./channel.js";
import { fitConverter, type FittedConverter } from "./converter.js";
import { GIRDER_INSTALLATION } from "./installation.js";
import { StrainEncoder, type MinuteMean, type StrainReportHead } from "./report.js";

const SUMMARY: readonly SummaryLine[] = Object.freeze([
  Object.freeze({
    label: "strain samples",
    total: Object.freeze(["samples"]),
    parts: Object.freeze([
      Object.freeze({ label: "alarms", key: "alarmRaises" }),
      Object.freeze({ label: "events captured", key: "events" }),
      Object.freeze({ label: "hours of damage", key: "periods" }),
    ]),
  }),
  Object.freeze({ label: "sensor errors", total: Object.freeze(["sensorErrors"]) }),
]);

const HOUR_MS = 3_600_000;
/** The report's slot after each whole reporting interval, ms (runtime/node: reportOffsetMs). */
const REPORT_OFFSET_MS = 50;
/** How often a finished capture is looked for, ms (off the sample path). */
const CAPTURE_POLL_MS = 1_000;

export class StrainMonitor implements NodeApp {
  readonly #host: Host;
  readonly #node: Node;
  readonly #fitted: FittedConverter;
  readonly #channel: StrainChannel;
  readonly #encoder: StrainEncoder;
  readonly #reading: StrainReading = { microstrain: NaN, ratio: NaN, code: 0, atUs: 0, temperature: NaN, count: 0 };
  /** The report being written, a record per piece of work (the values as they were at the report's slot). */
  readonly #pending: StrainReportHead = { unixMs: 0, temperature: NaN, peak: NaN, level: 0, hour: undefined };
  /** Its minutes: the first (read at the slot), the one being written. */
  readonly #firstMinute: MinuteMean = { t: 0, microstrain: NaN };
  readonly #minute: MinuteMean = { t: 0, microstrain: NaN };
  #minuteCount = 0;
  readonly #hour = { damage: 0, total: 0, cycles: 0 };
  readonly #reportJob: Job;
  /** The next record of the pending report, or -1 when none is being written. */
  #reportAt = -1;
  #reportRecords = 0;
  /** The pending report's first minute (its sequence number) and its slot's instant, µs. */
  #minutesFrom = 0;
  #reportUs = 0;
  #temperature = NaN;
  #peak = NaN;
  /** Quasi-static minutes already reported. */
  #minutesSent = 0;
  #hourClosed = false;
  #cycles = 0;
  readonly #stats = { sensorErrors: 0, alarmEvents: 0, captureEvents: 0 };

  constructor(host: Host) {
    this.#host = host;
    const c = new ConfigReader("structural-strain", host.config);
    // The node first, then the converter: their timers start in this order on every engine.
    // The uplink's work goes in pieces of its own (with it, the report's callback would outlast a sample period),
    // and the report's slot falls between the 100 ms and whole-second slots of the converter's watchdog, its
    // temperature and open-bridge checks and the capture poll.
    this.#node = new Node({ host, config: c.node, link: boardLink, onReport: () => this.#report(), deferUplink: true, reportOffsetMs: REPORT_OFFSET_MS });
    const self = this;
    this.#fitted = fitConverter(host, c, {
      onSample() {
        self.#sample();
      },
      onTemperature(celsius) {
        self.#deckTemperature(celsius);
      },
      onError(e) {
        self.#sensorError(e);
      },
    });
    const sampleHz = this.#fitted.sampleHz;
    this.#channel = new StrainChannel({ ...GIRDER_INSTALLATION, sampleHz });
    const cap = this.#channel.capture;
    this.#encoder = new StrainEncoder(`${host.id}:`, cap.preSamples + cap.postSamples, this.#channel.quasiStatic.keep);
    this.#reportJob = { step: () => this.#reportStep() };
  }

  start(): void {
    this.#node.start();
    const s = this.#node.scheduler;
    s.every(HOUR_MS, () => this.#closeHour(), { name: "fatigue" });
    s.every(CAPTURE_POLL_MS, () => this.#sendCapture(), { name: "capture" });
    this.#fitted.start((periodMs, fn, name) => s.every(periodMs, fn, { name }));
  }

  /** The sample path: one DRDY, one reading, nothing allocated unless the alarm level changed. */
  #sample(): void {
    const r = this.#reading;
    if (!this.#fitted.converter.readInto(r)) return;
    const ch = this.#channel;
    if (r.temperature !== this.#temperature && r.temperature === r.temperature) this.#deckTemperature(r.temperature);
    const changed = ch.sample(r.microstrain, r.atUs);
    const x = ch.strain;
    if (x === x && !(x <= this.#peak)) this.#peak = x;
    if (changed) this.#alarm();
  }

  #deckTemperature(celsius: number): void {
    this.#temperature = celsius;
    this.#channel.temperature(celsius);
  }

  #alarm(): void {
    const a = this.#channel.alarm;
    this.#stats.alarmEvents++;
    this.#node.event(this.#encoder.alarm(this.#host.clock.unixMs(), a.level, this.#channel.strain), a.level > a.previous);
  }

  #sendCapture(): void {
    const cap = this.#channel.capture;
    const slot = cap.take();
    if (slot < 0) return;
    const hz = this.#channel.sampleHz;
    const length = cap.length(slot);
    // The first sample's instant: the trigger's, less the samples before it.
    const clock = this.#host.clock;
    const firstUnixMs = clock.unixMs() - (clock.microseconds() - cap.triggerUs(slot)) / 1000 - ((cap.before(slot) - 1) * 1000) / hz;
    this.#node.event(this.#encoder.capture(Math.round(firstUnixMs), hz, cap.before(slot), cap.samples(slot), length));
    cap.release(slot);
    this.#stats.captureEvents++;
  }

  #closeHour(): void {
    const ch = this.#channel;
    ch.closePeriod();
    let half = 0;
    const h = ch.periodHalfCycles;
    for (let i = 0; i < h.length; i++) half += h[i]!;
    this.#cycles = half / 2;
    this.#hourClosed = true;
  }

  #sensorError(e: SensorError): void {
    this.#stats.sensorErrors++;
    this.#host.log("warn", e.message);
  }

  /**
   * The report's slot: take the values the report sends as they are now, then write it a record per piece of work
   * (a record is about 1,000 XS metering units, some 90,000 Cortex-M4 instructions: well inside the 11 ms between
   * two of the converter's samples, where the whole report and its uplink took about four of them), and hand it to
   * the uplink, which sends it in a piece of its own.
   */
  #report(): void {
    // A report still being written (its pieces come one turn of the event loop apart) is finished first.
    while (this.#reportAt >= 0) this.#reportStep();
    const ch = this.#channel;
    const q = ch.quasiStatic;
    const clock = this.#host.clock;
    const from = Math.max(this.#minutesSent, q.closed - q.keep);
    this.#minutesFrom = from;
    this.#reportUs = clock.microseconds();
    this.#minutesSent = q.closed;
    const r = this.#pending;
    r.unixMs = clock.unixMs();
    this.#minuteCount = q.closed - from;
    r.temperature = this.#temperature;
    r.peak = this.#peak;
    r.level = ch.alarm.level;
    r.hour = undefined;
    if (this.#hourClosed) {
      const h = this.#hour;
      h.damage = ch.periodDamage;
      h.total = ch.totalDamage;
      h.cycles = this.#cycles;
      r.hour = h;
    }
    this.#hourClosed = false;
    this.#peak = NaN;
    // Each minute is read in its record's piece; closed minutes do not change, but a minute closing before then
    // (on a board, samples run between the pieces) overwrites the oldest one held, so that one is read now.
    if (this.#minuteCount > 0) this.#readMinute(0, this.#firstMinute);
    this.#reportAt = 0;
    this.#reportRecords = this.#encoder.reportHeadRecords(r) + this.#minuteCount;
    this.#node.work.add(this.#reportJob);
  }

  /** Minute `m` of the pending report, from the quasi-static ring; `t` its end relative to the report's time. */
  #readMinute(m: number, minute: MinuteMean): void {
    const q = this.#channel.quasiStatic;
    const seq = this.#minutesFrom + m;
    minute.t = -Math.round((this.#reportUs - (q.periodOf(seq) + 1) * q.periodUs) / 1e6);
    minute.microstrain = q.meanOf(seq);
  }

  /** One piece of the pending report: its next record, or at the end the whole pack to the uplink. */
  #reportStep(): boolean {
    const i = this.#reportAt;
    if (i < 0) return false; // finished already, by the next report's slot
    const e = this.#encoder;
    const r = this.#pending;
    const n = this.#reportRecords;
    if (i < n) {
      if (i === 0) e.beginReport(r);
      const m = i - (n - this.#minuteCount); // the minutes are the last records
      if (m < 0) e.reportRecord(r, i);
      else if (m === 0) e.reportMinute(this.#firstMinute);
      else {
        this.#readMinute(m, this.#minute);
        e.reportMinute(this.#minute);
      }
      this.#reportAt = i + 1;
      return true;
    }
    this.#reportAt = -1;
    this.#node.report(e.endReport());
    return false;
  }

  stats(): Readonly<Record<string, number>> {
    return { ...this.#stats, ...this.#channel.stats(), ...this.#node.stats(), adcSamples: this.#fitted.converter.count };
  }

  summary(): readonly SummaryLine[] {
    return SUMMARY;
  }
}
