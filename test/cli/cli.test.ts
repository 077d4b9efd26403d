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
import mqtt from "mqtt";
import { listDevices } from "../../manifests/load.js";
import { liveLog } from "../../tools/commands/sim.js";
import { freePort, Mosquitto, MOSQUITTO_MISSING, mosquittoBinary, skipMosquitto } from "../helpers/mosquitto.js";

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
    [["sim", "weather-statoin"], `ganzhi sim: unknown device "weather-statoin" (did you mean "weather-station"?); devices: ${listDevices().join(", ")}`],
    [["sim", "weather-station", "--board", "esp32"], 'ganzhi sim: unknown board "esp32"'],
    [["sim", "weather-station", "--hurs", "3"], "ganzhi sim: unknown option --hurs (did you mean --hours?)"],
    [["sim", "weather-station", "--hours", "many"], 'ganzhi sim: --hours expects a number, got "many"'],
    [["sim", "weather-station", "--broker", "mqtt://broker.example:1883"], "ganzhi sim: --broker must be mqtt://<IPv4>[:port]"],
    [["sim", "weather-station", "--broker", "mqtt://127.0.0.1:70000"], 'ganzhi sim: --broker: port must be 1…65535, got "70000" in "mqtt://127.0.0.1:70000"'],
    [["sim", "weather-station", "--broker", "mqtt://127.0.0.1:0"], 'ganzhi sim: --broker: port must be 1…65535, got "0"'],
    [["sim", "weather-station", "--broker", "mqtt://300.0.0.1:1883"], 'ganzhi sim: --broker: IPv4 octet "300" must be 0…255'],
    [["sim", "weather-station", "--out", "/nonexistent-ganzhi-dir/run.jsonl"], "ganzhi sim: --out /nonexistent-ganzhi-dir/run.jsonl: cannot write /nonexistent-ganzhi-dir/run.jsonl (ENOENT)"],
    [["sim", "weather-station", "--report", "/"], "ganzhi sim: --report /: cannot write / (EISDIR)"],
    [["sim", "weather-station", "--record", "/nonexistent-ganzhi-dir/rec.json"], "ganzhi sim: --record /nonexistent-ganzhi-dir/rec.json: cannot write"],
    [["simm"], 'ganzhi: unknown command "simm" (did you mean "sim"?)'],
    [["build", "weather-station", "--board", "nrf52840"], 'ganzhi build: unknown board "nrf52840"'],
  ])("%j → one clear line, exit code 2", async (args, message) => {
    const r = await ganzhi(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(message);
    // Refused before the run: no summary.
    expect(r.stdout).toBe("");
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

describe("ganzhi sim: lost data never looks like success", () => {
  const dir = mkdtempSync(join(tmpdir(), "ganzhi-cli-loss-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a broker nobody listens on: the summary accounts for every report, warns, and the exit code is 1 with one line saying why", async () => {
    const port = await freePort();
    const r = await ganzhi(["sim", "weather-station", "--hours", "2", "--broker", `mqtt://127.0.0.1:${port}`, "-q"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("  reports          12 made: 0 delivered, 12 still queued, 0 dropped\n");
    expect(r.stdout).toContain(`  warning: broker mqtt://127.0.0.1:${port} unreachable: no node ever connected;`);
    expect(r.stderr).toBe("ganzhi sim: failed: 12 of 12 reports not delivered (12 still queued at the end); --allow-loss accepts that");

    const allowed = await ganzhi(["sim", "weather-station", "--hours", "2", "--broker", `mqtt://127.0.0.1:${port}`, "-q", "--allow-loss"]);
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stderr).toBe("");
    expect(allowed.stdout).toContain("unreachable");
  });

  it.each(["v8", "xs"])("--json on %s: the whole summary, with the accounting, the warnings and the exit code", async (engine) => {
    const port = await freePort();
    const r = await ganzhi(["sim", "weather-station", "--engine", engine, "--hours", "1", "--broker", `mqtt://127.0.0.1:${port}`, "-q", "--json"]);
    expect(r.exitCode).toBe(1);
    const s = JSON.parse(r.stdout) as Record<string, unknown> & { reports: unknown; warnings: string[]; brokerStatus: { neverConnected: number } };
    expect(s.engine).toBe(engine);
    expect(s.reports).toEqual({ made: 6, delivered: 0, held: 6, dropped: { "queue-full": 0 } });
    expect(s.undelivered).toBe(6);
    expect(s.warnings).toEqual([expect.stringContaining("unreachable: no node ever connected")]);
    expect(s.brokerStatus.neverConnected).toBe(1);
    expect(s.exitCode).toBe(1);
    expect(s.failures).toEqual(["6 of 6 reports not delivered (6 still queued at the end); --allow-loss accepts that"]);
    expect(s.deviceSummary).toEqual([expect.objectContaining({ label: "samples taken" }), expect.objectContaining({ label: "sensor errors" })]);
  }, 180_000);

  it("an error that repeats is printed once live, then counted; --quiet prints none", () => {
    const lines: string[] = [];
    const ctx = { root, cwd: root, env: {}, io: { out: () => {}, err: (t: string) => lines.push(t), tty: false } };
    const entry = (i: number) => ({ at: i * 1e6, node: "ws-0001", level: "error" as const, message: "crash in start-up: Error: weather-station config: no sht3x among parts" });
    const live = liveLog(ctx, false);
    for (let i = 1; i <= 1000; i++) live(entry(i), i);
    expect(lines).toEqual([
      "\n[0.000 h] ws-0001: crash in start-up: Error: weather-station config: no sht3x among parts\n",
      "ganzhi sim: errors that repeat are counted, not printed again (the summary lists them)\n",
    ]);
    lines.length = 0;
    const quiet = liveLog(ctx, true);
    for (let i = 1; i <= 1000; i++) quiet(entry(i), i);
    expect(lines).toEqual([]);
  });
});

describe("ganzhi sim: Ctrl-C", () => {
  let broker: Mosquitto | undefined;
  const dir = mkdtempSync(join(tmpdir(), "ganzhi-cli-int-"));
  beforeAll(async () => {
    if (!mosquittoBinary()) {
      if (skipMosquitto()) return;
      throw new Error(MOSQUITTO_MISSING);
    }
    // A private broker: its subscriber sees this run's reports and no other test's.
    broker = await Mosquitto.start({ persistence: false });
  });
  afterAll(async () => {
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Run `ganzhi sim` in a process group of its own against the private broker, and Ctrl-C it (SIGINT to the whole
   * group, as a terminal does) once the broker has passed on three reports: well under way, whatever the machine. */
  async function interrupted(extra: string[]): Promise<{ r: { exitCode?: number; stdout: string; stderr: string }; seen: Set<string> }> {
    const url = `mqtt://127.0.0.1:${broker!.port}`;
    const seen = new Set<string>();
    const sub = await mqtt.connectAsync(url, { clientId: "cli-int-ingest" });
    await sub.subscribeAsync("kunming/weather/+/senml", { qos: 1 });
    const child = execa("node", [join(root, "bin", "ganzhi.js"), "sim", "weather-station", "--hours", "5000", "--broker", url, "-q", ...extra], {
      reject: false,
      cwd: root,
      env: { FORCE_COLOR: "0" },
      detached: true,
    });
    await new Promise<void>((resolve) => {
      sub.on("message", (_topic, payload) => {
        seen.add(payload.toString("hex"));
        if (seen.size === 3) resolve();
      });
    });
    process.kill(-child.pid!, "SIGINT");
    const r = await child;
    await sub.endAsync();
    expect(r.exitCode).toBe(130);
    expect(r.stdout).toMatch(/\n {2}stopped {10}at \d+\.\d{3} h of 5000 h: interrupted \(Ctrl-C\)\n/);
    expect(r.stdout).toMatch(/\n {2}reports {10}\d+ made: \d+ delivered/);
    expect(r.stderr).toMatch(/ganzhi sim: interrupted at \d+\.\d{3} h virtual; wrote what ran so far$/);
    return { r, seen };
  }

  /** The frame log holds every report the subscriber got, acknowledged. */
  function frameLogHolds(out: string, seen: Set<string>): unknown[] {
    const frames = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { topic: string; hex: string; acked: number | null });
    const logged = new Set(frames.filter((f) => f.topic.endsWith("/senml") && f.acked !== null).map((f) => f.hex));
    for (const hex of seen) expect(logged.has(hex)).toBe(true);
    return frames;
  }

  it("Ctrl-C writes the frame log, the report page and the recording of what ran, prints the summary and exits 130", async (ctx) => {
    if (!broker) ctx.skip();
    const [out, report, record] = ["run.jsonl", "run.html", "run.rec.json"].map((f) => join(dir, f)) as [string, string, string];
    const { seen } = await interrupted(["--out", out, "--report", report, "--record", record]);
    const frames = frameLogHolds(out, seen);
    expect(readFileSync(report, "utf8")).toMatch(/^<!doctype html>/i);
    const rec = JSON.parse(readFileSync(record, "utf8")) as { format: string; hours: number; endUs: number; frames: unknown[] };
    expect(rec.format).toBe("ganzhi-recording");
    expect(rec.hours).toBeLessThan(5000);
    expect(rec.endUs).toBe(Math.round(rec.hours * 3.6e9));
    expect(rec.frames.length).toBe(frames.length);
  });

  it("Ctrl-C on --engine xs: the runner is not killed with the shell's group; the run stops and writes its frame log", async (ctx) => {
    if (!broker) ctx.skip();
    const out = join(dir, "xs.jsonl");
    const { r, seen } = await interrupted(["--engine", "xs", "--out", out]);
    expect(r.stdout).toContain("  engine           XS (host runner)");
    frameLogHolds(out, seen);
  }, 180_000);
});
