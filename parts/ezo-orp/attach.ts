/** The simulator's model of ezo-orp, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { ezo } from "../../simulator/core/part-wiring.js";
import { EzoORPModel } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  return ezo(role, part, ctx, (o, w) => new EzoORPModel({ ...o, orp: (t) => w.orp(t) }));
}
