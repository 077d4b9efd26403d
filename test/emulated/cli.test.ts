/**
 * `ganzhi emulate` from the command line, and `ganzhi sim --record` feeding `ganzhi emulate --replay`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ganzhi = (args: string[]) => execa("node", [join(root, "bin", "ganzhi.js"), ...args], { reject: false, cwd: root });
const dir = mkdtempSync(join(tmpdir(), "ganzhi-emulate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ganzhi emulate", () => {
  it("refuses a board on another platform's profile, in one line, exit code 2", async () => {
    const r = await ganzhi(["emulate", "weather-station", "--board", "nrf52840-dk", "--profile", "mps2-4m"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe("ganzhi emulate: board nrf52840-dk (nrf52) runs on profile nrf52840, not mps2-4m");
  });

  it("refuses a recording made on another board, in one line, exit code 2", async () => {
    const recording = join(dir, "esp.json");
    const sim = await ganzhi(["sim", "weather-station", "--hours", "0.01", "--seed", "2", "--record", recording, "-q"]);
    expect(sim.exitCode).toBe(0);
    const r = await ganzhi(["emulate", "--replay", recording, "--board", "nrf52840-dk"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      "ganzhi emulate: the recording was made on board esp32-devkitc, not nrf52840-dk: replay it with --board esp32-devkitc or record one for nrf52840-dk",
    );
  });

  it("refuses a profile it does not know, in one line, exit code 2", async () => {
    const r = await ganzhi(["emulate", "weather-station", "--profile", "nrf52832"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('ganzhi emulate: unknown --profile "nrf52832"; profiles: mps2-4m, nrf52840');
  });

  it("replays a recording from `ganzhi sim --record`: the table, the JSON figures, and the frame log of `ganzhi sim --out`", async () => {
    const recording = join(dir, "rec.json");
    const simFrames = join(dir, "sim.jsonl");
    const sim = await ganzhi(["sim", "weather-station", "--hours", "0.1", "--seed", "9", "--record", recording, "--out", simFrames, "-q"]);
    expect(sim.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(recording, "utf8")).format).toBe("ganzhi-recording");

    const emuFrames = join(dir, "emu.jsonl");
    const table = await ganzhi(["emulate", "--replay", recording, "--out", emuFrames, "-q"]);
    expect(table.stdout).toMatch(/^ {2}device\s+profile\s+flash\s+XS memory \(device\)\s+CPU busy\s+jitter p99\/max\s+latency$/m);
    expect(table.stdout).toMatch(/^ {2}weather-station\s+mps2-4m\s+\d+ KB\s+\d+ KB of 64 KB\s+[\d.–]+ %\s+[\d.–]+\/[\d.–]+ ms \(wind 250 ms\)\s+none sent$/m);
    // Six minutes hold no report (every 10 minutes): the latency budget has nothing to measure, and fails.
    expect(table.stdout).toMatch(/^ {2}FAIL\s+sample-to-uplink latency on the board's clock, worst: no telemetry frame was sent: nothing to measure \(budget 100 ms\)$/m);
    expect(table.exitCode).toBe(1);
    // Same frame log, line for line, as the simulator wrote for the same run.
    expect(readFileSync(emuFrames, "utf8")).toBe(readFileSync(simFrames, "utf8"));

    const json = await ganzhi(["emulate", "--replay", recording, "--json"]);
    const f = JSON.parse(json.stdout) as { device: string; framesIdentical: boolean; checks: { name: string; ok: boolean }[] };
    expect(f.device).toBe("weather-station");
    expect(f.framesIdentical).toBe(true);
    // The exit code says whether every check held.
    expect(json.exitCode).toBe(f.checks.every((c) => c.ok) ? 0 : 1);
    expect(f.checks.find((c) => c.name === "frames")!.ok).toBe(true);
  });
});
