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
import { ConfigReader } from "../shared/config.js";
import { boardLink } from "../shared/board-link.js";
import { StrainChannel } from "./channel.js";
import { fitConverter, type FittedConverter } from "./converter.js";
import { GIRDER_INSTALLATION } from "./installation.js";
import { StrainEncoder, type MinuteMean } from "./report.js";

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
/** How often a finished capture is looked for, ms (off the sample path). */
const CAPTURE_POLL_MS = 1_000;

export class StrainMonitor implements NodeApp {
  readonly #host: Host;
  readonly #node: Node;
  readonly #fitted: FittedConverter;
  readonly #channel: StrainChannel;
  readonly #encoder: StrainEncoder;
  readonly #reading: StrainReading = { microstrain: NaN, ratio: NaN, code: 0, atUs: 0, temperature: NaN, count: 0 };
  readonly #minutes: MinuteMean[];
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
    this.#node = new Node({ host, config: c.node, link: boardLink, onReport: () => this.#report() });
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
    this.#encoder = new StrainEncoder(`${host.id}:`, cap.preSamples + cap.postSamples);
    this.#minutes = [];
    for (let i = 0; i < this.#channel.quasiStatic.keep; i++) this.#minutes.push({ t: 0, microstrain: NaN });
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

  #report(): void {
    const ch = this.#channel;
    const q = ch.quasiStatic;
    const clock = this.#host.clock;
    const nowUs = clock.microseconds();
    const from = Math.max(this.#minutesSent, q.closed - q.keep);
    let n = 0;
    for (let seq = from; seq < q.closed; seq++) {
      const m = this.#minutes[n++]!;
      m.t = -Math.round((nowUs - (q.periodOf(seq) + 1) * q.periodUs) / 1e6);
      m.microstrain = q.meanOf(seq);
    }
    this.#minutesSent = q.closed;
    const payload = this.#encoder.report({
      unixMs: clock.unixMs(),
      minutes: this.#minutes,
      minuteCount: n,
      temperature: this.#temperature,
      peak: this.#peak,
      level: ch.alarm.level,
      hour: this.#hourClosed ? { damage: ch.periodDamage, total: ch.totalDamage, cycles: this.#cycles } : undefined,
    });
    this.#hourClosed = false;
    this.#peak = NaN;
    this.#node.report(payload);
  }

  stats(): Readonly<Record<string, number>> {
    return { ...this.#stats, ...this.#channel.stats(), ...this.#node.stats(), adcSamples: this.#fitted.converter.count };
  }

  summary(): readonly SummaryLine[] {
    return SUMMARY;
  }
}
