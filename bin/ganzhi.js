#!/usr/bin/env node
// ganzhi CLI entry: the TypeScript sources are compiled to out/ by `npm install` (prepare) and `npm start`/`npm test`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "out", "tools", "cli", "main.js");
if (!existsSync(entry)) {
  console.error("ganzhi: not built yet; run `npm install` (or `npx tsc -b`) in " + root);
  process.exit(1);
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
