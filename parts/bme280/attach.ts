/** The simulator's model of bme280, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { i2cBus } from "../../simulator/core/part-wiring.js";
import { BME280Model } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const { bus, address } = i2cBus(part, ctx);
  const model = new BME280Model({ now: () => ctx.node.engine.now, air: (t) => ctx.atmosphere.air(t) });
  bus.attach(address, model);
  return model;
}
