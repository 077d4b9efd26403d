/**
 * What `ganzhi profile` prints (simulator/xs/profile.ts formatProfile): headers over the columns they name, and the
 * board's heap budget set against the figure it applies to.
 */
import { describe, expect, it } from "vitest";
import { formatProfile, type DeviceProfile } from "../../simulator/xs/profile.js";

const kind = (name: string, phase: "start-up" | "report" | "sample" | "timer", cycles: number, median: number, max: number, periodMs?: number) => ({
  name,
  phase,
  cycles,
  median,
  max,
  total: cycles * median,
  transientChunks: 0,
  transientSlots: 0,
  ...(periodMs !== undefined ? { periodMs } : {}),
});

function profile(liveSlots: number, peakSlots: number): DeviceProfile {
  return {
    device: "weather-station",
    board: "esp32-devkitc",
    hours: 24,
    seed: 1,
    kinds: [
      kind("start-up", "start-up", 1, 63_393, 63_393),
      kind("report", "report", 144, 21_342, 21_586, 600_000),
      kind("sample:wind", "sample", 345_600, 2_774, 3_133, 250),
      kind("timer", "timer", 1_440, 493, 1_409),
    ],
    totalUnits: 944_538_986,
    heap: {
      slotBytes: 32,
      startup: { chunks: 8_152, slots: 1_665 },
      live: { chunks: 9_064, slots: liveSlots },
      peak: { chunks: 24_328, slots: peakSlots },
      peakKind: "start-up",
      checkpoints: 144,
    },
    budget: { chunk: 32_768, heap: 2_048 },
    wallSeconds: 48.1,
    frames: [],
    crashes: 0,
  };
}

describe("ganzhi profile's table", () => {
  const lines = formatProfile(profile(1_732, 4_001)).split("\n");
  const header = lines.findIndex((l) => /^\s+work\s/.test(l));
  const cols = lines[header]!;
  const report = lines.find((l) => l.trimStart().startsWith("report"))!;

  it("puts 'units per cycle' over the median and max columns, and 'period' over the periods", () => {
    const over = lines[header - 1]!;
    const start = over.indexOf("units per cycle");
    const end = start + "units per cycle".length;
    const medianStart = cols.indexOf("median") - (10 - "median".length);
    const maxEnd = cols.indexOf("max") + "max".length;
    expect(start).toBeGreaterThanOrEqual(medianStart);
    expect(end).toBeLessThanOrEqual(maxEnd);
    // Numbers end where their column headers end.
    expect(report.indexOf("21,342") + "21,342".length).toBe(cols.indexOf("median") + "median".length);
    expect(report.indexOf("21,586") + "21,586".length).toBe(maxEnd);
    expect(report.indexOf("every 10 min")).toBe(cols.indexOf("period"));
  });

  it("says which heap figure the slot budget applies to, and how each compares", () => {
    const text = lines.join("\n");
    expect(text).toContain("2,048 slots, for the heap live at each collection");
    expect(text).toContain("at least the live heap above (1,732 slots, 9,064 B: within it)");
    expect(text).toContain("at most the peak (4,001 slots, 24,328 B: over it, so what a callback leaves behind must be collectable)");
    const over = formatProfile(profile(2_100, 4_001));
    expect(over).toContain("at least the live heap above (2,100 slots, 9,064 B: over it)");
  });
});
