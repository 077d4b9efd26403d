/**
 * docs/figures.md is the benchmark's output (`npm run figures`). Its deterministic figures must be what the commands
 * print now: here the simulation table's reports and bytes, re-run with the days its title names. Elsewhere: the
 * parking month's lines (test/devices/parking-month.test.ts) and the footprint per board (test/build/moddable.test.ts).
 * Not re-checked, because the suite cannot afford them: the XS/V8, emulated-MCU and battery tables (QEMU hours), the
 * fleets, and every wall-time figure, which depend on the machine and its load.
 */
import { describe, expect, it } from "vitest";
import { listDevices } from "../../manifests/load.js";
import { SIM_DETERMINISTIC, SIM_HEADER, simCells, simFigures } from "../../tools/bench/sim-figures.js";
import { FIGURES_FILE, figuresSettings, figuresTable, readFigures } from "../../tools/docs/figures-file.js";

const docs = readFigures();
const table = figuresTable(docs, "ganzhi bench: ");
const days = Number(/ganzhi bench: ([\d.]+)-day simulation/.exec(table.title)?.[1]);

describe(`${FIGURES_FILE}: the simulation table`, () => {
  it("was printed with the settings its header names, for every device", () => {
    expect(table.header).toEqual(SIM_HEADER);
    expect(days).toBeGreaterThan(0);
    expect(String(days)).toBe(figuresSettings(docs).GANZHI_BENCH_DAYS ?? "7");
    expect(table.rows.map((r) => r.device)).toEqual(listDevices());
  });

  it.each(listDevices())("%s: reports and bytes are what the simulation gives now", async (device) => {
    const now = simCells(await simFigures(device, days));
    const row = table.rows.find((r) => r.device === device);
    const pick = (cells: Record<string, string>) => SIM_DETERMINISTIC.map((h) => `${h}: ${cells[h]}`);
    expect(pick(row ?? {}), `${FIGURES_FILE} is stale for ${device}: run \`npm run figures\``).toEqual(pick(Object.fromEntries(SIM_HEADER.map((h, i) => [h, now[i]!]))));
  }, 10 * 60_000);
});
