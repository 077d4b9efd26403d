/**
 * What a parking sensor sends, as SenML-CBOR packs (RFC 8428) in primary units (the field in T, not µT):
 * - an occupancy event: `occ` (vb, true when a car stands in the bay), `seq` (the reporter's sequence number, so the
 *   platform sees a gap), `why` (ChangeReason), `dev` (|B − B₀| when the detector decided, T), at the change's time;
 * - a heartbeat: `occ`, the supply `bat` (V), the part's die temperature `temp` (Cel; the QMC5883L does not calibrate
 *   its offset, so only its changes mean something), the empty bay's field `bx`, `by`, `bz` (T) and `dev` now,
 *   and the counts of arrivals `arr` and departures `dep` since start, so a missed event shows as a jump.
 * One writer, reused; each pack is copied out (the frame outlives the next one).
 */
import { CborWriter } from "../../runtime/cbor.js";
import { SenmlField, SenmlPackWriter } from "../../runtime/senml.js";
import type { ParkingEvent } from "./report.js";

const T_PER_UT = 1e-6;

/** Round to 0.01 µT (the QMC5883L resolves 0.033 µT at ±8 G), then to T. */
function tesla(ut: number): number {
  return (Math.round(ut * 100) / 100) * T_PER_UT;
}

export interface Heartbeat {
  timeS: number;
  occupied: boolean;
  volts: number;
  temperature: number;
  /** Empty bay's field, µT. */
  baseline: Float64Array;
  deviationUt: number;
  arrivals: number;
  departures: number;
}

export class ParkingMessages {
  readonly #cbor = new CborWriter(160);
  readonly #pack: SenmlPackWriter;
  readonly #f = {
    occ: new SenmlField("occ"),
    seq: new SenmlField("seq"),
    why: new SenmlField("why"),
    dev: new SenmlField("dev", "T"),
    bat: new SenmlField("bat", "V"),
    temp: new SenmlField("temp", "Cel"),
    bx: new SenmlField("bx", "T"),
    by: new SenmlField("by", "T"),
    bz: new SenmlField("bz", "T"),
    arr: new SenmlField("arr"),
    dep: new SenmlField("dep"),
  };

  constructor(baseName: string) {
    this.#pack = new SenmlPackWriter(this.#cbor, { baseName });
  }

  /** An occupancy change; `timeS` is its Unix time. */
  event(e: Readonly<ParkingEvent>, timeS: number): Uint8Array {
    const f = this.#f;
    const p = this.#pack;
    this.#cbor.reset();
    p.begin(timeS);
    p.bool(f.occ, e.state === 1);
    p.value(f.seq, e.seq);
    p.value(f.why, e.reason);
    p.valueIfFinite(f.dev, tesla(e.deviationUt));
    p.end();
    return this.#cbor.copy();
  }

  heartbeat(h: Readonly<Heartbeat>): Uint8Array {
    const f = this.#f;
    const p = this.#pack;
    this.#cbor.reset();
    p.begin(h.timeS);
    p.bool(f.occ, h.occupied);
    p.valueIfFinite(f.bat, Math.round(h.volts * 1000) / 1000);
    p.valueIfFinite(f.temp, Math.round(h.temperature * 10) / 10);
    p.valueIfFinite(f.bx, tesla(h.baseline[0]!));
    p.valueIfFinite(f.by, tesla(h.baseline[1]!));
    p.valueIfFinite(f.bz, tesla(h.baseline[2]!));
    p.valueIfFinite(f.dev, tesla(h.deviationUt));
    p.value(f.arr, h.arrivals);
    p.value(f.dep, h.departures);
    p.end();
    return this.#cbor.copy();
  }
}
