/**
 * Wiring a node's resolved parts to their models: one model per part, made by the factory registered under the
 * part's name (parts/<name>/attach.ts). The registry is handed in, so a run can bring only the models its parts
 * need (simulator/node/models.ts loads them by name) while XS and the tests take every one (simulator/core/parts.ts).
 */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { Atmosphere } from "./environment/types.js";
import type { AttachedModel, ModelContext, ModelFactory } from "./model-context.js";

/** Model factories by part name. */
export interface ModelRegistry {
  factory(part: string): ModelFactory | undefined;
  /** Every part name a model exists for, for the error that names a missing one. */
  known(): string[];
}

function memoWind(a: Atmosphere): Atmosphere {
  // [speed's instant, speed, direction's instant, direction]: in a typed array, because a number a closure keeps in a
  // variable is a fresh heap object at every store on V8, and these change at every sample of the wind.
  const m = new Float64Array([NaN, 0, NaN, 0]);
  const windSpeed = (at: number): number => (at === m[0] ? m[1]! : ((m[0] = at), (m[1] = a.windSpeed(at))));
  const windDirection = (at: number): number => (at === m[2] ? m[3]! : ((m[2] = at), (m[3] = a.windDirection(at))));
  const windInto = (at: number, out: { speed: number; direction: number }) => {
    out.speed = windSpeed(at);
    out.direction = windDirection(at);
    return out;
  };
  return {
    epochMs: a.epochMs,
    air: (at) => a.air(at),
    wind: (at) => windInto(at, { speed: 0, direction: 0 }),
    windInto,
    windSpeed,
    windDirection,
    rainRate: (at) => a.rainRate(at),
    rainBetween: (t0, t1) => a.rainBetween(t0, t1),
  };
}

/** Attach a model for every part of the resolved config; an unmodelled part is an error naming it. */
export function attachModelsWith(models: ModelRegistry, parts: Readonly<Record<string, ResolvedPart>>, ctx: ModelContext): AttachedModel[] {
  const out: AttachedModel[] = [];
  // One node's anemometer and vane ask for the wind's speed and direction again and again at the same instants; in a
  // fleet the shared atmosphere's own memo sees other nodes' instants in between, so each node keeps its own.
  ctx = { ...ctx, atmosphere: memoWind(ctx.atmosphere) };
  for (const role of Object.keys(parts)) {
    const part = parts[role]!;
    const factory = models.factory(part.part);
    if (!factory) throw new Error(`simulator: no model for part "${part.part}" (role ${role}); models exist for ${models.known().join(", ")}`);
    out.push({ role, part: part.part, model: factory(role, part, ctx) });
  }
  return out;
}
