/** The simulator's model of dlt645, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { meterBus, household } from "../../simulator/core/part-wiring.js";
import { Dlt645MeterModel } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const { bus, framing } = meterBus(part, ctx);
  const address = String(part.options["address"]);
  // The wildcard is how the device finds the one meter on the bus; the meter itself has a real address.
  return new Dlt645MeterModel({ engine: ctx.node.engine, bus, framing, address: /^A+$/i.test(address) ? "1" : address, supply: household(role, part, ctx, "electricity"), epochMs: ctx.atmosphere.epochMs });
}
