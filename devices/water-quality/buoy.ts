/**
 * The Dianchi water-quality buoy: what it samples, how often, and what it sends.
 *
 * - A round of its probes (probes.ts: EZO-RTD, then EZO-pH, -DO, -EC with the RTD's temperature, EZO-ORP and the
 *   turbidity probe) every 15 minutes (the manifest's sampling group `water`), every 2 minutes while a warning
 *   holds (sampling.ts keeps the fast rate 30 minutes past the last warning).
 * - After each round, the on-device assessment (assess.ts): % saturation at the lake's pressure, GB 3838-2002
 *   classes, the bloom-risk flag, probe faults. A change of the bloom flag, the rate or the fault bits goes out at
 *   once as an event (an alarm when it raises a warning).
 * - A report every `reporting.intervalS`: the latest round, its class, and how many rounds the period took.
 * - Calibration by downlink (calibration.ts: `{"cal":"ph,mid,7.00"}`): checked against the circuit's grammar in the
 *   acknowledgement, sent to the circuit at the start of the next round, and its outcome reported as an event.
 */
import type { Host, NodeApp, SummaryLine } from "../../hal/host.js";
import type { SensorError } from "../../hal/sensor.js";
import type { ResolvedAnalogPart, ResolvedI2CPart } from "../../manifests/schema/config.js";
import type { EzoResult } from "../../parts/ezo/driver.js";
import { Node, type NodeTextSetting } from "../../runtime/node/node.js";
import type { Task } from "../../runtime/scheduler.js";
import { ConfigReader } from "../shared/config.js";
import { boardLink } from "../shared/board-link.js";
import { CAL_MAX_LENGTH, CAL_SETTING, calibrationCommand, PendingCalibrations } from "./calibration.js";
import { CHANGED_BLOOM, CHANGED_FAULTS, CHANGED_RATE, WaterAssessment } from "./assess.js";
import { ProbeRound, type WaterReading } from "./probes.js";
import { BuoyEncoder } from "./report.js";
import { SAMPLING_DEFAULTS } from "./sampling.js";

const SUMMARY: readonly SummaryLine[] = Object.freeze([
  Object.freeze({
    label: "rounds taken",
    total: Object.freeze(["rounds"]),
    parts: Object.freeze([Object.freeze({ label: "at 2 min", key: "fastRounds" }), Object.freeze({ label: "bloom flags", key: "bloomRaised" })]),
  }),
  Object.freeze({ label: "sensor errors", total: Object.freeze(["sensorErrors"]) }),
]);

/** First round after boot, ms: the circuits identify themselves (`i`) first. */
const FIRST_ROUND_MS = 5_000;

export class WaterQualityBuoy implements NodeApp {
  readonly #host: Host;
  readonly #node: Node;
  readonly #probes: ProbeRound;
  readonly #assess: WaterAssessment;
  readonly #encoder: BuoyEncoder;
  readonly #normalMs: number;
  readonly #calibrations = new PendingCalibrations();
  #task: Task | undefined;
  /** The latest complete round, kept for the report. */
  readonly #last: WaterReading = { unixMs: 0, temperature: NaN, pH: NaN, oxygen: NaN, conductivity: NaN, orp: NaN, turbidity: NaN };
  #lastSaturation = NaN;
  #lastClass = 0;
  #periodRounds = 0;
  readonly #stats = { rounds: 0, fastRounds: 0, bloomRaised: 0, rateChanges: 0, sensorErrors: 0, roundsSkipped: 0, calibrations: 0, calibrationsFailed: 0 };

  constructor(host: Host) {
    this.#host = host;
    const c = new ConfigReader("water-quality", host.config);
    const i2c = (kind: string) => c.part<ResolvedI2CPart>(kind, "i2c");
    const rtd = i2c("ezo-rtd");
    this.#normalMs = c.intervalOf(rtd.role);
    // The normal rate is the manifest's; the warning rate and its hold are the algorithm's (sampling.ts).
    const rule = { normalMs: this.#normalMs, alertMs: SAMPLING_DEFAULTS.alertMs, holdMs: SAMPLING_DEFAULTS.holdMs };
    const cal: NodeTextSetting = Object.freeze({
      name: CAL_SETTING,
      maxLength: CAL_MAX_LENGTH,
      check: (text: string) => {
        const r = calibrationCommand(text);
        return typeof r === "string" ? r : undefined;
      },
      apply: (text: string) => {
        const r = calibrationCommand(text) as { probe: number; command: string };
        this.#calibrations.add(r.probe, r.command, text);
        return text;
      },
    });
    this.#node = new Node({ host, config: c.node, link: boardLink, onReport: () => this.#report(), settings: [cal] });
    this.#assess = new WaterAssessment(rule);
    this.#probes = new ProbeRound(
      host,
      {
        rtd: rtd.part,
        pH: i2c("ezo-ph").part,
        oxygen: i2c("ezo-do").part,
        conductivity: i2c("ezo-ec").part,
        orp: i2c("ezo-orp").part,
        turbidity: c.part<ResolvedAnalogPart>("turbidity", "analog").part,
      },
      (part) => c.i2cSensor(host, { role: part.part, part }),
      (r) => this.#roundDone(r),
      (e) => this.#sensorError(e),
    );
    this.#encoder = new BuoyEncoder(`${host.id}:`);
  }

  start(): void {
    this.#node.start();
    this.#task = this.#node.scheduler.every(this.#normalMs, () => this.#round(), { phaseMs: FIRST_ROUND_MS, name: "water" });
  }

  #round(): void {
    const probes = this.#probes;
    if (probes.busy) {
      this.#stats.roundsSkipped++;
      return;
    }
    // Calibrations first: each circuit's queue then holds its calibration ahead of this round's reading.
    if (this.#calibrations.any) this.#calibrations.drain((probe, command, text) => probes.calibrate(probe, command, (r) => this.#calibrated(text, r)));
    probes.start();
  }

  #calibrated(text: string, r: EzoResult): void {
    this.#stats.calibrations++;
    if (!r.ok) {
      this.#stats.calibrationsFailed++;
      this.#host.log("warn", r.message);
    }
    this.#node.event(this.#encoder.calibration({ unixMs: this.#host.clock.unixMs(), text, result: r.ok ? "ok" : r.reason }));
  }

  #roundDone(r: WaterReading): void {
    const a = this.#assess;
    const fast = a.sampling.alert;
    const changed = a.add(r, this.#host.clock.ticks());
    this.#stats.rounds++;
    if (fast) this.#stats.fastRounds++;
    this.#periodRounds++;
    const l = this.#last;
    l.unixMs = r.unixMs;
    l.temperature = r.temperature;
    l.pH = r.pH;
    l.oxygen = r.oxygen;
    l.conductivity = r.conductivity;
    l.orp = r.orp;
    l.turbidity = r.turbidity;
    this.#lastSaturation = a.saturation;
    this.#lastClass = a.classes.worst;
    if (changed & CHANGED_RATE) {
      this.#stats.rateChanges++;
      this.#task?.setPeriod(a.sampling.periodMs);
    }
    if (changed & CHANGED_BLOOM && a.bloom.raised) this.#stats.bloomRaised++;
    if (changed & (CHANGED_BLOOM | CHANGED_RATE | CHANGED_FAULTS)) {
      const payload = this.#encoder.event({ unixMs: r.unixMs, bloom: a.bloom.raised, periodS: a.sampling.periodMs / 1000, faults: a.faults });
      // Raising a warning is an alarm; clearing one, or a fault-bit change, is an event.
      this.#node.event(payload, a.warning && (changed & (CHANGED_BLOOM | CHANGED_RATE)) !== 0);
    }
  }

  #sensorError(e: SensorError): void {
    this.#stats.sensorErrors++;
    this.#host.log("warn", e.message);
  }

  #report(): void {
    if (this.#last.unixMs === 0) return; // no round yet: nothing to say
    this.#node.report(
      this.#encoder.report({ reading: this.#last, saturation: this.#lastSaturation, worstClass: this.#lastClass, rounds: this.#periodRounds, faults: this.#assess.faults }),
    );
    this.#periodRounds = 0;
  }

  stats(): Readonly<Record<string, number>> {
    return { ...this.#stats, ...this.#node.stats(), roundTimeouts: this.#probes.timeouts, samplingPeriodS: this.#assess.sampling.periodMs / 1000 };
  }

  summary(): readonly SummaryLine[] {
    return SUMMARY;
  }
}
