/** `ganzhi new part`'s test: the driver against its model on a simulated board, and the bus's fault. */
import type { BusTemplate, PartNames } from "./part-kit.js";

/** test/parts/<name>.test.ts */
export function partTest(n: PartNames, t: BusTemplate): string {
  const fault = t.faultTest(n);
  return `/**
 * ${n.name} (written by \`ganzhi new part --bus ${t.bus}\`): its driver, unmodified, against its model on a
 * simulated esp32-devkitc in virtual time: readings come back as the simulated world gave them, to the part's
 * resolution, and a fault is an error, never a reading.
 */
import { describe, expect, it } from "vitest";
import { open, READING } from "../../parts/${n.name}/driver.js";
import { truth } from "../../parts/${n.name}/model.js";
import { partBench } from "./part-bench.js";
${fault.imports.join("\n")}${fault.imports.length ? "\n" : ""}
describe("${n.name}", () => {
  it("reads what the simulated world gives it, to the part's resolution", () => {
    const bench = partBench("${n.name}");
    const readings: { at: number; value: number }[] = [];
    const sensor = open(bench.host, bench.part, {
      onSample() {
        readings.push({ at: bench.engine.now, value: this.sample()!.value });
      },
      onError(e) {
        throw e;
      },
    });
    for (let i = 0; i < 10; i++) {
      sensor.measure();
      bench.run(60_000);
    }
    expect(readings).toHaveLength(10);
    for (const r of readings) {
      // What the world gave while the reading was taken (a gate time for pulse counts, an instant for most).
      const seen: number[] = [];
      for (let t = r.at - sensor.conversionMs * 1000; t <= r.at; t += Math.max(1, sensor.conversionMs * 100)) seen.push(truth(bench.atmosphere, t));
      expect(r.value).toBeGreaterThanOrEqual(Math.min(...seen) - READING.resolution);
      expect(r.value).toBeLessThanOrEqual(Math.max(...seen) + READING.resolution);
    }
  });

${fault.body}
});
`;
}
