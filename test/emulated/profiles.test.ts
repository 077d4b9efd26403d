/**
 * Memory profiles and the other paths an emulated run can take: the nRF52840 profile's 256 KB (which the weather
 * station fits once XS's built-ins and its modules are preloaded into flash, and does not without), the
 * edge-counted anemometer of the nRF52840-DK (line changes replayed at their virtual times), and the
 * parse-on-device fallback.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulate, EmulateUsageError, EmulationError } from "../../emulator/host/emulate.js";
import type { EmulateResult } from "../../emulator/host/emulate.js";
import { checkBudgets } from "../../emulator/host/budgets.js";
import { PROFILES } from "../../emulator/host/profiles.js";
import { loadDevice } from "../../manifests/load.js";

const budgets = loadDevice("weather-station").manifest.budgets!;

let unprepared: EmulateResult | EmulationError;
let nrf: EmulateResult | EmulationError;
let nrfAgain: EmulateResult | EmulationError;
let edges: EmulateResult;
let source: EmulateResult;
let bytecode: EmulateResult;

// 12 minutes of virtual time: the first report (at 10 min), 2,880 wind slots and the anemometer's edges.
const NRF_HOURS = 0.2;

let dir: string;
let roomy: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ganzhi-profiles-"));
  roomy = join(dir, "roomy-esp32.json");
  writeFileSync(roomy, JSON.stringify({ name: "roomy-esp32", extends: "esp32-devkitc", description: "Test overlay: XS heaps large enough to parse the modules on the device.", memory: { creation: { chunk: 262144, heap: 16384 } } }));
  const settle = (p: Promise<EmulateResult>) => p.catch((e: unknown) => (e instanceof EmulationError ? e : Promise.reject(e)));
  const nrfRun = () => settle(emulate({ device: "weather-station", board: "nrf52840-dk", profile: "nrf52840", hours: NRF_HOURS, seed: 1 }));
  [unprepared, nrf, nrfAgain, edges, source, bytecode] = await Promise.all([
    settle(emulate({ device: "weather-station", board: "nrf52840-dk", profile: "nrf52840", hours: 0.05, seed: 1, preload: false })),
    nrfRun(),
    nrfRun(),
    emulate({ device: "weather-station", board: "nrf52840-dk", hours: 0.18, seed: 3 }),
    // Parsing on the device needs far more XS memory than any board's creation gives: an overlay with room for it.
    emulate({ device: "weather-station", board: roomy, hours: 0.1, seed: 4, program: "source" }),
    emulate({ device: "weather-station", board: roomy, hours: 0.1, seed: 4 }),
  ]);
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("memory profiles", () => {
  it("nRF52840 without preloading: the board's 128 KB static block cannot hold XS's built-ins and the modules, and running out is XS's memory-full abort, not a fault", () => {
    expect(unprepared).toBeInstanceOf(EmulationError);
    const error = unprepared as EmulationError;
    expect(error.exceeded).toBe("creation.static");
    expect(error.message).toMatch(/^board nrf52840-dk: creation\.static \(131072 bytes\) is too small/);
    expect(error.console).toMatch(/^#abort xs-memory-full from=static /m);
    expect(error.console).not.toMatch(/^#fault/m);
    // It ran out loading modules, before the device's main.
    expect(error.console).not.toMatch(/^B /m);
    const heap = Number(/^#abort xs-memory-full .* heap=(\d+)/m.exec(error.console)![1]);
    expect(heap).toBeLessThan(PROFILES.nrf52840.ramBytes);
  });

  // This failed until the image could preload (emulator/README.md, "Preparation"): loaded at boot, XS's built-ins
  // and every module's functions and classes took about 290 KB of RAM before the device's main ran.
  it("weather-station runs in the nRF52840 profile its manifest wires it for", () => {
    expect(nrf).not.toBeInstanceOf(EmulationError);
    const r = nrf as EmulateResult;
    expect(r.comparison.firstDifference).toBeUndefined();
    expect(r.comparison.identical).toBe(true);
    expect(r.frames.filter((f) => f.topic.endsWith("/senml"))).toHaveLength(1);
    expect(r.console.divergences).toEqual([]);
    expect(r.console.crashes).toEqual([]);
    const f = r.figures;
    expect(f.preload).toBe(true);
    expect(f.flashBytes).toBeLessThan(PROFILES.nrf52840.flashBytes);
    expect(f.preparationBytes).toBeGreaterThan(100_000);
    expect(f.heapPeakBytes).toBeLessThan(f.heapCapacityBytes);
    // The board's creation, exactly: a 128 KB static block growing 1 KB of chunks and 64 slots at a time; the device
    // holds well under it after collections.
    expect(f.creation).toMatchObject({ static: 131072, chunkIncrement: 1024, heapIncrement: 64, stack: 512 });
    expect(f.xsDeviceBytes).toBeGreaterThan(10_000);
    expect(f.xsDeviceBytes).toBeLessThan(f.creation.static);
    // Only what the run wrote is copied to RAM: the device keeps its state in objects its main makes, so next to
    // none of the preloaded objects that could be aliased are (the aliasing itself is tested in preload.test.ts).
    expect(f.aliases).toBeGreaterThan(1000);
    expect(f.aliased).toBeLessThan(f.aliases / 20);
    // Energy: the nRF52840 sleeps between events (System ON idle, 3 µA) and the vane's divider is powered only for
    // its readings (it drew 245 µA, three quarters of the node, while always on), so the CPU's busy time is most of it.
    const share = (state: string) => f.energy.shares.filter((s) => s.state === state).reduce((t, s) => t + s.milliampSeconds, 0);
    expect(share("load")).toBe(0);
    expect(share("cpu") / (share("cpu") + share("idle"))).toBeGreaterThan(0.5);
    expect(f.energy.averageMilliamps).toBeLessThan(0.15);
    expect(f.energy.radio).toBe(false);
    // It charges the device's work only: the CPU term's low end is the device's own instructions at the fewest
    // cycles, its high end adds the provider's at the most; the emulator's own instructions are in neither.
    const ins = f.instructions;
    const run = NRF_HOURS * 3600;
    expect(f.energy.cpuMilliamps.low).toBeCloseTo((ins.device * r.timing.cpi.best * 3.3) / 64e6 / run, 9);
    expect(f.energy.cpuMilliamps.high).toBeCloseTo(((ins.device + ins.provider) * r.timing.cpi.worst * 3.3) / 64e6 / run, 9);
    expect(f.energy.low.averageMilliamps).toBeLessThan(f.energy.averageMilliamps);
    expect(share("wake")).toBeGreaterThan(0); // every wake-up from System ON idle: 3 µs at the CPU's current
    // Within every budget of the manifest in 256 KB too (jitter included: see the edge test below), the energy
    // budget for this board among them.
    const checks = checkBudgets(budgets, f);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.find((c) => c.name === "averageMicroamps")).toMatchObject({ limit: budgets.averageMicroamps!["nrf52840-dk"], ok: true });
    // Every module, and XS's built-ins, are in flash: nothing is loaded at boot.
    expect(r.console.platform.find((l) => l.startsWith("#boot machine"))).toMatch(/ slots=\d{1,3} chunks=\d+$/);
  });

  it("an anemometer edge allocates nothing on the device's heap, so no collection runs inside one and delays a wind slot", () => {
    // The nRF52840-DK counts the anemometer with edge interrupts, tens a second. When the replay and the provider
    // made garbage per edge, one edge in four set off a 2.5 ms collection, and the wind slot behind it started up
    // to 3.7 ms late (budget 2.5 ms).
    const r = nrf as EmulateResult;
    const edgeStreams = new Set([...r.console.streams].filter(([, label]) => label.startsWith("edge:")).map(([id]) => id));
    const edgeDispatches = r.console.dispatches.filter((d) => edgeStreams.has(d.stream));
    expect(edgeDispatches.length).toBeGreaterThan(1000);
    // The first edge names its stream (a label and a map entry); after that, none allocates a slot or a chunk byte
    // (a record can show a few bytes fewer: XS trimmed a chunk), and none collects.
    expect(edgeDispatches.slice(1).filter((d) => d.slots !== 0 || d.chunkBytes > 0 || d.gcUs !== 0)).toEqual([]);
  });

  it("is deterministic in the nRF52840 profile too: a second run gives the same console records and figures", () => {
    const [a, b] = [nrf as EmulateResult, nrfAgain as EmulateResult];
    expect(b.image.firmware.elf).toBe(a.image.firmware.elf);
    expect(b.console.dispatches).toEqual(a.console.dispatches);
    const strip = (r: EmulateResult) => ({ ...r.figures, wallSeconds: undefined });
    expect(strip(b)).toEqual(strip(a));
  });
});

describe("replay paths", () => {
  it("refuses a board on another platform's profile, in one line, before simulating anything", async () => {
    await expect(emulate({ device: "weather-station", board: "nrf52840-dk", profile: "mps2-4m", hours: 1, seed: 1 })).rejects.toThrow(EmulateUsageError);
    await expect(emulate({ device: "weather-station", board: "nrf52840-dk", profile: "mps2-4m", hours: 1, seed: 1 })).rejects.toThrow(
      /^board nrf52840-dk \(nrf52\) runs on profile nrf52840, not mps2-4m$/,
    );
    await expect(emulate({ device: "weather-station", board: "esp32-devkitc", profile: "nrf52840", hours: 1, seed: 1 })).rejects.toThrow(EmulateUsageError);
  });

  it("refuses a recording made on another board", async () => {
    const rec = (nrf as EmulateResult).recording;
    await expect(emulate({ device: "weather-station", board: "esp32-devkitc", hours: rec.hours, seed: rec.seed, recording: rec })).rejects.toThrow(
      /^the recording was made on board nrf52840-dk, not esp32-devkitc: replay it with --board nrf52840-dk or record one for esp32-devkitc$/,
    );
  });

  it("nRF52840-DK board (anemometer on edge interrupts, each replayed at its virtual time): the simulator's frames", () => {
    expect(edges.recording.lineChanges.length).toBeGreaterThan(300);
    expect(edges.console.divergences).toEqual([]);
    expect(edges.comparison.identical).toBe(true);
    expect(edges.frames.length).toBeGreaterThanOrEqual(2);
    // Every recorded line change was dispatched as an event of its own...
    const [id] = [...edges.console.streams].find(([, label]) => label.startsWith("edge:"))!;
    expect(edges.console.dispatches.filter((d) => d.stream === id)).toHaveLength(edges.recording.lineChanges.length);
    // ...and the device's code ran on the edges it listens for (the anemometer counts one edge of each pulse): those
    // are the board's interrupts, each costing the device instructions; the other edges wake nothing on a board.
    const stream = edges.analysis.streams.find((s) => s.stream === id)!;
    expect(stream.dispatches).toBe(edges.recording.lineChanges.length / 2);
    expect(stream.instructions.mean).toBeGreaterThan(1000);
  });

  it("parse-on-device fallback (on a board overlay with the XS memory for it): the modules' source parsed on the MCU sends the same frames, and costs RAM and boot time", () => {
    expect(source.figures.program).toBe("source");
    expect(source.comparison.identical).toBe(true);
    expect(source.frames.map((f) => f.hex)).toEqual(bytecode.frames.map((f) => f.hex));
    expect(source.figures.heapPeakBytes).toBeGreaterThan(bytecode.figures.heapPeakBytes);
    expect(source.figures.bootUs).toBeGreaterThan(2 * bytecode.figures.bootUs);
  });
});
