/**
 * An emulated run, end to end: simulate the device for the same seed and hours while recording what reached it
 * (simulator/node/record.ts), build its image for the board and memory profile, run it in QEMU with the recording
 * replayed, then read the console: the uplink frames (compared with the simulator's, byte for byte) and the
 * timing, CPU and memory figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { isSenmlTopic, isTelemetryTopic } from "../../runtime/node/topics.js";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadBoard, loadDevice, resolveNode } from "../../manifests/load.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import { getPart } from "../../manifests/schema/parts.js";
import { FrameLog } from "../../simulator/node/frame-log.js";
import type { Frame } from "../../simulator/node/frame-log.js";
import { MqttTap } from "../../simulator/node/mqtt-tap.js";
import { recordSim } from "../../simulator/node/record.js";
import type { Recording } from "../../simulator/node/record.js";
import { analyze } from "./analyze.js";
import type { Analysis } from "./analyze.js";
import { boardTiming } from "./board-timing.js";
import type { BoardTiming } from "./board-timing.js";
import type { XsCreation } from "./creation.js";
import { parseConsole } from "./console.js";
import type { ImageConsole } from "./console.js";
import { estimateEnergy } from "./energy.js";
import type { EnergyEstimate } from "./energy.js";
import { buildDeviceImage, ProfileMismatchError } from "./image.js";
import type { DeviceImage } from "./image.js";
import { memoryFull } from "./creation.js";
import type { ProgramKind } from "./program.js";
import { profileForPlatform } from "./profiles.js";
import { runQemu } from "./qemu.js";
import { bounds } from "./timeline.js";
import type { Bounds } from "./timeline.js";
import { replayBlob } from "./replay-file.js";
import { loraFrames } from "./lora-frames.js";
import { compareFrames, type FrameComparison } from "./frame-compare.js";
import { nbiotFrames } from "./nbiot-frames.js";
import { rxWindows } from "./rx-windows.js";
import type { RadioWiring, RxWindowFigures } from "./rx-windows.js";
import type { PartState } from "./energy.js";
import type { ReplayFigures } from "./replay-file.js";

export interface EmulateOptions {
  device: string;
  /** The board; with a recording, if given, it must be the recording's. */
  board: string;
  /** The memory profile; default (and the only one accepted): the board's platform's (profiles.ts). */
  profile?: string;
  hours: number;
  seed: number;
  program?: ProgramKind;
  /** Preload XS's built-ins and every module into flash (default: yes for bytecode; emulator/host/prepare.ts). */
  preload?: boolean;
  /** External broker for the recording run (default: the embedded one). */
  broker?: string;
  /** Replay this recording instead of simulating now (its device, board, seed and hours win). */
  recording?: Recording;
  /** Frames the recording's run sent, to compare with (given with `recording`, or from the simulation here). */
  simFrames?: Frame[];
  timeoutMs?: number;
  /** Print who holds XS's live slots after the run's last collection (`#census` lines, firmware/census.c). */
  census?: boolean;
  onStage?: (stage: string) => void;
}


export interface GroupRow {
  group: string;
  periodMs: number;
  slots: number;
  /** Run phase (after the first 10 s), on the board's clock: period jitter of the slots (|interval − period|), µs, the
   * low and high ends over the timing model's two cases (board-timing.ts, timeline.ts). */
  jitterP99Us: Bounds;
  jitterMaxUs: Bounds;
  /** Handler start − board due of the slots, worst, in the run phase and the boot phase, µs. */
  latenessMaxUs: Bounds;
  bootLatenessMaxUs: Bounds;
  /** Slots started a period or more late, in the case with more of them. */
  missed: number;
  bootMissed: number;
  /** Device + provider instructions of one cycle (the emulator's own left out). */
  instructionsPerCycleMean: number;
  instructionsPerCycleMax: number;
}

export interface EmulateFigures {
  device: string;
  board: string;
  profile: string;
  seed: number;
  hours: number;
  program: ProgramKind;
  /** XS's built-ins and every module prepared ahead of time, in flash (Moddable's preload), or loaded at boot. */
  preload: boolean;
  flashBytes: number;
  programBytes: number;
  /** Flash the preparation takes (0 without preload). */
  preparationBytes: number;
  /** Objects and `let` bindings of the preparation that get a copy in RAM when written (XS aliasing); the alias
   * table is this many pointers of RAM. 0 without preload. */
  aliases: number;
  /** Of those, how many the run wrote and so copied to RAM (at the end of the run). */
  aliased: number;
  ramBytes: number;
  /** RAM left for the heap after the C stack, .data and .bss. */
  heapCapacityBytes: number;
  /** Heap in use once every module was loaded, before the device's main. With preload: the XS machine cloned from
   * the preparation in flash (its stack, first heap blocks, alias table); without: XS, the built-ins and every
   * module's objects, all in RAM. */
  heapModulesBytes: number;
  /** Heap in use once the device's main returned. */
  heapBootBytes: number;
  /** Heap high-water mark over the run (the break never moves down, so it is the run-phase peak). */
  heapPeakBytes: number;
  xsChunksPeakBytes: number;
  xsSlotsPeakBytes: number;
  cStackPeakBytes: number;
  cStackBytes: number;
  /** JS stack slots the device used at the deepest, counted from its callbacks' entry (at most this), against the
   * board's creation.stack, which the image enforces from that entry (firmware/natives.c). */
  jsStackPeakSlots: number;
  jsStackBoardSlots: number;
  /** The board's XS creation as its build gives it (creation.ts): what the image ran with. */
  creation: XsCreation;
  /** The board's XS static block (Moddable `creation.static`), 0 when it has none. */
  boardStaticBytes: number;
  /** XS memory the device (and the machine) held after collections, peak, bytes: within the creation by construction. */
  xsDeviceBytes: number;
  /** What the image's own JS held when the device booted, outside the board's budget (firmware/budget.c). */
  harnessSlots: number;
  harnessChunkBytes: number;
  /** The board's clock as modelled (board-timing.ts). */
  timing: { tickHz: number; wakeUs: Bounds; cpi: Bounds; coreHz: number; sleeps: boolean; source: string };
  /** CPU busy with the device's work on the board, % of the run: the high end (budgets use it), and both ends. */
  cpuBusyPercent: number;
  cpuBusyPercentBounds: Bounds;
  /** Instructions the emulated CPU ran for the device, for its provider, and for the emulator itself (not charged). */
  instructions: { device: number; provider: number; harness: number };
  /** XS garbage collections over the run, their share of busy time, and the longest one inside a single event. */
  gcCollections: number;
  gcPercentOfBusy: number;
  gcMaxMs: number;
  groups: GroupRow[];
  /** Sample-to-uplink on the board: report slot due → PUBLISH handed to the socket, ms (low and high ends). */
  latencyMsP99: Bounds;
  latencyMsMax: Bounds;
  /** Telemetry frames the latency was measured on (0: nothing to measure). */
  latencySamples: number;
  reportInstructionsMax: number;
  frames: number;
  /** Of them, telemetry (SenML) frames. */
  telemetryFrames: number;
  framesIdentical: boolean;
  divergences: number;
  crashes: number;
  /** Times XS's JS or C stack overflowed (the image's `#stack-overflow`): XS throws a RangeError the device may
   * catch and carry on, so it is counted apart from crashes, and fails the run as it would fail the board. */
  stackOverflows: number;
  /** Reset to the device's main: XS machine, program, provider, µs. */
  bootUs: number;
  /** Supply current and energy from the time in each power state and the board's currents (energy.ts). */
  energy: EnergyEstimate;
  /** The uplink's link on this board (the device manifest's choice). */
  link: string;
  /** A LoRaWAN node's class A windows on the board's clock, join and airtime (rx-windows.ts); absent for other links. */
  lorawan?: RxWindowFigures;
  wallSeconds: { simulate: number; build: number; emulate: number };
}

export interface EmulateResult {
  figures: EmulateFigures;
  timing: BoardTiming;
  analysis: Analysis;
  console: ImageConsole;
  frames: Frame[];
  simFrames: Frame[];
  comparison: FrameComparison;
  image: DeviceImage;
  recording: Recording;
  replay: ReplayFigures;
  qemu: { exitCode: number; wallMs: number; timedOut: boolean };
}

export class EmulationError extends Error {
  readonly console: string;
  /** The creation parameter an XS memory-full abort exceeded (creation.heap, creation.chunk, creation.static, RAM). */
  readonly exceeded: string | undefined;
  constructor(message: string, consoleText: string, exceeded?: string) {
    super(message);
    this.console = consoleText;
    this.exceeded = exceeded;
  }
}

/**
 * How long QEMU may run before the run counts as hung, wall ms: a minute, two per virtual hour, and a millisecond per
 * recorded event the device handles (a strain gauge's 90 samples a second are 650,000 SPI transactions and
 * data-ready edges an hour, which take the emulator about 4 minutes on an idle 2-core machine).
 */
export function qemuTimeoutMs(hours: number, replay: ReplayFigures): number {
  const events = replay.i2cTransactions + replay.spiTransactions + replay.analogReads + replay.pulseReads + replay.lineChanges + replay.uartDeliveries + replay.netEvents;
  return 60_000 + hours * 120_000 + events;
}

/** `emulate` asked for what cannot run: a board on another platform's profile, a recording of another board. */
export class EmulateUsageError extends Error {}

/** The image's uplink as the frame log `ganzhi sim --out` writes, decoded by the same independent parsers. */
export function framesFromConsole(c: ImageConsole, node: string): Frame[] {
  const mqtt = new MqttTap();
  const log = new FrameLog(mqtt, isSenmlTopic);
  for (const w of c.wire) mqtt.tap({ node, connection: w.conn + 1, dir: w.dir, bytes: w.bytes, at: w.at });
  return log.frames;
}


/** The LoRaWAN transceiver as the manifest wired it, and where its transactions are in the recording. */
export function radioWiring(config: NodeConfig, recording: Recording): RadioWiring | undefined {
  const uplink = config.uplink;
  if (uplink.link !== "lorawan" || !uplink.lorawan) return undefined;
  const part = config.parts[uplink.lorawan.radio] as { io?: string; bus?: string; select?: number; hz?: number; pins?: Record<string, number> } | undefined;
  if (!part || part.io !== "spi" || part.pins?.busy === undefined || part.pins.dio1 === undefined) return undefined;
  const target = (recording.spi ?? []).findIndex((t) => t.bus === part.bus && t.select === part.select);
  if (target < 0) return undefined;
  const identity = (recording.config as { uplink?: { lorawan?: { identity?: { appKey?: string } } } }).uplink?.lorawan?.identity;
  // The SX126x takes SPI up to 16 MHz (DS.SX1261-2 §8.2); the driver asks for the bus's clock up to that.
  return { target, busy: part.pins.busy, dio1: part.pins.dio1, spiHz: Math.min(part.hz ?? 1e6, 16e6), ...(identity?.appKey ? { appKey: identity.appKey } : {}) };
}

/** Time in each power state of the parts whose models keep it (the SX1262's residency), for the energy estimate. */
export function partStates(recording: Recording): PartState[] {
  return (recording.partStates ?? []).flatMap((p) =>
    p.states
      .filter((s) => s.us > 0)
      .map((s) => ({
        part: `${p.role} (${p.part})`,
        state: s.state,
        milliamps: s.milliamps,
        seconds: s.us / 1e6,
        source: p.part === "sx1262" ? "DS.SX1261-2 Tables 3-5, 3-6 (parts/sx1262/model.ts)" : `parts/${p.part}/model.ts`,
      })),
  );
}

/** What the device's analog parts drew from the supply, from the volts their pins read in the recording. */
export function partLoads(config: NodeConfig, recording: Recording): { name: string; milliamps: number }[] {
  const loads: { name: string; milliamps: number }[] = [];
  for (const [role, p] of Object.entries(config.parts)) {
    const part = getPart(p.part);
    // A part on a switched supply is powered only for the microseconds of a reading: nothing worth counting.
    if (p.io !== "analog" || p.powerPin !== undefined || !part?.analogDrawMilliamps) continue;
    const volts = recording.analog.find((a) => a.pin === p.pin)?.volts ?? [];
    if (volts.length === 0) continue;
    // The pin is read on a fixed period, so the mean over the readings is the mean over time.
    const total = volts.reduce((a, v) => a + part.analogDrawMilliamps!(p.options, v), 0);
    loads.push({ name: `${role} (${p.part})`, milliamps: total / volts.length });
  }
  return loads;
}

/** The board and profile a run uses, refused in one line when they cannot go together (item: wrong profile, a
 * recording of another board). */
export function resolveTarget(o: { board?: string; profile?: string; recording?: Recording }): { board: string; profile: string } {
  const recorded = o.recording ? loadBoard(o.recording.board).name : undefined;
  const board = o.board ?? o.recording?.board;
  if (board === undefined) throw new EmulateUsageError("no board given");
  const loaded = loadBoard(board);
  if (recorded !== undefined && loaded.name !== recorded) {
    throw new EmulateUsageError(`the recording was made on board ${recorded}, not ${loaded.name}: replay it with --board ${recorded} or record one for ${loaded.name}`);
  }
  const expected = profileForPlatform(loaded.manifest.platform, loaded.name);
  if (o.profile !== undefined && o.profile !== expected) {
    throw new EmulateUsageError(`board ${loaded.name} (${loaded.manifest.platform}) runs on profile ${expected}, not ${o.profile}`);
  }
  return { board: o.recording?.board ?? board, profile: expected };
}

export async function emulate(o: EmulateOptions): Promise<EmulateResult> {
  const t0 = performance.now();
  // Refuse what cannot run before simulating an hour of it.
  const target = resolveTarget({ board: o.board, ...(o.profile !== undefined ? { profile: o.profile } : {}), ...(o.recording ? { recording: o.recording } : {}) });
  const timing = boardTiming(loadBoard(target.board).manifest);
  let recording = o.recording;
  let simFrames = o.simFrames ?? recording?.frames ?? [];
  if (!recording) {
    o.onStage?.("simulating and recording");
    const r = await recordSim({ device: o.device, board: target.board, hours: o.hours, seed: o.seed, ...(o.broker ? { broker: o.broker } : {}) });
    recording = r.recording;
    simFrames = r.result.frames;
  }
  const t1 = performance.now();
  o.onStage?.("building the image");
  const image = await buildDeviceImage({
    device: recording.device,
    board: recording.board,
    profile: target.profile,
    ...(o.program ? { program: o.program } : {}),
    ...(o.preload !== undefined ? { preload: o.preload } : {}),
  }).catch((e: unknown) => Promise.reject(e instanceof ProfileMismatchError ? new EmulateUsageError(e.message) : e));
  const { blob, figures: replay } = replayBlob(recording);
  const t2 = performance.now();
  o.onStage?.("running in QEMU");
  const dir = mkdtempSync(path.join(tmpdir(), "ganzhi-emulate-"));
  let q;
  try {
    const file = path.join(dir, "replay.bin");
    writeFileSync(file, blob);
    q = await runQemu(image.firmware.elf, { replay: file, ...(o.census ? { append: "census" } : {}), timeoutMs: o.timeoutMs ?? qemuTimeoutMs(recording.hours, replay) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const t3 = performance.now();
  const c = parseConsole(q.console);
  if (q.timedOut) throw new EmulationError(`QEMU did not finish within ${Math.round(q.wallMs / 1000)} s`, q.console);
  const full = memoryFull(q.console, image.creation, loadBoard(recording.board).name);
  if (full) throw new EmulationError(full.message, q.console, full.parameter);
  if (!c.summary) {
    const why = c.platform.find((l) => /^#(abort|fault)/.test(l)) ?? c.other.slice(-3).join(" | ") ?? "";
    throw new EmulationError(`the image stopped before the end of the run (exit code ${q.exitCode})${why ? `: ${why}` : ""}`, q.console);
  }

  const loadedBoard = loadBoard(recording.board);
  const board = loadedBoard.manifest;
  const device = resolveNode(loadDevice(recording.device), loadedBoard).config;
  const sampling: Record<string, number> = {};
  for (const [name, g] of Object.entries(device.sampling)) sampling[name] = g.intervalMs;
  const radio = radioWiring(device, recording);
  // An NB-IoT node's uplink is the datagrams it writes to its modem's serial port (nbiot-frames.ts).
  const modemRole = device.uplink.link === "nbiot" ? device.uplink.nbiot?.modem : undefined;
  const modemPort = modemRole ? (device.parts[modemRole] as { bus?: string } | undefined)?.bus : undefined;
  const nbiot = modemPort ? nbiotFrames(recording, c, modemPort, simFrames) : undefined;
  const lora = radio ? loraFrames(recording, c, radio.target, radio.appKey, simFrames) : undefined;
  const linked = lora ?? nbiot;
  const analysis = analyze(c, {
    sampling,
    reportIntervalS: device.reporting.intervalS,
    endUs: recording.endUs,
    isTelemetry: isTelemetryTopic,
    timing,
    ...(radio ? { spiHz: radio.spiHz } : {}),
    ...(linked ? { telemetryWrites: linked.telemetryWrites } : {}),
  });
  const frames = linked ? linked.frames : framesFromConsole(c, recording.id);
  const comparison = linked ? linked.comparison : compareFrames(simFrames, frames);
  const lorawan = radio ? rxWindows(recording, c, analysis.timeline, timing, radio) : undefined;
  const s = c.summary as { memory: { atBoot: number[]; atEnd: number[] }; divergences: number; crashes: number; bootUs: number; sleptUs?: number; boots?: number };
  // CPU energy: the device's own instructions at the fewest cycles each, up to the device's and its provider's at
  // the most (energy.ts); waking costs the start-up time each time the board slept. A wake from deep sleep is a
  // reboot: besides main's instructions (counted with the device's), the reset to main (the image's boot time).
  const perUs = (cpi: number) => cpi / (timing.coreHz / 1e6);
  const ins = analysis.instructions;
  const rebootUs = s.sleptUs ? Math.max(0, (s.boots ?? 1) - 1 - s.crashes) * s.bootUs : 0;
  const idleWakes = bounds({ fast: analysis.timeline.wakeups.fast * timing.wakeUs.best, slow: analysis.timeline.wakeups.slow * timing.wakeUs.worst });
  const energy = estimateEnergy(board.power, board.network, {
    runUs: recording.endUs,
    cpuUs: { low: ins.device * perUs(timing.cpi.best), high: (ins.device + ins.provider) * perUs(timing.cpi.worst) },
    wakeUs: { low: idleWakes.low + rebootUs, high: idleWakes.high + rebootUs },
    deepSleepUs: s.sleptUs ?? 0,
    txPackets: c.tx.map((t) => t.bytes.length),
    rxPackets: c.rx.flatMap((r) => (r.bytes ? [r.bytes.length] : [])),
    loads: partLoads(device, recording),
    states: partStates(recording),
  });
  const end = s.memory.atEnd;
  const modulesHeap = Number((c.boot?.memory as number[] | undefined)?.[0] ?? 0);
  const busy = bounds(analysis.cpuBusyPercent);
  const toMs = (p: { fast: { p99: number; max: number }; slow: { p99: number; max: number } }, k: "p99" | "max") => bounds({ fast: p.fast[k], slow: p.slow[k] });
  const figures: EmulateFigures = {
    device: recording.device,
    board: recording.board,
    profile: image.profile.name,
    seed: recording.seed,
    hours: recording.hours,
    program: image.program.kind,
    preload: image.preparation !== undefined,
    flashBytes: image.firmware.flashBytes,
    programBytes: image.firmware.sections.program,
    preparationBytes: image.preparation ? image.firmware.sections.preparation : 0,
    aliases: image.preparation?.aliases ?? 0,
    aliased: c.end?.aliased ?? 0,
    ramBytes: image.profile.ramBytes,
    heapCapacityBytes: image.firmware.heapBytes,
    heapModulesBytes: modulesHeap,
    heapBootBytes: s.memory.atBoot[0] ?? 0,
    heapPeakBytes: end[1] ?? 0,
    xsChunksPeakBytes: end[5] ?? 0,
    xsSlotsPeakBytes: end[6] ?? 0,
    cStackPeakBytes: c.end?.stackPeak ?? end[3] ?? 0,
    cStackBytes: end[4] ?? 0,
    jsStackPeakSlots: c.end && c.end.deviceEntry >= 0 ? c.end.jsStackPeak - c.end.deviceEntry : (end[7] ?? 0),
    jsStackBoardSlots: image.creation.stack,
    creation: image.creation,
    boardStaticBytes: image.creation.static,
    xsDeviceBytes: c.end?.deviceXs ?? 0,
    harnessSlots: c.harness?.slots ?? 0,
    harnessChunkBytes: c.harness?.chunks ?? 0,
    timing: {
      tickHz: timing.tickHz,
      wakeUs: { low: timing.wakeUs.best, high: timing.wakeUs.worst },
      cpi: { low: timing.cpi.best, high: timing.cpi.worst },
      coreHz: timing.coreHz,
      sleeps: timing.sleeps,
      source: timing.source,
    },
    cpuBusyPercent: busy.high,
    cpuBusyPercentBounds: busy,
    instructions: ins,
    gcCollections: end[9] ?? 0,
    gcPercentOfBusy: analysis.gcPercentOfBusy,
    gcMaxMs: analysis.gcMaxUs / 1000,
    groups: analysis.groups.map((g) => ({
      group: g.group,
      periodMs: g.periodMs,
      slots: g.slots,
      jitterP99Us: toMs(g.jitterUs, "p99"),
      jitterMaxUs: toMs(g.jitterUs, "max"),
      latenessMaxUs: bounds(g.latenessMaxUs),
      bootLatenessMaxUs: bounds(g.bootLatenessMaxUs),
      missed: Math.max(g.missed.fast, g.missed.slow),
      bootMissed: Math.max(g.bootMissed.fast, g.bootMissed.slow),
      instructionsPerCycleMean: g.instructionsPerCycle.mean,
      instructionsPerCycleMax: g.instructionsPerCycle.max,
    })),
    latencyMsP99: toMs(analysis.latencyMs, "p99"),
    latencyMsMax: toMs(analysis.latencyMs, "max"),
    latencySamples: analysis.latencyMs.slow.count,
    reportInstructionsMax: analysis.reportInstructions.max,
    frames: frames.length,
    telemetryFrames: frames.filter((f) => isTelemetryTopic(f.topic)).length,
    framesIdentical: comparison.identical,
    divergences: s.divergences,
    crashes: s.crashes,
    stackOverflows: c.platform.filter((l) => l.startsWith("#stack-overflow")).length,
    bootUs: s.bootUs,
    energy,
    link: device.uplink.link,
    ...(lorawan ? { lorawan } : {}),
    wallSeconds: { simulate: (t1 - t0) / 1000, build: (t2 - t1) / 1000, emulate: (t3 - t2) / 1000 },
  };
  return {
    figures,
    timing,
    analysis,
    console: c,
    frames,
    simFrames,
    comparison,
    image,
    recording,
    replay,
    qemu: { exitCode: q.exitCode, wallMs: q.wallMs, timedOut: q.timedOut },
  };
}
