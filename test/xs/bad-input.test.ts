/**
 * Firmware that fails on XS is reported with the device, the phase (start-up, sample, report) and XS's own error,
 * and the run stops cleanly: the promise rejects (no hang), the runner is gone and the broker is closed.
 * The fixtures wrap the real weather station and add one fault each.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { DeviceMain } from "../../hal/host.js";
import { runSim } from "../../simulator/node/session.js";
import { runSimXs, XsRunError } from "../../simulator/xs/session.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const fixture = (name: string) => path.join(FIXTURES, name, "main.ts");

/** The run's failure. It must stop the run by itself: a hang would be the test's own timeout, not an XsRunError. */
async function failure(name: string, extra: { heapLimit?: number; callbackBudget?: number } = {}): Promise<XsRunError> {
  const error = await runSimXs({ device: "weather-station", board: "esp32-devkitc", hours: 1, seed: 1, mainPath: fixture(name), ...extra }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(XsRunError);
  return error as XsRunError;
}

describe("bad firmware on XS", () => {
  it("a main that throws at start-up (TextEncoder: on V8, not on a device) stops the run with device, phase and error", async () => {
    const e = await failure("throws-in-main");
    expect(e.device).toBe("weather-station");
    expect(e.phase).toBe("start-up");
    expect(e.node).toBe("ws-0001");
    expect(e.at).toBe(0);
    // XS release builds say little ("no function") but name the functions the exception went through.
    expect(e.xsError).toBe("TypeError: no function");
    expect(e.functions[0]).toBe("main");
    expect(e.message).toBe("weather-station on XS: TypeError: no function (at main) — in start-up on ws-0001 at 0.0000 h virtual");

    // The same firmware runs on V8: the failure is XS's.
    const mod = (await import(fixture("throws-in-main"))) as { default: DeviceMain };
    const v8 = await runSim({ device: "weather-station", board: "esp32-devkitc", hours: 0.25, seed: 1, main: mod.default });
    expect(v8.summary.crashes).toEqual([]);
    expect(v8.summary.framesSent).toBeGreaterThan(0);
  });

  it("a module body that throws on XS is a start-up failure in module evaluation", async () => {
    const e = await failure("throws-at-load");
    expect(e.phase).toBe("start-up");
    expect(e.kind).toBe("module evaluation");
    expect(e.cause).toBe("load");
    expect(e.xsError).toBe("TypeError: no function");
  });

  it("a sample that allocates without end runs out of XS memory: reported in sample, with XS's memory error", async () => {
    const e = await failure("memory-in-sample", { heapLimit: 64 * 1024 * 1024 });
    expect(e.cause).toBe("memory");
    expect(e.phase).toBe("sample");
    expect(e.kind).toBe("sample:air+rain");
    expect(e.xsError).toMatch(/^memory full/);
    // The hoarder's first slot is one period after boot.
    expect(e.at).toBe(60_000_000);
  });

  it("a report that never returns hits the metering limit: reported in report, at the first report slot", async () => {
    const e = await failure("loops-in-report", { callbackBudget: 5_000_000 });
    expect(e.cause).toBe("meter");
    expect(e.phase).toBe("report");
    expect(e.kind).toBe("report");
    expect(e.xsError).toMatch(/^too much computation/);
    expect(e.at).toBe(600_000_000);
  });
});
