/**
 * Who holds XS's live slots (`ganzhi emulate --census`, emulator/firmware/census.c): the image counts them after a
 * full collection once the harness is built and again at the end of the run; the device's share of each owner is
 * the difference, since the device's main runs after the first count.
 */

export interface CensusRow {
  /** `new Foo` (instances and their property slots), `fn foo` (functions and closures), `Array`, `Map`…, or
   * `loose <kind>` (slots no instance chain holds: closure variables, private fields, map entries…). */
  owner: string;
  slots: number;
  instances: number;
  /** Bytes of the chunks its slots point to (strings, buffer data, array items, map tables), headers included, each
   * chunk counted once, for the first owner met. */
  chunks: number;
}

export interface CensusCount {
  live: number;
  free: number;
  /** XS's own count of slots in use (`currentHeapCount`), which `live` must equal. */
  xsCount: number;
  /** Chunk bytes the live slots (and the stack and C roots) point to, and XS's own count of chunk bytes in use: after
   * the census's compacting collection the live chunks, a few of the harness's reached other than through a slot
   * among them. */
  chunks: number;
  xsChunks: number;
  rows: CensusRow[];
}

export interface Census {
  settle: CensusCount;
  end: CensusCount;
}

const HEAD = /^#census (\w+) live=(\d+) free=(\d+) owned-by-instances=\d+ loose=\d+ in-use=(\d+) chunks=(\d+) chunks-in-use=(\d+)$/;
const ROW = /^#census (\w+) slots=(\d+) instances=(\d+) chunks=(\d+) (.+)$/;

/** The two counts from the console's platform lines; undefined when the run had no census (or it is incomplete). */
export function parseCensus(platform: readonly string[]): Census | undefined {
  const counts = new Map<string, CensusCount>();
  for (const line of platform) {
    const h = HEAD.exec(line);
    if (h) {
      counts.set(h[1]!, { live: +h[2]!, free: +h[3]!, xsCount: +h[4]!, chunks: +h[5]!, xsChunks: +h[6]!, rows: [] });
      continue;
    }
    const r = ROW.exec(line);
    if (r) counts.get(r[1]!)?.rows.push({ owner: r[5]!, slots: +r[2]!, instances: +r[3]!, chunks: +r[4]! });
  }
  const settle = counts.get("settle");
  const end = counts.get("end");
  return settle && end ? { settle, end } : undefined;
}

/** The device's share per owner (end − settle), largest first (slots' and chunks' bytes); owners whose counts did
 * not change are left out. */
export function deviceShare(c: Census, slotBytes = 16): CensusRow[] {
  const before = new Map(c.settle.rows.map((r) => [r.owner, r]));
  const owners = new Set([...c.settle.rows, ...c.end.rows].map((r) => r.owner));
  const rows: CensusRow[] = [];
  for (const owner of owners) {
    const a = before.get(owner);
    const b = c.end.rows.find((r) => r.owner === owner);
    const slots = (b?.slots ?? 0) - (a?.slots ?? 0);
    const instances = (b?.instances ?? 0) - (a?.instances ?? 0);
    const chunks = (b?.chunks ?? 0) - (a?.chunks ?? 0);
    if (slots !== 0 || instances !== 0 || chunks !== 0) rows.push({ owner, slots, instances, chunks });
  }
  const bytes = (r: CensusRow) => r.slots * slotBytes + r.chunks;
  return rows.sort((x, y) => bytes(y) - bytes(x) || x.owner.localeCompare(y.owner));
}

/** Lines for the terminal: the totals, then the device's owners with their slots, chunk bytes and instances. */
export function censusLines(c: Census, slotBytes = 16): string[] {
  const rows = deviceShare(c, slotBytes);
  const device = c.end.live - c.settle.live;
  const chunks = c.end.chunks - c.settle.chunks;
  const unreached = c.end.xsChunks - c.end.chunks - (c.settle.xsChunks - c.settle.chunks);
  const width = Math.max(5, ...rows.map((r) => r.owner.length));
  const n = (x: number, w: number) => String(x).padStart(w);
  return [
    `XS live slots after a full collection: ${c.settle.live} once the harness was built, ${c.end.live} at the end: the device's ${device} (${device * slotBytes} B of ${slotBytes}-byte slots)`,
    `XS chunks the live slots point to: the device's ${chunks} B (strings, buffers' data, array items, map tables, headers included)${unreached ? `; XS counts ${unreached} B more in use since the harness was built that no slot points to` : ""}`,
    `${"owner".padEnd(width)}  slots  slot bytes  chunk bytes  instances`,
    ...rows.map((r) => `${r.owner.padEnd(width)}  ${n(r.slots, 5)}  ${n(r.slots * slotBytes, 10)}  ${n(r.chunks, 11)}  ${n(r.instances, 9)}`),
  ];
}
