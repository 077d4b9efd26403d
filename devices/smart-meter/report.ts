/**
 * What the smart meter sends, as SenML-CBOR packs (RFC 8428) in primary units only (energy in J, volume in m³, so a
 * version-10 recipient takes them; test/devices/senml-units.test.ts checks):
 *
 * - telemetry (`report`): the interval energy closed since the last report, one record `e` (J) per interval at its
 *   start time, with `ef` (IntervalFlag bits) and `en` (how many 15-minute intervals it spans) only when they are
 *   not plain; then the latest readings: forward active total `E` (J, a sum), phase A voltage `V` and current `A`,
 *   the water meter's volume `w` (m³, a sum);
 * - a snapshot (`snapshot`): daily `dE` or settlement-day `bE` (J, a sum) at the boundary it freezes, `sf` flags,
 *   `sm` boundaries missed before it, the four tariff registers `dE1`…`dE4` / `bE1`…`bE4`;
 * - a tamper event (`tamper`): the kind by name, `vb` true when raised and false when cleared, and `tv` what tripped it.
 *
 * Times are Unix seconds on the meter clock (bt plus each record's t). Intervals wait in a fixed ring between
 * reports; when it overflows the oldest are counted in `dropped` (the flash snapshots and the register total still
 * bound what the platform can reconstruct).
 */
import { CborWriter } from "../../runtime/cbor.js";
import { SenmlField, SenmlPackWriter } from "../../runtime/senml.js";
import type { IntervalRecord } from "./interval.js";
import { SnapshotKind, type Snapshot } from "./snapshots.js";
import { TAMPER_NAMES } from "./tamper.js";

/** SenML's primary unit of energy is the joule. */
export const J_PER_WH = 3600;

/** Readings the telemetry pack carries besides the intervals (NaN: not read this time). */
export interface MeterReadings {
  registerWh: number;
  volts: number;
  amps: number;
  waterM3: number;
}

const SLOT = 4;
/** Bytes of one interval at most: its `e` record (a float64 value, a 32-bit t), `ef` and `en`. */
const INTERVAL_BYTES = 48;
/** The readings, the pack head and base fields, a snapshot or tamper pack: all well under this. */
const FIXED_BYTES = 160;

export class MeterReportEncoder {
  dropped = 0;
  readonly #cbor: CborWriter;
  readonly #pack: SenmlPackWriter;
  readonly #capacity: number;
  /** start s, energy Wh, flags, intervals per slot. */
  readonly #ring: Float64Array;
  #head = 0;
  #count = 0;
  readonly #f = {
    e: new SenmlField("e", "J"),
    ef: new SenmlField("ef"),
    en: new SenmlField("en"),
    E: new SenmlField("E", "J"),
    V: new SenmlField("V", "V"),
    A: new SenmlField("A", "A"),
    w: new SenmlField("w", "m3"),
    sf: new SenmlField("sf"),
    sm: new SenmlField("sm"),
    tv: new SenmlField("tv"),
  };
  readonly #snap: Readonly<Record<number, readonly SenmlField[]>>;
  readonly #tamper: readonly SenmlField[];

  /**
   * `capacity`: intervals kept between reports (default 24: six hours at 15 minutes, six reports at the default
   * hourly cadence; the nRF52840's 128 KB XS creation has no room for a day's ring and a pack to match).
   */
  constructor(baseName: string, capacity = 24) {
    this.#cbor = new CborWriter(FIXED_BYTES + INTERVAL_BYTES * capacity);
    this.#pack = new SenmlPackWriter(this.#cbor, { baseName });
    this.#capacity = capacity;
    this.#ring = new Float64Array(SLOT * capacity);
    const snapFields = (p: string) => Object.freeze([new SenmlField(`${p}E`, "J"), new SenmlField(`${p}E1`, "J"), new SenmlField(`${p}E2`, "J"), new SenmlField(`${p}E3`, "J"), new SenmlField(`${p}E4`, "J")]);
    this.#snap = Object.freeze({ [SnapshotKind.DAILY]: snapFields("d"), [SnapshotKind.BILLING]: snapFields("b") });
    this.#tamper = Object.freeze(TAMPER_NAMES.map((n) => new SenmlField(n)));
  }

  /** Intervals waiting for the next report. */
  get pending(): number {
    return this.#count;
  }

  /** Keep a closed interval for the next report (the record is the interval keeper's, reused: copied here). */
  interval(r: Readonly<IntervalRecord>): void {
    if (this.#count === this.#capacity) {
      this.#head = (this.#head + 1) % this.#capacity;
      this.#count--;
      this.dropped++;
    }
    const at = SLOT * ((this.#head + this.#count) % this.#capacity);
    const g = this.#ring;
    g[at] = r.startMs / 1000;
    g[at + 1] = r.energyWh;
    g[at + 2] = r.flags;
    g[at + 3] = r.intervals;
    this.#count++;
  }

  /** The telemetry pack: every interval waiting, then the readings at `nowS`; empties the ring. */
  report(nowS: number, readings: Readonly<MeterReadings>): Uint8Array {
    const f = this.#f;
    const p = this.#pack;
    const g = this.#ring;
    this.#cbor.reset();
    const bt = this.#count > 0 ? g[SLOT * this.#head]! : nowS;
    p.begin(bt);
    while (this.#count > 0) {
      const at = SLOT * this.#head;
      const t = g[at]! - bt;
      p.valueIfFinite(f.e, g[at + 1]! * J_PER_WH, t);
      if (g[at + 2]! !== 0) p.value(f.ef, g[at + 2]!, t);
      if (g[at + 3]! !== 1) p.value(f.en, g[at + 3]!, t);
      this.#head = (this.#head + 1) % this.#capacity;
      this.#count--;
    }
    const t = nowS - bt;
    if (readings.registerWh === readings.registerWh) p.sum(f.E, readings.registerWh * J_PER_WH, t);
    p.valueIfFinite(f.V, readings.volts, t);
    p.valueIfFinite(f.A, readings.amps, t);
    if (readings.waterM3 === readings.waterM3) p.sum(f.w, readings.waterM3, t);
    p.end();
    return this.#cbor.copy();
  }

  /** A daily or settlement-day snapshot as it went to flash. */
  snapshot(s: Readonly<Snapshot>): Uint8Array {
    const f = this.#f;
    const p = this.#pack;
    const names = this.#snap[s.kind]!;
    this.#cbor.reset();
    p.begin(s.boundaryMs / 1000);
    if (s.registerWh === s.registerWh) p.sum(names[0]!, s.registerWh * J_PER_WH);
    for (let i = 0; i < 4; i++) {
      const v = s.tariffWh[i]!;
      if (v === v) p.sum(names[i + 1]!, v * J_PER_WH);
    }
    if (s.flags !== 0) p.value(f.sf, s.flags);
    if (s.missed !== 0) p.value(f.sm, s.missed);
    p.end();
    return this.#cbor.copy();
  }

  /** A tamper event raised or cleared at `atS`. */
  tamper(kind: number, raised: boolean, atS: number, value: number): Uint8Array {
    const p = this.#pack;
    this.#cbor.reset();
    p.begin(atS);
    p.bool(this.#tamper[kind]!, raised);
    p.valueIfFinite(this.#f.tv, value);
    p.end();
    return this.#cbor.copy();
  }
}
