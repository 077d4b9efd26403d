/** The simulator's model of hx711, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { pinOf, structureOf, bridgeOptions, num } from "../../simulator/core/part-wiring.js";
import { deriveSeed } from "../../simulator/core/rng.js";
import { HX711Model } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  // DOUT is the part's pin; PD_SCK arrives as pins.pd_sck (the named-pin extension's resolved shape).
  const dout = pinOf(part);
  const pdSck = (part as { pins?: Readonly<Record<string, number>> }).pins?.["pd_sck"];
  if (typeof pdSck !== "number") throw new Error(`${part.part} (role ${role}): pin "pd_sck" is not wired (resolved config pins.pd_sck)`);
  const world = structureOf(role, part, ctx);
  const rate = num(part, "rate");
  return new HX711Model({
    engine: ctx.node.engine,
    pdSck: ctx.node.world.line(pdSck),
    dout: ctx.node.world.line(dout),
    strain: (t) => world.strain(t),
    rate: rate === 10 ? 10 : 80,
    ...bridgeOptions(part),
    bridgeOhms: num(part, "bridgeOhms"),
    seed: deriveSeed(ctx.node.id, role),
  });
}
