/**
 * The smart meter node (remote meter reading): an electricity meter read over RS-485 by DL/T 645-2007 and by its
 * S0 pulse output, and a CJ/T 188-2004 water meter on the same pair where one is fitted.
 *
 * - At every boundary of the read grid on the meter clock (each 15 minutes by default) the S0 count is latched at
 *   the boundary itself, so interval energy is exact to a pulse, and then the meters are read in turn: the DL/T 645
 *   items (forward active total and tariffs, reverse active, voltage, current, the cover and magnet event counters),
 *   then the water meter. Both drivers want the port's Serial and the DE pin, which a board gives to one owner at a
 *   time, so each read opens its driver and closes it when done (a failed read is bounded by the driver's worst case).
 * - The readings feed the interval keeper (./interval.ts), the daily and settlement snapshots in flash
 *   (./snapshots.ts, on the board's "storage" partition) and the tamper latches (./tamper.ts).
 * - The report timer (`reportS`) sends the intervals closed since the last report with the latest readings; a
 *   snapshot goes out when it is frozen; a tamper event is an alarm, ahead of everything.
 * - Downlink settings: `reportS` (the skeleton's) and `clockS`, the meter time in Unix seconds (a step the clock
 *   validates: never back by more than an hour, and every step flags the interval and the snapshots it touches).
 * - The node sleeps with its timers running (System ON idle on the nRF52840): pulses that come while firmware does
 *   not run are lost, so deep sleep would lose energy; the count is kept in retained memory across resets.
 * - Across a power loss (./kept.ts, in flash): the interval in progress, kept at each boundary before the closed one
 *   is reported, and the clock offset, kept at each step; the node resumes the interval (flagged RESTARTED) and the
 *   meter time from them.
 */
import type { Host, NodeApp, SummaryLine } from "../../hal/host.js";
import { Cjt188 } from "../../parts/cjt188/driver.js";
import { DI, Dlt645, type DataItem, type Dlt645Reading, type MeterError } from "../../parts/dlt645/driver.js";
import { S0PulseCounter } from "../../parts/s0-pulse/driver.js";
import { FlashRecordLog } from "../../runtime/flash-records.js";
import { Node, type NodeSetting } from "../../runtime/node/node.js";
import { boardLink } from "../shared/board-link.js";
import { CLOCK_MAX_MS, CLOCK_MIN_MS, MeterClock } from "./clock.js";
import { readMeterConfig, type MeterBusPart, type MeterConfig } from "./config.js";
import { IntervalEnergy } from "./interval.js";
import { MeterKeeper, type KeptInterval } from "./kept.js";
import { MeterReportEncoder, type MeterReadings } from "./report.js";
import { SnapshotKeeper } from "./snapshots.js";
import { TamperMonitor } from "./tamper.js";

/** What each read asks the electricity meter for. */
const ITEMS: readonly DataItem[] = Object.freeze([
  DI.FORWARD_ACTIVE_TOTAL,
  DI.FORWARD_ACTIVE_TARIFF_1,
  DI.FORWARD_ACTIVE_TARIFF_2,
  DI.FORWARD_ACTIVE_TARIFF_3,
  DI.FORWARD_ACTIVE_TARIFF_4,
  DI.REVERSE_ACTIVE_TOTAL,
  DI.VOLTAGE_A,
  DI.CURRENT_A,
  DI.COVER_OPENINGS,
  DI.MAGNETIC_EVENTS,
]);
const TARIFFS: readonly number[] = Object.freeze([DI.FORWARD_ACTIVE_TARIFF_1.di, DI.FORWARD_ACTIVE_TARIFF_2.di, DI.FORWARD_ACTIVE_TARIFF_3.di, DI.FORWARD_ACTIVE_TARIFF_4.di]);

/** Retained words 0 and 1 hold the pulse count (the LoRaWAN session starts at word 11). */
const PULSE_RETAINED_INDEX = 0;
/**
 * The flash partition the snapshot logs live in, and their sizes: 64-byte slots, 63 to a 4 KB block, one block of
 * each log kept free for rotation, so 8 blocks hold 441 days of daily snapshots and 2 blocks 63 months of settlement
 * ones: ten 4 KB blocks, within the nRF52840-DK's 16 and the ESP32's 80. Mounting reads every block of a log, so it
 * is not made larger than what the meter must keep (DL/T 645 meters keep 62 daily and 12 settlement freezes).
 */
const PARTITION = "storage";
const SLOT_BYTES = 64;
const DAILY_BLOCKS = 8;
const BILLING_BLOCKS = 2;
/** The interval in progress and the clock offset (./kept.ts), after the snapshot logs: 12 blocks in all. */
const KEPT_BLOCKS = 2;
/** Quiet on the pair before the other protocol's first request, ms. */
const PROTOCOL_GAP_MS = 1000;

const SUMMARY: readonly SummaryLine[] = Object.freeze([
  Object.freeze({
    label: "meter reads",
    total: Object.freeze(["reads"]),
    parts: Object.freeze([
      Object.freeze({ label: "electricity failed", key: "electricityFailed" }),
      Object.freeze({ label: "water failed", key: "waterFailed" }),
    ]),
  }),
  Object.freeze({ label: "intervals closed", total: Object.freeze(["intervals"]) }),
  Object.freeze({ label: "snapshots frozen", total: Object.freeze(["dailySnapshots", "billingSnapshots"]) }),
  Object.freeze({ label: "tamper events", total: Object.freeze(["tamperRaised", "tamperCleared"]) }),
  Object.freeze({ label: "meter bus errors", total: Object.freeze(["busErrors"]) }),
]);

export class SmartMeter implements NodeApp {
  readonly #host: Host;
  readonly #cfg: MeterConfig;
  readonly #node: Node;
  readonly #clock: MeterClock;
  readonly #pulses: S0PulseCounter;
  readonly #intervals: IntervalEnergy;
  readonly #kept: MeterKeeper;
  readonly #snapshots: SnapshotKeeper;
  readonly #tamper: TamperMonitor;
  readonly #encoder: MeterReportEncoder;
  readonly #readings: MeterReadings = { registerWh: NaN, volts: NaN, amps: NaN, waterM3: NaN };
  readonly #tariffWh = new Float64Array(4);
  #boundaryTimer: ReturnType<Host["timer"]["set"]> | undefined;
  /** The read in progress: the meter time and pulse count latched at its boundary. */
  #latchMs = NaN;
  #latchPulses = NaN;
  #reading = false;
  #stepPending = false;
  readonly #stats = {
    reads: 0,
    electricityFailed: 0,
    waterFailed: 0,
    busErrors: 0,
    intervals: 0,
    dailySnapshots: 0,
    billingSnapshots: 0,
    tamperRaised: 0,
    tamperCleared: 0,
    clockSteps: 0,
    readsOverlapped: 0,
  };

  constructor(host: Host) {
    this.#host = host;
    const cfg = (this.#cfg = readMeterConfig(host.config));
    const whPerPulse = 1000 / cfg.impulsesPerKwh;
    this.#encoder = new MeterReportEncoder(`${host.id}:`);
    const flash = host.flash.open(PARTITION);
    const kept = (this.#kept = new MeterKeeper(flash, DAILY_BLOCKS + BILLING_BLOCKS, KEPT_BLOCKS, SLOT_BYTES));
    this.#clock = new MeterClock({
      source: () => host.clock.unixMs(),
      offsetMs: kept.clockOffsetMs(),
      onStep: () => {
        this.#stats.clockSteps++;
        kept.keepClockOffset(this.#clock.offsetMs);
        // A read latched before the step belongs to the old clock: the step touches the interval after it.
        if (this.#reading) this.#stepPending = true;
        else this.#clockStepped();
        this.#armBoundary();
      },
    });
    const clockSetting: NodeSetting = Object.freeze({
      name: "clockS",
      min: CLOCK_MIN_MS / 1000,
      max: CLOCK_MAX_MS / 1000 - 1,
      apply: (s: number) => {
        const refused = this.#clock.set(s * 1000);
        if (refused) host.log("warn", refused);
        return Math.floor(this.#clock.now() / 1000);
      },
      current: () => Math.floor(this.#clock.now() / 1000),
    });
    this.#node = new Node({ host, config: cfg.node, link: boardLink, onReport: () => this.#report(), settings: [clockSetting] });
    this.#pulses = new S0PulseCounter({
      input: { io: host.io.Digital, pin: cfg.pulses.pin },
      clock: host.clock,
      retained: host.retained,
      retainedIndex: PULSE_RETAINED_INDEX,
      impulsesPerKwh: cfg.impulsesPerKwh,
      minPulseMs: cfg.minPulseMs,
      debounceMs: cfg.debounceMs,
    });
    this.#intervals = new IntervalEnergy({
      whPerPulse,
      onInterval: (r) => {
        // The new interval's start first: a cut between the two then loses only this report, held in RAM.
        this.#keepInterval();
        this.#stats.intervals++;
        this.#encoder.interval(r);
      },
    });
    const open = kept.interval({ startMs: NaN, registerWh: NaN, pulses: NaN, flags: 0 } as KeptInterval);
    if (open) this.#intervals.resume(open.startMs, open.registerWh, open.pulses, this.#pulses.restored, open.flags);
    this.#snapshots = new SnapshotKeeper({
      daily: new FlashRecordLog(flash, { firstBlock: 0, blocks: DAILY_BLOCKS, slotBytes: SLOT_BYTES, name: "daily snapshots" }),
      billing: new FlashRecordLog(flash, { firstBlock: DAILY_BLOCKS, blocks: BILLING_BLOCKS, slotBytes: SLOT_BYTES, name: "settlement snapshots" }),
      billingDay: cfg.billingDay,
      onSnapshot: (s) => {
        if (s.kind === 1) this.#stats.dailySnapshots++;
        else this.#stats.billingSnapshots++;
        this.#node.report(this.#encoder.snapshot(s));
      },
    });
    this.#tamper = new TamperMonitor({
      whPerPulse,
      onEvent: (kind, raised, atMs, value) => {
        if (raised) this.#stats.tamperRaised++;
        else this.#stats.tamperCleared++;
        this.#node.event(this.#encoder.tamper(kind, raised, Math.floor(atMs / 1000), value), true);
      },
    });
    // A count that did not survive (power loss) breaks the pulse series the interval and mismatch windows rely on.
    if (!this.#pulses.restored) {
      this.#intervals.pulsesLost();
      this.#tamper.pulsesLost();
    }
  }

  start(): void {
    this.#node.start();
    this.#armBoundary();
  }

  /** The next boundary of the read grid on the meter clock (or, while the clock is unset, one grid step on). */
  #armBoundary(): void {
    const t = this.#host.timer;
    t.clear(this.#boundaryTimer);
    const now = this.#clock.now();
    const step = this.#cfg.readMs;
    const delay = now === now ? (Math.floor(now / step) + 1) * step - now : step;
    this.#boundaryTimer = t.set(() => this.#boundary(), delay);
  }

  #boundary(): void {
    this.#boundaryTimer = undefined;
    this.#armBoundary();
    if (this.#reading) {
      // The last read has not finished within a whole grid step: skip this boundary rather than queue reads.
      this.#stats.readsOverlapped++;
      return;
    }
    this.#reading = true;
    this.#latchMs = this.#clock.now();
    this.#latchPulses = this.#pulses.total;
    this.#readElectricity();
  }

  #clockStepped(): void {
    this.#intervals.clockStepped();
    this.#keepInterval();
    this.#snapshots.clockStepped();
  }

  /** The interval in progress into flash, when it has changed (./kept.ts). */
  #keepInterval(): void {
    const i = this.#intervals;
    const start = i.openSinceMs;
    if (start === start) this.#kept.keepInterval(start, i.openRegisterWh, i.openPulses, i.openFlags);
  }

  #busError(e: MeterError): void {
    this.#stats.busErrors++;
    this.#host.log("warn", e.message);
  }

  /** Open the electricity meter's driver on the port, read ITEMS, close it, then the water meter. */
  #readElectricity(): void {
    const h = this.#host;
    const m = this.#cfg.electricity;
    const self = this;
    const dlt = new Dlt645({
      ...this.#busOptions(m),
      items: ITEMS,
      onSample() {
        const r = this.sample();
        this.close();
        // Out of the driver's callback (Serial → port → master → driver, already deep): what the reading sets off
        // (a snapshot's flash write and report, a tamper alarm through the MQTT client) overflowed the nRF52840's
        // 512-slot JS stack inside it.
        h.timer.set(() => {
          self.#electricity(r);
          // The water meter has heard the DL/T 645 frames as a broken frame of its own protocol and drops what it
          // holds only after a silence (about 500 ms: the meter models in parts/rs485/model.ts, as meters do), so
          // its request goes after PROTOCOL_GAP_MS of quiet; otherwise the first try is lost every time.
          h.timer.set(() => self.#readWater(), PROTOCOL_GAP_MS);
        }, 0);
      },
      onError: (e) => this.#busError(e),
    });
    dlt.measure();
  }

  #readWater(): void {
    const w = this.#cfg.water;
    if (!w) return this.#readDone();
    let done = false;
    const finish = (c: Cjt188, ok: boolean): void => {
      if (done) return;
      done = true;
      this.#host.timer.clear(guard);
      const r = ok ? c.sample() : undefined;
      c.close();
      // As for the electricity meter: a reverse-flow alarm is sent from a fresh callback, not the driver's.
      this.#host.timer.set(() => {
        if (r) this.#water(r.volumeM3);
        else this.#stats.waterFailed++;
        this.#readDone();
      }, 0);
    };
    const cjt = new Cjt188({
      ...this.#busOptions(w),
      type: w.meterType,
      onSample() {
        finish(this, true);
      },
      onError: (e) => this.#busError(e),
    });
    // The driver reports success only; after its worst case with every retry, the read has failed.
    const guard = this.#host.timer.set(() => finish(cjt, false), Math.ceil(cjt.conversionMs) + 1);
    cjt.measure();
  }

  #busOptions(m: MeterBusPart) {
    const h = this.#host;
    const p = m.part;
    const de = p.pins["de"];
    return {
      serial: { io: h.io.Serial, receive: p.receive, transmit: p.transmit, ...(p.port !== undefined ? { port: p.port } : {}) },
      baud: p.baud,
      parity: m.parity,
      ...(de !== undefined ? { de: { io: h.io.Digital, pin: de } } : {}),
      timer: h.timer,
      address: m.address,
      replyTimeoutMs: m.replyTimeoutMs,
      retries: m.retries,
    };
  }

  #electricity(r: Dlt645Reading | undefined): void {
    this.#stats.reads++;
    const v = r?.values;
    const kwh = (di: number) => {
      const x = v?.get(di);
      // XXXXXX.XX kWh: whole tens of Wh, rounded so that binary fractions do not leak into the registers.
      return x === undefined ? NaN : Math.round(x * 100) * 10;
    };
    const registerWh = kwh(DI.FORWARD_ACTIVE_TOTAL.di);
    if (registerWh !== registerWh) this.#stats.electricityFailed++;
    for (let i = 0; i < 4; i++) this.#tariffWh[i] = kwh(TARIFFS[i]!);
    const rd = this.#readings;
    rd.registerWh = registerWh;
    rd.volts = v?.get(DI.VOLTAGE_A.di) ?? NaN;
    rd.amps = v?.get(DI.CURRENT_A.di) ?? NaN;
    const at = this.#latchMs;
    const pulses = this.#latchPulses;
    this.#intervals.observe(at, registerWh, pulses);
    // The first reading opens an interval, a late one may fill its start: keep what changed (no write otherwise).
    this.#keepInterval();
    this.#snapshots.observe(at, registerWh, pulses, this.#tariffWh);
    const now = this.#clock.now();
    this.#tamper.energy(now, registerWh, pulses);
    this.#tamper.reverseEnergy(now, kwh(DI.REVERSE_ACTIVE_TOTAL.di));
    this.#tamper.coverCount(now, v?.get(DI.COVER_OPENINGS.di) ?? NaN);
    this.#tamper.magnetCount(now, v?.get(DI.MAGNETIC_EVENTS.di) ?? NaN);
  }

  #water(m3: number): void {
    this.#readings.waterM3 = m3;
    this.#tamper.waterVolume(this.#clock.now(), Math.round(m3 * 1000));
  }

  #readDone(): void {
    this.#reading = false;
    if (this.#stepPending) {
      this.#stepPending = false;
      this.#clockStepped();
    }
  }

  #report(): void {
    const now = this.#clock.now();
    const s = now === now ? Math.floor(now / 1000) : Math.floor(this.#host.clock.unixMs() / 1000);
    this.#node.report(this.#encoder.report(s, this.#readings));
  }

  stats(): Readonly<Record<string, number>> {
    return {
      ...this.#stats,
      ...this.#node.stats(),
      pulses: this.#pulses.total,
      pulsesRejected: this.#pulses.rejected,
      intervalsDropped: this.#encoder.dropped,
      mismatchWindows: this.#tamper.windowsJudged,
    };
  }

  summary(): readonly SummaryLine[] {
    return SUMMARY;
  }
}
