/**
 * The strain monitor's HX711 build (examples/devices/structural-strain-hx711.json) on the emulated Cortex-M4, in the
 * nRF52840 profile (nrf52840-dk) and the ESP32 one (esp32-devkitc on mps2-4m): 12 minutes replayed from the
 * simulator's recording, long enough for the first 10-minute report.
 *
 * The HX711 is read by bit-banging: at each DOUT fall (80 a second) the driver writes PD_SCK high and low 25 times and
 * reads DOUT after each pulse, in one callback. DOUT's bits answer the device's own writes, so the recording keeps
 * each with the write it answers and the image makes it inside that write (simulator/core/io/lines.ts PinWorld,
 * emulator/image/world.ts WriteAnswers): one dispatch per sample, whose instructions are the 25 pulses'.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkBudgets } from "../../emulator/host/budgets.js";
import { emulate, type EmulateResult } from "../../emulator/host/emulate.js";
import { loadDevice } from "../../manifests/load.js";

const DEVICE = "examples/devices/structural-strain-hx711.json";
const budgets = loadDevice(DEVICE).manifest.budgets!;
const RUNS = [
  { board: "nrf52840-dk", profile: "nrf52840" },
  { board: "esp32-devkitc", profile: "mps2-4m" },
] as const;
const results = new Map<string, EmulateResult>();

// The emulator's own work per read is large (100 GPIO and clock calls through the simulator's JS IO classes and the
// replay behind them, about 30 G instructions in 12 minutes), beyond what the default wall-clock limit allows on a
// shared machine.
beforeAll(async () => {
  const runs = await Promise.all(RUNS.map((r) => emulate({ device: DEVICE, board: r.board, profile: r.profile, hours: 0.2, seed: 1, timeoutMs: 2_400_000 })));
  RUNS.forEach((r, i) => results.set(r.profile, runs[i]!));
}, 2_500_000);

const doutOf = (r: EmulateResult): number => (r.recording.config as { parts: { strain: { pin: number } } }).parts.strain.pin;

describe.each(RUNS.map((r) => r.profile))("structural-strain on an HX711, emulated in the %s profile (0.2 h, seed 1)", (profile) => {
  it("sends the simulator's frames byte for byte, without leaving the recording", () => {
    const r = results.get(profile)!;
    expect(r.figures.profile).toBe(profile);
    expect(r.comparison.firstDifference).toBeUndefined();
    expect(r.comparison.identical).toBe(true);
    expect(r.frames.filter((f) => f.topic.endsWith("/senml"))).toHaveLength(1);
    expect(r.console.divergences).toEqual([]);
    expect(r.figures.crashes).toBe(0);
    expect(r.figures.stackOverflows).toBe(0);
  });

  it("reads each conversion in one dispatch: DOUT's data bits are made inside the PD_SCK writes they answer", () => {
    const r = results.get(profile)!;
    const dout = doutOf(r);
    // 80 conversions a second for 12 minutes, each DOUT fall one event of the replay and one dispatch of the image.
    const falls = r.recording.lineChanges.filter(([pin, , level, timing]) => pin === dout && level === 0 && timing !== undefined && timing < 3).length;
    expect(falls).toBeGreaterThan(80 * 720 - 10);
    const stream = [...r.console.streams].find(([, label]) => label === `edge:${dout}`)![0];
    const dispatches = r.console.dispatches.filter((d) => d.stream === stream && d.deviceTicks > 0).length;
    expect(dispatches).toBe(falls);
    // About 12 bit changes a read, none an event of its own.
    expect(r.replay.writeAnswers).toBeGreaterThan(8 * falls);
    expect(r.replay.lineChanges - r.replay.writeAnswers).toBe(falls);
  });

  it("passes what every run must: no crash, stack overflow or divergence, within the board's JS stack", () => {
    const r = results.get(profile)!;
    const always = ["jsStack", "crashes", "stackOverflows", "divergences", "frames", "latencyMs"];
    const checks = checkBudgets(budgets, r.figures).filter((c) => always.includes(c.name));
    expect(checks.length).toBeGreaterThanOrEqual(5);
    expect(checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.value} (limit ${c.limit})`)).toEqual([]);
  });

  it("charges the provider one host call per GPIO or clock call, as a board's Moddable build makes it", () => {
    const r = results.get(profile)!;
    // 25 pulses a read: 50 PD_SCK writes, 25 DOUT reads, 25 clock reads, each one host call (some hundreds of
    // instructions: emulator/image/modes.ts asHostCall), where the simulator's JS IO classes took thousands.
    const { device, provider } = r.figures.instructions;
    expect(provider).toBeLessThan(1.5 * device);
    expect(provider).toBeGreaterThan(0.5 * device);
  });
});

// Known failures, measured (seed 1, 0.2 h; nRF52840 profile / ESP32 profile), each with its cause:
// - CPU busy 26.6–36.2 % / 26.5–36.1 % against 25 %. Per read the device runs ~68 k instructions of its own (the
//   25-pulse loop in XS bytecode, then the sample's processing) and makes 100 GPIO and clock host calls (~69 k
//   instructions as measured host calls): ~137 k instructions × 80 reads a second is 11 M instructions a second, a
//   quarter to a third of a 64 MHz Cortex-M4 at 1.55–2.11 cycles each. Bit-banging 25 pulses through XS costs that on
//   a board too; the budget needs the ADS1220 (one SPI transfer a read) or a read in C.
// - Sampling jitter: the strain group's worst interval error is 9.8–13.3 ms / 14.4–19.6 ms against 10 ms, and 2
//   conversions are missed (read after the next one fell) in each profile: a piece of the report's work or a
//   collection running when DOUT falls holds the read back, with a third of the CPU already taken by the reads. The
//   deck group (the SHT3x every 10 s) reports 10.9 s, which is one of its 10-second slots seen as missing; not traced.
// - XS heap after collections 66,444 B / 66,688 B against 65,536 B: the strain monitor's known figure (the ADS1220
//   build reads ~66.7 KB on main, test/emulated/structural-strain.test.ts), the same firmware.
describe.each(RUNS.map((r) => r.profile))("structural-strain on an HX711 in the %s profile: the manifest's budgets", (profile) => {
  const check = (name: string) => checkBudgets(budgets, results.get(profile)!.figures).find((c) => c.name === name)!;
  for (const name of ["cpuPercent", "jitterMs", "missed", "heapBytes"]) {
    it.fails(`holds ${name} (known failure: see above)`, () => {
      expect(check(name).ok).toBe(true);
    });
  }

  it("measures the read's cost, both ends, where the known failures above say", () => {
    const r = results.get(profile)!;
    expect(r.figures.cpuBusyPercentBounds.low).toBeGreaterThan(20);
    expect(r.figures.cpuBusyPercentBounds.high).toBeLessThan(40);
    const strain = r.figures.groups.find((g) => g.group === "strain")!;
    expect(strain.missed).toBeLessThanOrEqual(2);
    expect(strain.jitterMaxUs.high).toBeLessThan(20_000);
  });
});
