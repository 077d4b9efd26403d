/**
 * `ganzhi` — firmware toolchain and simulator for city sensor nodes. Dispatches to sub-commands; every usage error
 * is one line on stderr and exit code 2.
 */
import { manifestRoot } from "../../manifests/load.js";
import { formatOptions, parseArgs, UsageError, closest } from "./args.js";
import type { Command, CommandContext, Output } from "./command.js";

/** Sub-commands, loaded only when used: `ganzhi --help` must not pay for rollup, TypeScript or the broker. */
interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: "sim",
    summary: "run a simulated node or fleet in virtual time, publishing to a real MQTT broker",
    load: async () => (await import("../commands/sim.js")).simCommand,
  },
  {
    name: "check",
    summary: "validate manifests and resolve devices on boards (or a vendor's overlay file); errors with file:line:col",
    load: async () => (await import("../commands/check.js")).checkCommand,
  },
  {
    name: "build",
    summary: "type-check and bundle a device for a board into a Moddable project; --flash hands it to mcconfig",
    load: async () => (await import("../commands/build.js")).buildCommand,
  },
  {
    name: "profile",
    summary: "measure a device on XS: metering per sampling cycle and report, heap at start-up and peak, vs the baseline",
    load: async () => (await import("../commands/profile.js")).profileCommand,
  },
  {
    name: "new",
    summary: "write a new board overlay, part or device as a working starting point (manifest, code, tests)",
    load: async () => (await import("../commands/new.js")).newCommand,
  },
  { name: "emulate", summary: "run a device's firmware on XS on an emulated Cortex-M4 (QEMU), replaying the simulator's inputs", load: async () => (await import("../commands/emulate.js")).emulateCommand },
];

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    "ganzhi — firmware toolchain and deterministic simulator for city sensor nodes (Moddable XS on ESP32 / nRF52840)",
    "",
    "Usage: ganzhi <command> [options]      ganzhi <command> --help",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "Examples:",
    "  ganzhi sim weather-station --hours 24 --seed 7",
    "  ganzhi sim weather-station --broker mqtt://127.0.0.1:1883 --out run.jsonl",
    "  ganzhi build weather-station --board esp32-devkitc",
    "  ganzhi profile weather-station",
  ].join("\n");
}

export function commandHelp(c: Command): string {
  return [`Usage: ganzhi ${c.name} ${c.usage}`, "", c.description, "", "Options:", formatOptions(c.options), "  -h, --help" + " ".repeat(4) + "show this help"].join("\n");
}

export async function main(argv: readonly string[], io?: Output, env: Record<string, string | undefined> = process.env): Promise<number> {
  const out: Output = io ?? {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    tty: Boolean(process.stderr.isTTY),
  };
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    out.out(usage() + "\n");
    return name ? 0 : 2;
  }
  if (name === "--version") {
    out.out("ganzhi 0.1.0\n");
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const near = closest(name, COMMANDS.map((c) => c.name));
    out.err(`ganzhi: unknown command "${name}"${near ? ` (did you mean "${near}"?)` : ""}; commands: ${COMMANDS.map((c) => c.name).join(", ")}\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    out.out(commandHelp(command) + "\n");
    return 0;
  }
  const ctx: CommandContext = { root: manifestRoot(), cwd: process.cwd(), io: out, env };
  try {
    const args = parseArgs(rest, command.options);
    return await command.run(args, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      out.err(`ganzhi ${name}: ${e.message}\n`);
      return 2;
    }
    const err = e as Error & { diagnostics?: unknown };
    out.err(`ganzhi ${name}: ${err.message}\n`);
    return 1;
  }
}

