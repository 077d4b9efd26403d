/** The simulator's model of cup-anemometer, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { pinOf, num } from "../../simulator/core/part-wiring.js";
import { AnemometerModel, driveAnemometerLine } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const model = new AnemometerModel({ speed: (t) => ctx.atmosphere.windSpeed(t), kmhPerHz: num(part, "kmhPerHz") });
  if (part.io === "pulse-count") ctx.node.world.pulse.set(pinOf(part), model);
  else driveAnemometerLine(model, ctx.node.engine, ctx.node.world.line(pinOf(part)));
  return model;
}
