/** The simulator's model of sht3x, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { i2cBus } from "../../simulator/core/part-wiring.js";
import { SHT3xModel } from "./model.js";

/**
 * On a node whose scenario gives a structure (a strain monitor), the SHT3x sits in the gauges' junction box bonded
 * to the girder: it reads the structure's temperature, with the air's humidity.
 */
export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const { bus, address } = i2cBus(part, ctx);
  const structure = ctx.structure;
  const air = structure
    ? (t: number) => ({ ...ctx.atmosphere.air(t), temperature: structure.deckTemperature(t) })
    : (t: number) => ctx.atmosphere.air(t);
  const model = new SHT3xModel({ now: () => ctx.node.engine.now, air });
  bus.attach(address, model);
  return model;
}
