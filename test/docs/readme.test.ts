/**
 * The README's figures are printed by commands (tools/docs/readme.ts, `npm run docs`), never typed by hand: its
 * generated blocks must be what the commands print now, the wall time and the embedded broker's port aside.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { blockOf, emulatedBlock, nodesBlock, radioBlock, simBlock, stable } from "../../tools/docs/readme.js";

const README = readFileSync(path.join(import.meta.dirname, "..", "..", "README.md"), "utf8");

describe("README.md's generated blocks (npm run docs)", () => {
  it("opens with the two commands: the main job and the tests", () => {
    expect(README.split("\n").slice(2, 6).join("\n")).toMatch(/^```sh\nnpm install && npm start +# [^\n]+\nnpm test +# [^\n]+\n```$/);
  });

  it("the summary is what `npm start` prints", async () => {
    expect(stable(blockOf(README, "sim"))).toBe(stable(await simBlock()));
  }, 60_000);

  it("the node table lists every device manifest, its parts and its link on each board", () => {
    expect(blockOf(README, "nodes")).toBe(nodesBlock());
  });

  it("each node's emulated figures are docs/figures.md's rows for the nRF52840-DK and its LoRa shield", () => {
    const block = blockOf(README, "emulated");
    expect(block).toBe(emulatedBlock());
    // Every node on the DK with MQTT; those sampling faster than the run's length with their instructions and jitter
    // (the buoy's and the meter's 15-minute rounds show "-").
    for (const device of ["weather-station", "structural-strain", "water-quality", "smart-meter", "parking"]) {
      expect(block).toMatch(new RegExp(`\\| ${device} \\| nrf52840-dk \\| mqtt \\| [^|]+ \\| (?:[\\d,]+|-) \\| [\\d.]+ % \\| (?:[^|]+ ms|-) \\| [\\d.]+ KB \\|`));
    }
    for (const device of ["weather-station", "structural-strain", "parking"]) {
      expect(block).toMatch(new RegExp(`\\| ${device} \\| nrf52840-dk \\| mqtt \\| \\w+ \\d+ ms \\| [\\d,]+ \\| [\\d.]+ % \\| [\\d.–]+ ms \\|`));
    }
  });

  it("the radio figures are docs/figures.md's radio rows (airtime, RX-window error, current, battery years, event costs)", () => {
    const block = blockOf(README, "radio");
    expect(block).toBe(radioBlock());
    expect(block).toMatch(/\| weather-station \| nrf52840-dk-sx1262 \| lorawan \|/);
    expect(block).toMatch(/\| weather-station \| nrf52840-dk-bc95 \| nbiot \|/);
    expect(block).toContain("join attempt without answer");
  });
});
