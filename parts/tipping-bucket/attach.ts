/** The simulator's model of tipping-bucket, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { pinOf, num } from "../../simulator/core/part-wiring.js";
import { TippingBucketModel } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const line = ctx.node.world.line(pinOf(part));
  return new TippingBucketModel({
    engine: ctx.node.engine,
    line,
    rainBetween: (a, b) => ctx.atmosphere.rainBetween(a, b),
    mmPerTip: num(part, "mmPerTip"),
  });
}
