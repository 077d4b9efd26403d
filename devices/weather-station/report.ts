/**
 * The weather station's telemetry as a SenML-CBOR pack. Names and units are encoded once; a report writes only
 * numbers. Values are rounded to what the sensors resolve and sent as float32 when that is exact enough, which
 * keeps a full report under ~130 bytes (printed by `npm run bench`).
 */
import { CborWriter } from "../../runtime/cbor.js";
import { SenmlField, SenmlPackWriter } from "../../runtime/senml.js";

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
  windDirection: number;
  rain: number;
  rainRate: number;
}

/** Round to `resolution`, then prefer the float32 neighbour when it is within a tenth of the resolution. */
export function quantize(x: number, resolution: number): number {
  if (x !== x) return x;
  const r = Math.round(x / resolution) * resolution;
  const f = Math.fround(r);
  return Math.abs(f - r) <= resolution / 10 ? f : r;
}

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
    windDirection: new SenmlField("wdir", "deg"),
    rain: new SenmlField("rain", "mm"),
    rainRate: new SenmlField("rrate", "mm/h"),
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
    p.valueIfFinite(f.windDirection, quantize(r.windDirection, 0.1));
    p.valueIfFinite(f.rain, quantize(r.rain, 0.0001));
    p.valueIfFinite(f.rainRate, quantize(r.rainRate, 0.01));
    p.end();
    return this.#cbor.copy();
  }
}
