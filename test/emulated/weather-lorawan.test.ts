/**
 * The weather station over LoRaWAN on its own board (nrf52840-dk-sx1262, the nRF52840 profile), held to every budget
 * of its manifest (manifests/devices/weather-station.json) on the emulated MCU. The run is 0.4 h: the OTAA join at
 * boot, then two 10-minute reports, each split into 51-byte pieces at DR0 and sent as class A uplinks with their
 * receive windows (lorawan.test.ts checks the frames and windows of the hour in detail).
 *
 * Two budgets do not hold yet; they are known failures below, with what was measured and why, so that the day one
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

  // heapBytes: 52,472 B, the slots each collection keeps and the chunks its live slots point to
  // (emulator/firmware/chunks.c). It was a known failure at 72.3 KB while the image took XS's count of chunk bytes in
  // use, which after a collection run for slots still counts every chunk that became garbage since the last
  // compaction (the figure climbed to the chunk heap's size between compactions).
  it.each(["cpuPercent", "rxWindowErrorUs", "heapBytes"])("holds the manifest's %s", (name) => {
    const c = check(name);
    expect(c.ok, `${c.what}: ${c.value} ${c.unit} (budget ${c.limit})`).toBe(true);
  });

  it("passes what every run must: windows that catch a preamble, no missed sample, crash, overflow or divergence, within the board's JS stack", () => {
    const always = ["rxWindowsMissed", "joined", "missed", "jsStack", "crashes", "stackOverflows", "divergences", "frames"];
    expect(checks.filter((c) => always.includes(c.name)).length).toBe(always.length);
    expect(checks.filter((c) => always.includes(c.name) && !c.ok).map((c) => `${c.name}: ${c.value} (limit ${c.limit})`)).toEqual([]);
  });

  // The report's dispatch was 5.4 M device instructions with the pack split by grown arrays and per-item objects
  // (runtime/senml-split.ts), 4.3 M written in place with AES in XS; with AES in the host's C (host.cipher) it is
  // 2.92 M: 2.79 M of the device's own (SenML encoding, the split, the frame's XORs; 7 ms of it collecting) and
  // 0.13 M of its provider (the AES blocks on the Cortex-M4, SPI, flash).
  it("dispatches its report in under 3.2 M device instructions, GC included", () => {
    expect(run.figures.reportInstructionsMax).toBeGreaterThan(0);
    expect(run.figures.reportInstructionsMax).toBeLessThan(3_200_000);
  });
});

// Known failures, measured with this run (`ganzhi emulate weather-station --board nrf52840-dk-sx1262 --hours 0.4 -q`).
// AES-128 is no longer among the causes: it runs in the host's C (host.cipher; on the board Moddable's crypt
// BlockCipher), about 0.1 M provider instructions for all the blocks of a report. What remains is CPU time in single
// events of the device's own JS, and each SPI command to the SX1262 being an event of its own (its BUSY handshake,
// about 2 ms with the provider).
describe(`known failures of the weather station on ${BOARD}`, () => {
  // 121.0 ms (88.9 ms at the fast end; 165–233 ms with AES in XS): the report's dispatch, 96 ms at the slow end
  // (2.92 M instructions, GC 7 ms), then the BUSY handshakes of the SPI commands before SetTx, about 25 ms (each an
  // event of about 2 ms, one with a 3.6 ms collection). The handshakes put it over: the dispatch alone is under the
  // budget at both ends.
  it.fails("sends a report's first piece within latencyMs of its slot", () => {
    expect(check("latencyMs").ok).toBe(true);
  });

  // 33.4 ms (103 ms with AES in XS): a wind slot waits behind the MAC's handler after a DIO1 edge that hands over the
  // next piece (up to 80 ms at the slow end: 2.3 M of the device's own instructions, 19 ms of them collecting, and
  // 0.13 M of its provider's, AES included), which comes at a phase the airtime decides. The report's dispatch (96 ms)
  // starts on a wind slot and ends before the next. Holding 2.5 ms would need that handler cut into pieces of work.
  it.fails("samples within jitterMs of every slot", () => {
    expect(check("jitterMs").ok).toBe(true);
  });
});
