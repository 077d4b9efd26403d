/**
 * The strain monitor's HX711 build (examples/devices/structural-strain-hx711.json) on the emulated Cortex-M4, in the
 * nRF52840 profile (nrf52840-dk) and the ESP32 one (esp32-devkitc on mps2-4m): 12 minutes replayed from the
 * simulator's recording, long enough for the first 10-minute report.
 *
 * At each DOUT fall (80 a second) the driver reads the HX711 with the host's ClockedSerial (hal/io.ts): one host call
 * whose 25 PD_SCK pulses are C, here emulator/firmware/clocked_serial.c on the emulated Cortex-M4 as on a board
 * hal/moddable/native/clockedserial.c. DOUT's bits answer the device's own PD_SCK writes (two a pulse), so the
 * recording keeps each with the write it answers, and the C consumes them in that order in place
 * (simulator/core/io/lines.ts PinWorld, emulator/image/world.ts WriteAnswers): one dispatch per sample.
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

// The emulator's own work is large (the replay, the event engine and the console records: about 12 G instructions in
// 12 minutes), beyond what the default wall-clock limit allows on a shared machine.
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

  it("reads each conversion in one dispatch: DOUT's data bits are the ones the part made inside the PD_SCK writes they answer", () => {
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

  it("runs the pulse train in C as the provider, its 1 µs phases included, at a fraction of the device's own work", () => {
    const r = results.get(profile)!;
    const dout = doutOf(r);
    const reads = r.recording.lineChanges.filter(([pin, , level, timing]) => pin === dout && level === 0 && timing !== undefined && timing < 3).length;
    // 25 pulses of two 1 µs phases spun on the clock: 50 µs a read, 3,125 instructions at 16 ns each, charged to the
    // provider with the C around them and the provider's JS (the simulator's ClockedSerial class: more than a
    // board's host call, on the side of failing). When the driver made the pulses in XS, 100 GPIO and clock host
    // calls a read took ~69 k instructions and the provider's share was about the device's.
    const { device, provider } = r.figures.instructions;
    expect(provider).toBeGreaterThan(reads * 3_125);
    expect(provider).toBeLessThan(0.5 * device);
    expect(provider / reads).toBeLessThan(25_000);
  });
});

// CPU busy holds in both profiles since the read is one native call (15.1–20.6 % / 15.1–20.5 % against 25 %; it was
// 26.6–36.2 % / 26.5–36.1 % with the 25 pulses bit-banged from XS, 100 GPIO and clock host calls a read).
// Known failures, measured (seed 1, 0.2 h; nRF52840 profile / ESP32 profile), each with its cause:
// - Sampling jitter: the strain group's worst interval error is 14.6–19.8 ms / 14.4–19.6 ms against 10 ms, and 3 / 2
//   conversions are missed (4 / 2 once host.cipher joined the provider: collections fall elsewhere), read after the
//   next one fell: a collection inside an event holds a read back (the
//   longest collection within one event is 95 ms / 23 ms of emulated time), as in the ADS1220 build
//   (test/emulated/structural-strain.test.ts), not the read, which is now one native call. The deck group (the SHT3x
//   every 10 s) reports 10.9 s, which is one of its 10-second slots seen as missing; not traced.
// - XS heap after collections 66,420 B / 66,676 B against 65,536 B: the strain monitor's known figure (the ADS1220
//   build reads ~66.7 KB on main, test/emulated/structural-strain.test.ts), the same firmware.
describe.each(RUNS.map((r) => r.profile))("structural-strain on an HX711 in the %s profile: the manifest's budgets", (profile) => {
  const check = (name: string) => checkBudgets(budgets, results.get(profile)!.figures).find((c) => c.name === name)!;
  it("holds cpuPercent", () => {
    expect(check("cpuPercent").ok).toBe(true);
  });

  for (const name of ["jitterMs", "missed", "heapBytes"]) {
    it.fails(`holds ${name} (known failure: see above)`, () => {
      expect(check(name).ok).toBe(true);
    });
  }

  it("measures the read's cost, both ends, where the figures above say", () => {
    const r = results.get(profile)!;
    expect(r.figures.cpuBusyPercentBounds.low).toBeGreaterThan(12);
    expect(r.figures.cpuBusyPercentBounds.high).toBeLessThan(25);
    const strain = r.figures.groups.find((g) => g.group === "strain")!;
    expect(strain.missed).toBeLessThanOrEqual(4);
    expect(strain.jitterMaxUs.high).toBeLessThan(21_000);
  });
});
