/**
 * Splitting a SenML-CBOR pack at record boundaries so it fits a link's frame (51 bytes at LoRaWAN CN470 DR0–DR2),
 * for any device: the pieces are themselves valid packs that resolve to exactly the records of the original.
 *
 * The base fields (bver, bn, bt, bu, bv, bs: negative labels, RFC 8428 §6) that the original carries in its first
 * record are repeated in the first record of every piece, so each piece stands alone (a receiver resolves it
 * without the others, and a lost piece costs only its own records). Appending them at the end of that record keeps
 * the deterministic key order (RFC 8949 §4.2.1: the negative labels encode as 0x20… and sort after 0…8).
 *
 * Nothing is truncated: a record that cannot fit even alone (with the base fields) is reported, not cut.
 */

export type SplitResult = { readonly packs: Uint8Array[] } | { readonly error: string };

interface Head {
  major: number;
  value: number;
  /** Bytes of the head itself. */
  size: number;
}

function head(b: Uint8Array, at: number): Head {
  if (at >= b.length) throw new RangeError(`CBOR ends at byte ${at}`);
  const ib = b[at]!;
  const major = ib >> 5;
  const info = ib & 31;
  if (info < 24) return { major, value: info, size: 1 };
  const n = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
  if (n === 0) throw new RangeError(`CBOR item at byte ${at}: indefinite or reserved length (info ${info})`);
  if (at + n > b.length - 1) throw new RangeError(`CBOR head at byte ${at} runs past the end`);
  let v = 0;
  for (let i = 1; i <= n; i++) v = v * 256 + b[at + i]!;
  return { major, value: v, size: 1 + n };
}

/** The end offset of the CBOR data item at `at` (definite lengths only, nesting up to `depth`). */
function skip(b: Uint8Array, at: number, depth: number): number {
  const h = head(b, at);
  let end = at + h.size;
  switch (h.major) {
    case 0:
    case 1:
      return end;
    case 2:
    case 3:
      end += h.value;
      break;
    case 4:
    case 5: {
      if (depth <= 0) throw new RangeError(`CBOR nested too deeply at byte ${at}`);
      const items = h.major === 5 ? 2 * h.value : h.value;
      for (let i = 0; i < items; i++) end = skip(b, end, depth - 1);
      break;
    }
    case 6:
      end = skip(b, end, depth - 1);
      break;
    default: {
      const info = b[at]! & 31;
      end = at + (info === 25 ? 3 : info === 26 ? 5 : info === 27 ? 9 : info === 24 ? 2 : 1);
    }
  }
  if (end > b.length) throw new RangeError(`CBOR item at byte ${at} runs past the end`);
  return end;
}

function headBytes(major: number, value: number): number[] {
  if (value < 24) return [(major << 5) | value];
  if (value < 0x100) return [(major << 5) | 24, value];
  if (value < 0x10000) return [(major << 5) | 25, value >> 8, value & 0xff];
  return [(major << 5) | 26, (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

interface Record {
  /** Map pairs excluding the base fields. */
  pairs: number;
  /** Bytes of those pairs. */
  start: number;
  end: number;
}

/**
 * Split `pack` into packs of at most `maxBytes` each (one pack, the same bytes, when it already fits). Throws a
 * RangeError on bytes that are not a SenML-CBOR pack.
 */
export function splitSenmlPack(pack: Uint8Array, maxBytes: number): SplitResult {
  if (pack.length <= maxBytes) return { packs: [pack] };
  const top = head(pack, 0);
  if (top.major !== 4) throw new RangeError("SenML-CBOR pack must be a CBOR array");
  let at = top.size;
  const records: Record[] = [];
  const base: number[] = [];
  let basePairs = 0;
  for (let r = 0; r < top.value; r++) {
    const m = head(pack, at);
    if (m.major !== 5) throw new RangeError(`SenML record ${r} (byte ${at}) is not a CBOR map`);
    let p = at + m.size;
    const start = p;
    let pairs = 0;
    let baseStart = -1;
    for (let i = 0; i < m.value; i++) {
      const keyAt = p;
      const k = head(pack, p);
      p = skip(pack, p, 1);
      p = skip(pack, p, 2);
      if (k.major === 1) {
        // A negative label: a base field. RFC 8428 allows them in any record; only the first record's travel with
        // every piece (a later base field changes the base for the records after it, kept in their piece).
        if (r === 0) {
          if (baseStart < 0) baseStart = keyAt;
          for (let j = keyAt; j < p; j++) base.push(pack[j]!);
          basePairs++;
          continue;
        }
      }
      if (baseStart >= 0 && r === 0) throw new RangeError("SenML record 0: base fields must follow the record's own fields");
      pairs++;
    }
    records.push({ pairs, start, end: baseStart >= 0 ? baseStart : p });
    at = p;
  }
  if (at !== pack.length) throw new RangeError(`SenML-CBOR pack has ${pack.length - at} trailing bytes`);

  const packs: Uint8Array[] = [];
  let i = 0;
  while (i < records.length) {
    // Greedy: as many records as fit, the first carrying the base fields.
    const piece: number[] = [];
    let count = 0;
    const sizeWith = (n: number): number => {
      let size = headBytes(4, n).length + base.length;
      for (let j = i; j < i + n; j++) {
        const rec = records[j]!;
        const pairs = rec.pairs + (j === i ? basePairs : 0);
        size += headBytes(5, pairs).length + (rec.end - rec.start);
      }
      return size;
    };
    while (i + count < records.length && sizeWith(count + 1) <= maxBytes) count++;
    if (count === 0) {
      return { error: `SenML record ${i} needs ${sizeWith(1)} bytes with the base fields; the link takes ${maxBytes}` };
    }
    piece.push(...headBytes(4, count));
    for (let j = i; j < i + count; j++) {
      const rec = records[j]!;
      piece.push(...headBytes(5, rec.pairs + (j === i ? basePairs : 0)));
      for (let x = rec.start; x < rec.end; x++) piece.push(pack[x]!);
      if (j === i) piece.push(...base);
    }
    packs.push(Uint8Array.from(piece));
    i += count;
  }
  return { packs };
}
