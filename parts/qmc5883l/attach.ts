/** The simulator's model of qmc5883l, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { i2cBus, magnetometerWorld } from "../../simulator/core/part-wiring.js";
import { QMC5883LModel } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  const { bus, address } = i2cBus(part, ctx);
  const model = new QMC5883LModel(magnetometerWorld(role, part, ctx));
  bus.attach(address, model);
  return model;
}
