/**
 * `ganzhi emulate <device>`: the device firmware on XS bare-metal on an emulated Cortex-M4 (QEMU mps2-an386),
 * fed the inputs the simulator recorded for the same seed, with deterministic time; prints timing, CPU and memory
 * figures and checks the uplink frames against the simulator's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { EnergyEstimate } from "../../emulator/host/energy.js";
import { loadDevice, ManifestError } from "../../manifests/load.js";
import { UsageError } from "../cli/args.js";
import type { Command } from "../cli/command.js";
import { manifestArg } from "../cli/manifest-arg.js";
import { int } from "../../simulator/node/figures.js";

const kb = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1048576).toFixed(1)} MB` : `${(n / 1024).toFixed(0)} KB`);
const ms = (us: number): string => (us >= 100_000 ? `${(us / 1000).toFixed(0)}` : (us / 1000).toFixed(2));

export const emulateCommand: Command = {
  name: "emulate",
  summary: "run a device's firmware on XS on an emulated Cortex-M4 (QEMU), replaying the simulator's inputs",
  usage: "<device> [options]",
  description: [
    "Simulates the device for --hours with --seed while recording what reached it (I2C transactions, ADC volts,",
    "pulse counts, edges, broker traffic), builds a firmware image (XS for Cortex-M4F, the bytecode compiled on the",
    "host, the project's bare-metal platform layer) for the memory profile, runs it in qemu-system-arm -M mps2-an386",
    "with -icount shift=4,sleep=off (16 ns per instruction, deterministic), replaying the recording, and prints:",
    "flash, heap peak, CPU busy, sampling jitter (p99/max after the first 10 s), sample-to-uplink latency, and an",
    "energy estimate (time in each power state × the board manifest's currents, plus what parts draw). The uplink",
    "frames must be byte-identical to the simulator's; --out writes them as `ganzhi sim --out` does.",
    "Needs Debian's qemu-system-arm, gcc-arm-none-eabi and libnewlib-arm-none-eabi.",
  ].join("\n"),
  options: [
    { name: "profile", kind: "string", value: "name", help: "memory profile: mps2-4m or nrf52840", default: "mps2-4m" },
    { name: "board", kind: "string", value: "name|file.json", help: "board name or board file (default: esp32-devkitc; nrf52840-dk with --profile nrf52840)" },
    { name: "hours", kind: "number", value: "H", help: "virtual hours to run", default: 1 },
    { name: "seed", kind: "number", value: "S", help: "seed of the simulation that is replayed", default: 1 },
    { name: "replay", kind: "string", value: "file.json", help: "replay a recording from `ganzhi sim --record` instead of simulating" },
    { name: "program", kind: "string", value: "kind", help: "bytecode (compiled on the host) or source (parsed on the device)", default: "bytecode" },
    { name: "out", kind: "string", value: "file.jsonl", help: "write the image's uplink frames as JSON lines (the `ganzhi sim --out` format)" },
    { name: "json", kind: "boolean", help: "print the figures as JSON" },
    { name: "quiet", kind: "boolean", short: "q", help: "no progress lines" },
  ],
  async run(args, ctx) {
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
    const { PROFILE_NAMES } = await import("../../emulator/host/profiles.js");
    const profile = args.options.profile as string;
    if (!PROFILE_NAMES.includes(profile as never)) throw new UsageError(`unknown --profile "${profile}"; profiles: ${PROFILE_NAMES.join(", ")}`);
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
      board = recording.board;
      if (args.positionals[0] && args.positionals[0] !== device) throw new UsageError(`the recording is of ${device}, not ${args.positionals[0]}`);
    } else {
      device = manifestArg("device", args.positionals[0], ctx);
      const wired = Object.keys((loadDevice(device).manifest as { wiring: Record<string, unknown> }).wiring);
      const fallback = profile === "nrf52840" ? (wired.find((b) => b.startsWith("nrf52840")) ?? "esp32-devkitc") : "esp32-devkitc";
      board = manifestArg("board", (args.options.board as string | undefined) ?? fallback, ctx);
    }
    const outPath = args.options.out ? resolve(ctx.cwd, args.options.out as string) : undefined;
    const quiet = Boolean(args.options.quiet) || Boolean(args.options.json);
    const { emulate, EmulationError } = await import("../../emulator/host/emulate.js");
    const { checkBudgets } = await import("../../emulator/host/budgets.js");
    const { MissingToolError } = await import("../../emulator/host/toolchain.js");
    try {
      const r = await emulate({
        device,
        board,
        profile,
        hours,
        seed,
        program,
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
        const sampling = f.groups.filter((g) => g.group !== "report");
        const worst = sampling.reduce((a, g) => (g.jitterMaxUs / g.periodMs > a.jitterMaxUs / a.periodMs ? g : a), sampling[0]!);
        const rows = [
          ["device", "profile", "flash", "heap peak", "CPU busy", "jitter p99/max", "latency"],
          [
            f.device,
            f.profile,
            kb(f.flashBytes),
            `${kb(f.heapPeakBytes)} of ${kb(f.heapCapacityBytes)}`,
            `${f.cpuBusyPercent.toFixed(2)} %`,
            worst ? `${ms(worst.jitterP99Us)}/${ms(worst.jitterMaxUs)} ms (${worst.group} ${worst.periodMs} ms)` : "-",
            `${f.latencyMsMax.toFixed(1)} ms`,
          ],
        ];
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        const lines = [
          `${f.device} on ${f.board}, profile ${f.profile}, seed ${f.seed}, ${f.hours} h virtual; ${f.program}; wall ${(f.wallSeconds.simulate + f.wallSeconds.build + f.wallSeconds.emulate).toFixed(1)} s (simulate ${f.wallSeconds.simulate.toFixed(1)}, build ${f.wallSeconds.build.toFixed(1)}, QEMU ${f.wallSeconds.emulate.toFixed(1)})`,
          "",
          ...rows.map((r) => "  " + r.map((c, i) => c.padEnd(widths[i]!)).join("   ").trimEnd()),
          "",
          "  sampling         period    slots   jitter p99 / max (after 10 s)   boot lateness   missed   instructions per cycle (mean / max)",
          ...f.groups.map(
            (g) =>
              `  ${g.group.padEnd(15)}  ${`${g.periodMs} ms`.padEnd(8)}  ${String(g.slots).padStart(5)}   ${`${ms(g.jitterP99Us)} / ${ms(g.jitterMaxUs)} ms`.padEnd(30)}  ${`${ms(g.bootLatenessMaxUs)} ms`.padEnd(14)}  ${String(g.missed).padStart(6)}   ${int(g.instructionsPerCycleMean)} / ${int(g.instructionsPerCycleMax)}`,
          ),
          "",
          `  flash            ${kb(f.flashBytes)} of ${kb(r.image.profile.flashBytes)} (program ${kb(f.programBytes)}: ${r.image.modules.length} modules as ${f.program}${f.preload ? `; preloaded machine ${kb(f.preparationBytes)}` : ""})`,
          `  RAM              heap ${kb(f.heapModulesBytes)} ${f.preload ? "with the preloaded machine cloned" : "with the modules loaded"}, ${kb(f.heapBootBytes)} after main, ${kb(f.heapPeakBytes)} peak, of ${kb(f.heapCapacityBytes)}; run phase ${kb(f.heapRunBytes)}`,
          `                   XS chunks ${kb(f.xsChunksPeakBytes)}, slots ${kb(f.xsSlotsPeakBytes)} peak ${
            f.preload
              ? `(preloaded: built-ins and modules in flash; ${f.aliased} of ${f.aliases} preloaded objects written, so copied to RAM)`
              : "(no preload: built-ins and module objects are in RAM)"
          }`,
          `  stacks           C ${kb(f.cStackPeakBytes)} of ${kb(f.cStackBytes)}; JS ${f.jsStackPeakSlots} slots of ${f.jsStackSlots} (board creation.stack ${f.jsStackBoardSlots})`,
          `  boot             ${(f.bootUs / 1000).toFixed(1)} ms from reset to the device's main`,
          ...energyLines(f.energy),
          `  GC               ${f.gcCollections} collections, ${f.gcPercentOfBusy.toFixed(0)} % of busy time, longest ${f.gcMaxMs.toFixed(1)} ms within one event`,
          `  uplink           ${f.frames} frames, ${f.framesIdentical ? "byte-identical to the simulator's" : `DIFFERENT from the simulator's: ${r.comparison.firstDifference}`}; report dispatch ${int(f.reportInstructionsMax)} instructions`,
          ...checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"}             ${c.what}: ${Number.isInteger(c.value) ? c.value : c.value.toFixed(2)}${c.unit ? " " + c.unit : ""}${c.limit !== undefined ? ` (budget ${c.limit}${c.unit ? " " + c.unit : ""})` : ""}`),
          ...(outPath ? [`  frame log        ${outPath}`] : []),
        ];
        ctx.io.out(lines.join("\n") + "\n");
      }
      return checks.every((c) => c.ok) ? 0 : 1;
    } catch (e) {
      if (e instanceof MissingToolError) {
        ctx.io.err(`ganzhi emulate: ${e.message}\n`);
        return 1;
      }
      if (e instanceof EmulationError) {
        const tail = e.console.trim().split("\n").filter((l) => l.startsWith("#") || l.startsWith("C ") || l.startsWith("D ")).slice(-6);
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

/** Current as people read it: mA from 1 mA up, µA below. */
function current(mA: number): string {
  return mA >= 1 ? `${mA.toFixed(mA >= 10 ? 1 : 2)} mA` : `${(mA * 1000).toFixed(mA >= 0.01 ? 1 : 2)} µA`;
}

function energyLines(e: EnergyEstimate): string[] {
  const total = e.shares.reduce((a, s) => a + s.milliampSeconds, 0);
  const run = e.runSeconds;
  const named: Record<string, string> = { cpu: "CPU busy", radioTx: "radio TX", radioRx: "radio RX", idle: "waiting", deepSleep: "deep sleep" };
  const parts = e.shares.map((s) => {
    const mean = run > 0 ? s.milliampSeconds / run : 0;
    const state = s.state === "idle" ? `waiting (${s.current})` : s.state === "load" ? s.current : named[s.state]!;
    // The CPU's time is the firmware's own count (its event loop included), a little more than the dispatches'.
    const time = s.state === "cpu" && run > 0 ? `, ${((100 * s.seconds) / run).toFixed(2)} % of the time` : "";
    return `${state} ${current(mean)} (${total > 0 ? Math.round((100 * s.milliampSeconds) / total) : 0} %${time})`;
  });
  const days = e.daysPer1000mAh;
  return [
    `  energy           ${current(e.averageMilliamps)} average at ${e.supplyVolts} V: ${e.milliwattHoursPerDay.toFixed(e.milliwattHoursPerDay >= 100 ? 0 : 2)} mWh a day, ${days >= 10 ? int(days) : days.toFixed(1)} days per 1,000 mAh`,
    `                   ${parts.join(", ")}${e.noRadio ? `; no radio (${e.noRadio})` : ""}`,
    "                   not counted: I2C sensors, contacts closed against pull-ups, regulator, debug/USB interface, Wi-Fi beacons and retries",
  ];
}

