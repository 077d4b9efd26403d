/**
 * `ganzhi new device`: a node that samples one part made by `ganzhi new part` (its driver's `open` and `READING`)
 * and reports it over the link its board uses (runtime/node/node.ts), and a test that runs it in the simulator against a
 * real broker.
 */
import { className } from "../names.js";
import type { PartNames } from "./part-kit.js";

/** devices/<name>/main.ts */
export function deviceMain(device: PartNames, part: string, role: string): string {
  return `/**
 * ${device.name}: samples its ${part} (role "${role}") every \`sampling\` interval of its manifest, and every
 * \`reporting.intervalS\` sends the mean, minimum and maximum of the period as one SenML-CBOR pack to
 * \`<topic>/senml\` through the node skeleton (runtime/node/node.ts): the uplink queue (nothing counts as sent before
 * the link delivered it), the link the manifest chooses for the board (MQTT, LoRaWAN or NB-IoT), and the
 * configuration downlink on \`<topic>/config\` (\`{"reportS": N}\`).
 *
 * Written by \`ganzhi new device\` as a starting point: manifests/devices/${device.name}.json says what it has and
 * where it sends; change what it computes and reports here.
 */
import type { Host, NodeApp, SummaryLine } from "../../hal/host.js";
import type { SensorError } from "../../hal/sensor.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import { open, READING, type ${className(part)} } from "../../parts/${part}/driver.js";
import { CborWriter } from "../../runtime/cbor.js";
import { Accumulator } from "../../runtime/filters/index.js";
import { Node } from "../../runtime/node/node.js";
import { Sampler } from "../../runtime/sampler.js";
import { SenmlField, SenmlPackWriter } from "../../runtime/senml.js";
import { boardLink } from "../shared/board-link.js";

const ROLE = "${role}";

/** How \`ganzhi sim\` shows this device's own counters (its \`stats()\` keys). */
const SUMMARY: readonly SummaryLine[] = Object.freeze([
  Object.freeze({ label: "samples taken", total: Object.freeze(["samples"]) }),
  Object.freeze({ label: "sensor errors", total: Object.freeze(["sensorErrors"]) }),
]);

export default function main(host: Host): NodeApp {
  const node = new ${device.cls}(host);
  node.start();
  return node;
}

export class ${device.cls} implements NodeApp {
  readonly #host: Host;
  readonly #config: NodeConfig;
  readonly #node: Node;
  readonly #sensor: ${className(part)};
  readonly #period = new Accumulator();
  readonly #cbor = new CborWriter(128);
  readonly #pack: SenmlPackWriter;
  readonly #fields = {
    mean: new SenmlField(READING.name, READING.unit),
    min: new SenmlField(\`\${READING.name}_min\`, READING.unit),
    max: new SenmlField(\`\${READING.name}_max\`, READING.unit),
  };
  readonly #stats = { samples: 0, sensorErrors: 0 };

  constructor(host: Host) {
    this.#host = host;
    const c = (this.#config = host.config as unknown as NodeConfig);
    const part = c.parts[ROLE];
    if (!part) throw new Error(\`${device.name}: no part "\${ROLE}" in the configuration (parts: \${Object.keys(c.parts).join(", ")})\`);
    this.#node = new Node({ host, config: c, link: boardLink, onReport: () => this.#report() });
    this.#pack = new SenmlPackWriter(this.#cbor, { baseName: \`\${host.id}:\` });
    this.#sensor = open(host, part, {
      onSample: () => this.#sampled(),
      onError: (e) => this.#sensorError(e),
    });
  }

  start(): void {
    this.#node.start();
    const group = Object.keys(this.#config.sampling).find((g) => this.#config.sampling[g]!.roles.indexOf(ROLE) >= 0);
    if (group === undefined) throw new Error(\`${device.name}: part "\${ROLE}" is in no sampling group\`);
    new Sampler(this.#node.scheduler, group, this.#config.sampling[group]!.intervalMs, [{ name: ROLE, sensor: this.#sensor }]);
  }

  #sampled(): void {
    const s = this.#sensor.sample();
    if (!s) return;
    this.#stats.samples++;
    this.#period.push(s.value);
  }

  #sensorError(e: SensorError): void {
    this.#stats.sensorErrors++;
    this.#host.log("warn", e.message);
  }

  #report(): void {
    const p = this.#period;
    this.#cbor.reset();
    this.#pack.begin(Math.floor(this.#host.clock.unixMs() / 1000));
    // A period without a reading sends an empty pack: the platform sees the node is alive but its part is not.
    this.#pack.valueIfFinite(this.#fields.mean, p.mean);
    this.#pack.valueIfFinite(this.#fields.min, p.min);
    this.#pack.valueIfFinite(this.#fields.max, p.max);
    this.#pack.end();
    this.#node.report(this.#cbor.copy());
    p.reset();
  }

  /** Counters, with every report accounted for under the uplink queue's standard keys. */
  stats(): Readonly<Record<string, number>> {
    return { ...this.#stats, ...this.#node.stats() };
  }

  summary(): readonly SummaryLine[] {
    return SUMMARY;
  }
}
`;
}

/** test/sim/<name>.test.ts */
export function deviceTest(device: PartNames, part: string, board: string): string {
  return `/**
 * ${device.name} in the simulator (written by \`ganzhi new device\`): an hour on ${board} against the embedded
 * broker; every report is acknowledged, decodes as SenML with an independent CBOR library (cborg, through the
 * frame log), and carries what the part read of the simulated world.
 */
import { describe, expect, it } from "vitest";
import { READING } from "../../parts/${part}/driver.js";
import { truth } from "../../parts/${part}/model.js";
import { runSim } from "../../simulator/node/session.js";

describe("${device.name}", () => {
  it("reports every 10 minutes, each report acknowledged, its mean, min and max what the part saw", async () => {
    const { summary, frames, world } = await runSim({ device: "${device.name}", board: "${board}", hours: 1, seed: 1 });
    expect(summary.crashes).toEqual([]);
    const reports = frames.filter((f) => f.topic.endsWith("/senml"));
    expect(reports).toHaveLength(6);
    expect(reports.every((f) => f.acked !== null)).toBe(true);
    for (const f of reports) {
      const value = (suffix: string) => f.records?.find((r) => r.name.endsWith(\`:\${READING.name}\${suffix}\`))?.value;
      const [mean, min, max] = [value(""), value("_min"), value("_max")];
      expect([mean, min, max].every((v) => typeof v === "number")).toBe(true);
      // The mean of equal readings may differ from them in the last bit.
      const ulp = READING.resolution / 1e6;
      expect(min!).toBeLessThanOrEqual(mean! + ulp);
      expect(mean!).toBeLessThanOrEqual(max! + ulp);
      // The world over the period this report covers, sampled every 10 s.
      const seen: number[] = [];
      for (let t = (f.t - 600_000) * 1000; t <= f.t * 1000; t += 10_000_000) seen.push(truth(world.atmosphere, t));
      expect(min!).toBeGreaterThanOrEqual(Math.min(...seen) - 2 * READING.resolution);
      expect(max!).toBeLessThanOrEqual(Math.max(...seen) + 2 * READING.resolution);
    }
  });
});
`;
}
