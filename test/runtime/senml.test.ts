import { describe, expect, it } from "vitest";
import { decode, Tokenizer } from "cborg";
import { CborWriter } from "../../runtime/cbor.js";
import { SenmlField, SenmlLabel, SenmlPackWriter } from "../../runtime/senml.js";

type Rec = Map<number, unknown>;
/** Independent decode (cborg). useMaps keeps integer keys and their wire order; strict rejects non-shortest ints. */
const decodePack = (b: Uint8Array): Rec[] =>
  decode(b, { useMaps: true, strict: true, rejectDuplicateMapKeys: true }) as Rec[];

/** Resolves a pack per RFC 8428 §4.6: carries bn/bt forward, name = bn + n, time = bt + t. */
function resolve(pack: Rec[]): { name: string; time: number; unit?: unknown; v?: unknown; vs?: unknown; vb?: unknown; s?: unknown }[] {
  let bn = "";
  let bt = 0;
  return pack.map((r) => {
    if (r.has(SenmlLabel.bn)) bn = r.get(SenmlLabel.bn) as string;
    if (r.has(SenmlLabel.bt)) bt = r.get(SenmlLabel.bt) as number;
    const out: ReturnType<typeof resolve>[number] = {
      name: bn + ((r.get(SenmlLabel.n) as string | undefined) ?? ""),
      time: bt + ((r.get(SenmlLabel.t) as number | undefined) ?? 0),
    };
    for (const [k, label] of [
      [SenmlLabel.u, "unit"],
      [SenmlLabel.v, "v"],
      [SenmlLabel.vs, "vs"],
      [SenmlLabel.vb, "vb"],
      [SenmlLabel.s, "s"],
    ] as const) {
      if (r.has(k)) out[label] = r.get(k);
    }
    return out;
  });
}

/** Payload width in bytes (2, 4 or 8) of every float in `bytes`, in order, read with cborg's tokenizer. */
function floatWidths(bytes: Uint8Array): number[] {
  const tk = new Tokenizer(bytes, {});
  const widths: number[] = [];
  while (!tk.done()) {
    const before = tk.pos();
    const tok = tk.next();
    if (tok.type.name === "float") widths.push(tk.pos() - before - 1);
  }
  return widths;
}

const temp = new SenmlField("temp", "Cel");
const pressure = new SenmlField("pressure", "Pa");
const ph = new SenmlField("pH", "pH");
const door = new SenmlField("door");
const status = new SenmlField("status");
const energy = new SenmlField("energy", "kWh");

describe("SenmlPackWriter, decoded by cborg", () => {
  it("writes the documented example byte for byte", () => {
    const p = new SenmlPackWriter(new CborWriter(128), { baseName: "buoy7:" });
    const b = p.begin(1700000000).value(temp, 21.37).value(ph, 7.5).end();
    expect(Buffer.from(b).toString("hex")).toBe(
      "82" +
        "a5" + "006474656d70" + "016343656c" + "02fb40355eb851eb851f" + "216662756f79373a" + "221a6553f100" +
        "a3" + "00627048" + "01627048" + "02f94780",
    );
  });

  it("a data value (vd) is a CBOR byte string, after t in the deterministic key order (6 < 8), base fields last", () => {
    const p = new SenmlPackWriter(new CborWriter(128), { baseName: "ss1:" });
    const data = new Uint8Array([0x01, 0x00, 0xff, 0x7f]);
    const b = p.begin(1700000000).data(new SenmlField("cap"), data, 0.5).data(new SenmlField("cap"), data.subarray(0, 2)).end();
    // Key order checked on the bytes: map(5) n "cap", t 0.5 (float16), vd h'0100ff7f', bn, bt.
    expect(Buffer.from(b).toString("hex")).toBe(
      "82" + "a5" + "0063636170" + "06f93800" + "08440100ff7f" + "21647373313a" + "221a6553f100" + "a2" + "0063636170" + "08420100",
    );
    const pack = decodePack(b);
    expect(pack[0].get(8)).toEqual(data);
    expect(pack[1].get(8)).toEqual(new Uint8Array([0x01, 0x00]));
  });

  it("labels, values, base name/time on the first record only, resolved names", () => {
    const p = new SenmlPackWriter(new CborWriter(256), { baseName: "urn:dev:mac:0024befffe804ff1:" });
    p.begin(1700000123.25)
      .value(temp, 21.37)
      .value(pressure, 81234.5, -10)
      .bool(door, true, 2)
      .string(status, "溢流 ok \u{1F30A}")
      .sum(energy, 12345.678);
    expect(p.records).toBe(5);
    const pack = decodePack(p.end());
    expect(pack).toHaveLength(5);
    const first = pack[0];
    expect(first.get(-2)).toBe("urn:dev:mac:0024befffe804ff1:");
    expect(first.get(-3)).toBe(1700000123.25);
    expect(first.get(0)).toBe("temp");
    expect(first.get(1)).toBe("Cel");
    expect(first.get(2)).toBe(21.37);
    for (const r of pack.slice(1)) {
      expect(r.has(-2)).toBe(false);
      expect(r.has(-3)).toBe(false);
    }
    expect(pack[1].get(2)).toBe(81234.5);
    expect(pack[1].get(6)).toBe(-10);
    expect(pack[2].get(4)).toBe(true);
    expect(pack[3].get(3)).toBe("溢流 ok \u{1F30A}");
    expect(pack[4].get(5)).toBe(12345.678);
    expect(pack[4].has(2)).toBe(false);

    expect(resolve(pack)).toEqual([
      { name: "urn:dev:mac:0024befffe804ff1:temp", time: 1700000123.25, unit: "Cel", v: 21.37 },
      { name: "urn:dev:mac:0024befffe804ff1:pressure", time: 1700000113.25, unit: "Pa", v: 81234.5 },
      { name: "urn:dev:mac:0024befffe804ff1:door", time: 1700000125.25, vb: true },
      { name: "urn:dev:mac:0024befffe804ff1:status", time: 1700000123.25, vs: "溢流 ok \u{1F30A}" },
      { name: "urn:dev:mac:0024befffe804ff1:energy", time: 1700000123.25, unit: "kWh", s: 12345.678 },
    ]);
  });

  it("map keys are in deterministic (bytewise) order: 0,1,2,…,6 then -1,-2,-3", () => {
    const p = new SenmlPackWriter(new CborWriter(256), { baseName: "n1:", version: 10 });
    const pack = decodePack(p.begin(1700000000).value(temp, 20, 5).string(status, "ok", 1).end());
    expect([...pack[0].keys()]).toEqual([0, 1, 2, 6, -1, -2, -3]);
    expect([...pack[1].keys()]).toEqual([0, 3, 6]);
    expect(pack[0].get(-1)).toBe(10);
  });

  it("float precision is kept with the shortest exact width", () => {
    const p = new SenmlPackWriter(new CborWriter(256), { baseName: "ws1:" });
    const b = p.begin().value(pressure, 81234.5).value(temp, 21.37).value(temp, 7.5).value(temp, 0.1).end();
    const pack = decodePack(b);
    expect(pack.map((r) => r.get(2))).toEqual([81234.5, 21.37, 7.5, 0.1]);
    // 81234.5 needs float32 (too big for half, exact in 24 bits); 21.37 and 0.1 need float64; 7.5 fits a half.
    expect(floatWidths(b)).toEqual([4, 8, 2, 8]);
  });

  it("integral values, times and base times are written as integers", () => {
    const p = new SenmlPackWriter(new CborWriter(64));
    const b = p.begin(1700000000).value(new SenmlField("count", "count"), 42, 0).end();
    expect(floatWidths(b)).toEqual([]);
    expect(resolve(decodePack(b))).toEqual([{ name: "count", time: 1700000000, unit: "count", v: 42 }]);
  });

  it("a pack without base name or time has neither label", () => {
    const p = new SenmlPackWriter(new CborWriter(64));
    const pack = decodePack(p.begin().value(temp, 1).end());
    expect([...pack[0].keys()]).toEqual([0, 1, 2]);
  });

  it("a field with no name relies on the base name", () => {
    const p = new SenmlPackWriter(new CborWriter(64), { baseName: "urn:dev:ow:10e2073a01080063" });
    const pack = decodePack(p.begin().value(new SenmlField("", "Cel"), 23.1).end());
    expect(resolve(pack)[0].name).toBe("urn:dev:ow:10e2073a01080063");
    expect(pack[0].has(0)).toBe(false);
  });

  it("packs of 24+ records get a 2-byte array head, and the pack can sit behind other data", () => {
    const w = new CborWriter(1024);
    w.uint(1); // e.g. a frame field before the pack
    const p = new SenmlPackWriter(w, { baseName: "n:" });
    p.begin(1700000000);
    for (let i = 0; i < 30; i++) p.value(temp, i / 4, i);
    const b = p.end();
    expect(b[0]).toBe(0x98);
    expect(b[1]).toBe(30);
    expect(w.bytes()[0]).toBe(0x01);
    expect(resolve(decodePack(b)).map((r) => [r.v, r.time])).toEqual(
      Array.from({ length: 30 }, (_, i) => [i / 4, 1700000000 + i]),
    );
  });

  it("the writer is reused for the next report", () => {
    const w = new CborWriter(64);
    const p = new SenmlPackWriter(w, { baseName: "n:" });
    const a = Buffer.from(p.begin(1).value(temp, 1).end()).toString("hex");
    w.reset();
    const b = Buffer.from(p.begin(1).value(temp, 1).end()).toString("hex");
    expect(b).toBe(a);
  });
});

describe("SenmlPackWriter: refusals and absent values", () => {
  it("NaN and ±Infinity values are refused with a clear error, and nothing is written", () => {
    const p = new SenmlPackWriter(new CborWriter(64), { baseName: "n:" });
    p.begin(1700000000).value(temp, 20);
    expect(() => p.value(ph, NaN)).toThrow(/SenML value of "pH" is NaN/);
    expect(() => p.value(ph, Infinity)).toThrow(RangeError);
    expect(() => p.sum(energy, NaN)).toThrow(/sum of "energy" is NaN/);
    expect(() => p.value(ph, 7, NaN)).toThrow(/time of "pH"/);
    expect(p.records).toBe(1);
    expect(decodePack(p.end())).toHaveLength(1);
  });

  it("valueIfFinite leaves absent readings out; base fields move to the first record written", () => {
    const p = new SenmlPackWriter(new CborWriter(128), { baseName: "ws1:" });
    p.begin(1700000000);
    expect(p.valueIfFinite(temp, NaN)).toBe(false);
    expect(p.valueIfFinite(ph, undefined)).toBe(false);
    expect(p.valueIfFinite(pressure, null)).toBe(false);
    expect(p.valueIfFinite(pressure, 81234.5)).toBe(true);
    expect(p.valueIfFinite(temp, -Infinity)).toBe(false);
    const pack = decodePack(p.end());
    expect(resolve(pack)).toEqual([{ name: "ws1:pressure", time: 1700000000, unit: "Pa", v: 81234.5 }]);
  });

  it("a record that overflows the buffer is rolled back; the pack so far still closes and decodes", () => {
    const w = new CborWriter(40);
    const p = new SenmlPackWriter(w, { baseName: "n:" });
    p.begin(1700000000);
    let sent = 0;
    try {
      for (; sent < 10; sent++) p.value(temp, 20 + sent / 10);
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      expect(String(e)).toMatch(/CborWriter: need \d+ bytes, capacity 40/);
    }
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(10);
    const pack = decodePack(p.end());
    expect(pack).toHaveLength(sent);
    expect(pack.map((r) => r.get(2))).toEqual(Array.from({ length: sent }, (_, i) => 20 + i / 10));
  });

  it("names are checked against RFC 8428 §4.5.1 once, at setup", () => {
    expect(() => new SenmlField("temp erature")).toThrow(/character 4/);
    expect(() => new SenmlField("温度")).toThrow(RangeError);
    expect(() => new SenmlPackWriter(new CborWriter(8), { baseName: "-bad" })).toThrow(/start with a letter or digit/);
    const noBase = new SenmlPackWriter(new CborWriter(64)).begin();
    expect(() => noBase.value(new SenmlField("_x"), 1)).toThrow(/must start with a letter or digit/);
    expect(() => noBase.value(new SenmlField(""), 1)).toThrow(/no name/);
  });

  it("begin/end misuse and abort", () => {
    const w = new CborWriter(64);
    const p = new SenmlPackWriter(w);
    expect(() => p.value(temp, 1)).toThrow(/no pack is open/);
    expect(() => p.end()).toThrow(/no pack is open/);
    p.begin();
    expect(() => p.begin()).toThrow(/already open/);
    p.value(temp, 1);
    p.abort();
    expect(w.length).toBe(0);
    expect(p.open).toBe(false);
  });
});
