/**
 * The strain monitor over LoRaWAN on the nRF52840-DK with its SX1262 shield (nrf52840-dk-sx1262, the nRF52840
 * profile), held to its manifest's budgets on the emulated MCU: 12 minutes, the OTAA join, alarms' events and the
 * first 10-minute report, each frame a class A uplink with its receive windows.
 *
 * Its deepest chain is a sample's handler running a piece of paced work (runtime/work-queue.ts) that hands a frame
 * to the LoRaWAN MAC and the SX1262 driver: 561 JS stack slots here (the provider's JS frames included, which are C
 * on a board), over the nRF52's 512, so the manifest states `creation.stack` 640. With 512 the run overflowed the
 * stack twice, left the recording and sent no report.
 *
 * Three budgets do not hold: known failures below, so that the day one holds its `it.fails` fails and the test is
 * turned round.
 */
import { describe, expect, it } from "vitest";
import { budgetRun } from "../helpers/budget-run.js";

const BOARD = "nrf52840-dk-sx1262";
const r = budgetRun({ device: "structural-strain", board: BOARD, hours: 0.2, seed: 1, timeoutMs: 1_200_000 }, 1_300_000);

describe(`the strain monitor on ${BOARD} (emulated nRF52840, LoRaWAN CN470, 0.2 h, seed 1)`, () => {
  it("joins and sends its frames as the simulator did, byte for byte", () => {
    expect(r.run.figures.link).toBe("lorawan");
    expect(r.run.figures.lorawan!.joined).toBe(true);
    expect(r.run.comparison.firstDifference).toBeUndefined();
    expect(r.run.comparison.identical).toBe(true);
    expect(r.run.figures.lorawan!.uplinks.filter((u) => u.kind === "data").length).toBeGreaterThanOrEqual(4);
  });

  it("runs within the stack it states (creation.stack 640), without an overflow, crash or divergence", () => {
    expect(r.run.figures.creation.stack).toBe(640);
    const always = ["jsStack", "crashes", "stackOverflows", "divergences", "frames", "joined", "rxWindowsMissed"];
    expect(r.checks.filter((c) => always.includes(c.name) && !c.ok).map((c) => `${c.name}: ${c.value} (limit ${c.limit})`)).toEqual([]);
    expect(r.run.figures.jsStackPeakSlots).toBeGreaterThan(512);
  });

  it.each(["cpuPercent", "latencyMs"])("holds the manifest's %s", (name) => {
    const c = r.check(name);
    expect(c.ok, `${c.what}: ${c.value} ${c.unit} (budget ${c.limit})`).toBe(true);
  });
});

// Known failures, measured with this run (`ganzhi emulate structural-strain --board nrf52840-dk-sx1262 --hours 0.2 -q`):
// - jitter 48.8–71.2 ms and 59 conversions missed (of 63,932): the LoRaWAN MAC's work on a radio completion (after
//   the last receive window, the hand-over of the next frame: its encryption and the SX1262's set-up, 0.6–2.0 M
//   instructions with a collection) is one event at a phase the airtime decides, several times the 11.1 ms between
//   two data-ready edges. Over MQTT the same firmware holds (its sending is cut into pieces after samples). The
//   weather station shows the same over LoRaWAN (test/emulated/weather-lorawan.test.ts).
// - XS memory after collections 68,820 B against 65,536 B: the MQTT build's 55.7 KB, plus the MAC's and the SX1262
//   driver's instances and their frames in flight.
describe(`known failures of the strain monitor on ${BOARD}`, () => {
  for (const name of ["jitterMs", "missed", "heapBytes"]) {
    it.fails(`holds ${name}`, () => {
      expect(r.check(name).ok).toBe(true);
    });
  }
});
