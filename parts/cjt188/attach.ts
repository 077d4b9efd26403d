/** The simulator's model of cjt188, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { meterBus, household, num } from "../../simulator/core/part-wiring.js";
import { Cjt188MeterModel } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const { bus, framing } = meterBus(part, ctx);
  const address = String(part.options["address"]);
  return new Cjt188MeterModel({
    engine: ctx.node.engine,
    bus,
    framing,
    address: /^A+$/i.test(address) ? "1" : address,
    type: num(part, "meterType"),
    supply: household(role, part, ctx, "water"),
    epochMs: ctx.atmosphere.epochMs,
  });
}
