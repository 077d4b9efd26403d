/**
 * The buoy's packs, compact for a battery node on LoRaWAN (51-byte payloads at CN470 DR0–2; the uplink queue
 * splits a pack at record boundaries): short names, the base name once, the base time the round's, and values in
 * SenML primary units (RFC 8428 §12.1) rounded to what the circuits resolve.
 *
 * Telemetry (every reporting interval): the latest round — temperature (Cel), pH, dissolved oxygen (kg/m3: mg/L ÷
 * 1000), its saturation as a ratio ("/": 1.2 is 120 %), conductance (S/m: µS/cm ÷ 10 000), ORP (V), turbidity (NTU:
 * no SenML unit exists, so the name carries it) — the worst GB 3838-2002 class (1–5, 6 for worse than V), the
 * rounds taken in the period (which shows the adaptive rate), and the probes' fault bits when any is set.
 * Events (at once): the bloom flag, the sampling period in force, and the fault bits; and the outcome of each
 * calibration by downlink: the downlink's text ("cal", a string) and "ok" or why the circuit did not take it
 * ("res": rejected — the circuit answered code 2, syntax error —, nack, timeout, corrupt, no-data, identity).
 */
import { CborWriter } from "../../runtime/cbor.js";
import { SenmlField, SenmlPackWriter } from "../../runtime/senml.js";
import { quantize } from "../shared/quantize.js";
import type { WaterReading } from "./probes.js";

export interface BuoyReport {
  reading: WaterReading;
  /** % saturation */
  saturation: number;
  worstClass: number;
  /** Rounds taken since the last report. */
  rounds: number;
  faults: number;
}

export interface BuoyEvent {
  unixMs: number;
  bloom: boolean;
  /** Seconds between rounds now. */
  periodS: number;
  faults: number;
}

export interface CalibrationEvent {
  unixMs: number;
  /** The downlink's `cal` text. */
  text: string;
  /** "ok", or the driver's failure reason. */
  result: string;
}

export class BuoyEncoder {
  readonly #cbor = new CborWriter(160);
  readonly #pack: SenmlPackWriter;
  readonly #f = Object.freeze({
    temperature: new SenmlField("t", "Cel"),
    pH: new SenmlField("ph", "pH"),
    oxygen: new SenmlField("do", "kg/m3"),
    saturation: new SenmlField("ds", "/"),
    conductivity: new SenmlField("ec", "S/m"),
    orp: new SenmlField("orp", "V"),
    turbidity: new SenmlField("ntu"),
    worstClass: new SenmlField("cls"),
    rounds: new SenmlField("n"),
    faults: new SenmlField("flt"),
    bloom: new SenmlField("bloom"),
    period: new SenmlField("per", "s"),
    calibration: new SenmlField("cal"),
    result: new SenmlField("res"),
  });

  constructor(baseName: string) {
    this.#pack = new SenmlPackWriter(this.#cbor, { baseName });
  }

  report(r: BuoyReport): Uint8Array {
    const f = this.#f;
    const p = this.#pack;
    const w = r.reading;
    this.#cbor.reset();
    p.begin(Math.floor(w.unixMs / 1000));
    p.valueIfFinite(f.temperature, quantize(w.temperature, 0.01));
    p.valueIfFinite(f.pH, quantize(w.pH, 0.01));
    p.valueIfFinite(f.oxygen, quantize(w.oxygen / 1000, 1e-5));
    p.valueIfFinite(f.saturation, quantize(r.saturation / 100, 1e-3));
    p.valueIfFinite(f.conductivity, quantize(w.conductivity / 10_000, 1e-4));
    p.valueIfFinite(f.orp, quantize(w.orp / 1000, 1e-4));
    p.valueIfFinite(f.turbidity, quantize(w.turbidity, 0.1));
    if (r.worstClass > 0) p.value(f.worstClass, r.worstClass);
    p.value(f.rounds, r.rounds);
    if (r.faults !== 0) p.value(f.faults, r.faults);
    p.end();
    return this.#cbor.copy();
  }

  calibration(e: CalibrationEvent): Uint8Array {
    const f = this.#f;
    const p = this.#pack;
    this.#cbor.reset();
    p.begin(Math.floor(e.unixMs / 1000));
    p.string(f.calibration, e.text);
    p.string(f.result, e.result);
    p.end();
    return this.#cbor.copy();
  }

  event(e: BuoyEvent): Uint8Array {
    const f = this.#f;
    const p = this.#pack;
    this.#cbor.reset();
    p.begin(Math.floor(e.unixMs / 1000));
    p.bool(f.bloom, e.bloom);
    p.value(f.period, e.periodS);
    p.value(f.faults, e.faults);
    p.end();
    return this.#cbor.copy();
  }
}
