/**
 * The `ganzhi` command line as a newcomer meets it: help, one-line errors with exit code 2, and a simulation
 * against Mosquitto (the CI's broker on 127.0.0.1:1883 when GANZHI_MQTT_URL names it, else a private one).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decode } from "cborg";
import { Mosquitto, skipMosquitto } from "../helpers/mosquitto.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ganzhi = (args: string[]) => execa("node", [join(root, "bin", "ganzhi.js"), ...args], { reject: false, cwd: root, env: { FORCE_COLOR: "0" } });

describe("ganzhi CLI", () => {
  it("--help lists the commands, exit 0; no arguments prints usage, exit 2", async () => {
    const help = await ganzhi(["--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("sim");
    expect(help.stdout).toContain("build");
    expect((await ganzhi([])).exitCode).toBe(2);
  });

  it.each(["sim", "build"])("%s --help describes its options, exit 0", async (cmd) => {
    const r = await ganzhi([cmd, "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: ganzhi ${cmd} `));
    expect(r.stdout).toContain("--board");
  });

  it.each([
    [["sim", "weather-statoin"], 'ganzhi sim: unknown device "weather-statoin" (did you mean "weather-station"?); devices: weather-station'],
    [["sim", "weather-station", "--board", "esp32"], 'ganzhi sim: unknown board "esp32"'],
    [["sim", "weather-station", "--hurs", "3"], "ganzhi sim: unknown option --hurs (did you mean --hours?)"],
    [["sim", "weather-station", "--hours", "many"], 'ganzhi sim: --hours expects a number, got "many"'],
    [["sim", "weather-station", "--broker", "mqtt://broker.example:1883"], "ganzhi sim: --broker must be mqtt://<IPv4>[:port]"],
    [["simm"], 'ganzhi: unknown command "simm" (did you mean "sim"?)'],
    [["build", "weather-station", "--board", "nrf52840"], 'ganzhi build: unknown board "nrf52840"'],
  ])("%j → one clear line, exit code 2", async (args, message) => {
    const r = await ganzhi(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });
});

describe("ganzhi sim against Mosquitto", () => {
  let broker: Mosquitto | undefined;
  let url = process.env.GANZHI_MQTT_URL;
  const dir = mkdtempSync(join(tmpdir(), "ganzhi-cli-"));

  beforeAll(async () => {
    if (url || skipMosquitto()) return;
    broker = await Mosquitto.start({ persistence: false }); // fails with the install hint when the binary is missing
    url = `mqtt://127.0.0.1:${broker.port}`;
  });
  afterAll(async () => {
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs 6 h, every report acknowledged by Mosquitto, and writes the frame log", async (ctx) => {
    if (!url) ctx.skip();
    const out = join(dir, "run.jsonl");
    const r = await ganzhi(["sim", "weather-station", "--hours", "6", "--seed", "7", "--broker", url!, "--out", out, "--quiet"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("36 sent, 36 acknowledged");
    const frames = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { topic: string; hex: string; decoded: unknown; acked: number | null });
    const reports = frames.filter((f) => f.topic.endsWith("/senml"));
    expect(reports).toHaveLength(36);
    for (const f of reports) {
      expect(f.acked).not.toBeNull();
      // The hex is the payload as sent; decoding it independently gives the logged pack.
      const pack = decode(Buffer.from(f.hex, "hex"), { useMaps: true }) as Map<number, unknown>[];
      expect(pack.length).toBe((f.decoded as unknown[]).length);
      expect(pack[0]!.get(-2)).toBe("ws-0001:");
    }
  });
});
