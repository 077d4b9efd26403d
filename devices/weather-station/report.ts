/**
 * The weather station's telemetry as a SenML-CBOR pack. Names and units are encoded once; a report writes only
 * numbers. Values are rounded to what the sensors resolve and sent as float32 when that is exact enough, which
 * keeps a full report under ~130 bytes (printed by `npm run bench`).
 *
 * Units are SenML primary units (RFC 8428 §12.1, RFC 8798 §2), because a pack of the base version 10 may carry
 * only those in `u`; secondary units such as "mm" and "mm/h" (RFC 8798 §3) need the feature version 26
 * (RFC 9100 §4), which a version-10 recipient must reject whole. So rain goes out in m, its rate in m/s, and the
 * wind direction in rad ("deg" is registered but marked NOT RECOMMENDED for new producers).
 * test/devices/senml-units.test.ts checks every unit every device sends against the registries.
 */
import { CborWriter } from "../../runtime/cbor.js";
import { SenmlField, SenmlPackWriter } from "../../runtime/senml.js";
import { quantize } from "../shared/quantize.js";

export interface Report {
  /** Unix seconds of the end of the reporting period. */
  time: number;
  temperature: number;
  humidity: number;
  pressure: number;
  dewPoint: number;
  frost: boolean | undefined;
  windMean: number;
  gust: number;
  /** Degrees from north, clockwise (where the wind comes from). */
  windDirection: number;
  /** mm in the reporting period. */
  rain: number;
  /** mm/h */
  rainRate: number;
}

const RAD_PER_DEG = Math.PI / 180;
const M_PER_MM = 0.001;
const MPS_PER_MMPH = 1 / 3_600_000;

export { quantize };

export class ReportEncoder {
  readonly #cbor = new CborWriter(256);
  readonly #pack: SenmlPackWriter;
  readonly #f = {
    temperature: new SenmlField("temp", "Cel"),
    humidity: new SenmlField("rh", "%RH"),
    pressure: new SenmlField("press", "Pa"),
    dewPoint: new SenmlField("dew", "Cel"),
    frost: new SenmlField("frost"),
    windMean: new SenmlField("wspd", "m/s"),
    gust: new SenmlField("gust", "m/s"),
    windDirection: new SenmlField("wdir", "rad"),
    rain: new SenmlField("rain", "m"),
    rainRate: new SenmlField("rrate", "m/s"),
  };

  constructor(baseName: string) {
    this.#pack = new SenmlPackWriter(this.#cbor, { baseName });
  }

  /** Encode a report; returns a fresh copy of the bytes (the frame outlives the next report). */
  encode(r: Report): Uint8Array {
    const f = this.#f;
    const p = this.#pack;
    this.#cbor.reset();
    p.begin(r.time);
    p.valueIfFinite(f.temperature, quantize(r.temperature, 0.01));
    p.valueIfFinite(f.humidity, quantize(r.humidity, 0.01));
    p.valueIfFinite(f.pressure, quantize(r.pressure, 1));
    p.valueIfFinite(f.dewPoint, quantize(r.dewPoint, 0.01));
    if (r.frost !== undefined) p.bool(f.frost, r.frost);
    p.valueIfFinite(f.windMean, quantize(r.windMean, 0.01));
    p.valueIfFinite(f.gust, quantize(r.gust, 0.01));
    // Resolutions no coarser than before the change to primary units: 0.1° → 1e-4 rad, 1e-4 mm → 1e-7 m,
    // 0.01 mm/h (2.8e-9 m/s) → 1e-9 m/s.
    p.valueIfFinite(f.windDirection, quantize(r.windDirection * RAD_PER_DEG, 1e-4));
    p.valueIfFinite(f.rain, quantize(r.rain * M_PER_MM, 1e-7));
    p.valueIfFinite(f.rainRate, quantize(r.rainRate * MPS_PER_MMPH, 1e-9));
    p.end();
    return this.#cbor.copy();
  }
}
