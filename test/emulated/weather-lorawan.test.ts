/**
 * The weather station over LoRaWAN on its own board (nrf52840-dk-sx1262, the nRF52840 profile), held to every budget
 * of its manifest (manifests/devices/weather-station.json) on the emulated MCU. The run is 0.4 h: the OTAA join at
 * boot, then two 10-minute reports, each split into 51-byte pieces at DR0 and sent as class A uplinks with their
 * receive windows (lorawan.test.ts checks the frames and windows of the hour in detail).
 *
 * One budget does not hold yet, the wind's jitter; it is a known failure below, with what was measured and why, so
 * that the day it holds its `it.fails` fails and the test is turned round.
 */
import { describe, expect, it } from "vitest";
import { budgetRun } from "../helpers/budget-run.js";

const BOARD = "nrf52840-dk-sx1262";
const HOURS = 0.4;
const r = budgetRun({ device: "weather-station", board: BOARD, hours: HOURS, seed: 1 });
const { budgets } = r;

describe(`the weather station on ${BOARD} (emulated nRF52840, LoRaWAN CN470, ${HOURS} h, seed 1)`, () => {
  it("joins and sends both reports, as the simulator did, byte for byte", () => {
    const f = r.run.figures;
    expect(f.link).toBe("lorawan");
    expect(f.profile).toBe("nrf52840");
    expect(r.run.comparison.firstDifference).toBeUndefined();
    expect(r.run.comparison.identical).toBe(true);
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
    for (const name of expected) expect(r.check(name).limit).toBe(budgets[name as keyof typeof budgets]);
  });

  // heapBytes: 52,472 B, the slots each collection keeps and the chunks its live slots point to
  // (emulator/firmware/chunks.c). It was a known failure at 72.3 KB while the image took XS's count of chunk bytes in
  // use, which after a collection run for slots still counts every chunk that became garbage since the last
  // compaction (the figure climbed to the chunk heap's size between compactions).
  // latencyMs: 64.5–88.5 ms (seeds 2 and 3: 87 and 98 ms at the slow end, measured before the last image change). It was a known failure at 110–121 ms: the
  // report's dispatch is now 2.2 M device instructions (the SenML split reads its heads inline: 12.5 k XS metering
  // units for the weather report, 19 k before, runtime/senml-split.ts), and the BUSY handshakes before SetTx about 1 ms
  // each (2 ms before), since the image charges arming and clearing a timer as the one host call it is on a board
  // (Moddable's C), not as the simulator's event engine.
  it.each(["cpuPercent", "rxWindowErrorUs", "heapBytes", "latencyMs"])("holds the manifest's %s", (name) => {
    const c = r.check(name);
    expect(c.ok, `${c.what}: ${c.value} ${c.unit} (budget ${c.limit})`).toBe(true);
  });

  it("passes what every run must: windows that catch a preamble, no missed sample, crash, overflow or divergence, within the board's JS stack", () => {
    const always = ["rxWindowsMissed", "joined", "missed", "jsStack", "crashes", "stackOverflows", "divergences", "frames"];
    expect(r.checks.filter((c) => always.includes(c.name)).length).toBe(always.length);
    expect(r.checks.filter((c) => always.includes(c.name) && !c.ok).map((c) => `${c.name}: ${c.value} (limit ${c.limit})`)).toEqual([]);
  });

  // The report's dispatch was 5.4 M device instructions with the pack split by grown arrays and per-item objects
  // (runtime/senml-split.ts), 4.3 M written in place with AES in XS; with AES in the host's C (host.cipher) it is
  // 2.92 M: 2.79 M of the device's own (SenML encoding, the split, the frame's XORs; 7 ms of it collecting) and
  // 0.13 M of its provider (the AES blocks on the Cortex-M4, SPI, flash).
  it("dispatches its report in under 3.2 M device instructions, GC included", () => {
    expect(r.run.figures.reportInstructionsMax).toBeGreaterThan(0);
    expect(r.run.figures.reportInstructionsMax).toBeLessThan(3_200_000);
  });
});

// Known failure, measured with this run (`ganzhi emulate weather-station --board nrf52840-dk-sx1262 --hours 0.4 -q`):
// 60.7 ms at the slow end (47.4 and 50.7 ms with seeds 2 and 3 before the last image change; 15–53 ms as collections fell over this repository's
// changes). A wind slot waits behind the MAC's work on a radio completion: after the last receive window of a piece, the
// hand-over of the next (the uplink queue's pump, the frame's encryption, the SX1262's set-up: about 0.6–0.9 M
// instructions with a collection, 20–30 ms), which comes at a phase the airtime decides; and a collection may land in
// any short handler (a DIO1 edge's, 2.7 ms, or a BUSY handshake's, 1.1 ms) in front of a slot.
// Tried and left out (the patch is described in the closing note of 2026-12-05's third session): that work as pieces
// of the node's work queue paced by the wind samples held the jitter to 0.1 ms over seeds 1–3, but the receive
// windows, armed in a wind slot's handler, were then 12–19 ms late on the image's rendering (a timer counts from the
// point of the handler that armed it, with the delay the device computed from the event's virtual instant; an MCU
// reading its clock where it arms would not be), over the 15 ms budget; pacing only the hand-over left the radio's own
// completions (TxDone's window set-up, with collections) in front of wind slots: 19–21 ms.
describe(`known failure of the weather station on ${BOARD}`, () => {
  it.fails("samples within jitterMs of every slot", () => {
    expect(r.check("jitterMs").ok).toBe(true);
  });
});
