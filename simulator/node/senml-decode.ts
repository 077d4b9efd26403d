/**
 * Decodes SenML-CBOR (RFC 8428 §6) with an independent CBOR library (cborg), resolving base values, for frame logs
 * and ingest checks. Deliberately shares nothing with the device-side encoder.
 */
import { decode } from "cborg";

const LABELS = new Map<number, string>([
  [-1, "bver"],
  [-2, "bn"],
  [-3, "bt"],
  [-4, "bu"],
  [-5, "bv"],
  [-6, "bs"],
  [0, "n"],
  [1, "u"],
  [2, "v"],
  [3, "vs"],
  [4, "vb"],
  [5, "s"],
  [6, "t"],
  [7, "ut"],
  [8, "vd"],
]);

export type SenmlRecord = Record<string, string | number | boolean>;

/** A resolved record (RFC 8428 §4.6): full name, absolute time, unit, and one value. */
export interface ResolvedRecord {
  name: string;
  time: number;
  unit?: string;
  value?: number;
  boolValue?: boolean;
  stringValue?: string;
  sum?: number;
}

/** The pack as sent, with integer labels turned into their names. Throws on anything that is not a SenML pack. */
export function decodeSenml(bytes: Uint8Array): SenmlRecord[] {
  const data: unknown = decode(bytes, { useMaps: true });
  if (!Array.isArray(data)) throw new Error("SenML: top level is not an array");
  return data.map((rec, i) => {
    if (!(rec instanceof Map)) throw new Error(`SenML: record ${i} is not a map`);
    const out: SenmlRecord = {};
    for (const [k, v] of rec as Map<unknown, unknown>) {
      const label = typeof k === "number" ? LABELS.get(k) : typeof k === "string" ? k : undefined;
      if (!label) throw new Error(`SenML: record ${i} has unknown label ${String(k)}`);
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
        throw new Error(`SenML: record ${i} label ${label} has a ${typeof v} value`);
      }
      out[label] = v;
    }
    return out;
  });
}

/** Resolve base name, base time and base unit as RFC 8428 §4.6 prescribes. */
export function resolveSenml(records: readonly SenmlRecord[], now = 0): ResolvedRecord[] {
  let bn = "";
  let bt = 0;
  let bu: string | undefined;
  const out: ResolvedRecord[] = [];
  for (const r of records) {
    if (typeof r.bn === "string") bn = r.bn;
    if (typeof r.bt === "number") bt = r.bt;
    if (typeof r.bu === "string") bu = r.bu;
    const name = bn + (typeof r.n === "string" ? r.n : "");
    let time = bt + (typeof r.t === "number" ? r.t : 0);
    if (time < 2 ** 28) time += now; // relative times are relative to "now" (RFC 8428 §4.5.3)
    const rec: ResolvedRecord = { name, time };
    const unit = typeof r.u === "string" ? r.u : bu;
    if (unit !== undefined) rec.unit = unit;
    if (typeof r.v === "number") rec.value = r.v;
    if (typeof r.vb === "boolean") rec.boolValue = r.vb;
    if (typeof r.vs === "string") rec.stringValue = r.vs;
    if (typeof r.s === "number") rec.sum = r.s;
    out.push(rec);
  }
  return out;
}
