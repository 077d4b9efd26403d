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

  it("passes what every run must: no crash, stack overflow or divergence, within the board's JS stack and XS heap", () => {
    const r = results.get(profile)!;
    const always = ["jsStack", "crashes", "stackOverflows", "divergences", "frames", "heapBytes"];
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

describe.each(RUNS.map((r) => r.profile))("structural-strain on an HX711 in the %s profile: the manifest's budgets", (profile) => {
  it.each(["cpuPercent", "jitterMs", "latencyMs", "missed"])("holds %s", (name) => {
    const r = results.get(profile)!;
    const strain = r.figures.groups.find((g) => g.group === "strain")!;
    console.log(profile, name, JSON.stringify({ cpu: r.figures.cpuBusyPercentBounds, jitter: strain.jitterMaxUs, missed: strain.missed, lat: r.figures.latencyMsMax, instr: r.figures.instructions, gc: r.figures.gcCollections, energy: r.figures.energy.averageMilliamps }));
    const check = checkBudgets(budgets, r.figures).find((c) => c.name === name)!;
    expect(`${check.name}: ${check.value} (limit ${check.limit}) ${check.ok}`).toMatch(/ true$/);
  });
});
