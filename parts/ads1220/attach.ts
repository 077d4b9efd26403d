/** The simulator's model of ads1220, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { spiPart, structureOf, bridgeOptions, num } from "../../simulator/core/part-wiring.js";
import { deriveSeed } from "../../simulator/core/rng.js";
import { ADS1220Model } from "./model.js";
import { MAX_SCLK_HZ } from "./registers.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const { bus, pins } = spiPart(part, ctx, ["cs", "drdy"]);
  const world = structureOf(role, part, ctx);
  const inputs = part.options["inputs"];
  const model = new ADS1220Model({
    engine: ctx.node.engine,
    drdy: ctx.node.world.line(pins["drdy"]!),
    strain: (t) => world.strain(t),
    temperature: (t) => world.temperature(t),
    ...bridgeOptions(part),
    bridgeOhms: num(part, "bridgeOhms"),
    switchedBridge: part.options["lowSideSwitch"] === true,
    ...(typeof inputs === "string" ? { inputs: inputs as never } : {}),
    // The driver clocks at the bus rate, at most the part's.
    sclkHz: Math.min(part.io === "spi" ? (ctx.node.board.spi[part.bus]?.hz ?? MAX_SCLK_HZ) : MAX_SCLK_HZ, MAX_SCLK_HZ),
    // Noise per node and role: the same run gives the same codes (ModelContext carries no run seed).
    seed: deriveSeed(ctx.node.id, role),
  });
  bus.attach(pins["cs"]!, model);
  return model;
}
