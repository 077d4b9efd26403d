/**
 * The weather station over LoRaWAN on its own board (nrf52840-dk-sx1262, the nRF52840 profile), held to every budget
 * of its manifest (manifests/devices/weather-station.json) on the emulated MCU. The run is 0.4 h: the OTAA join at
 * boot, then two 10-minute reports, each split into 51-byte pieces at DR0 and sent as class A uplinks with their
 * receive windows (lorawan.test.ts checks the frames and windows of the hour in detail).
 *
 * Three budgets do not hold yet; they are known failures below, with what was measured and why, so that the day one
 * holds its `it.fails` fails and the test is turned round.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkBudgets, type BudgetCheck } from "../../emulator/host/budgets.js";
import { emulate, type EmulateResult } from "../../emulator/host/emulate.js";
import { loadDevice } from "../../manifests/load.js";

const BOARD = "nrf52840-dk-sx1262";
const HOURS = 0.4;
const budgets = loadDevice("weather-station").manifest.budgets!;

let run: EmulateResult;
let checks: BudgetCheck[];
const check = (name: string): BudgetCheck => {
  const c = checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check named ${name}`);
  return c;
};

beforeAll(async () => {
  run = await emulate({ device: "weather-station", board: BOARD, hours: HOURS, seed: 1 });
  checks = checkBudgets(budgets, run.figures);
}, 600_000);

describe(`the weather station on ${BOARD} (emulated nRF52840, LoRaWAN CN470, ${HOURS} h, seed 1)`, () => {
  it("joins and sends both reports, as the simulator did, byte for byte", () => {
    const f = run.figures;
    expect(f.link).toBe("lorawan");
    expect(f.profile).toBe("nrf52840");
    expect(run.comparison.firstDifference).toBeUndefined();
    expect(run.comparison.identical).toBe(true);
    expect(f.lorawan!.joins).toBe(1);
    expect(f.lorawan!.joined).toBe(true);
    // Two reports, the first piece of each timed for the latency; every piece a data uplink.
    expect(f.latencySamples).toBe(2);
    expect(f.lorawan!.uplinks.filter((u) => u.kind === "data").length).toBeGreaterThanOrEqual(4);
  });

  it("checks every budget the manifest sets for this board", () => {
    // averageMicroamps is set for nrf52840-dk only: no figure is promised for the radio board.
    const expected = Object.keys(budgets).filter((k) => k !== "averageMicroamps" || budgets.averageMicroamps?.[BOARD] !== undefined);
    expect(expected.sort()).toEqual(["cpuPercent", "heapBytes", "jitterMs", "latencyMs", "rxWindowErrorUs"]);
    for (const name of expected) expect(check(name).limit).toBe(budgets[name as keyof typeof budgets]);
  });

  it.each(["cpuPercent", "rxWindowErrorUs"])("holds the manifest's %s", (name) => {
    const c = check(name);
    expect(c.ok, `${c.what}: ${c.value} ${c.unit} (budget ${c.limit})`).toBe(true);
  });

  it("passes what every run must: windows that catch a preamble, no missed sample, crash, overflow or divergence, within the board's JS stack", () => {
    const always = ["rxWindowsMissed", "joined", "missed", "jsStack", "crashes", "stackOverflows", "divergences", "frames"];
    expect(checks.filter((c) => always.includes(c.name)).length).toBe(always.length);
    expect(checks.filter((c) => always.includes(c.name) && !c.ok).map((c) => `${c.name}: ${c.value} (limit ${c.limit})`)).toEqual([]);
  });

  // The report's dispatch was 5.4 M device instructions with the pack split by grown arrays and per-item objects
  // (runtime/senml-split.ts); written in place it is about 4.3 M, most of it AES (see below).
  it("dispatches its report in under 4.8 M device instructions, GC included", () => {
    expect(run.figures.reportInstructionsMax).toBeGreaterThan(0);
    expect(run.figures.reportInstructionsMax).toBeLessThan(4_800_000);
  });
});

// Known failures, measured with this run (`ganzhi emulate weather-station --board nrf52840-dk-sx1262 --hours 0.4 -q`).
// The causes are CPU time in single events, not allocation: AES-128 in XS costs about 2,500 metering units a block,
// about 220,000 Cortex-M4 instructions (7 ms at the board model's slow end), and an uplink needs 9 blocks for a
// 51-byte piece (FRMPayload keystream and the MIC's CMAC) and 19 for a whole 130-byte report at a higher data rate;
// each SPI command to the SX1262 is an event of its own (its BUSY handshake) costing about 2.2 ms with the provider.
describe(`known failures of the weather station on ${BOARD}`, () => {
  // 165 ms (118 ms at the fast end): the report's dispatch (SenML encoding ~13 k units, the split ~19 k, AES ~29 k)
  // and the ten BUSY handshakes before SetTx.
  it.fails("sends a report's first piece within latencyMs of its slot", () => {
    expect(check("latencyMs").ok).toBe(true);
  });

  // 103 ms: a wind slot waits behind the report's dispatch (when a report outlasts the 125 ms to the next wind slot)
  // or behind the MAC's handler that encrypts and hands over the next piece after RX2 (~100 ms), which comes at a
  // phase the airtime decides. Cutting it into pieces of work would need pieces under 2.5 ms: less than one AES block.
  it.fails("samples within jitterMs of every slot", () => {
    expect(check("jitterMs").ok).toBe(true);
  });

  // 71.8 KB: XS slots the device holds (about 2,200 at rest, 2,800 during a report) and chunk bytes, which a
  // collection for slots does not sweep (only a compaction, when chunks run out, does): the figure climbs to the chunk
  // heap's size between compactions. The MQTT board holds 61 KB the same way; the LoRaWAN stack's instances (the MAC
  // and the SX1262 driver: XS gives each instance a slot per private method) add the rest.
  it.fails("holds no more than heapBytes after collections", () => {
    expect(check("heapBytes").ok).toBe(true);
  });
});
