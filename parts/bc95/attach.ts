/** The simulator's model of bc95, wired to a node: the registry (simulator/core/parts.ts) finds it under the part's name. */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelContext } from "../../simulator/core/model-context.js";
import { Bc95Model } from "./model.js";

export function attachModel(role: string, part: ResolvedPart, ctx: ModelContext): unknown {
  if (part.io !== "uart") throw new Error(`${part.part}: expected a UART connection, got ${part.io}`);
  const uart = ctx.node.uart[part.bus];
  if (!uart) throw new Error(`${part.part}: node ${ctx.node.id} has no serial port "${part.bus}"`);
  const reset = part.pins["reset"];
  return new Bc95Model({
    engine: ctx.node.engine,
    uart,
    name: ctx.node.id,
    ...(reset !== undefined ? { reset: ctx.node.world.line(reset) } : {}),
    ...(ctx.nbiot ? { network: ctx.nbiot } : {}),
  });
}
