/**
 * SenML (RFC 8428) packs in CBOR (application/senml+cbor), written by a sensor node.
 *
 * A node reports the same named measurements every time, so each measurement is a {@link SenmlField} built once at
 * start-up: its name and unit are UTF-8 and CBOR encoded then, and a report only writes numbers (plus the odd
 * string value). The base name is encoded once in the {@link SenmlPackWriter} constructor.
 *
 * On the wire a pack is a CBOR array of records; each record is a map with the integer labels of RFC 8428 §6,
 * keys in deterministic order (RFC 8949 §4.2.1: bytewise, so 0 n, 1 u, 2 v, 3 vs, 4 vb, 5 s, 6 t, then −1 bver,
 * −2 bn, −3 bt). Base fields appear in the first record only. Numbers use the writer's preferred serialization:
 * integers as integers, others as the shortest float that holds them exactly. Example, base name "buoy7:",
 * base time 1700000000, temperature 21.37 Cel and pH 7.5:
 *
 * ```
 * 82                                   array(2)
 *   a5                                 map(5), first record
 *     00 64 74656d70                   0  n   "temp"
 *     01 63 43656c                     1  u   "Cel"
 *     02 fb 40355eb851eb851f           2  v   21.37 (float64: float32 would round it)
 *     21 66 62756f79373a               -2 bn  "buoy7:"
 *     22 1a 6553f100                   -3 bt  1700000000
 *   a3                                 map(3)
 *     00 62 7048                       0  n   "pH"
 *     01 62 7048                       1  u   "pH"
 *     02 f9 4780                       2  v   7.5 (float16 holds it exactly)
 * ```
 * Resolved names are bn + n ("buoy7:temp"); the time of a record is bt + t (t omitted = 0).
 *
 * Absent and invalid readings: a value that is NaN or ±Infinity is refused with a RangeError (SenML JSON cannot
 * carry it and a gateway would choke), and nothing of that record is written. A sensor that failed to read should
 * leave its record out: {@link SenmlPackWriter.valueIfFinite} does that and says whether it wrote.
 *
 * Filling a frame: every record is written whole or not at all. When a record throws the writer's RangeError
 * (buffer full), the pack written so far is still valid and `end()` closes it; the record goes in the next pack.
 */
import { CborWriter } from "./cbor.js";
import { utf8Length } from "./utf8.js";

/** CBOR map keys of the SenML labels (RFC 8428 §6). */
export const SenmlLabel = Object.freeze({
  bver: -1,
  bn: -2,
  bt: -3,
  bu: -4,
  bv: -5,
  bs: -6,
  n: 0,
  u: 1,
  v: 2,
  vs: 3,
  vb: 4,
  s: 5,
  t: 6,
  ut: 7,
  vd: 8,
} as const);

const KEY_V = SenmlLabel.v;
const KEY_VS = SenmlLabel.vs;
const KEY_VB = SenmlLabel.vb;
const KEY_S = SenmlLabel.s;
const KEY_VD = SenmlLabel.vd;

/** RFC 8428 §4.5.1: names use A–Z a–z 0–9 - : . / _ and the resolved name starts with a letter or digit. */
function isNameChar(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x30 && c <= 0x3a) || // 0-9 and ':'
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x2f || // /
    c === 0x5f // _
  );
}
function isAlnum(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}
function checkNameChars(what: string, name: string): void {
  for (let i = 0; i < name.length; i++) {
    if (!isNameChar(name.charCodeAt(i))) {
      throw new RangeError(`SenML ${what} "${name}": character ${i} is not one of A-Z a-z 0-9 - : . / _ (RFC 8428 §4.5.1)`);
    }
  }
}

/** Encodes `key: text` pairs once, at setup. */
function encodePairs(keys: readonly number[], texts: readonly string[]): Uint8Array {
  let cap = 0;
  for (const t of texts) cap += 1 + 9 + utf8Length(t); // key + longest head + text
  const w = new CborWriter(cap);
  for (let i = 0; i < keys.length; i++) w.int(keys[i]).text(texts[i]);
  return w.copy();
}

/**
 * One measurement a node reports every time: its name (appended to the pack's base name) and unit, encoded once.
 * `unit` omitted or "" writes no `u`; `name` "" writes no `n` (then the base name alone names the record).
 * Units are not checked against the IANA SenML Units registry here; use registered symbols ("Cel", "Pa", "%RH").
 */
export class SenmlField {
  readonly name: string;
  readonly unit: string;
  /** Pre-encoded CBOR of the record's leading pairs `0: name` and `1: unit` (those present). @internal */
  readonly prefix: Uint8Array;
  /** Number of map pairs in `prefix` (0–2). @internal */
  readonly prefixPairs: number;
  /** Whether `name` may start a resolved name (non-empty, first character a letter or digit). @internal */
  readonly canStartName: boolean;

  constructor(name: string, unit = "") {
    checkNameChars("name", name);
    this.name = name;
    this.unit = unit;
    const keys: number[] = [];
    const texts: string[] = [];
    if (name !== "") {
      keys.push(SenmlLabel.n);
      texts.push(name);
    }
    if (unit !== "") {
      keys.push(SenmlLabel.u);
      texts.push(unit);
    }
    this.prefix = encodePairs(keys, texts);
    this.prefixPairs = keys.length;
    this.canStartName = name !== "" && isAlnum(name.charCodeAt(0));
  }
}

export interface SenmlPackOptions {
  /** Base name (bn), written in the first record, e.g. "urn:dev:mac:0024befffe804ff1:". Default: none. */
  baseName?: string;
  /** Base version (bver). Default: omitted, which means 10 (RFC 8428); only set it for a later version. */
  version?: number;
}

/**
 * Writes SenML packs into a {@link CborWriter}: `begin(bt)`, one call per record, `end()`. Nothing else may be
 * written to the CborWriter between `begin` and `end` (the array head is fixed up at `end`). One writer, one pack at
 * a time; reuse it for every report.
 */
export class SenmlPackWriter {
  readonly writer: CborWriter;
  /** Pre-encoded `−1: bver` and `−2: bn` pairs (those configured). */
  private readonly basePrefix: Uint8Array;
  private readonly basePairs: number;
  private readonly hasBaseName: boolean;
  private mark = -1;
  private count = 0;
  private baseTime: number | undefined = undefined;

  constructor(writer: CborWriter, options: SenmlPackOptions = {}) {
    this.writer = writer;
    const baseName = options.baseName ?? "";
    checkNameChars("base name", baseName);
    if (baseName !== "" && !isAlnum(baseName.charCodeAt(0))) {
      throw new RangeError(`SenML base name "${baseName}" must start with a letter or digit (RFC 8428 §4.5.1)`);
    }
    this.hasBaseName = baseName !== "";
    const version = options.version;
    if (version !== undefined && (!Number.isSafeInteger(version) || version < 1)) {
      throw new RangeError(`SenML version ${version} is not a positive integer`);
    }
    const keys: number[] = [];
    const texts: string[] = [];
    if (this.hasBaseName) {
      keys.push(SenmlLabel.bn);
      texts.push(baseName);
    }
    const names = encodePairs(keys, texts);
    // −1 bver sorts before −2 bn (encoded 0x20 < 0x21).
    const w = new CborWriter(10 + names.length);
    if (version !== undefined) w.int(SenmlLabel.bver).uint(version);
    this.basePrefix = w.raw(names).copy();
    this.basePairs = (version !== undefined ? 1 : 0) + keys.length;
  }

  /** Records written in the open pack. */
  get records(): number {
    return this.count;
  }

  /** Whether a pack is open (between `begin` and `end`/`abort`). */
  get open(): boolean {
    return this.mark >= 0;
  }

  /**
   * Opens a pack at the writer's current position. `baseTime` (bt): seconds since the Unix epoch, may be
   * fractional; omitted means no bt (record times are then relative to "now", RFC 8428 §4.5.3).
   */
  begin(baseTime?: number): this {
    if (this.mark >= 0) throw new Error("SenmlPackWriter.begin: a pack is already open");
    if (baseTime !== undefined && !Number.isFinite(baseTime)) {
      throw new RangeError(`SenML base time ${baseTime} is not a finite number`);
    }
    this.mark = this.writer.openArray();
    this.count = 0;
    this.baseTime = baseTime;
    return this;
  }

  /** Record with a numeric value (v). `t`: seconds relative to the base time. Throws on NaN/±Infinity. */
  value(field: SenmlField, v: number, t?: number): this {
    if (!Number.isFinite(v)) throw new RangeError(`SenML value of "${field.name}" is ${v}; leave the record out (valueIfFinite) instead`);
    return this.record(field, KEY_V, v, "", false, t);
  }

  /**
   * Record with a numeric value if `v` is a finite number; otherwise (null, undefined, NaN, ±Infinity: no valid
   * reading) writes nothing. Returns whether the record was written.
   */
  valueIfFinite(field: SenmlField, v: number | null | undefined, t?: number): boolean {
    if (typeof v !== "number" || !Number.isFinite(v)) return false;
    this.record(field, KEY_V, v, "", false, t);
    return true;
  }

  /** Record with a sum (s), e.g. a meter's running total. Throws on NaN/±Infinity. */
  sum(field: SenmlField, s: number, t?: number): this {
    if (!Number.isFinite(s)) throw new RangeError(`SenML sum of "${field.name}" is ${s}; leave the record out instead`);
    return this.record(field, KEY_S, s, "", false, t);
  }

  /** Record with a boolean value (vb). */
  bool(field: SenmlField, vb: boolean, t?: number): this {
    return this.record(field, KEY_VB, 0, "", vb, t);
  }

  /** Record with a string value (vs), UTF-8 encoded into the buffer. */
  string(field: SenmlField, vs: string, t?: number): this {
    return this.record(field, KEY_VS, 0, vs, false, t);
  }

  /**
   * Record with a data value (vd: a CBOR byte string, RFC 8428 §6), e.g. a block of raw samples in a layout the
   * field's name documents. `t` is written before it (label 6 sorts before 8).
   */
  data(field: SenmlField, vd: Uint8Array, t?: number): this {
    return this.record(field, KEY_VD, 0, "", false, t, vd);
  }

  /** Closes the pack and returns its bytes (a view into the writer's buffer). */
  end(): Uint8Array {
    const mark = this.requireOpen("end");
    this.writer.closeArray(mark, this.count);
    this.mark = -1;
    return this.writer.bytes().subarray(mark);
  }

  /** Drops the open pack: the writer goes back to where `begin` found it. */
  abort(): void {
    const mark = this.requireOpen("abort");
    this.writer.truncate(mark);
    this.mark = -1;
    this.count = 0;
  }

  private requireOpen(what: string): number {
    if (this.mark < 0) throw new Error(`SenmlPackWriter.${what}: no pack is open (call begin first)`);
    return this.mark;
  }

  /** Writes one record whole, or nothing (rolls back and rethrows on any error, e.g. buffer full). */
  private record(field: SenmlField, key: number, num: number, str: string, flag: boolean, t: number | undefined, vd?: Uint8Array): this {
    this.requireOpen("record");
    if (t !== undefined && !Number.isFinite(t)) {
      throw new RangeError(`SenML time of "${field.name}" is ${t}, not a finite number`);
    }
    const first = this.count === 0;
    if (!this.hasBaseName && !field.canStartName) {
      throw new RangeError(
        field.name === ""
          ? "SenML record has no name: give the field a name or the pack a base name"
          : `SenML name "${field.name}" must start with a letter or digit when there is no base name`,
      );
    }
    const bt = this.baseTime;
    let pairs = field.prefixPairs + 1;
    if (t !== undefined) pairs++;
    if (first) pairs += this.basePairs + (bt !== undefined ? 1 : 0);

    const w = this.writer;
    const start = w.length;
    try {
      w.mapHeader(pairs).raw(field.prefix);
      if (key === KEY_VD) {
        // 6 t sorts before 8 vd.
        if (t !== undefined) w.int(SenmlLabel.t).number(t);
        w.int(key).byteString(vd!);
      } else {
        w.int(key); // 2 v, 3 vs, 4 vb or 5 s
        if (key === KEY_VS) w.text(str);
        else if (key === KEY_VB) w.bool(flag);
        else w.number(num);
        if (t !== undefined) w.int(SenmlLabel.t).number(t);
      }
      if (first) {
        w.raw(this.basePrefix); // −1 bver, −2 bn
        if (bt !== undefined) w.int(SenmlLabel.bt).number(bt);
      }
    } catch (e) {
      w.truncate(start);
      throw e;
    }
    this.count++;
    return this;
  }
}
