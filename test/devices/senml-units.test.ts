/**
 * Every unit any device sends is one the SenML registries define for the pack's version:
 * - SenML Units (primary units): RFC 8428 §12.1, and the additions of RFC 8798 §2;
 * - Secondary Units: RFC 8798 §3, which a pack may carry in `u` only when its base version has the feature
 *   "Secondary Units" (RFC 9100 §4: feature code 4, so version 10 + 2^4 = 26); with no `bver` the version is 10
 *   (RFC 8428 §4.4), which allows primary units only.
 * Units the registry marks with an asterisk are NOT RECOMMENDED for new producers (RFC 8428 §12.1): refused too.
 * The packs come from a simulated hour of every device on a board it is wired for, decoded by cborg.
 */
import { decode } from "cborg";
import { describe, expect, it } from "vitest";
import { listDevices, loadDevice } from "../../manifests/load.js";
import { runSim } from "../../simulator/node/session.js";
import { CborWriter } from "../../runtime/cbor.js";
import { SenmlField, SenmlPackWriter } from "../../runtime/senml.js";

/** RFC 8428 §12.1 (initial SenML Units registry). `true`: marked with an asterisk (NOT RECOMMENDED to produce). */
const RFC8428_UNITS: Readonly<Record<string, boolean>> = {
  m: false, kg: false, g: true, s: false, A: false, K: false, cd: false, mol: false, Hz: false, rad: false,
  sr: false, N: false, Pa: false, J: false, W: false, C: false, V: false, F: false, Ohm: false, S: false,
  Wb: false, T: false, H: false, Cel: false, lm: false, lx: false, Bq: false, Gy: false, Sv: false, kat: false,
  m2: false, m3: false, l: true, "m/s": false, "m/s2": false, "m3/s": false, "l/s": true, "W/m2": false,
  "cd/m2": false, bit: false, "bit/s": false, lat: false, lon: false, pH: false, dB: false, dBW: false,
  Bspl: true, count: false, "/": false, "%": true, "%RH": false, "%EL": false, EL: false, "1/s": false,
  "1/min": true, "beat/min": true, beats: true, "S/m": false,
};

/** RFC 8798 §2: primary units added to the SenML Units registry ("deg" carries the asterisk). */
const RFC8798_UNITS: Readonly<Record<string, boolean>> = {
  B: false, VA: false, VAs: false, var: false, vars: false, "J/m": false, "kg/m3": false, deg: true,
};

/** RFC 8798 §3, the Secondary Units registry: [secondary unit, SenML (primary) unit, scale, offset]. */
const RFC8798_SECONDARY: readonly (readonly [string, string, number, number])[] = [
  ["ms", "s", 1 / 1000, 0], ["min", "s", 60, 0], ["h", "s", 3600, 0], ["MHz", "Hz", 1e6, 0],
  ["kW", "W", 1000, 0], ["kVA", "VA", 1000, 0], ["kvar", "var", 1000, 0], ["Ah", "C", 3600, 0],
  ["Wh", "J", 3600, 0], ["kWh", "J", 3_600_000, 0], ["varh", "vars", 3600, 0], ["kvarh", "vars", 3_600_000, 0],
  ["kVAh", "VAs", 3_600_000, 0], ["Wh/km", "J/m", 3.6, 0], ["KiB", "B", 1024, 0], ["GB", "B", 1e9, 0],
  ["Mbit/s", "bit/s", 1e6, 0], ["B/s", "bit/s", 8, 0], ["MB/s", "bit/s", 8e6, 0], ["mV", "V", 1 / 1000, 0],
  ["mA", "A", 1 / 1000, 0], ["dBm", "dBW", 1, -30], ["ug/m3", "kg/m3", 1e-9, 0], ["mm/h", "m/s", 1 / 3_600_000, 0],
  ["m/h", "m/s", 1 / 3600, 0], ["ppm", "/", 1e-6, 0], ["/100", "/", 1 / 100, 0], ["/1000", "/", 1 / 1000, 0],
  ["hPa", "Pa", 100, 0], ["mm", "m", 1 / 1000, 0], ["cm", "m", 1 / 100, 0], ["km", "m", 1000, 0],
  ["km/h", "m/s", 1 / 3.6, 0],
];

const PRIMARY: Readonly<Record<string, boolean>> = { ...RFC8428_UNITS, ...RFC8798_UNITS };
const SECONDARY = new Set(RFC8798_SECONDARY.map(([u]) => u));
const BASE_VERSION = 10; // RFC 8428 §4.4
const FEATURE_SECONDARY_UNITS = 4; // RFC 9100 §4

/** What is wrong with the units of one SenML-CBOR pack (labels: −1 bver, −4 bu, 1 u), as sentences. */
function unitProblems(pack: Map<number, unknown>[]): string[] {
  const problems: string[] = [];
  let version = BASE_VERSION;
  pack.forEach((r, i) => {
    if (r.has(-1)) version = r.get(-1) as number;
    for (const [label, name] of [
      [-4, "bu"],
      [1, "u"],
    ] as const) {
      if (!r.has(label)) continue;
      const unit = r.get(label);
      const where = `record ${i} ${name} ${JSON.stringify(unit)}`;
      if (typeof unit !== "string") problems.push(`${where}: not a text string`);
      else if (unit in PRIMARY) {
        if (PRIMARY[unit]) problems.push(`${where}: NOT RECOMMENDED for new producers (RFC 8428 §12.1)`);
      } else if (SECONDARY.has(unit)) {
        if (((version >> FEATURE_SECONDARY_UNITS) & 1) === 0) {
          problems.push(`${where}: a secondary unit (RFC 8798 §3) in a version ${version} pack, which allows primary units only (RFC 9100 §4)`);
        }
      } else problems.push(`${where}: in neither SenML units registry`);
    }
  });
  return problems;
}

const encode = (version: number | undefined, ...units: string[]): Map<number, unknown>[] => {
  const w = new SenmlPackWriter(new CborWriter(256), { baseName: "x:", ...(version !== undefined ? { version } : {}) });
  w.begin(1);
  units.forEach((u, i) => w.value(new SenmlField(`q${i}`, u), 1));
  return decode(w.end(), { useMaps: true }) as Map<number, unknown>[];
};

describe("the SenML units registries, as data", () => {
  it("map every secondary unit to a primary one, and no name is in both", () => {
    for (const [u, primary] of RFC8798_SECONDARY) {
      expect(PRIMARY[primary], `${u} → ${primary}`).toBeDefined();
      expect(u in PRIMARY, u).toBe(false);
    }
    expect(Object.keys(PRIMARY)).toHaveLength(58 + 8); // the rows of the two tables
    expect(SECONDARY.size).toBe(33);
  });

  it("the check refuses secondary units in a version 10 pack, accepts them at 26, and refuses unknown and NOT RECOMMENDED units", () => {
    expect(unitProblems(encode(undefined, "m", "m/s", "Cel"))).toEqual([]);
    expect(unitProblems(encode(undefined, "mm", "mm/h"))).toEqual([
      'record 0 u "mm": a secondary unit (RFC 8798 §3) in a version 10 pack, which allows primary units only (RFC 9100 §4)',
      'record 1 u "mm/h": a secondary unit (RFC 8798 §3) in a version 10 pack, which allows primary units only (RFC 9100 §4)',
    ]);
    expect(unitProblems(encode(26, "mm", "mm/h"))).toEqual([]);
    expect(unitProblems(encode(undefined, "degC", "deg"))).toEqual([
      'record 0 u "degC": in neither SenML units registry',
      'record 1 u "deg": NOT RECOMMENDED for new producers (RFC 8428 §12.1)',
    ]);
  });
});

describe.each(listDevices())("%s", (device) => {
  it("sends only units the registries allow for its packs' version", async () => {
    const board = Object.keys(loadDevice(device).manifest.wiring)[0];
    expect(board, `${device} is wired for no board`).toBeDefined();
    const { frames } = await runSim({ device, board: board!, hours: 1, seed: 1 });
    const packs = frames.filter((f) => Array.isArray(f.decoded)).map((f) => decode(Buffer.from(f.hex, "hex"), { useMaps: true }) as Map<number, unknown>[]);
    expect(packs.length).toBeGreaterThan(0);
    const units = new Set<unknown>();
    const problems: string[] = [];
    for (const p of packs) {
      for (const r of p) if (r.has(1)) units.add(r.get(1));
      problems.push(...unitProblems(p));
    }
    expect(units.size).toBeGreaterThan(0);
    expect([...new Set(problems)]).toEqual([]);
  });
});
