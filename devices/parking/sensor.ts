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
 *   (`reportS`; at every reading on a node that deep-sleeps), with the supply voltage, the die temperature and the
 *   empty bay's field.
 * - Downlink settings: `reportS` (the skeleton's) and `recal`: 1 tells the node the bay is empty now; it learns the
 *   empty field from its last reading (and reports a departure, reason RECALIBRATED, if it thought a car was there).
 *
 * - Deep sleep between samples (nRF52 boards; Moddable has no deep sleep on ESP32, where the node waits in RAM),
 *   when the wait until the next reading is at least `deepSleepMinMs`: after a reading, when no event waits, no
 *   heartbeat is due and the uplink queue is empty, the node keeps its state in retained words and sleeps until the
 *   next reading (`host.power.deepSleep`: System ON with the RTC and RAM off, 1.5 µA on the nRF52840 against
 *   3.16 µA idle with RAM kept). A deep sleep reboots, so every wake runs `main` again: the reading is taken at
 *   once, from the kept state; the link is started only when there is something to send, and the node stays awake
 *   (sampling on its timer) until the queue has drained.
 *   It pays only for long waits: the 1.66 µA it saves must repay a reboot. Made to sleep at every idle reading,
 *   the node on the emulated nRF52840 (every wake a reboot) spent 97 % of the time in deep sleep (1.45 µA) but
 *   drew 68 µA for the CPU (main run again at each wake, about 1.8 million device instructions with the driver's
 *   reset of the part and the garbage collections) and 22 µA for the 27 ms reset to main, against 7–16 µA for
 *   the CPU awake in System ON idle: about 0.3 mA·s a wake, so break-even is some three minutes between
 *   readings. DEEP_SLEEP_MIN_MS is that, and at this node's 1 s and 4 s readings it waits in System ON idle as
 *   before (tools/bench/battery.ts says what it charges). What is kept
 *   (retained words 0…10, one RetainedBlock: runtime/retained-block.ts): the detector's state
 *   (detector.ts `save`) and the heartbeat's silence in sampling ticks. A block that does not check out (damaged,
 *   another layout) is named in the log and counted, and the node learns the empty bay again rather than decide on
 *   garbage. Retained words do not survive a power cut: after one the node starts as at installation.
 */
import type { Host, NodeApp, SummaryLine } from "../../hal/host.js";
import type { SensorError } from "../../hal/sensor.js";
import type { MagnetometerSample } from "../../parts/magnetometer/reading.js";
import { LIS3MDL } from "../../parts/lis3mdl/driver.js";
import { QMC5883L } from "../../parts/qmc5883l/driver.js";
import type { ResolvedI2CPart } from "../../manifests/schema/config.js";
import { getU16, putU16 } from "../../runtime/le.js";
import { Node, type NodeSetting } from "../../runtime/node/node.js";
import { Scheduler } from "../../runtime/scheduler.js";
import { RetainedBlock, RetainedStatus, retainedStatusName } from "../../runtime/retained-block.js";
import { boardLink } from "../shared/board-link.js";
import { ConfigReader } from "../shared/config.js";
import { BayState, DETECTOR_STATE_BYTES, ParkingDetector } from "./detector.js";
import { ParkingMessages } from "./messages.js";
import { MessageKind, ParkingReporter, type ParkingEvent } from "./report.js";

/** Longest silence before a heartbeat (the reference notes: 1–24 h). */
const HEARTBEAT_MS = 6 * 3_600_000;
/** First reading after boot: the part's power-on reset and the driver's set-up are done by then. */
const FIRST_READING_MS = 1000;
/** Readings while the bay is settled either way, in ticks of the sampling interval. */
const SLOW_TICKS = 4;
/**
 * Retained words the node keeps across deep sleep: 0…10 (the LoRaWAN session takes 11…30,
 * devices/shared/links/lorawan.ts). Payload: the detector's state, then the heartbeat's silence (u16, ticks).
 */
/** Version 2: the detector keeps whether a car went over the sensor and, while vacant, where the field stood. */
const KEPT = Object.freeze({ name: "parking retained state", first: 0, words: 11, tag: 0x50, version: 2 });
const KEPT_SILENCE_AT = DETECTOR_STATE_BYTES;
/** The shortest wait worth a deep sleep (see above). */
export const DEEP_SLEEP_MIN_MS = 180_000;

export interface ParkingSensorOptions {
  /** Deep-sleep only when the next reading is at least this far (default DEEP_SLEEP_MIN_MS; 0: whenever idle). */
  deepSleepMinMs?: number;
}
const SILENCE_NEVER = 0xffff;

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
  /** The node skeleton (link, uplink queue, downlinks): made when there is first something to send. */
  #node: Node | undefined;
  readonly #scheduler: Scheduler;
  readonly #config: ConfigReader["node"];
  readonly #recal: NodeSetting;
  readonly #mag: Magnetometer;
  readonly #detector: ParkingDetector;
  readonly #reporter: ParkingReporter;
  #messages: ParkingMessages | undefined;
  readonly #reading: MagnetometerSample = { magnetometer: { x: 0, y: 0, z: 0 }, temperature: NaN };
  readonly #event: ParkingEvent = { seq: 0, state: 0, reason: 0, atMs: 0, deviationUt: 0 };
  readonly #baseline = new Float64Array(3);
  readonly #tickMs: number;
  #startedMs = NaN;
  /** Time left before the next reading, ms (counted down by the tick). */
  #waitMs = 0;
  #measuring = false;
  /** Whether the last reading succeeded (the node only sleeps after one that did). */
  #readOk = false;
  #temperature = NaN;
  /** Deep sleep between readings (nRF52, when the detector's intervals reach deepSleepMinMs). */
  readonly #sleeps: boolean;
  readonly #sleepMinMs: number;
  readonly #kept: RetainedBlock;
  readonly #keptBytes: Uint8Array;
  readonly #stats = { readings: 0, heartbeats: 0, sensorErrors: 0, recalibrations: 0, retainedLost: 0 };

  constructor(host: Host, choices: ParkingSensorOptions = {}) {
    this.#host = host;
    const r = new ConfigReader("parking", host.config);
    this.#sleepMinMs = choices.deepSleepMinMs ?? DEEP_SLEEP_MIN_MS;
    this.#kept = new RetainedBlock(host.retained, KEPT);
    this.#keptBytes = new Uint8Array(this.#kept.bytes);
    const found =
      r.optionalPart<ResolvedI2CPart>("qmc5883l", "i2c") ??
      r.optionalPart<ResolvedI2CPart>("lis3mdl", "i2c") ??
      r.fail(`no magnetometer (qmc5883l or lis3mdl) among parts (${Object.keys(r.node.parts).join(", ")})`);
    this.#config = r.node;
    this.#scheduler = new Scheduler(host.timer, host.clock);
    this.#recal = Object.freeze({
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
    this.#reporter = new ParkingReporter({ heartbeatMs: HEARTBEAT_MS });
    // The detector's fast rate is the tick; settled, it reads every fourth tick (1 s and 4 s by default).
    this.#tickMs = r.intervalOf(found.role);
    this.#sleeps = r.node.platform === "nrf52" && SLOW_TICKS * this.#tickMs >= this.#sleepMinMs;
    this.#detector = new ParkingDetector({ fastMs: this.#tickMs, slowMs: SLOW_TICKS * this.#tickMs, onChange: (state, reason, atMs, dev) => this.#reporter.change(state, reason, atMs, dev) });
    const p = found.part;
    const self = this;
    const options = {
      sensor: r.i2cSensor(host, found),
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
    const h = this.#host;
    const wake = this.#sleeps && h.power.resetReason === "deep-sleep";
    if (!this.#sleeps) this.#startNode();
    if (wake) this.#restore(h.clock.ticks());
    // One periodic task at the fast rate (the manifest's sampling interval): a reading when the detector's interval
    // has run out, otherwise the tick returns at once (or, idle, puts the node to sleep until the reading). A
    // self-re-arming one-shot timer per reading would do the same with fewer wake-ups (a tick costs about 500 XS
    // units, some 10 µs at 64 MHz), but a fixed task is what the scheduler, the XS probe and the emulated MCU's
    // timeline see as this node's sampling. Woken from deep sleep, the reading is due now: take it at once.
    this.#scheduler.every(this.#tickMs, () => this.#tick(), { phaseMs: wake ? this.#tickMs : FIRST_READING_MS, name: "field" });
    if (wake) this.#measure();
  }

  /**
   * The node skeleton, made and started (connect or join) once: at start on boards that stay awake, at the first
   * message of a wake on those that sleep, so that a wake with nothing to send builds no link (most wakes).
   */
  #startNode(): { node: Node; messages: ParkingMessages } {
    let node = this.#node;
    if (!node) {
      const host = this.#host;
      node = new Node({ host, config: this.#config, link: boardLink, onReport: () => this.#report(), settings: [this.#recal] });
      this.#node = node;
      this.#messages = new ParkingMessages(`${host.id}:`);
      node.start();
    }
    return { node, messages: this.#messages! };
  }

  #tick(): void {
    this.#waitMs -= this.#tickMs;
    if (this.#measuring) return;
    if (this.#waitMs > 0) {
      this.#sleepIfIdle(this.#waitMs);
      return;
    }
    this.#measure();
  }

  #measure(): void {
    this.#measuring = true;
    this.#startedMs = this.#host.clock.ticks();
    this.#mag.measure();
  }

  #sampled(): void {
    this.#measuring = false;
    const s = this.#mag.sample(this.#reading);
    let nextMs = this.#tickMs;
    this.#readOk = s !== undefined;
    if (s) {
      this.#stats.readings++;
      const m = s.magnetometer;
      this.#temperature = s.temperature;
      nextMs = this.#detector.sample(m.x, m.y, m.z, this.#startedMs);
    }
    this.#waitMs = nextMs;
    this.#send();
    if (!this.#sleeps) return;
    // Sleeping between readings, the node has no report timer running: the heartbeat is checked at every reading.
    if (this.#reporter.due(this.#startedMs) === MessageKind.HEARTBEAT) this.#heartbeat(this.#startedMs);
    this.#sleepIfIdle(this.#startedMs + nextMs - this.#host.clock.ticks());
  }

  /**
   * Deep-sleep for `ms` (until the next reading) if nothing keeps the node awake: a reading under way or failed
   * (the next one comes by the tick), an event waiting, a frame queued or with the link.
   */
  #sleepIfIdle(ms: number): void {
    if (!this.#sleeps || !(ms > 0) || ms < this.#sleepMinMs || this.#measuring || !this.#readOk || this.#reporter.pending > 0) return;
    if (this.#node && this.#node.uplink.depth > 0) return;
    const b = this.#keptBytes;
    this.#detector.save(b, 0);
    // The heartbeat's silence at the next reading, in ticks (readings fall on the tick's grid).
    const last = this.#reporter.heartbeat.nextDueMs - this.#reporter.heartbeat.maxIntervalMs;
    const silence = Math.floor((this.#host.clock.ticks() + ms - last) / this.#tickMs);
    putU16(b, KEPT_SILENCE_AT, !(silence >= 0) ? SILENCE_NEVER : silence >= SILENCE_NEVER ? SILENCE_NEVER - 1 : silence);
    this.#kept.save(b);
    this.#host.power.deepSleep(ms);
  }

  /** Woken from deep sleep: take back the kept state, the next reading being at `wakeMs`. */
  #restore(wakeMs: number): void {
    const b = this.#keptBytes;
    const status = this.#kept.load(b);
    if (status !== RetainedStatus.OK) {
      this.#stats.retainedLost++;
      this.#host.log("warn", `parking: ${KEPT.name} in retained words ${KEPT.first}…${KEPT.first + KEPT.words - 1} not usable (${retainedStatusName(status)}): learning the empty bay again`);
      return;
    }
    this.#detector.restore(b, 0, wakeMs);
    // Every change was numbered and none waits at a sleep: the next number is the count of changes.
    this.#reporter.restoreSequence(this.#detector.arrivals + this.#detector.departures);
    const silence = getU16(b, KEPT_SILENCE_AT);
    if (silence !== SILENCE_NEVER) this.#reporter.sent(wakeMs - silence * this.#tickMs);
  }

  /** Send what the reporter holds: every waiting event. */
  #send(): void {
    const h = this.#host;
    const e = this.#event;
    while (this.#reporter.takeEvent(e)) {
      // The change's wall time: the detector stamps it on the monotonic clock.
      const atS = Math.floor((h.clock.unixMs() - (h.clock.ticks() - e.atMs)) / 1000);
      const { node, messages } = this.#startNode();
      node.event(messages.event(e, atS));
      this.#reporter.sent(h.clock.ticks());
    }
  }

  /** The report timer: a heartbeat when the node has been silent for HEARTBEAT_MS. */
  #report(): void {
    const now = this.#host.clock.ticks();
    if (this.#reporter.due(now) === MessageKind.HEARTBEAT) this.#heartbeat(now);
  }

  #heartbeat(now: number): void {
    const h = this.#host;
    const d = this.#detector;
    if (d.baseline.valid) d.baseline.into(this.#baseline);
    else this.#baseline.fill(NaN);
    this.#stats.heartbeats++;
    const { node, messages } = this.#startNode();
    node.report(
      messages.heartbeat({
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
      ...this.#node?.stats(),
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
