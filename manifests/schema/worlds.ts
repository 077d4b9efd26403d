/**
 * The simulated worlds a device manifest may name (`"world": ["lake"]`), with what each holds. The simulator builds
 * each from its registry (simulator/core/worlds.ts), which must cover every name here (the compiler checks it).
 */
export const WORLD_DESCRIPTIONS = Object.freeze({
  lake: "Dianchi lake at the buoy: water temperature following the air, diurnal photosynthesis, seeded multi-day algal blooms",
  household:
    "A Kunming flat's electricity and water (one household per node): appliances and taps by time of day, piecewise constant so energy and volume are exact; supply voltage",
  street:
    "One on-street parking bay per node and the bay next to it: arrivals and departures by time of day, vehicle signatures in the Earth's field at Kunming, passing traffic, road temperature and sensor drift",
} as const);

export type WorldName = keyof typeof WORLD_DESCRIPTIONS;

export const WORLD_NAMES: readonly WorldName[] = Object.freeze(Object.keys(WORLD_DESCRIPTIONS) as WorldName[]);
