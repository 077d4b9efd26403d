/**
 * Configuration downlinks on the emulated Cortex-M4: the simulator records a run in which an operator sends every
 * case of test/helpers/downlinks.ts, the image replays the broker's bytes, and its acknowledgements are the
 * simulator's byte for byte, and the documented ones (V8 and XS on the host: test/xs/downlink.test.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { emulate, type EmulateResult } from "../../emulator/host/emulate.js";
import { recordSim } from "../../simulator/node/record.js";
import { CONFIG_DOWNLINKS, downlinksAt } from "../helpers/downlinks.js";

const TOPIC = "kunming/weather/ws-0001";
const RUN = { device: "weather-station", board: "esp32-devkitc", hours: 1.1, seed: 4 } as const;

let run: EmulateResult;

beforeAll(async () => {
  const { recording, result } = await recordSim({
    ...RUN,
    onHour: downlinksAt(1, TOPIC),
  });
  run = await emulate({ ...RUN, profile: "mps2-4m", recording, simFrames: result.frames });
}, 300_000);

describe("configuration downlinks on the emulated MCU (mps2-4m)", () => {
  it("answers every case with the documented acknowledgement, byte-identical to the simulator's", () => {
    const acks = run.frames.filter((f) => f.topic === `${TOPIC}/config/ack`);
    expect(acks.map((f) => f.decoded)).toEqual(CONFIG_DOWNLINKS.map((c) => c.ack));
    expect(run.comparison.firstDifference).toBeUndefined();
    expect(run.comparison.identical).toBe(true);
    expect(run.console.crashes).toEqual([]);
    expect(run.console.divergences).toEqual([]);
  });
});
