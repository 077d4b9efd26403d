/**
 * The simulated worlds a device's parts can be placed in, by the name its manifest gives (`"world": ["lake"]`).
 * Every node stands in Kunming's air (the seeded atmosphere); a world adds the named quantities its models read:
 * water (a lake), structure (a bridge deck), household supplies (meters), a street (parking bays). Each is built
 * once per run from the run's seed and atmosphere, and hands each node its own view (its bay, its span, its flat).
 *
 * The V8 session and the XS session both build worlds here, so one seed gives one world on every engine.
 */
import type { KunmingWeather } from "./environment/kunming.js";
import { createBridge } from "./environment/bridge.js";
import { createDianchiLake } from "./environment/dianchi.js";
import { createHousehold } from "./environment/household.js";
import { createStreet } from "./environment/street.js";
import { WORLD_DESCRIPTIONS, WORLD_NAMES, type WorldName } from "../../manifests/schema/worlds.js";
import type { ModelContext } from "./parts.js";
import type { Seed } from "./rng.js";

/** What a world is built from: the run's seed and atmosphere (its epochMs is virtual time 0). */
export interface WorldSetup {
  readonly seed: number;
  readonly atmosphere: KunmingWeather;
  /** Nodes in the run (a world may give each its own place). */
  readonly nodes: number;
}

/** What one node's part models see of a world, besides the air. */
export type NodeWorld = Pick<ModelContext, "water" | "structure" | "household" | "street">;

export interface WorldKind {
  /** Build the world for a run; the result gives node `index` its view. */
  create(setup: WorldSetup): (index: number) => NodeWorld;
}

/** Every world a manifest may name (manifests/schema/worlds.ts; WORLD_DESCRIPTIONS says what each holds). */
export const WORLDS: Readonly<Record<WorldName, WorldKind>> = Object.freeze({
  lake: Object.freeze({
    create(setup: WorldSetup) {
      // One lake, one buoy site: every node floats in the same water.
      const lake = createDianchiLake({ seed: setup.seed, atmosphere: setup.atmosphere });
      return () => ({ water: lake });
    },
  }),
  bridge: Object.freeze({
    create(setup: WorldSetup) {
      // One span, its traffic and its damage: every node's gauges are on the same girder (the span is seeded from
      // the run's seed, its deck warmed by the run's air).
      const bridge = createBridge({ seed: setup.seed, atmosphere: setup.atmosphere, epochMs: setup.atmosphere.epochMs });
      return () => ({ structure: bridge });
    },
  }),
  household: Object.freeze({
    create(setup: WorldSetup) {
      // One flat per node: each its own seed, so a fleet of meters does not read the same family's day.
      return (index: number) => {
        const h = createHousehold({ seed: nodeSeed(setup.seed, index), epochMs: setup.atmosphere.epochMs });
        const view: NodeWorld = { household: { electricity: h.electricity, water: h.water } };
        return view;
      };
    },
  }),
  street: Object.freeze({
    create(setup: WorldSetup) {
      // One bay per node along the same street, all under the run's weather (the road follows its air).
      return (index: number) => {
        const street = createStreet({ seed: nodeSeed(setup.seed, index), epochMs: setup.atmosphere.epochMs, weather: setup.atmosphere });
        const view: NodeWorld = { street: { magneticField: (t, out) => street.fieldInto(t, out), temperature: (t) => street.sensorTemperature(t) } };
        return view;
      };
    },
  }),
});

export { WORLD_DESCRIPTIONS };

/** Node 0 keeps the run's seed (a one-node run sees the world tests build from the same seed); the others their own. */
export function nodeSeed(seed: number, index: number): Seed {
  return index === 0 ? seed : `${seed}/${index}`;
}

/** The views of the named worlds for node `index`, merged (a device may stand in several, e.g. a bridge and its street). */
export function buildWorlds(names: readonly string[], setup: WorldSetup): (index: number) => NodeWorld {
  const views = names.map((n) => {
    const kind = (WORLDS as Readonly<Record<string, WorldKind | undefined>>)[n];
    if (!kind) throw new Error(`unknown world "${n}" (known: ${WORLD_NAMES.join(", ")})`);
    return kind.create(setup);
  });
  return (index) => Object.assign({}, ...views.map((v) => v(index))) as NodeWorld;
}
