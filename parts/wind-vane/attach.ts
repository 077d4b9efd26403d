/** The simulator's model of wind-vane, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { pinOf, num, switchedSupply } from "../../simulator/core/part-wiring.js";
import { windVaneVoltage, type WindVaneModelOptions } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const options: WindVaneModelOptions = {
    direction: (t) => ctx.atmosphere.windDirection(t),
    pullupOhms: num(part, "pullupOhms"),
    supplyVolts: num(part, "supplyVolts"),
  };
  options.powered = switchedSupply(part, ctx);
  ctx.node.world.analog.set(pinOf(part), windVaneVoltage(options));
  return options; // fault injection flips options.fault
}
