/**
 * `ganzhi build --flash`: mcconfig from PATH, run in the project directory with the board's Moddable target.
 * A stand-in `mcconfig` first on PATH records its argv and working directory.
 */
import { chmodSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBoard } from "../../manifests/load.js";
import { parseArgs } from "../../tools/cli/args.js";
import { createBuildCommand } from "../../tools/commands/build.js";
import { capture, makeScratch, type Scratch } from "./helpers.js";

let scratch: Scratch;
let bin: string;
let record: string;

beforeAll(() => {
  scratch = makeScratch();
  bin = path.join(scratch.root, "bin");
  mkdirSync(bin);
  record = path.join(scratch.root, "mcconfig-calls.txt");
  const script = [
    "#!/bin/sh",
    `{ printf 'cwd=%s\\n' "$(pwd -P)"; for a in "$@"; do printf 'arg=%s\\n' "$a"; done; printf 'end\\n'; } >> "${record}"`,
    'echo "# mcconfig stand-in: building"',
    'echo "# uploading" 1>&2',
    'exit "${MCCONFIG_EXIT:-0}"',
    "",
  ].join("\n");
  writeFileSync(path.join(bin, "mcconfig"), script);
  chmodSync(path.join(bin, "mcconfig"), 0o755);
});

afterAll(() => scratch?.dispose());

interface Call {
  cwd: string;
  args: string[];
}

function calls(): Call[] {
  let text = "";
  try {
    text = readFileSync(record, "utf8");
  } catch {
    return [];
  }
  const out: Call[] = [];
  let cur: Call = { cwd: "", args: [] };
  for (const line of text.split("\n")) {
    if (line.startsWith("cwd=")) cur = { cwd: line.slice(4), args: [] };
    else if (line.startsWith("arg=")) cur.args.push(line.slice(4));
    else if (line === "end") out.push(cur);
  }
  return out;
}

async function run(argv: string[], env: Record<string, string | undefined>) {
  const cmd = createBuildCommand();
  const io = capture();
  const code = await cmd.run(parseArgs(argv, cmd.options), { root: scratch.root, cwd: scratch.root, io, env });
  return { code, io };
}

describe("ganzhi build --flash", () => {
  it.each(["esp32-devkitc", "nrf52840-dk"])("runs mcconfig -m -p <board target> in the output directory (%s)", async (board) => {
    const before = calls().length;
    const { code, io } = await run(["tiny-node", "--board", board, "--out", `flash/${board}`, "--flash"], {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
    });
    expect(io.errors.filter((e) => !e.startsWith("warning:"))).toEqual(["# uploading"]);
    expect(code).toBe(0);
    const made = calls().slice(before);
    expect(made).toHaveLength(1);
    const target = loadBoard(board, { root: scratch.root }).manifest.target;
    expect(target).toBe(board === "esp32-devkitc" ? "esp32" : "nrf52/dk");
    expect(made[0]!.args).toEqual(["-m", "-p", target]);
    expect(made[0]!.cwd).toBe(realpathSync(path.join(scratch.root, "flash", board)));
    // mcconfig's output is streamed through.
    expect(io.lines).toContain("# mcconfig stand-in: building");
  });

  it("--debug and --id reach mcconfig as -d and id=<id>", async () => {
    const before = calls().length;
    const { code } = await run(["tiny-node", "--board", "esp32-devkitc", "--out", "flash/dbg", "--flash", "--debug", "--id", "ws-0042"], {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
    });
    expect(code).toBe(0);
    expect(calls().slice(before)[0]!.args).toEqual(["-m", "-p", "esp32", "-d", "id=ws-0042"]);
  });

  it("a failing mcconfig fails the command (exit 1)", async () => {
    const { code, io } = await run(["tiny-node", "--board", "nrf52840-dk", "--out", "flash/fail", "--flash"], {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
      MCCONFIG_EXIT: "3",
    });
    expect(code).toBe(1);
    expect(io.errors).toContain("ganzhi build: mcconfig exited with code 3");
  });

  it("without mcconfig on PATH: one clear line on how to flash by hand, exit 1", async () => {
    const empty = path.join(scratch.root, "empty-bin");
    mkdirSync(empty, { recursive: true });
    const before = calls().length;
    const { code, io } = await run(["tiny-node", "--board", "nrf52840-dk", "--out", "flash/none", "--flash"], {
      ...process.env,
      PATH: empty,
    });
    expect(code).toBe(1);
    expect(calls().length).toBe(before);
    const errors = io.errors.filter((e) => !e.startsWith("warning:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/needs mcconfig from the Moddable SDK on PATH/);
    expect(errors[0]).toContain("cd flash/none && mcconfig -m -p nrf52/dk");
    expect(errors[0]).not.toContain("\n");
    // The project is still there to flash by hand.
    expect(readFileSync(path.join(scratch.root, "flash", "none", "manifest.json"), "utf8")).toContain('"ganzhi/app"');
  });
});
