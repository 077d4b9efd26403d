/** The simulator's model of ezo-do, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { ezo } from "../../simulator/core/part-wiring.js";
import { EzoDOModel } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  return ezo(role, part, ctx, (o, w) =>
    new EzoDOModel({
      ...o,
      oxygen: (t) => w.oxygen(t),
      temperature: (t) => w.temperature(t),
      conductivity: (t) => w.conductivity(t),
      airPressure: (t) => ctx.atmosphere.air(t).pressure / 1000,
    }),
  );
}
