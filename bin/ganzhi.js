#!/usr/bin/env node
// ganzhi CLI entry: the TypeScript sources are compiled to out/ by `npm install` (prepare) and `npm start`/`npm test`.
// A source edited (or a part, device or board added by `ganzhi new`) since the last build is compiled here first,
// so no command ever runs an out-of-date catalogue, model or device.
import { existsSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { hasNewerSource } from "#newer-source";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "out", "tools", "cli", "main.js");
if (!existsSync(entry)) {
  console.error("ganzhi: not built yet; run `npm install` (or `npx tsc -b`) in " + root);
  process.exit(1);
}

// What the CLI runs is compiled from these folders (test/ is compiled too, but the CLI never runs it).
const SOURCES = ["hal", "runtime", "devices", "parts", "simulator", "manifests", "tools", "emulator"];
const stamp = join(root, "out", ".ganzhi-built");

const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
if (existsSync(tsc)) {
  const built = Math.max(...[stamp, join(root, "out", ".node.tsbuildinfo")].map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  if (SOURCES.some((d) => hasNewerSource(join(root, d), built, (_p, e) => e.isDirectory() && e.name === "node_modules"))) {
    console.error("ganzhi: sources changed since the last build; compiling (tsc -b) …");
    const r = spawnSync(process.execPath, [tsc, "-b"], { cwd: root, stdio: ["ignore", 2, 2] });
    if (r.status !== 0) {
      console.error("ganzhi: the TypeScript build failed (errors above); fix them and run the command again");
      process.exit(1);
    }
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
  }
}

const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
