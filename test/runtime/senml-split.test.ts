/**
 * Splitting SenML-CBOR packs to fit a link: every piece is a valid pack (decoded by cborg, not by the project), fits
 * the limit, and the pieces together resolve (RFC 8428 §4.6: bn + n, bt + t) to exactly the original's records.
 */
import { decode } from "cborg";
import { describe, expect, it } from "vitest";
import { CborWriter } from "../../runtime/cbor.js";
import { SenmlField, SenmlPackWriter } from "../../runtime/senml.js";
import { splitSenmlPack } from "../../runtime/senml-split.js";
import { ReportEncoder } from "../../devices/weather-station/report.js";


/** RFC 8428 resolution: base fields carried forward, names and times resolved. */
function resolve(packs: Uint8Array[]): { n: string; t: number; v?: unknown; vb?: unknown; u?: unknown }[] {
  const out: { n: string; t: number; v?: unknown; vb?: unknown; u?: unknown }[] = [];
  for (const p of packs) {
    const recs = decode(p, { useMaps: true }) as Map<number, unknown>[];
    let bn = "";
    let bt = 0;
    for (const r of recs) {
      if (r.has(-2)) bn = r.get(-2) as string;
      if (r.has(-3)) bt = r.get(-3) as number;
      const rec: { n: string; t: number; v?: unknown; vb?: unknown; u?: unknown } = { n: bn + ((r.get(0) as string) ?? ""), t: bt + ((r.get(6) as number) ?? 0) };
      if (r.has(1)) rec.u = r.get(1);
      if (r.has(2)) rec.v = r.get(2);
      if (r.has(4)) rec.vb = r.get(4);
      out.push(rec);
    }
  }
  return out;
}

const report = () =>
  new ReportEncoder("ws-0001:").encode({
    time: 1_780_000_000,
    temperature: 14.27,
    humidity: 71.5,
    pressure: 81_234,
    dewPoint: 9.1,
    frost: false,
    windMean: 2.31,
    gust: 5.02,
    windDirection: 3.1,
    rain: 0.0002794,
    rainRate: 0.000001,
  });

describe("splitting SenML packs at record boundaries", () => {
  it("leaves a pack that fits alone, byte for byte", () => {
    const p = report();
    const r = splitSenmlPack(p, p.length);
    expect("packs" in r && r.packs).toEqual([p]);
  });

  it.each([51, 64, 115])("splits a weather report into packs of at most %i bytes that resolve to the same records", (max) => {
    const p = report();
    expect(p.length).toBeGreaterThan(max);
    const r = splitSenmlPack(p, max);
    if (!("packs" in r)) throw new Error(r.error);
    expect(r.packs.length).toBeGreaterThan(1);
    for (const piece of r.packs) {
      expect(piece.length).toBeLessThanOrEqual(max);
      const recs = decode(piece, { useMaps: true }) as Map<number, unknown>[];
      // Each piece stands alone: its first record names the base.
      expect(recs[0]!.get(-2)).toBe("ws-0001:");
      expect(recs[0]!.get(-3)).toBe(1_780_000_000);
    }
    expect(resolve(r.packs)).toEqual(resolve([p]));
  });

  it("says so, without cutting, when one record cannot fit even alone", () => {
    const w = new CborWriter(128);
    const pw = new SenmlPackWriter(w, { baseName: "a-rather-long-base-name-for-a-node:" });
    pw.begin(1_780_000_000).string(new SenmlField("status"), "a status text that is long").value(new SenmlField("x"), 1);
    const p = pw.end().slice();
    const r = splitSenmlPack(p, 40);
    expect(r).toEqual({ error: expect.stringMatching(/^SenML record 0 needs \d+ bytes with the base fields; the link takes 40$/) });
  });

  it("refuses bytes that are not a SenML-CBOR pack", () => {
    expect(() => splitSenmlPack(Uint8Array.of(0xa1, 0x00, 0x01, 0, 0), 2)).toThrow(/must be a CBOR array/);
    expect(() => splitSenmlPack(Uint8Array.of(0x82, 0xa1, 0x00, 0x01, 0x01), 2)).toThrow(/record 1 \(byte 4\) is not a CBOR map/);
    expect(() => splitSenmlPack(Uint8Array.of(0x81, 0xa1, 0x00, 0x61), 2)).toThrow(/runs past the end/);
  });
});
