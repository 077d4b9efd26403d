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
import { CAPTURE_CHUNK, CAPTURE_HEAD_RECORDS, StrainEncoder, type MinuteMean, type StrainReportHead } from "./report.js";

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
/**
 * Rainflow classes summed into the hour's Miner damage per piece of work: the 160 classes took about 7,800 XS
 * metering units in one callback (some 700,000 Cortex-M4 instructions, two sample periods).
 */
const CLOSE_CLASSES = 20;
/**
 * The report's slot before each whole reporting interval, ms (runtime/node: reportOffsetMs): off the whole seconds
 * (the MQTT client's timer), the half seconds (the capture poll) and between the converter's 100 ms watchdog slots,
 * and before rather than after the whole interval, so a report holds the minutes closed by then, as on the grid.
 */
const REPORT_OFFSET_MS = -250;
/** Alarm changes held for their events at most (a ring; see #alarm). */
const ALARMS_HELD = 4;
/**
 * How often a finished capture is looked for, ms (off the sample path), half a period off the whole seconds the
 * MQTT client's timer and the converter's watchdog come due on, so their work and a collection in any of them do
 * not add up ahead of a sample.
 */
const CAPTURE_POLL_MS = 1_000;
const CAPTURE_POLL_PHASE_MS = 1_500;
/** Pieces of work (the report's records, alarms, captures, the uplink's) run after each sample. */
const PIECES_PER_SAMPLE = 2;

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
  #reportUnixMs = 0;
  #temperature = NaN;
  #peak = NaN;
  /** Quasi-static minutes already reported. */
  #minutesSent = 0;
  #hourClosed = false;
  #cycles = 0;
  /** The hourly close in pieces: the next rainflow class to sum (-1: none running), the sums so far. */
  readonly #closeJob: Job;
  #closeAt = -1;
  #closeDamage = 0;
  #closeHalfCycles = 0;
  /**
   * Alarm level changes waiting for their piece of work (encoded off the sample path, one a piece): a ring of
   * ALARMS_HELD (Unix ms, level, strain, raised); more at once than that (never seen: a level is held 10 s) are
   * counted and dropped, oldest first.
   */
  readonly #alarmJob: Job;
  readonly #alarms = new Float64Array(4 * ALARMS_HELD);
  #alarmFirst = 0;
  #alarmCount = 0;
  /**
   * A capture event being written: its slot (-1: none), the next piece (each head record, then per chunk of samples
   * its differences and its record), the first sample's instant.
   */
  readonly #captureJob: Job;
  #captureSlot = -1;
  #capturePiece = 0;
  #captureUnixMs = 0;
  readonly #stats = { sensorErrors: 0, alarmEvents: 0, alarmsDropped: 0, captureEvents: 0 };

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
        self.#node.work.afterSample();
      },
      onTemperature(celsius) {
        self.#deckTemperature(celsius);
      },
      onError(e) {
        self.#sensorError(e);
      },
    });
    const sampleHz = this.#fitted.sampleHz;
    // Pieces of work right after samples, so none starts just before a data-ready edge: at 90 samples/s a sample's
    // handler (~2.2 ms at a board's slowest) and two pieces (~3.7 ms each) fit in the 11.1 ms, and a collection
    // inside them (~6 ms) delays the next sample by less than the jitter budget. On their own after three quiet
    // periods (the converter stopped).
    this.#node.work.paceBySamples(Math.ceil(3000 / sampleHz), PIECES_PER_SAMPLE);
    this.#channel = new StrainChannel({ ...GIRDER_INSTALLATION, sampleHz });
    const cap = this.#channel.capture;
    this.#encoder = new StrainEncoder(`${host.id}:`, cap.preSamples + cap.postSamples, this.#channel.quasiStatic.keep);
    this.#reportJob = { step: () => this.#reportStep() };
    this.#closeJob = { step: () => this.#closeStep() };
    this.#alarmJob = { step: () => this.#alarmStep() };
    this.#captureJob = { step: () => this.#captureStep() };
  }

  start(): void {
    this.#node.start();
    const s = this.#node.scheduler;
    s.every(HOUR_MS, () => this.#closeHour(), { name: "fatigue" });
    s.every(CAPTURE_POLL_MS, () => this.#sendCapture(), { name: "capture", phaseMs: CAPTURE_POLL_PHASE_MS });
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

  /** On the sample path: note the change; its event is encoded and queued in a piece of work of its own. */
  #alarm(): void {
    if (this.#alarmCount === ALARMS_HELD) {
      this.#alarmFirst = (this.#alarmFirst + 1) % ALARMS_HELD;
      this.#alarmCount--;
      this.#stats.alarmsDropped++;
    }
    const a = this.#channel.alarm;
    const at = 4 * ((this.#alarmFirst + this.#alarmCount) % ALARMS_HELD);
    const q = this.#alarms;
    q[at] = this.#host.clock.unixMs();
    q[at + 1] = a.level;
    q[at + 2] = this.#channel.strain;
    q[at + 3] = a.level > a.previous ? 1 : 0;
    this.#alarmCount++;
    this.#node.work.add(this.#alarmJob);
  }

  /** The oldest alarm change waiting, as an event (its job is queued once per change). */
  #alarmStep(): boolean {
    if (this.#alarmCount === 0) return false;
    const q = this.#alarms;
    const at = 4 * this.#alarmFirst;
    this.#alarmFirst = (this.#alarmFirst + 1) % ALARMS_HELD;
    this.#alarmCount--;
    this.#stats.alarmEvents++;
    this.#node.event(this.#encoder.alarm(q[at]!, q[at + 1]!, q[at + 2]!), q[at + 3] === 1);
    return false;
  }

  /** The capture poll: a finished window goes out as an event, written a piece at a time (about 85 for 7 s). */
  #sendCapture(): void {
    if (this.#captureSlot >= 0) return; // one at a time: the next poll takes the next
    const cap = this.#channel.capture;
    const slot = cap.take();
    if (slot < 0) return;
    const hz = this.#channel.sampleHz;
    // The first sample's instant: the trigger's, less the samples before it.
    const clock = this.#host.clock;
    const firstUnixMs = clock.unixMs() - (clock.microseconds() - cap.triggerUs(slot)) / 1000 - ((cap.before(slot) - 1) * 1000) / hz;
    this.#captureSlot = slot;
    this.#capturePiece = 0;
    this.#captureUnixMs = Math.round(firstUnixMs);
    this.#node.work.add(this.#captureJob);
  }

  #captureStep(): boolean {
    const slot = this.#captureSlot;
    if (slot < 0) return false;
    const cap = this.#channel.capture;
    const e = this.#encoder;
    const hz = this.#channel.sampleHz;
    const samples = cap.samples(slot);
    const length = cap.length(slot);
    const k = this.#capturePiece++;
    if (k < CAPTURE_HEAD_RECORDS) {
      if (k === 0) e.beginCapture(this.#captureUnixMs);
      e.captureHead(k, hz, cap.before(slot), samples[0]!);
      return true;
    }
    const chunk = (k - CAPTURE_HEAD_RECORDS) >> 1;
    const i = chunk * CAPTURE_CHUNK;
    if (i < length) {
      if (((k - CAPTURE_HEAD_RECORDS) & 1) === 0) e.fillChunk(samples, i, length);
      else e.captureChunk(i, length, hz);
      return true;
    }
    this.#node.event(e.endCapture());
    cap.release(slot);
    this.#captureSlot = -1;
    this.#stats.captureEvents++;
    return false;
  }

  /** The hour's slot: its counts end now; their damage is summed CLOSE_CLASSES rainflow classes a piece. */
  #closeHour(): void {
    while (this.#closeAt >= 0) this.#closeStep(); // (an hour is far longer than the pieces)
    this.#channel.endPeriod();
    this.#closeAt = 0;
    this.#closeDamage = 0;
    this.#closeHalfCycles = 0;
    this.#node.work.add(this.#closeJob);
  }

  #closeStep(): boolean {
    const from = this.#closeAt;
    if (from < 0) return false;
    const ch = this.#channel;
    const h = ch.periodHalfCycles;
    const to = Math.min(from + CLOSE_CLASSES, h.length);
    this.#closeDamage = ch.miner.damage(h, from, to, this.#closeDamage);
    let half = this.#closeHalfCycles;
    for (let i = from; i < to; i++) half += h[i]!;
    this.#closeHalfCycles = half;
    if (to < h.length) {
      this.#closeAt = to;
      return true;
    }
    this.#closeAt = -1;
    ch.periodDamageOf(this.#closeDamage);
    this.#cycles = half / 2;
    this.#hourClosed = true;
    return false;
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
    this.#reportUnixMs = clock.unixMs();
    this.#minutesSent = q.closed;
    const r = this.#pending;
    r.unixMs = this.#reportUnixMs;
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

  /** Minute `m` of the pending report, from the quasi-static ring; `t` its end relative to the report's base time. */
  #readMinute(m: number, minute: MinuteMean): void {
    const q = this.#channel.quasiStatic;
    const seq = this.#minutesFrom + m;
    // Its end in Unix seconds, less the base time (the report's whole second, StrainEncoder.beginReport).
    const endUnixMs = this.#reportUnixMs - (this.#reportUs - (q.periodOf(seq) + 1) * q.periodUs) / 1000;
    minute.t = Math.round(endUnixMs / 1000) - Math.floor(this.#reportUnixMs / 1000);
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
