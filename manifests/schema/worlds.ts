/**
 * The simulated worlds a device manifest may name (`"world": ["lake"]`), with what each holds. The simulator builds
 * each from its registry (simulator/core/worlds.ts), which must cover every name here (the compiler checks it).
 */
export const WORLD_DESCRIPTIONS = Object.freeze({
  lake: "Dianchi lake at the buoy: water temperature following the air, diurnal photosynthesis, seeded multi-day algal blooms",
  bridge: "A 30 m road-bridge girder span at the strain gauges: urban traffic pulses with the first bending mode, the deck's daily thermal drift, a seeded step change (damage) on day 3",
} as const);

export type WorldName = keyof typeof WORLD_DESCRIPTIONS;

export const WORLD_NAMES: readonly WorldName[] = Object.freeze(Object.keys(WORLD_DESCRIPTIONS) as WorldName[]);
