/**
 * SenML packs (RFC 8428 §4.5) as a recipient resolves them, from what an independent CBOR decoder (cborg) returned:
 * labels by their CBOR keys (−2 bn, −3 bt, 0 n, 1 u, 2 v, 4 vb, 5 s, 6 t), base name and base time carried over to
 * the records after them, each record's name and time made absolute. Written here, not taken from runtime/senml.ts,
 * so a test does not read the encoder's output with the encoder's own idea of the format.
 */
export interface SenmlRecord {
  n: string;
  u?: string;
  v?: number;
  vb?: boolean;
  s?: number;
  /** Absolute time, s. */
  t: number;
}

export function senmlRecords(pack: unknown): SenmlRecord[] {
  if (!Array.isArray(pack)) throw new Error(`SenML pack: expected a CBOR array, got ${typeof pack}`);
  let bn = "";
  let bt = 0;
  return pack.map((r: unknown, i) => {
    if (!(r instanceof Map)) throw new Error(`SenML record ${i}: expected a CBOR map`);
    if (r.has(-2)) bn = r.get(-2) as string;
    if (r.has(-3)) bt = r.get(-3) as number;
    const out: SenmlRecord = { n: bn + ((r.get(0) as string | undefined) ?? ""), t: bt + ((r.get(6) as number | undefined) ?? 0) };
    if (r.has(1)) out.u = r.get(1) as string;
    if (r.has(2)) out.v = r.get(2) as number;
    if (r.has(4)) out.vb = r.get(4) as boolean;
    if (r.has(5)) out.s = r.get(5) as number;
    return out;
  });
}
