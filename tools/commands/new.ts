/**
 * `ganzhi new board|part|device <name>`: a working starting point a vendor or firmware engineer then changes. What
 * it writes passes `ganzhi check` and its own tests as written; see docs/vendors.md.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { UsageError } from "../cli/args.js";
import type { Command, CommandContext } from "../cli/command.js";
import { checkNewName } from "../new/names.js";
import { BUS_NAMES, newBoard, newDevice, newPart, type Generated } from "../new/generate.js";

/** Compile what was written, so the next command (and this one's device step) sees the new part. */
function compile(ctx: CommandContext, g: Generated): void {
  const r = spawnSync(process.execPath, [join(ctx.root, "node_modules", "typescript", "bin", "tsc"), "-b"], { cwd: ctx.root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrote ${g.files.join(", ")}, but the project does not compile now (tsc -b):\n${(r.stdout + r.stderr).trim()}`);
}

function show(ctx: CommandContext, what: string, g: Generated, next: readonly string[]): void {
  ctx.io.out(`${what}\n${g.files.map((f) => `  ${f}\n`).join("")}`);
  for (const n of g.notes) ctx.io.out(`  note: ${n}\n`);
  ctx.io.out(`next:\n${next.map((l) => `  ${l}\n`).join("")}`);
}

export const newCommand: Command = {
  name: "new",
  summary: "write a new board overlay, part or device as a working starting point (manifest, code, tests)",
  usage: "board <name> --extends <board> | part <name> --bus <bus> | device <name> [--part <part> | --bus <bus>]",
  description: [
    "board:  manifests/boards/<name>.json, an overlay of --extends, and a test that every device wired for the",
    "        base resolves on it.",
    `part:   parts/<name>/ (part.ts, driver.ts, model.ts and the register map or protocol both share) for --bus`,
    `        ${BUS_NAMES.join(", ")}, a test of the driver against the model, and the part registered in`,
    "        manifests/schema/parts.ts and simulator/core/parts.ts.",
    "device: manifests/devices/<name>.json, devices/<name>/main.ts (samples the part, reports over MQTT) and a",
    "        simulation test. --part names a part made by `ganzhi new part`; without it, a part <name>-sensor is",
    "        made first on --bus (default i2c). The device is wired on every catalogue board it resolves on.",
    "Nothing existing is overwritten. The project is compiled afterwards (tsc -b).",
  ].join("\n"),
  options: [
    { name: "extends", kind: "string", value: "board", help: "board: the catalogue board it overlays" },
    { name: "bus", kind: "string", value: BUS_NAMES.join("|"), help: "part (and device without --part): how the part connects" },
    { name: "part", kind: "string", value: "part", help: "device: the part it reads (one made by `ganzhi new part`)" },
  ],
  async run(args, ctx) {
    const [kind, rawName, ...extra] = args.positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const only = (allowed: readonly string[]) => {
      for (const o of ["extends", "bus", "part"]) if (args.options[o] !== undefined && !allowed.includes(o)) throw new UsageError(`--${o} does not go with ganzhi new ${kind}`);
    };
    if (kind === "board") {
      only(["extends"]);
      const name = checkNewName("board", rawName);
      const base = args.options.extends;
      if (typeof base !== "string") throw new UsageError("ganzhi new board needs --extends <board> (the catalogue board it overlays)");
      const g = newBoard(ctx.root, name, base);
      compile(ctx, g);
      show(ctx, `board ${name}, an overlay of ${base}:`, g, [`edit manifests/boards/${name}.json (docs/vendors.md: "Adding a board")`, `ganzhi check --board ${name}`, `npx vitest run test/boards/${name}.test.ts`]);
      return 0;
    }
    if (kind === "part") {
      only(["bus"]);
      const name = checkNewName("part", rawName);
      const bus = args.options.bus;
      if (typeof bus !== "string") throw new UsageError(`ganzhi new part needs --bus ${BUS_NAMES.join("|")}`);
      const g = newPart(ctx.root, name, bus);
      compile(ctx, g);
      show(ctx, `part ${name} on ${bus}:`, g, [`replace the example facts in parts/${name}/ with the datasheet's (docs/vendors.md: "Adding a part")`, `npx vitest run test/parts/${name}.test.ts`, `ganzhi new device <name> --part ${name}`]);
      return 0;
    }
    if (kind === "device") {
      only(["part", "bus"]);
      const name = checkNewName("device", rawName);
      let part = args.options.part as string | undefined;
      if (part !== undefined && args.options.bus !== undefined) throw new UsageError("--bus makes a new part for the device; with --part it has one already");
      if (part === undefined) {
        part = `${name}-sensor`;
        const g = newPart(ctx.root, part, (args.options.bus as string | undefined) ?? "i2c");
        compile(ctx, g);
        show(ctx, `part ${part} on ${(args.options.bus as string | undefined) ?? "i2c"} (for device ${name}):`, g, [`replace the example facts in parts/${part}/ with the datasheet's`]);
        // The catalogue this process loaded predates the part: the device step runs on the compiled new one.
        const r = spawnSync(process.execPath, [join(ctx.root, "bin", "ganzhi.js"), "new", "device", name, "--part", part], { cwd: ctx.cwd, encoding: "utf8" });
        ctx.io.out(r.stdout);
        if (r.stderr) ctx.io.err(r.stderr);
        return r.status ?? 1;
      }
      const g = newDevice(ctx.root, name, part);
      compile(ctx, g);
      show(ctx, `device ${name}, reading ${part}:`, g, [`ganzhi check ${name}`, `npx vitest run test/sim/${name}.test.ts`, `ganzhi sim ${name} --hours 1`]);
      return 0;
    }
    throw new UsageError(kind === undefined ? "ganzhi new needs what to make: board, part or device" : `ganzhi new makes a board, part or device, not "${kind}"`);
  },
};
