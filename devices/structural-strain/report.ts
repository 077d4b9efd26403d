/**
 * The strain monitor's packs, compact for LoRaWAN (51-byte payloads at CN470 DR0–2; the uplink queue splits a pack
 * at record boundaries, so no record here is longer than that). Strain is dimensionless: SenML's unit is "/"
 * (RFC 8428 §12.1), so 1 µε goes out as 1e-6, rounded to 0.1 µε.
 *
 * - Report (every reporting interval): one record `s` per closed minute (its mean, the quasi-static strain, with
 *   `t` its end relative to the base time), the deck temperature (`T`, Cel), the period's peak strain (`pk`), the
 *   alarm level (`lvl`), and after each hourly close the hour's Miner damage (`D`), the damage since start-up
 *   (`Dt`) and the cycles counted (`cyc`).
 * - Alarm (at once, priority ALARM on a raise): `lvl` and the strain that changed it (`pk`).
 * - Capture (after an alarm's window is recorded): the raw indicated strain around the trigger: `hz` the sample
 *   rate, `pre` the samples before the trigger (the trigger's included), `s0` the first sample, then `cap` records
 *   of `vd` = little-endian int16 differences from `s0` in 0.1 µε, CAPTURE_CHUNK samples each, `t` the first
 *   one's offset from the base time (the first sample's instant).
 */
import { CborWriter } from "../../runtime/cbor.js";
import { SenmlField, SenmlPackWriter } from "../../runtime/senml.js";
import { quantize } from "../shared/quantize.js";

const STRAIN_PER_MICROSTRAIN = 1e-6;
/** 0.1 µε in SenML's "/" */
const STRAIN_RESOLUTION = 1e-7;
/** Samples per `cap` record: 32 bytes of data keeps a record under 51 bytes with its name and time. */
export const CAPTURE_CHUNK = 16;
/** A capture's records before its chunks: `hz`, `pre`, `s0`. */
export const CAPTURE_HEAD_RECORDS = 3;
/** Steps of the capture's int16 differences, µε. */
export const CAPTURE_STEP_MICROSTRAIN = 0.1;

export interface MinuteMean {
  /** Seconds from the report's base time to the minute's end (≤ 0). */
  t: number;
  microstrain: number;
}

/** What a report sends besides its minutes. */
export interface StrainReportHead {
  unixMs: number;
  temperature: number;
  peak: number;
  level: number;
  /** The last hour's damage, cycles, and the total, when an hour closed since the last report. */
  hour: { damage: number; total: number; cycles: number } | undefined;
}

export interface StrainReport extends StrainReportHead {
  minutes: readonly MinuteMean[];
  minuteCount: number;
}

/** Records of a report before its minutes: `T`, `lvl`, `pk`, then after an hourly close `D`, `Dt`, `cyc`. */
const HEAD_RECORDS = 3;
const HOUR_RECORDS = 3;
/**
 * Bytes of a report's record at most, besides the first's base fields: a map head, `n` and `u` (3 ASCII characters
 * each at most), a float64 `v`, a `t` within an hour (3 bytes): 1 + 5 + 5 + 10 + 4 = 25; the minutes' take 21.
 */
const REPORT_RECORD_BYTES = 25;

export class StrainEncoder {
  /** Events: alarms written whole, captures a record at a time (never one inside the other: see the monitor). */
  readonly #cbor: CborWriter;
  readonly #pack: SenmlPackWriter;
  /** Reports, written a record at a time (`beginReport` … `endReport`), so an event may be encoded meanwhile. */
  readonly #reportCbor: CborWriter;
  readonly #reportPack: SenmlPackWriter;
  readonly #chunk = new Uint8Array(2 * CAPTURE_CHUNK);
  readonly #chunkView = new DataView(this.#chunk.buffer);
  readonly #f = Object.freeze({
    minute: new SenmlField("s", "/"),
    temperature: new SenmlField("T", "Cel"),
    peak: new SenmlField("pk", "/"),
    level: new SenmlField("lvl"),
    damage: new SenmlField("D"),
    total: new SenmlField("Dt"),
    cycles: new SenmlField("cyc"),
    rate: new SenmlField("hz", "Hz"),
    before: new SenmlField("pre"),
    first: new SenmlField("s0", "/"),
    capture: new SenmlField("cap"),
  });

  /**
   * `captureSamples`: the most samples an event holds (the capture's window before and after); `reportMinutes`: the
   * most minutes a report holds.
   */
  constructor(baseName: string, captureSamples: number, reportMinutes = 60) {
    // An event: a capture's chunks and its first records, each at most 52 bytes with its name and time (a map head,
    // `n` "cap", a float64 `t`, 32 bytes of `vd`: 1 + 5 + 10 + 35), the first also bn and bt.
    const records = Math.ceil(captureSamples / CAPTURE_CHUNK) + CAPTURE_HEAD_RECORDS;
    this.#cbor = new CborWriter(52 * records + baseName.length + 16);
    this.#pack = new SenmlPackWriter(this.#cbor, { baseName });
    // A report's records: the head, the hour's, 60 minutes at most; the first also carries bn and bt.
    this.#reportCbor = new CborWriter(REPORT_RECORD_BYTES * (HEAD_RECORDS + HOUR_RECORDS + reportMinutes) + baseName.length + 16);
    this.#reportPack = new SenmlPackWriter(this.#reportCbor, { baseName });
  }

  /** The whole report at once: `beginReport`, every `reportRecord`, a `reportMinute` per minute, `endReport`. */
  report(r: StrainReport): Uint8Array {
    this.beginReport(r);
    const n = this.reportHeadRecords(r);
    for (let i = 0; i < n; i++) this.reportRecord(r, i);
    for (let i = 0; i < r.minuteCount; i++) this.reportMinute(r.minutes[i]!);
    return this.endReport();
  }

  /** Open a report at its base time; its records follow, one call each. */
  beginReport(r: StrainReportHead): void {
    this.#reportCbor.reset();
    this.#reportPack.begin(Math.floor(r.unixMs / 1000));
  }

  /** How many `reportRecord` calls come before the minutes (a value that is not finite writes nothing). */
  reportHeadRecords(r: StrainReportHead): number {
    return HEAD_RECORDS + (r.hour ? HOUR_RECORDS : 0);
  }

  /** Write record `i` before the minutes (0 ≤ i < reportHeadRecords), in order. */
  reportRecord(r: StrainReportHead, i: number): void {
    const f = this.#f;
    const p = this.#reportPack;
    const hour = r.hour;
    if (i === 0) p.valueIfFinite(f.temperature, quantize(r.temperature, 0.01));
    else if (i === 1) p.value(f.level, r.level);
    else if (i === 2) p.valueIfFinite(f.peak, quantize(r.peak * STRAIN_PER_MICROSTRAIN, STRAIN_RESOLUTION));
    else if (hour && i === 3) p.value(f.damage, Math.fround(hour.damage));
    else if (hour && i === 4) p.value(f.total, Math.fround(hour.total));
    else if (hour && i === 5) p.value(f.cycles, hour.cycles);
  }

  /** Write one minute's record (after the others, oldest first). */
  reportMinute(m: MinuteMean): void {
    this.#reportPack.valueIfFinite(this.#f.minute, quantize(m.microstrain * STRAIN_PER_MICROSTRAIN, STRAIN_RESOLUTION), m.t);
  }

  /** Close the report and return its bytes (a copy). */
  endReport(): Uint8Array {
    this.#reportPack.end();
    return this.#reportCbor.copy();
  }

  alarm(unixMs: number, level: number, microstrain: number): Uint8Array {
    const f = this.#f;
    const p = this.#pack;
    this.#cbor.reset();
    p.begin(unixMs / 1000);
    p.value(f.level, level);
    p.valueIfFinite(f.peak, quantize(microstrain * STRAIN_PER_MICROSTRAIN, STRAIN_RESOLUTION));
    p.end();
    return this.#cbor.copy();
  }

  /** The raw samples of one event at once; `unixMs` the first sample's instant. */
  capture(unixMs: number, hz: number, before: number, samples: Float32Array, length: number): Uint8Array {
    this.beginCapture(unixMs);
    for (let k = 0; k < CAPTURE_HEAD_RECORDS; k++) this.captureHead(k, hz, before, samples[0]!);
    for (let i = 0; i < length; i += CAPTURE_CHUNK) {
      this.fillChunk(samples, i, length);
      this.captureChunk(i, length, hz);
    }
    return this.endCapture();
  }

  /**
   * A capture event in pieces, each short beside a sample period: `beginCapture`, `captureHead(k)` for each of the
   * CAPTURE_HEAD_RECORDS records (`hz`, `pre`, `s0`), then per chunk of CAPTURE_CHUNK samples from `i` (0, 16, …)
   * `fillChunk` and `captureChunk`, then `endCapture`. No alarm may be written until then (it shares the writer).
   */
  beginCapture(unixMs: number): void {
    this.#cbor.reset();
    this.#pack.begin(unixMs / 1000);
  }

  captureHead(k: number, hz: number, before: number, s0: number): void {
    const f = this.#f;
    const p = this.#pack;
    if (k === 0) p.value(f.rate, hz);
    else if (k === 1) p.value(f.before, before);
    else if (k === 2) p.value(f.first, quantize(s0 * STRAIN_PER_MICROSTRAIN, STRAIN_RESOLUTION));
  }

  /** The int16 differences from the first sample of the chunk at `i`. */
  fillChunk(samples: Float32Array, i: number, length: number): void {
    const view = this.#chunkView;
    const s0 = samples[0]!;
    const n = Math.min(CAPTURE_CHUNK, length - i);
    for (let j = 0; j < n; j++) {
      const x = samples[i + j]!;
      // Beyond ±3276.7 µε of the first: clamped; NaN (a failed conversion): −32768.
      let d = Math.round((x - s0) / CAPTURE_STEP_MICROSTRAIN);
      if (!(d >= -32767)) d = -32768;
      else if (d > 32767) d = 32767;
      view.setInt16(2 * j, d, true);
    }
  }

  /** The `cap` record of the chunk at `i`, `fillChunk` filled. */
  captureChunk(i: number, length: number, hz: number): void {
    const n = Math.min(CAPTURE_CHUNK, length - i);
    this.#pack.data(this.#f.capture, n === CAPTURE_CHUNK ? this.#chunk : this.#chunk.subarray(0, 2 * n), Math.round((i / hz) * 1000) / 1000);
  }

  endCapture(): Uint8Array {
    this.#pack.end();
    return this.#cbor.copy();
  }
}
