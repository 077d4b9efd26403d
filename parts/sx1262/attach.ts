/** The simulator's model of sx1262, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { spiPart } from "../../simulator/core/part-wiring.js";
import { SX1262Model } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const { bus, pins } = spiPart(part, ctx, ["nss", "busy", "dio1", "reset"]);
  const line = (p: string) => ctx.node.world.line(pins[p]!);
  const tcxo = part.options["tcxoVolts"];
  const model = new SX1262Model({
    engine: ctx.node.engine,
    busy: line("busy"),
    dio1: line("dio1"),
    reset: line("reset"),
    name: `${ctx.node.id}/${role}`,
    ...(ctx.air ? { air: ctx.air } : {}),
    ...(ctx.position ? { position: ctx.position } : {}),
    ...(typeof tcxo === "number" && tcxo > 0 ? { tcxoVolts: tcxo } : {}),
  });
  bus.attach(pins["nss"]!, model);
  return model;
}
