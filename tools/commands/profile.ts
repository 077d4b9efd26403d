/**
 * `ganzhi profile <device>`: the device's cost on XS in deterministic units — metering per sampling cycle and per
 * report (median and max over a simulated day), heap after start-up and at its peak — against the committed
 * baseline (test/xs/baseline.json), which `--update-baseline --reason "…"` rewrites for this device.
 */
import { ManifestError } from "../../manifests/load.js";
import { UsageError } from "../cli/args.js";
import type { Command } from "../cli/command.js";
import { Progress } from "../cli/progress.js";
import { manifestArg } from "../cli/manifest-arg.js";

export const profileCommand: Command = {
  name: "profile",
  summary: "measure a device on XS: metering per sampling cycle and report, heap at start-up and peak, vs the baseline",
  usage: "<device> [options]",
  description: [
    "Runs the device for a simulated day on Moddable's XS engine (the host runner, built from the XS sources on",
    "the npm registry) and prints, per kind of work, the XS metering count per cycle (median, max) and the node's",
    "heap after start-up and at its peak (chunk bytes, slots). Metering counts byte codes: it is the same on every",
    "machine. The figures are compared with test/xs/baseline.json; the test suite fails on a rise of more than",
    "10 %, or on a kind of work no longer measured, unless the baseline is updated (--update-baseline --reason).",
    "The file keeps the figures each update replaced: a rise needs a reason other than the one it replaces.",
  ].join("\n"),
  options: [
    { name: "board", kind: "string", value: "name|file.json", help: "board name or board file (default: the baseline's, else esp32-devkitc)" },
    { name: "hours", kind: "number", value: "H", help: "virtual hours (default: the baseline's, else 24)" },
    { name: "seed", kind: "number", value: "S", help: "seed (default: the baseline's, else 1)" },
    { name: "update-baseline", kind: "boolean", help: "write these figures into test/xs/baseline.json" },
    { name: "reason", kind: "string", value: "text", help: "why the baseline changes (required with --update-baseline)" },
    { name: "json", kind: "boolean", help: "print the profile as JSON" },
    { name: "quiet", kind: "boolean", short: "q", help: "no progress bar" },
  ],
  async run(args, ctx) {
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
    const device = manifestArg("device", args.positionals[0], ctx);
    const update = args.options["update-baseline"] === true;
    const reason = typeof args.options.reason === "string" ? args.options.reason.trim() : "";
    if (update && reason === "") throw new UsageError('--update-baseline needs --reason "why the figures change"');
    if (!update && args.options.reason !== undefined) throw new UsageError("--reason goes with --update-baseline");

    const { formatProfile, profileDevice, PROFILE_DEFAULTS } = await import("../../simulator/xs/profile.js");
    const { baselinePath, compareToBaseline, loadBaseline, updateBaseline } = await import("../../simulator/xs/baseline.js");
    const { XsRunError } = await import("../../simulator/xs/session.js");
    let baseline;
    try {
      baseline = loadBaseline(baselinePath(ctx.root));
    } catch {
      baseline = undefined;
    }
    const entry = baseline?.devices[device];
    const board = manifestArg("board", (args.options.board as string | undefined) ?? entry?.board ?? PROFILE_DEFAULTS.board, ctx);
    const hours = (args.options.hours as number | undefined) ?? entry?.hours ?? PROFILE_DEFAULTS.hours;
    const seed = (args.options.seed as number | undefined) ?? entry?.seed ?? PROFILE_DEFAULTS.seed;
    if (!(hours > 0)) throw new UsageError(`--hours must be > 0, got ${hours}`);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got ${seed}`);
    const comparable = entry !== undefined && entry.board === board && entry.hours === hours && entry.seed === seed;

    await (await import("./xs-runner.js")).prepareXsRunner(ctx.io);
    const progress = args.options.quiet ? undefined : new Progress(ctx.io, `${device} on XS`);
    let profile;
    try {
      profile = await profileDevice(device, {
        board,
        hours,
        seed,
        onProgress: (p) => progress?.update(p.virtualUs / p.untilUs, `${(p.virtualUs / 3.6e9).toFixed(1)} h virtual`),
      });
    } catch (e) {
      progress?.done();
      if (e instanceof XsRunError) {
        ctx.io.err(`ganzhi profile: ${e.message}\n`);
        return 1;
      }
      if (e instanceof ManifestError) {
        ctx.io.err(e.message + "\n");
        return 1;
      }
      throw e;
    }
    progress?.done();

    const tolerance = baseline?.tolerance ?? 0.1;
    const findings = comparable ? compareToBaseline(profile, entry, tolerance) : undefined;
    if (args.options.json) {
      const { frames: _frames, ...rest } = profile;
      ctx.io.out(JSON.stringify({ ...rest, baseline: comparable ? { tolerance, findings } : null }, null, 2) + "\n");
    } else {
      ctx.io.out(formatProfile(profile, findings, tolerance) + "\n");
      if (!comparable && !update) {
        ctx.io.out(
          entry
            ? `  baseline         not compared: it was taken on ${entry.board}, ${entry.hours} h, seed ${entry.seed}\n`
            : `  baseline         none for ${device}: ganzhi profile ${device} --update-baseline --reason "first baseline"\n`,
        );
      }
    }
    if (update) {
      try {
        updateBaseline(profile, reason, baselinePath(ctx.root));
      } catch (e) {
        ctx.io.err(`ganzhi profile: baseline not updated: ${(e as Error).message}\n`);
        return 1;
      }
      ctx.io.out(`  baseline         updated (${baselinePath(ctx.root)}): ${reason}\n`);
      return 0;
    }
    return findings?.some((f) => f.over) ? 1 : 0;
  },
};
