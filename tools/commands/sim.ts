/**
 * `ganzhi sim <device>`: run a simulated node (or fleet) in virtual time against a real MQTT broker.
 *
 * The summary accounts for every report the nodes made (delivered, still queued, dropped and why), and the exit code
 * says whether the run did what a run should: 0 only when no node crashed and every report was delivered (or the
 * user accepted loss with --allow-loss); 130 when Ctrl-C stopped it, after writing what it had.
 */
import { ManifestError } from "../../manifests/load.js";
import { droppedTotal } from "../../simulator/core/report-ledger.js";
import type { NodeLogEntry } from "../../simulator/core/node.js";
import type { SimSummary } from "../../simulator/node/session.js";
import type { Frame } from "../../simulator/node/frame-log.js";
import { UsageError } from "../cli/args.js";
import { manifestArg } from "../cli/manifest-arg.js";
import type { ParsedArgs } from "../cli/args.js";
import type { Command, CommandContext } from "../cli/command.js";
import { catchInterrupt } from "../cli/interrupt.js";
import { OutputFile } from "../cli/output-file.js";
import { Progress } from "../cli/progress.js";
import { hoursOf as hours, int } from "../../simulator/node/figures.js";

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

const plural = (n: number, one: string, many = `${one}s`): string => `${int(n)} ${n === 1 ? one : many}`;
const row = (label: string, text: string): string => `  ${label.padEnd(17)}${text}`;

/** "59 queue full, 3 crash" */
function reasons(dropped: Readonly<Record<string, number>>): string {
  return Object.entries(dropped)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${int(n)} ${why.replace(/-/g, " ")}`)
    .join(", ");
}

/** "144 made: 37 delivered, 48 still queued, 59 dropped (59 queue full)" */
export function formatReports(s: SimSummary): string {
  const r = s.reports;
  if (!r) return "not accounted (the device's stats() has no uplink counters)";
  const dropped = droppedTotal(r);
  const late = s.drain.deliveredAfterEnd > 0 ? ` (${int(s.drain.deliveredAfterEnd)} of them in flight at the end and delivered ${(s.drain.us / 1e6).toFixed(0)} s after it)` : "";
  return `${int(r.made)} made: ${int(r.delivered)} delivered${late}, ${int(r.held)} still queued, ${int(dropped)} dropped${dropped > 0 ? ` (${reasons(r.dropped)})` : ""}`;
}

/** The device's own lines (its `summary()`), with the counters summed over the fleet. */
function deviceLines(s: SimSummary): string[] {
  const v = (key: string): number => s.deviceStats[key] ?? 0;
  return (s.deviceSummary ?? []).map((line) => {
    const total = line.total.reduce((a, k) => a + v(k), 0);
    const parts = line.parts?.length ? `  (${line.parts.map((p) => `${p.label} ${int(v(p.key))}`).join(", ")})` : "";
    return row(line.label, `${int(total)}${parts}`);
  });
}

/** Boot loops, one line per distinct error. */
function bootLoopLines(s: SimSummary): string[] {
  const byError = new Map<string, SimSummary["bootLoops"]>();
  for (const b of s.bootLoops) byError.set(b.error, [...(byError.get(b.error) ?? []), b]);
  return [...byError].map(([error, loops]) => {
    const who = loops.length === 1 ? loops[0]!.node : `${loops.length} nodes (${loops[0]!.node} …)`;
    const from = Math.min(...loops.map((b) => b.from));
    return row("boot loop", `${who} crashed at every boot (${loops[0]!.boots} in a row from ${hours(from)}), held down: ${error}`);
  });
}

/** What the link's network side saw: the air, gateways and network server (LoRaWAN), or the cell and CoAP server (NB-IoT). */
function linkLines(s: SimSummary): string[] {
  const k = s.linkStats;
  const n = (key: string): number => k[key] ?? 0;
  if (s.link === "lorawan") {
    const gateways = Object.keys(k).filter((x) => /^gateway\..*\.forwarded$/.test(x));
    return [
      row("air", `${int(n("radio.frames"))} transmissions (uplinks and downlinks); the gateways heard ${int(n("gateways.heard"))} copies of uplinks: ${int(n("gateways.collisions"))} lost to collisions, ${int(n("gateways.snr"))} below the data rate's SNR floor, ${int(n("gateways.missedWhileTransmitting"))} missed while transmitting`),
      row("gateways", gateways.map((g) => `${g.split(".")[1]} forwarded ${int(n(g))}`).join(", ") || "none"),
      row("network server", `${int(n("lns.joins"))} joins (${int(n("lns.joinRejected"))} refused), ${int(n("lns.uplinks"))} uplinks (${int(n("lns.duplicates"))} copies from other gateways dropped, ${int(n("lns.retransmissions"))} retransmissions), ${int(n("lns.downlinks"))} downlinks, ${int(n("lns.micErrors"))} MIC errors, ${int(n("lns.replays"))} replays`),
    ];
  }
  if (s.link === "nbiot") {
    const ce = [0, 1, 2].map((c) => int(n(`core.ce${c}`))).join("/");
    const lines = [
      row("cell", `${int(n("core.attaches"))} attaches (${int(n("core.attachFailures"))} failed), ${int(n("core.taus"))} TAUs, ${int(n("core.uplinks"))} uplink datagrams (CE0/1/2 ${ce}; ${int(n("core.uplinkLost"))} lost, ${int(n("core.uplinkRefused"))} refused), ${int(n("core.downlinks"))} downlinks (${int(n("core.downlinkLost"))} lost)`),
    ];
    if ("coap.requests" in k) {
      const rejected = Object.keys(k).filter((x) => x.startsWith("coap.rejected.")).map((x) => `${int(n(x))} × ${x.slice("coap.rejected.".length)}`);
      lines.push(row("CoAP server", `${int(n("coap.requests"))} requests, ${int(n("coap.published"))} published to the broker${rejected.length ? `, refused ${rejected.join(", ")}` : ""}${n("coap.publishFailures") ? `, ${int(n("coap.publishFailures"))} publish failures` : ""}`));
    }
    return lines;
  }
  return [];
}

const LINK_NAMES: Readonly<Record<SimSummary["link"], string>> = Object.freeze({ mqtt: "MQTT", lorawan: "LoRaWAN (CN470) through the embedded network server", nbiot: "NB-IoT CoAP through the embedded server" });

export function formatSummary(s: SimSummary, out?: string): string {
  const virtual = Number.isInteger(s.virtualHours) ? `${s.virtualHours} h` : `${s.virtualHours.toFixed(3)} h`;
  const lines = [
    `${s.device} on ${s.board}, seed ${s.seed}, ${s.nodes} node${s.nodes > 1 ? "s" : ""}, ${s.link === "mqtt" ? "" : `${LINK_NAMES[s.link]} to `}broker ${s.broker}`,
    row("virtual time", `${virtual}  in ${s.wallSeconds.toFixed(2)} s wall  (${int(s.speedup)}× real time, ${int(s.events)} events)`),
  ];
  if (s.stopped) lines.push(row("stopped", `at ${hours(s.stopped.at)} of ${s.requestedHours} h: ${s.stopped.why === "interrupted" ? "interrupted (Ctrl-C)" : s.stopped.why}`));
  lines.push(
    ...deviceLines(s),
    row("reports", formatReports(s)),
    s.link === "mqtt"
      ? row("frames", `${int(s.framesSent)} sent, ${int(s.framesAcked)} acknowledged, ${int(s.framesDup)} retransmitted`)
      : row("frames", `${int(s.framesSent)} SenML frames (telemetry and events) reached the broker through the ${s.link === "lorawan" ? "network server (its uplink events)" : "CoAP server"}`),
    s.link === "mqtt"
      ? row("bytes on air", `${int(s.bytesOnAir)} (TCP payload, both ways; ${int(s.payloadBytes)} B of SenML, ${s.framesSent ? (s.payloadBytes / Math.max(1, s.framesSent + s.framesDup)).toFixed(1) : "0"} B per report)`)
      : row("payload", `${int(s.payloadBytes)} B of SenML in ${int(s.framesSent)} frames, ${s.framesSent ? (s.payloadBytes / s.framesSent).toFixed(1) : "0"} B per frame`),
    ...linkLines(s),
    row("crashes", int(s.crashes.length)),
  );
  lines.push(...bootLoopLines(s));
  // Crashes are logged as errors: each distinct one is a line with its count, never one line per crash.
  const errors = s.logs.filter((l) => l.level === "error");
  for (const e of errors.slice(0, 5)) {
    lines.push(`  error: ${e.message} (${e.count === 1 ? "once" : `${int(e.count)} times`}, first at ${hours(e.first.at)} on ${e.first.node})`);
  }
  if (errors.length > 5) lines.push(`  error: … and ${plural(errors.length - 5, "more distinct error")} (--json lists them all)`);
  for (const w of s.warnings.slice(0, 8)) lines.push(`  ${w.includes("warning:") ? w : `warning: ${w}`}`);
  if (s.warnings.length > 8) lines.push(`  warning: … and ${int(s.warnings.length - 8)} more (--json lists them all)`);
  if (out) lines.push(row("frame log", out));
  return lines.join("\n");
}

export interface Verdict {
  exitCode: number;
  /** Why the run is not a success (empty when it is). */
  reasons: string[];
}

/** Whether the run did what a run should, and if not, why; `allowLoss` accepts reports not delivered. */
export function verdict(s: SimSummary, allowLoss: boolean): Verdict {
  const why: string[] = [];
  if (s.stopped?.why === "interrupted") return { exitCode: EXIT_INTERRUPTED, reasons: [`interrupted at ${hours(s.stopped.at)} virtual`] };
  const r = s.reports;
  if (r && s.undelivered > 0 && !allowLoss) {
    const parts = [r.held > 0 ? `${int(r.held)} still queued at the end` : "", droppedTotal(r) > 0 ? `${int(droppedTotal(r))} dropped: ${reasons(r.dropped)}` : ""].filter(Boolean);
    why.push(`${int(s.undelivered)} of ${plural(r.made, "report")} not delivered (${parts.join("; ")}); --allow-loss accepts that`);
  }
  if (s.bootLoops.length > 0) why.push(`${plural(s.bootLoops.length, "node")} crashed at every boot`);
  else if (s.crashes.length > 0) why.push(`${plural(s.crashes.length, "crash", "crashes")}`);
  return { exitCode: why.length > 0 ? 1 : 0, reasons: why };
}

/** Live log lines on stderr: each distinct error once (the summary counts the repeats); none with --quiet. */
export function liveLog(ctx: CommandContext, quiet: boolean): (e: NodeLogEntry, seen: number) => void {
  let toldRepeats = false;
  return (e, seen) => {
    if (quiet || e.level !== "error") return;
    if (seen === 1) ctx.io.err(`\n[${hours(e.at)}] ${e.node}: ${e.message}\n`);
    else if (seen === 2 && !toldRepeats) {
      toldRepeats = true;
      ctx.io.err(`ganzhi sim: errors that repeat are counted, not printed again (the summary lists them)\n`);
    }
  };
}

interface Outputs {
  out: OutputFile | undefined;
  report: OutputFile | undefined;
  record: OutputFile | undefined;
}

function closeUnwritten(o: Outputs): void {
  for (const f of [o.out, o.report, o.record]) f?.discard();
}

/** Print the summary (text or JSON) and the verdict; write the frame log. Returns the exit code. */
function finish(ctx: CommandContext, args: ParsedArgs, summary: SimSummary, frames: readonly Frame[], o: Outputs, extra: { json?: Record<string, unknown>; text?: string }): number {
  o.out?.write(frames.map((f) => JSON.stringify(f)).join("\n") + (frames.length > 0 ? "\n" : ""));
  const v = verdict(summary, Boolean(args.options["allow-loss"]));
  if (args.options.json) {
    ctx.io.out(JSON.stringify({ ...summary, ...extra.json, exitCode: v.exitCode, failures: v.reasons }, null, 2) + "\n");
  } else {
    ctx.io.out(formatSummary(summary, o.out?.path) + (extra.text ?? "") + "\n");
    if (o.report) ctx.io.out(`  report           ${o.report.path}\n`);
    if (o.record) ctx.io.out(`  recording        ${o.record.path}\n`);
  }
  if (v.exitCode !== 0) ctx.io.err(`ganzhi sim: ${v.exitCode === EXIT_INTERRUPTED ? "" : "failed: "}${v.reasons.join("; ")}${v.exitCode === EXIT_INTERRUPTED ? "; wrote what ran so far" : ""}\n`);
  return v.exitCode;
}

interface XsRunArgs {
  device: string;
  board: string;
  hours: number;
  seed: number;
  nodes: number;
  broker: string | undefined;
  entry: "device" | "board";
  outputs: Outputs;
  progress: Progress | undefined;
  signal: AbortSignal;
}

/** `--engine xs`: device code and the simulator core on the XS runner (simulator/xs), the shell here. */
async function runOnXs(a: XsRunArgs, ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const { runSimXs, XsRunError } = await import("../../simulator/xs/session.js");
  await (await import("./xs-runner.js")).prepareXsRunner(ctx.io);
  try {
    const result = await runSimXs({
      device: a.device,
      board: a.board,
      hours: a.hours,
      seed: a.seed,
      nodes: a.nodes,
      entry: a.entry,
      signal: a.signal,
      ...(a.broker ? { broker: a.broker } : {}),
      onProgress: (p) => a.signal.aborted || a.progress?.update(p.virtualUs / p.untilUs, `${(p.virtualUs / 3.6e9).toFixed(1)} h virtual on XS`),
      onLog: liveLog(ctx, Boolean(args.options.quiet)),
    });
    a.progress?.done();
    const units = result.profile.total / result.summary.virtualHours;
    const entry = a.entry === "board" ? ", board entry (hal/moddable over simulated Moddable modules)" : "";
    return finish(ctx, args, result.summary, result.frames, a.outputs, {
      json: { engine: "xs", entry: a.entry, profile: result.profile },
      text: `\n  engine           XS (host runner)${entry}, device work ${int(units)} metering units per virtual hour`,
    });
  } catch (e) {
    a.progress?.done();
    closeUnwritten(a.outputs);
    if (e instanceof XsRunError) {
      if (args.options.json) {
        const { device, phase, kind, node, at, xsError, cause, functions } = e;
        ctx.io.out(JSON.stringify({ engine: "xs", error: { message: e.message, device, phase, kind, node, at, xsError, cause, functions }, exitCode: 1 }, null, 2) + "\n");
      }
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
    "",
    "The summary accounts for every report the nodes made: delivered, still queued, or dropped and why, with the",
    "broker's outages. Exit code 0: every report delivered and no crash; 1: reports lost or not delivered (unless",
    "--allow-loss), or a node crashed; 2: bad usage; 130: stopped by Ctrl-C (the files and summary cover what ran).",
    "A node whose start-up throws at 3 boots in a row is held down and reported once; when every node is, the run stops.",
  ].join("\n"),
  options: [
    { name: "board", kind: "string", value: "name|file.json", help: "board: a catalogue name or a board file (an overlay of yours)", default: "esp32-devkitc" },
    { name: "hours", kind: "number", value: "H", help: "virtual hours to run", default: 24 },
    { name: "seed", kind: "number", value: "S", help: "seed of the atmosphere and the nodes", default: 1 },
    { name: "nodes", kind: "number", value: "N", help: "fleet size", default: 1 },
    { name: "broker", kind: "string", value: "mqtt://ip:port", help: "external MQTT broker instead of the embedded one" },
    { name: "lns", kind: "string", value: "udp://ip:port", help: "LoRaWAN boards: the simulated gateways forward to this network server (Semtech UDP) instead of the embedded one" },
    { name: "coap", kind: "string", value: "coap://host:port", help: "NB-IoT boards: nodes send their CoAP to this server instead of the embedded one" },
    { name: "engine", kind: "string", value: "v8|xs", help: "run device code and simulator core on V8 (fast) or on Moddable's XS", default: "v8" },
    { name: "entry", kind: "string", value: "device|board", help: "with --engine xs: the device's main on the simulator's provider, or the built project (hal/moddable) over simulated Moddable modules", default: "device" },
    { name: "out", kind: "string", value: "file.jsonl", help: "write every uplink frame (hex and decoded) as JSON lines" },
    { name: "report", kind: "string", value: "file.html", help: "write a page: reported values against the simulated world, as charts" },
    { name: "record", kind: "string", value: "file.json", help: "record what reached the device, for `ganzhi emulate --replay` (one node)" },
    { name: "allow-loss", kind: "boolean", help: "exit 0 even when reports were dropped or never delivered (a broker outage on purpose)" },
    { name: "json", kind: "boolean", help: "print the summary as JSON" },
    { name: "quiet", kind: "boolean", short: "q", help: "no progress bar, no live error lines (the summary still counts them)" },
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
    const { parseBroker, runSim } = await import("../../simulator/node/session.js");
    const broker = args.options.broker as string | undefined;
    if (broker !== undefined) {
      try {
        parseBroker(broker, "--broker");
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
    const lns = args.options.lns as string | undefined;
    const coap = args.options.coap as string | undefined;
    try {
      if (lns !== undefined) (await import("../../simulator/node/lorawan-network.js")).parseLnsUrl(lns);
      if (coap !== undefined) (await import("../../simulator/node/nbiot/backend.js")).parseCoapUrl(coap);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const engine = args.options.engine as string;
    if (engine !== "v8" && engine !== "xs") throw new UsageError(`--engine must be v8 or xs, got "${engine}"`);
    const entry = args.options.entry as string;
    if (entry !== "device" && entry !== "board") throw new UsageError(`--entry must be device or board, got "${entry}"`);
    if (entry === "board" && engine !== "xs") throw new UsageError("--entry board needs --engine xs (the built project runs on XS)");
    if (entry === "board" && nodes !== 1) throw new UsageError("--entry board runs one node (a board is one XS machine)");
    if (engine === "xs") for (const o of ["report", "record"]) if (args.options[o] !== undefined) throw new UsageError(`--${o} needs --engine v8`);
    if (args.options.record !== undefined && nodes !== 1) throw new UsageError(`--record records one node; got --nodes ${nodes}`);

    // Open every output now: a path that cannot be written fails before the run, not after it.
    const outputs: Outputs = { out: undefined, report: undefined, record: undefined };
    try {
      for (const name of ["out", "report", "record"] as const) {
        const value = args.options[name] as string | undefined;
        if (value !== undefined) outputs[name] = OutputFile.open(name, value, ctx.cwd);
      }
    } catch (e) {
      closeUnwritten(outputs);
      throw e;
    }

    const quiet = Boolean(args.options.quiet);
    const progress = quiet ? undefined : new Progress(ctx.io, `${device} ${hours} h`);
    const interrupt = catchInterrupt(() => {
      progress?.done();
      ctx.io.err("ganzhi sim: stopping at the current virtual time (Ctrl-C again to quit at once)\n");
    });
    try {
      if (engine === "xs") return await runOnXs({ device, board, hours, seed, nodes, broker, entry, outputs, progress, signal: interrupt.signal }, ctx, args);
      const run = outputs.record ? (await import("../../simulator/node/record.js")).recordSimTo(outputs.record.fd) : runSim;
      const result = await run({
        device,
        board,
        hours,
        seed,
        nodes,
        signal: interrupt.signal,
        ...(broker ? { broker } : {}),
        ...(lns ? { lns } : {}),
        ...(coap ? { coap } : {}),
        onProgress: (p) => interrupt.signal.aborted || progress?.update(p.virtualUs / p.untilUs, `${(p.virtualUs / 3.6e9).toFixed(1)} h virtual`),
        onLog: liveLog(ctx, quiet),
      });
      progress?.done();
      outputs.record?.close();
      if (outputs.report) {
        const { simReportHtml } = await import("../report/sim-report.js");
        outputs.report.write(simReportHtml(result));
      }
      return finish(ctx, args, result.summary, result.frames, outputs, { json: { engine: "v8" } });
    } catch (e) {
      progress?.done();
      closeUnwritten(outputs);
      if (e instanceof ManifestError) {
        ctx.io.err(e.message + "\n");
        return 1;
      }
      throw e;
    } finally {
      interrupt.release();
    }
  },
};
