/** The simulator's model of s0-pulse, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { pinOf, household, num } from "../../simulator/core/part-wiring.js";
import { S0PulseModel } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const supply = household(role, part, ctx, "electricity");
  return new S0PulseModel({
    engine: ctx.node.engine,
    line: ctx.node.world.line(pinOf(part)),
    energyWh: (t) => supply.energyWh(t),
    impulsesPerKwh: num(part, "impulsesPerKwh"),
    pulseMs: num(part, "pulseMs"),
  });
}
