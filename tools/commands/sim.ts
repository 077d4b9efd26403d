/**
 * `ganzhi sim <device>`: run a simulated node (or fleet) in virtual time against a real MQTT broker.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ManifestError } from "../../manifests/load.js";
import type { SimSummary } from "../../simulator/node/session.js";
import { UsageError } from "../cli/args.js";
import { manifestArg } from "../cli/manifest-arg.js";
import type { ParsedArgs } from "../cli/args.js";
import type { Command, CommandContext } from "../cli/command.js";
import { Progress } from "../cli/progress.js";
import { int } from "../../simulator/node/figures.js";

export function formatSummary(s: SimSummary, out?: string): string {
  const d = s.deviceStats;
  const lines = [
    `${s.device} on ${s.board}, seed ${s.seed}, ${s.nodes} node${s.nodes > 1 ? "s" : ""}, broker ${s.broker}`,
    `  virtual time     ${s.virtualHours} h  in ${s.wallSeconds.toFixed(2)} s wall  (${int(s.speedup)}× real time, ${int(s.events)} events)`,
    `  samples taken    ${int((d.airSamples ?? 0) + (d.windSamples ?? 0))}  (air ${int(d.airSamples ?? 0)}, wind ${int(d.windSamples ?? 0)}, rain tips ${int(d.rainTips ?? 0)})`,
    `  frames           ${int(s.framesSent)} sent, ${int(s.framesAcked)} acknowledged, ${int(s.framesDup)} retransmitted`,
    `  bytes on air     ${int(s.bytesOnAir)} (TCP payload, both ways; ${int(s.payloadBytes)} B of SenML, ${s.framesSent ? (s.payloadBytes / Math.max(1, s.framesSent + s.framesDup)).toFixed(1) : "0"} B per report)`,
    `  sensor errors    ${int(d.sensorErrors ?? 0)}   crashes ${s.crashes.length}`,
  ];
  for (const c of s.crashes.slice(0, 5)) lines.push(`  crash: ${c.node} at ${(c.at / 3.6e9).toFixed(3)} h in ${c.phase}: ${c.error}`);
  for (const w of s.warnings.slice(0, 5)) lines.push(`  ${w.includes("warning:") ? w : `warning: ${w}`}`);
  if (out) lines.push(`  frame log        ${out}`);
  return lines.join("\n");
}

interface XsRunArgs {
  device: string;
  board: string;
  hours: number;
  seed: number;
  nodes: number;
  broker: string | undefined;
  outPath: string | undefined;
  json: boolean;
  progress: Progress | undefined;
}

/** `--engine xs`: device code and the simulator core on the XS runner (simulator/xs), the shell here. */
async function runOnXs(a: XsRunArgs, ctx: CommandContext, args: ParsedArgs): Promise<number> {
  for (const o of ["report", "record"]) if (args.options[o] !== undefined) throw new UsageError(`--${o} needs --engine v8`);
  const { runSimXs, XsRunError } = await import("../../simulator/xs/session.js");
  try {
    const result = await runSimXs({
      device: a.device,
      board: a.board,
      hours: a.hours,
      seed: a.seed,
      nodes: a.nodes,
      ...(a.broker ? { broker: a.broker } : {}),
      onProgress: (p) => a.progress?.update(p.virtualUs / p.untilUs, `${(p.virtualUs / 3.6e9).toFixed(1)} h virtual on XS`),
      onLog: (e) => {
        if (e.level === "error") ctx.io.err(`\n[${(e.at / 3.6e9).toFixed(3)} h] ${e.node}: ${e.message}\n`);
      },
    });
    a.progress?.done();
    if (a.outPath) writeFileSync(a.outPath, result.frames.map((f) => JSON.stringify(f)).join("\n") + "\n");
    if (a.json) ctx.io.out(JSON.stringify({ ...result.summary, engine: "xs", profile: result.profile }, null, 2) + "\n");
    else {
      const units = result.profile.total / a.hours;
      ctx.io.out(formatSummary(result.summary, a.outPath) + `\n  engine           XS (host runner), device work ${int(units)} metering units per virtual hour\n`);
    }
    return result.summary.crashes.length > 0 ? 1 : 0;
  } catch (e) {
    a.progress?.done();
    if (e instanceof XsRunError) {
      ctx.io.err(`ganzhi sim: ${e.message}\n`);
      return 1;
    }
    if (e instanceof ManifestError) {
      ctx.io.err(e.message + "\n");
      return 1;
    }
    throw e;
  }
}

export const simCommand: Command = {
  name: "sim",
  summary: "run a simulated node or fleet in virtual time, publishing to a real MQTT broker",
  usage: "<device | device.json> [options]",
  description: [
    "Runs the device firmware unmodified on simulated boards: register-level part models, a seeded Kunming",
    "atmosphere, virtual time that jumps between events. Uplinks go over real TCP to an MQTT broker: an embedded",
    "one (aedes, on loopback) unless --broker names another. The same seed gives byte-identical frames.",
  ].join("\n"),
  options: [
    { name: "board", kind: "string", value: "name|file.json", help: "board: a catalogue name or a board file (an overlay of yours)", default: "esp32-devkitc" },
    { name: "hours", kind: "number", value: "H", help: "virtual hours to run", default: 24 },
    { name: "seed", kind: "number", value: "S", help: "seed of the atmosphere and the nodes", default: 1 },
    { name: "nodes", kind: "number", value: "N", help: "fleet size", default: 1 },
    { name: "broker", kind: "string", value: "mqtt://ip:port", help: "external MQTT broker instead of the embedded one" },
    { name: "engine", kind: "string", value: "v8|xs", help: "run device code and simulator core on V8 (fast) or on Moddable's XS", default: "v8" },
    { name: "out", kind: "string", value: "file.jsonl", help: "write every uplink frame (hex and decoded) as JSON lines" },
    { name: "report", kind: "string", value: "file.html", help: "write a page: reported values against the simulated world, as charts" },
    { name: "record", kind: "string", value: "file.json", help: "record what reached the device, for `ganzhi emulate --replay` (one node)" },
    { name: "json", kind: "boolean", help: "print the summary as JSON" },
    { name: "quiet", kind: "boolean", short: "q", help: "no progress bar" },
  ],
  async run(args, ctx) {
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
    const device = manifestArg("device", args.positionals[0], ctx);
    const board = manifestArg("board", args.options.board as string, ctx);
    const hours = args.options.hours as number;
    const seed = args.options.seed as number;
    const nodes = args.options.nodes as number;
    if (!(hours > 0)) throw new UsageError(`--hours must be > 0, got ${hours}`);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer 0…4294967295, got ${seed}`);
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 10_000) throw new UsageError(`--nodes must be an integer 1…10000, got ${nodes}`);
    const broker = args.options.broker as string | undefined;
    if (broker !== undefined && !/^mqtt:\/\/[0-9.]+(:\d+)?\/?$/.test(broker)) {
      throw new UsageError(`--broker must be mqtt://<IPv4>[:port] (devices dial numeric addresses), got "${broker}"`);
    }
    const engine = args.options.engine as string;
    if (engine !== "v8" && engine !== "xs") throw new UsageError(`--engine must be v8 or xs, got "${engine}"`);
    const outPath = args.options.out ? resolve(ctx.cwd, args.options.out as string) : undefined;
    const reportPath = args.options.report ? resolve(ctx.cwd, args.options.report as string) : undefined;
    const { runSim } = await import("../../simulator/node/session.js");
    const progress = args.options.quiet ? undefined : new Progress(ctx.io, `${device} ${hours} h`);
    if (engine === "xs") return runOnXs({ device, board, hours, seed, nodes, broker, outPath, json: Boolean(args.options.json), progress }, ctx, args);
    try {
      const result = await (args.options.record ? (await import("../../simulator/node/record.js")).recordSimTo(resolve(ctx.cwd, args.options.record as string)) : runSim)({
        device,
        board,
        hours,
        seed,
        nodes,
        ...(broker ? { broker } : {}),
        onProgress: (p) => progress?.update(p.virtualUs / p.untilUs, `${(p.virtualUs / 3.6e9).toFixed(1)} h virtual`),
        onLog: (e) => {
          if (e.level === "error") ctx.io.err(`\n[${(e.at / 3.6e9).toFixed(3)} h] ${e.node}: ${e.message}\n`);
        },
      });
      progress?.done();
      if (outPath) writeFileSync(outPath, result.frames.map((f) => JSON.stringify(f)).join("\n") + "\n");
      if (reportPath) {
        const { simReportHtml } = await import("../report/sim-report.js");
        writeFileSync(reportPath, simReportHtml(result));
      }
      ctx.io.out((args.options.json ? JSON.stringify(result.summary, null, 2) : formatSummary(result.summary, outPath)) + "\n");
      if (reportPath && !args.options.json) ctx.io.out(`  report           ${reportPath}\n`);
      return result.summary.crashes.length > 0 ? 1 : 0;
    } catch (e) {
      progress?.done();
      if (e instanceof ManifestError) {
        ctx.io.err(e.message + "\n");
        return 1;
      }
      throw e;
    }
  },
};
