/**
 * The on-street parking sensor node: a magnetometer flush in the middle of a bay (QMC5883L, or the LIS3MDL as the
 * alternative part), the occupancy detector (./detector.ts over the adaptive baseline ./baseline.ts), and the
 * reporter (./report.ts) that turns its changes into events and keeps a heartbeat.
 *
 * - Sampling: one reading, then the detector says when the next is due: every tick of the sampling interval (1 s)
 *   while something changes, every fourth while the bay is settled either way. Readings are one-shot (the part in
 *   standby between them), with the MCU idle in between.
 * - Uplink: an event (confirmed, ahead of routine telemetry: runtime/node/node.ts `event`) for every change, as soon
 *   as the detector decides; a heartbeat when nothing has been sent for HEARTBEAT_MS, checked at every report tick
 *   (`reportS`), with the supply voltage, the die temperature and the empty bay's field.
 * - Downlink settings: `reportS` (the skeleton's) and `recal`: 1 tells the node the bay is empty now; it learns the
 *   empty field from its last reading (and reports a departure, reason RECALIBRATED, if it thought a car was there).
 *
 * Deep sleep is not used: on Moddable a deep sleep reboots, and the detector's state (baseline, hysteresis counts,
 * the parked car's field) lives in RAM; the nRF52840 waits in System ON idle with the RTC (3.16 µA against 1.5 µA
 * for System ON with RAM off, board manifest), which the energy estimate charges.
 */
import type { Host, NodeApp, SummaryLine } from "../../hal/host.js";
import type { SensorError } from "../../hal/sensor.js";
import type { MagnetometerSample } from "../../parts/magnetometer/reading.js";
import { LIS3MDL } from "../../parts/lis3mdl/driver.js";
import { QMC5883L } from "../../parts/qmc5883l/driver.js";
import type { ResolvedI2CPart } from "../../manifests/schema/config.js";
import { Node, type NodeSetting } from "../../runtime/node/node.js";
import { boardLink } from "../shared/board-link.js";
import { NodeConfigReader } from "../shared/node-config.js";
import { BayState, ParkingDetector } from "./detector.js";
import { ParkingMessages } from "./messages.js";
import { MessageKind, ParkingReporter, type ParkingEvent } from "./report.js";

/** Longest silence before a heartbeat (the reference notes: 1–24 h). */
const HEARTBEAT_MS = 6 * 3_600_000;
/** First reading after boot: the part's power-on reset and the driver's set-up are done by then. */
const FIRST_READING_MS = 1000;
/** Readings while the bay is settled either way, in ticks of the sampling interval. */
const SLOW_TICKS = 4;

const SUMMARY: readonly SummaryLine[] = Object.freeze([
  Object.freeze({ label: "readings", total: Object.freeze(["readings"]) }),
  Object.freeze({
    label: "bay changes",
    total: Object.freeze(["arrivals", "departures"]),
    parts: Object.freeze([
      Object.freeze({ label: "arrivals", key: "arrivals" }),
      Object.freeze({ label: "departures", key: "departures" }),
    ]),
  }),
  Object.freeze({ label: "heartbeats", total: Object.freeze(["heartbeats"]) }),
  Object.freeze({ label: "sensor errors", total: Object.freeze(["sensorErrors"]) }),
]);

interface Magnetometer {
  measure(): void;
  sample(into?: MagnetometerSample): MagnetometerSample | undefined;
}

export class ParkingSensor implements NodeApp {
  readonly #host: Host;
  readonly #node: Node;
  readonly #mag: Magnetometer;
  readonly #detector: ParkingDetector;
  readonly #reporter: ParkingReporter;
  readonly #messages: ParkingMessages;
  readonly #reading: MagnetometerSample = { magnetometer: { x: 0, y: 0, z: 0 }, temperature: NaN };
  readonly #event: ParkingEvent = { seq: 0, state: 0, reason: 0, atMs: 0, deviationUt: 0 };
  readonly #baseline = new Float64Array(3);
  readonly #tickMs: number;
  #startedMs = NaN;
  /** Time left before the next reading, ms (counted down by the tick). */
  #waitMs = 0;
  #measuring = false;
  #temperature = NaN;
  readonly #stats = { readings: 0, heartbeats: 0, sensorErrors: 0, recalibrations: 0 };

  constructor(host: Host) {
    this.#host = host;
    const r = new NodeConfigReader("parking", host.config);
    const found =
      r.find<ResolvedI2CPart>("qmc5883l", ["i2c"], true) ??
      r.find<ResolvedI2CPart>("lis3mdl", ["i2c"], true) ??
      r.fail(`no magnetometer (qmc5883l or lis3mdl) among parts (${Object.keys(r.config.parts).join(", ")})`);
    const recal: NodeSetting = Object.freeze({
      name: "recal",
      min: 1,
      max: 1,
      apply: () => {
        this.#stats.recalibrations++;
        this.#detector.recalibrate(host.clock.ticks());
        this.#send();
        return 1;
      },
      current: () => 0,
    });
    this.#node = new Node({ host, config: r.config, link: boardLink, onReport: () => this.#report(), settings: [recal] });
    this.#reporter = new ParkingReporter({ heartbeatMs: HEARTBEAT_MS });
    this.#messages = new ParkingMessages(`${host.id}:`);
    // The detector's fast rate is the tick; settled, it reads every fourth tick (1 s and 4 s by default).
    this.#tickMs = r.intervalOf(found.role);
    this.#detector = new ParkingDetector({ fastMs: this.#tickMs, slowMs: SLOW_TICKS * this.#tickMs, onChange: (state, reason, atMs, dev) => this.#reporter.change(state, reason, atMs, dev) });
    const p = found.part;
    const bus = host.I2C[p.bus];
    if (!bus) r.fail(`board has no I2C bus "${p.bus}"`);
    const self = this;
    const options = {
      sensor: { io: bus.io, data: bus.data, clock: bus.clock, hz: p.hz, port: bus.port, address: p.address },
      timer: host.timer,
      onSample() {
        self.#sampled();
      },
      onError(e: SensorError) {
        self.#stats.sensorErrors++;
        host.log("warn", e.message);
      },
    };
    this.#mag = p.part === "qmc5883l" ? new QMC5883L(options) : new LIS3MDL(options);
    const o = p.options;
    if (p.part === "qmc5883l") (this.#mag as QMC5883L).configure(o as Parameters<QMC5883L["configure"]>[0]);
    else (this.#mag as LIS3MDL).configure(o as Parameters<LIS3MDL["configure"]>[0]);
  }

  start(): void {
    this.#node.start();
    // One periodic task at the fast rate (the manifest's sampling interval): a reading when the detector's interval
    // has run out, otherwise the tick returns at once. A self-re-arming one-shot timer per reading would do the
    // same with fewer wake-ups (a tick costs about 500 XS units, some 10 µs at 64 MHz), but a fixed task is what the
    // scheduler, the XS probe and the emulated MCU's timeline see as this node's sampling.
    this.#node.scheduler.every(this.#tickMs, () => this.#tick(), { phaseMs: FIRST_READING_MS, name: "field" });
  }

  #tick(): void {
    this.#waitMs -= this.#tickMs;
    if (this.#waitMs > 0 || this.#measuring) return;
    this.#measuring = true;
    this.#startedMs = this.#host.clock.ticks();
    this.#mag.measure();
  }

  #sampled(): void {
    this.#measuring = false;
    const s = this.#mag.sample(this.#reading);
    let nextMs = this.#tickMs;
    if (s) {
      this.#stats.readings++;
      const m = s.magnetometer;
      this.#temperature = s.temperature;
      nextMs = this.#detector.sample(m.x, m.y, m.z, this.#startedMs);
    }
    this.#waitMs = nextMs;
    this.#send();
  }

  /** Send what the reporter holds: every waiting event. */
  #send(): void {
    const h = this.#host;
    const e = this.#event;
    while (this.#reporter.takeEvent(e)) {
      // The change's wall time: the detector stamps it on the monotonic clock.
      const atS = Math.floor((h.clock.unixMs() - (h.clock.ticks() - e.atMs)) / 1000);
      this.#node.event(this.#messages.event(e, atS));
      this.#reporter.sent(h.clock.ticks());
    }
  }

  /** The report timer: a heartbeat when the node has been silent for HEARTBEAT_MS. */
  #report(): void {
    const h = this.#host;
    const now = h.clock.ticks();
    if (this.#reporter.due(now) !== MessageKind.HEARTBEAT) return;
    const d = this.#detector;
    if (d.baseline.valid) d.baseline.into(this.#baseline);
    else this.#baseline.fill(NaN);
    this.#stats.heartbeats++;
    this.#node.report(
      this.#messages.heartbeat({
        timeS: Math.floor(h.clock.unixMs() / 1000),
        occupied: d.state === BayState.OCCUPIED,
        volts: h.power.supplyVoltage(),
        temperature: this.#temperature,
        baseline: this.#baseline,
        deviationUt: d.deviationUt,
        arrivals: d.arrivals,
        departures: d.departures,
      }),
    );
    this.#reporter.sent(now);
  }

  stats(): Readonly<Record<string, number>> {
    const d = this.#detector;
    return {
      ...this.#stats,
      ...this.#node.stats(),
      arrivals: d.arrivals,
      departures: d.departures,
      relearnt: d.relearnt,
      eventsDropped: this.#reporter.dropped,
    };
  }

  summary(): readonly SummaryLine[] {
    return SUMMARY;
  }
}
