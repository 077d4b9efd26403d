/**
 * `ganzhi emulate <device>`: the device firmware on XS bare-metal on an emulated Cortex-M4 (QEMU mps2-an386),
 * fed the inputs the simulator recorded for the same seed, with deterministic time; prints timing, CPU and memory
 * figures and checks the uplink frames against the simulator's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { EnergyEstimate } from "../../emulator/host/energy.js";
import type { Bounds } from "../../emulator/host/timeline.js";
import { loadDevice, ManifestError } from "../../manifests/load.js";
import { UsageError } from "../cli/args.js";
import type { Command } from "../cli/command.js";
import { manifestArg } from "../cli/manifest-arg.js";
import { int } from "../../simulator/node/figures.js";

const kb = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1048576).toFixed(1)} MB` : `${(n / 1024).toFixed(0)} KB`);
const ms = (us: number): string => (us >= 100_000 ? `${(us / 1000).toFixed(0)}` : (us / 1000).toFixed(2));

/** "a–b" of a figure's bounds, or one value when both ends agree at the shown precision. */
function span(low: string, high: string): string {
  return low === high ? low : `${low}–${high}`;
}
const msSpan = (b: Bounds): string => span(ms(b.low), ms(b.high));

export const emulateCommand: Command = {
  name: "emulate",
  summary: "run a device's firmware on XS on an emulated Cortex-M4 (QEMU), replaying the simulator's inputs",
  usage: "<device> [options]",
  description: [
    "Simulates the device for --hours with --seed while recording what reached it (I2C and SPI transactions, ADC",
    "volts, pulse counts, edges, broker traffic), builds a firmware image (XS for Cortex-M4F with the board's XS creation as",
    "its Moddable build gets it, the bytecode compiled on the host, the project's bare-metal platform layer) for the",
    "board's memory profile, runs it in qemu-system-arm -M mps2-an386 with -icount shift=4,sleep=off (deterministic),",
    "replaying the recording, and prints: flash, memory, CPU busy, sampling jitter (p99/max after the first 10 s) and",
    "sample-to-uplink latency on the board's clock (its RTOS tick, wake-up time and a Cortex-M4's cycles per",
    "instruction, as a range), and an energy estimate charging the device's own work. The uplink frames must be",
    "byte-identical to the simulator's; --out writes them as `ganzhi sim --out` does.",
    "A LoRaWAN node's SPI conversation with its SX1262 and the BUSY/DIO1 edges are replayed too, and each uplink's",
    "RX1 and RX2 openings are timed on the board's clock against TxDone + RECEIVE_DELAY1/2 (JOIN_ACCEPT_DELAY1/2 for a",
    "join): error p50/p99/max as a range, whether each window would catch a preamble sent on time, the join, airtime",
    "per uplink; its PHY payloads must equal the simulator's and the broker's frames decrypt from them (lora-packet).",
    "Needs Debian's qemu-system-arm, gcc-arm-none-eabi and libnewlib-arm-none-eabi.",
  ].join("\n"),
  options: [
    { name: "profile", kind: "string", value: "name", help: "memory profile: mps2-4m (ESP32 boards) or nrf52840 (nRF52 boards); default: the board's" },
    { name: "board", kind: "string", value: "name|file.json", help: "board name, or the path of a board file (default: esp32-devkitc; nrf52840-dk with --profile nrf52840; with --replay, the recording's)" },
    { name: "hours", kind: "number", value: "H", help: "virtual hours to run", default: 1 },
    { name: "seed", kind: "number", value: "S", help: "seed of the simulation that is replayed", default: 1 },
    { name: "replay", kind: "string", value: "file.json", help: "replay a recording from `ganzhi sim --record` instead of simulating" },
    { name: "program", kind: "string", value: "kind", help: "bytecode (compiled on the host) or source (parsed on the device)", default: "bytecode" },
    { name: "out", kind: "string", value: "file.jsonl", help: "write the image's uplink frames as JSON lines (the `ganzhi sim --out` format)" },
    { name: "census", kind: "boolean", help: "after the run's last collection, list who holds XS's live slots and the chunks they point to (constructors, functions, loose slots by kind; the harness's own objects included, under their names)" },
    { name: "json", kind: "boolean", help: "print the figures as JSON" },
    { name: "quiet", kind: "boolean", short: "q", help: "no progress lines" },
  ],
  async run(args, ctx) {
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
    const { PROFILE_NAMES } = await import("../../emulator/host/profiles.js");
    const profileOption = args.options.profile as string | undefined;
    if (profileOption !== undefined && !PROFILE_NAMES.includes(profileOption as never)) {
      throw new UsageError(`unknown --profile "${profileOption}"; profiles: ${PROFILE_NAMES.join(", ")}`);
    }
    const program = args.options.program as string;
    if (program !== "bytecode" && program !== "source") throw new UsageError(`--program must be bytecode or source, got "${program}"`);
    const hours = args.options.hours as number;
    const seed = args.options.seed as number;
    if (!(hours > 0)) throw new UsageError(`--hours must be > 0, got ${hours}`);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer 0…4294967295, got ${seed}`);

    let recording: import("../../simulator/node/record.js").Recording | undefined;
    let device: string;
    let board: string;
    if (args.options.replay) {
      const file = resolve(ctx.cwd, args.options.replay as string);
      recording = JSON.parse(readFileSync(file, "utf8")) as typeof recording;
      if (recording?.format !== "ganzhi-recording") throw new UsageError(`${file} is not a recording from \`ganzhi sim --record\``);
      device = recording.device;
      board = args.options.board !== undefined ? manifestArg("board", args.options.board as string, ctx) : recording.board;
      if (args.positionals[0] && args.positionals[0] !== device) throw new UsageError(`the recording is of ${device}, not ${args.positionals[0]}`);
    } else {
      device = manifestArg("device", args.positionals[0], ctx);
      const wired = Object.keys((loadDevice(device).manifest as { wiring: Record<string, unknown> }).wiring);
      const fallback = profileOption === "nrf52840" ? (wired.find((b) => b.startsWith("nrf52840")) ?? "esp32-devkitc") : "esp32-devkitc";
      board = manifestArg("board", (args.options.board as string | undefined) ?? fallback, ctx);
    }
    const { emulate, EmulationError, EmulateUsageError, resolveTarget } = await import("../../emulator/host/emulate.js");
    // A board on another platform's profile, a recording of another board: one line each, before anything runs.
    try {
      resolveTarget({ board, ...(profileOption !== undefined ? { profile: profileOption } : {}), ...(recording ? { recording } : {}) });
    } catch (e) {
      if (e instanceof EmulateUsageError) throw new UsageError(e.message);
      throw e;
    }
    const outPath = args.options.out ? resolve(ctx.cwd, args.options.out as string) : undefined;
    const quiet = Boolean(args.options.quiet) || Boolean(args.options.json);
    const { checkBudgets } = await import("../../emulator/host/budgets.js");
    const { MissingToolError } = await import("../../emulator/host/toolchain.js");
    const { TimingModelError } = await import("../../emulator/host/board-timing.js");
    try {
      const r = await emulate({
        device,
        board,
        ...(profileOption !== undefined ? { profile: profileOption } : {}),
        hours,
        seed,
        program,
        ...(args.options.census ? { census: true } : {}),
        ...(recording ? { recording } : {}),
        onStage: (stage) => {
          if (!quiet) ctx.io.err(`${device}: ${stage}\n`);
        },
      });
      const f = r.figures;
      const budgets = loadDevice(f.device).manifest.budgets;
      const checks = checkBudgets(budgets, f);
      if (outPath) writeFileSync(outPath, r.frames.map((x) => JSON.stringify(x)).join("\n") + (r.frames.length ? "\n" : ""));
      if (args.options.json) {
        ctx.io.out(JSON.stringify({ ...f, checks }, null, 2) + "\n");
      } else {
        ctx.io.out(table(r, checks, outPath).join("\n") + "\n");
      }
      if (args.options.census && !args.options.json) {
        const { parseCensus, censusLines } = await import("../../emulator/host/census.js");
        const census = parseCensus(r.console.platform);
        ctx.io.out((census ? censusLines(census) : ["no census: the run ended before its last collection"]).join("\n") + "\n");
      }
      return checks.every((c) => c.ok) ? 0 : 1;
    } catch (e) {
      if (e instanceof MissingToolError || e instanceof TimingModelError) {
        ctx.io.err(`ganzhi emulate: ${e.message}\n`);
        return 1;
      }
      if (e instanceof EmulateUsageError) throw new UsageError(e.message);
      if (e instanceof EmulationError) {
        // An XS memory-full abort is one line naming the creation parameter; anything else shows the console's tail.
        const tail = e.exceeded ? [] : e.console.trim().split("\n").filter((l) => l.startsWith("#") || l.startsWith("C ") || l.startsWith("D ")).slice(-6);
        ctx.io.err(`ganzhi emulate: ${e.message}\n${tail.map((l) => `  ${l}\n`).join("")}`);
        return 1;
      }
      if (e instanceof ManifestError) {
        ctx.io.err(e.message + "\n");
        return 1;
      }
      throw e;
    }
  },
};

type Result = import("../../emulator/host/emulate.js").EmulateResult;
type Check = import("../../emulator/host/budgets.js").BudgetCheck;

function table(r: Result, checks: readonly Check[], outPath: string | undefined): string[] {
  const f = r.figures;
  const sampling = f.groups.filter((g) => g.group !== "report");
  // The group whose worst jitter is the largest share of its period; on a tie, the one with the shortest period.
  const share = (g: (typeof sampling)[number]) => g.jitterMaxUs.high / g.periodMs;
  const worst = sampling.reduce((a, g) => (share(g) > share(a) || (share(g) === share(a) && g.periodMs < a.periodMs) ? g : a), sampling[0]!);
  const rows = [
    ["device", "profile", "flash", "XS memory (device)", "CPU busy", "jitter p99/max", "latency"],
    [
      f.device,
      f.profile,
      kb(f.flashBytes),
      `${kb(f.xsDeviceBytes)} of ${kb(creationBytes(f))}`,
      `${span(f.cpuBusyPercentBounds.low.toFixed(2), f.cpuBusyPercentBounds.high.toFixed(2))} %`,
      worst ? `${msSpan(worst.jitterP99Us)}/${msSpan(worst.jitterMaxUs)} ms (${worst.group} ${worst.periodMs} ms)` : "-",
      f.latencySamples > 0 ? `${span(f.latencyMsMax.low.toFixed(1), f.latencyMsMax.high.toFixed(1))} ms` : "none sent",
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((x) => x[i]!.length)));
  const t = f.timing;
  const c = f.creation;
  const ins = f.instructions;
  const allIns = ins.device + ins.provider + ins.harness;
  return [
    `${f.device} on ${f.board}, profile ${f.profile}, seed ${f.seed}, ${f.hours} h virtual; ${f.program}; wall ${(f.wallSeconds.simulate + f.wallSeconds.build + f.wallSeconds.emulate).toFixed(1)} s (simulate ${f.wallSeconds.simulate.toFixed(1)}, build ${f.wallSeconds.build.toFixed(1)}, QEMU ${f.wallSeconds.emulate.toFixed(1)})`,
    `board clock: wakes on a ${t.tickHz} Hz tick${t.sleeps ? `, ${span(String(t.wakeUs.low), String(t.wakeUs.high))} µs to wake` : ", never sleeps"}; ${span(t.cpi.low.toFixed(2), t.cpi.high.toFixed(2))} cycles per instruction at ${t.coreHz / 1e6} MHz (times below: both ends)`,
    "",
    ...rows.map((x) => "  " + x.map((cell, i) => cell.padEnd(widths[i]!)).join("   ").trimEnd()),
    "",
    "  sampling         period    slots   period jitter p99 / max (after 10 s)   lateness max (run / boot)   missed   device instructions per cycle (mean / max)",
    ...f.groups.map(
      (g) =>
        `  ${g.group.padEnd(15)}  ${`${g.periodMs} ms`.padEnd(8)}  ${String(g.slots).padStart(5)}   ${`${msSpan(g.jitterP99Us)} / ${msSpan(g.jitterMaxUs)} ms`.padEnd(37)}  ${`${msSpan(g.latenessMaxUs)} / ${msSpan(g.bootLatenessMaxUs)} ms`.padEnd(26)}  ${String(g.missed).padStart(6)}   ${int(g.instructionsPerCycleMean)} / ${int(g.instructionsPerCycleMax)}`,
    ),
    "",
    `  flash            ${kb(f.flashBytes)} of ${kb(r.image.profile.flashBytes)} (program ${kb(f.programBytes)}: ${r.image.modules.length} modules as ${f.program}${f.preload ? `; preloaded machine ${kb(f.preparationBytes)}` : ""})`,
    `  XS creation      ${c.static > 0 ? `static ${kb(c.static)}: ` : ""}chunks ${kb(c.chunk)}${c.chunkIncrement ? ` +${kb(c.chunkIncrement)}` : " fixed"}, slots ${c.heap}${c.heapIncrement ? ` +${c.heapIncrement}` : " fixed"}, stack ${c.stack}, keys ${c.keys} (the board's, with the device manifest's creation where it asks more, as its Moddable build gets it)`,
    `                   the device held ${kb(f.xsDeviceBytes)} after collections at most${c.static > 0 ? `; the static block peaked at ${kb((r.console.end?.staticPeak ?? 0))} with the image's own ${kb(f.harnessSlots * 16 + f.harnessChunkBytes)}` : ""}; the image's own JS (${int(f.harnessSlots)} slots, ${kb(f.harnessChunkBytes)} of chunks) is kept outside the board's budget`,
    `  RAM              system heap peak ${kb(f.heapPeakBytes)} of ${kb(f.heapCapacityBytes)} (the image's headroom for its own JS included); ${f.preload ? `${f.aliased} of ${f.aliases} preloaded objects written, so copied to RAM` : "no preload: built-ins and module objects are in RAM"}`,
    `  stacks           C ${kb(f.cStackPeakBytes)} of ${kb(f.cStackBytes)}; JS ${f.jsStackPeakSlots} slots at most from the device's callbacks, of the board's ${f.jsStackBoardSlots}`,
    `  boot             ${(f.bootUs / 1000).toFixed(1)} ms from reset to the device's main (emulated)`,
    `  instructions     device ${int(ins.device)}, its provider ${int(ins.provider)}, the emulator's own ${int(ins.harness)} (${allIns > 0 ? ((100 * ins.harness) / allIns).toFixed(0) : 0} %, not charged)`,
    ...energyLines(f.energy),
    `  GC               ${f.gcCollections} collections, ${f.gcPercentOfBusy.toFixed(0)} % of emulated busy time, longest ${f.gcMaxMs.toFixed(1)} ms within one event`,
    f.lorawan
      ? `  uplink           ${r.comparison.imageFrames} PHY payloads, ${f.framesIdentical ? "byte-identical to the simulator's" : `DIFFERENT from the simulator's: ${r.comparison.firstDifference}`}; the broker's ${r.comparison.simFrames} frames each an uplink of the image decrypted (lora-packet)`
      : `  uplink           ${f.frames} frames (${f.telemetryFrames} telemetry), ${f.framesIdentical ? "byte-identical to the simulator's" : `DIFFERENT from the simulator's: ${r.comparison.firstDifference}`}; report dispatch ${int(f.reportInstructionsMax)} device instructions`,
    ...loraLines(f.lorawan),
    ...checks.map(
      (x) =>
        `  ${x.ok ? "ok  " : "FAIL"}             ${x.what}: ${x.note ?? `${Number.isInteger(x.value) ? x.value : x.value.toFixed(2)}${x.unit ? " " + x.unit : ""}`}${x.limit !== undefined ? ` (budget ${x.limit}${x.unit ? " " + x.unit : ""})` : ""}`,
    ),
    ...(outPath ? [`  frame log        ${outPath}`] : []),
  ];
}

type RxFigures = NonNullable<Result["figures"]["lorawan"]>;

/** The class A windows: per window, the opening error's p50/p99/max (µs → ms) on the board's clock, both ends. */
function loraLines(l: RxFigures | undefined): string[] {
  if (!l) return [];
  const msOf = (b: Bounds) => span((b.low / 1000).toFixed(2), (b.high / 1000).toFixed(2));
  const sfs = (which: number) => [...new Set(l.uplinks.flatMap((u) => u.windows.filter((w) => w.which === which).map((w) => `SF${w.sf}`)))].join("/");
  const missedBySf = [...new Set(l.uplinks.flatMap((u) => u.windows.filter((w) => !w.catches).map((w) => `RX${w.which} SF${w.sf}`)))].join(", ");
  const windows = l.uplinks.flatMap((u) => u.windows);
  const seq = (k: "fast" | "slow") => windows.map((w) => w.sequenceUs[k]);
  const seqLow = windows.length ? Math.min(...seq("fast"), ...seq("slow")) : 0;
  const seqHigh = windows.length ? Math.max(...seq("fast"), ...seq("slow")) : 0;
  const simSeq = windows.length ? Math.max(...windows.map((w) => w.simulatedSequenceUs)) : 0;
  const tolerance = windows.length ? `${(Math.min(...windows.map((w) => w.toleranceUs.early)) / 1000).toFixed(1)} ms early / ${(Math.min(...windows.map((w) => w.toleranceUs.late)) / 1000).toFixed(1)} ms late` : "-";
  return [
    `  LoRaWAN          ${l.uplinks.length} uplinks (${l.joins} join request${l.joins === 1 ? "" : "s"}, ${l.joined ? "joined" : "NOT joined"}); airtime per uplink ${(l.airtimeUs.mean / 1000).toFixed(1)} ms mean, ${(l.airtimeUs.max / 1000).toFixed(1)} ms max, ${(l.airtimeUs.total / 1000).toFixed(0)} ms in all`,
    ...l.error
      .filter((e) => e.windows > 0)
      .map((e) => `  RX${e.which} opening      ${e.windows} windows (${sfs(e.which)}): error p50 ${msOf(e.p50)} ms, p99 ${msOf(e.p99)} ms, max ${msOf(e.max)} ms (listening − (TxDone + delay); + is late)`),
    `                   a preamble sent on time is caught within ${tolerance} at the fastest rate; ${l.missed} of ${l.windows} windows would miss it${l.missed > 0 ? ` (${missedBySf})` : ""}`,
    `                   timer to SetRx on the board ${(seqLow / 1000).toFixed(1)}–${(seqHigh / 1000).toFixed(1)} ms (${(simSeq / 1000).toFixed(2)} ms in the simulation: the transceiver's BUSY handshakes only)`,
    ...l.notes.slice(0, 3).map((n) => `                   ${n}`),
  ];
}

/** XS memory the board's creation gives: its static block, else its chunk and slot heaps (JS stack aside). */
function creationBytes(f: Result["figures"]): number {
  const c = f.creation;
  return c.static > 0 ? c.static : c.chunk + c.heap * 16;
}

/** Current as people read it: mA from 1 mA up, µA below. */
function current(mA: number): string {
  return mA >= 1 ? `${mA.toFixed(mA >= 10 ? 1 : 2)} mA` : `${(mA * 1000).toFixed(mA >= 0.01 ? 1 : 2)} µA`;
}

function energyLines(e: EnergyEstimate): string[] {
  const total = e.shares.reduce((a, s) => a + s.milliampSeconds, 0);
  const run = e.runSeconds;
  const named: Record<string, string> = { cpu: "CPU (device)", wake: "waking", radioTx: "radio TX", radioRx: "radio RX", idle: "waiting", deepSleep: "deep sleep" };
  const parts = e.shares.map((s) => {
    const mean = run > 0 ? s.milliampSeconds / run : 0;
    const state = s.state === "idle" ? `waiting (${s.current})` : s.state === "load" || s.state === "part" ? s.current : named[s.state]!;
    const time = s.state === "cpu" && run > 0 ? `, ${((100 * s.seconds) / run).toFixed(2)} % of the time` : "";
    return `${state} ${current(mean)} (${total > 0 ? Math.round((100 * s.milliampSeconds) / total) : 0} %${time})`;
  });
  const days = (d: number) => (d >= 10 ? int(d) : d.toFixed(1));
  return [
    `  energy           ${span(current(e.low.averageMilliamps), current(e.averageMilliamps))} average at ${e.supplyVolts} V: ${e.milliwattHoursPerDay.toFixed(e.milliwattHoursPerDay >= 100 ? 0 : 2)} mWh a day, ${span(days(e.daysPer1000mAh), days(e.low.daysPer1000mAh))} days per 1,000 mAh`,
    `                   the CPU term is ${span(current(e.cpuMilliamps.low), current(e.cpuMilliamps.high))} (the device's own instructions at the fewest cycles, up to its provider's too at the most)`,
    `                   ${parts.join(", ")}${e.noRadio ? `; no radio (${e.noRadio})` : ""}`,
    "                   not counted: sensors' own supply current (an ADS1220's bridge excitation and an HX711's, with its own, are counted), contacts closed against pull-ups, regulator, debug/USB interface, Wi-Fi beacons and retries",
    ...(e.shares.some((s) => s.state === "part" && s.current.includes("(sx1262)"))
      ? ["                   radio states from the simulated SX1262 (its residency); not counted: its TCXO and RF switch, TX current at 470–510 MHz (the datasheet's 868/915 MHz rows are used), supply conversion"]
      : []),
    ...(e.shares.some((s) => s.state === "part" && s.current.includes("(bc95)"))
      ? ["                   modem states from the simulated BC95 (its residency), at the currents in parts/bc95/currents.ts (module-class figures, partly assumed: see there); not counted: the SIM, supply conversion"]
      : []),
  ];
}
