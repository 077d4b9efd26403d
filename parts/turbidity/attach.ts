/** The simulator's model of turbidity, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { pinOf, num, waterOf, switchedSupply } from "../../simulator/core/part-wiring.js";
import { turbidityVoltage, type TurbidityModelOptions } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const w = waterOf(role, part, ctx);
  const options: TurbidityModelOptions = {
    turbidity: (t) => w.turbidity(t),
    curve: { c2: num(part, "curveC2"), c1: num(part, "curveC1"), c0: num(part, "curveC0"), minVolts: num(part, "minVolts"), maxVolts: num(part, "maxVolts"), maxNtu: num(part, "maxNtu") },
    dividerRatio: num(part, "dividerRatio"),
    seed: `${ctx.node.id}/${role}`,
    powered: switchedSupply(part, ctx),
  };
  ctx.node.world.analog.set(pinOf(part), turbidityVoltage(options));
  return options; // fault injection sets options.fault
}
