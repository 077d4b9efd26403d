/**
 * The simulated worlds a device manifest may name (`"world": ["lake"]`), with what each holds. The simulator builds
 * each from its registry (simulator/core/worlds.ts), which must cover every name here (the compiler checks it).
 */
export const WORLD_DESCRIPTIONS = Object.freeze({
  lake: "Dianchi lake at the buoy: water temperature following the air, diurnal photosynthesis, seeded multi-day algal blooms",
  bridge: "A 30 m road-bridge girder span at the strain gauges: urban traffic pulses with the first bending mode, the deck's daily thermal drift, a seeded step change (damage) on day 3",
  household:
    "A Kunming flat's electricity and water (one household per node): appliances and taps by time of day, piecewise constant so energy and volume are exact; supply voltage",
  street:
    "One on-street parking bay per node and the bay next to it: arrivals and departures by time of day, vehicle signatures in the Earth's field at Kunming, passing traffic, road temperature and sensor drift",
} as const);

export type WorldName = keyof typeof WORLD_DESCRIPTIONS;

export const WORLD_NAMES: readonly WorldName[] = Object.freeze(Object.keys(WORLD_DESCRIPTIONS) as WorldName[]);

/**
 * The air's named quantities, in SenML units (RFC 8428 §12.1), that a run report sets a device's records against
 * (`report` in a device manifest): "mean" ones are compared as interval means, "total" ones accumulate over each
 * report interval, "angle" ones are drawn but not averaged. The simulator defines each (simulator/core/quantities.ts).
 */
export const AIR_QUANTITIES = Object.freeze({
  "air.temperature": Object.freeze({ unit: "Cel", kind: "mean", title: "air temperature" }),
  "air.humidity": Object.freeze({ unit: "%RH", kind: "mean", title: "relative humidity" }),
  "air.pressure": Object.freeze({ unit: "Pa", kind: "mean", title: "station pressure" }),
  "air.dewPoint": Object.freeze({ unit: "Cel", kind: "mean", title: "dew point" }),
  "air.windMeanSpeed": Object.freeze({ unit: "m/s", kind: "mean", title: "10-minute mean wind speed" }),
  "air.windDirection": Object.freeze({ unit: "rad", kind: "angle", title: "wind direction (from)" }),
  "air.rain": Object.freeze({ unit: "m", kind: "total", title: "rain" }),
} as const);

export type QuantityName = keyof typeof AIR_QUANTITIES;

export const QUANTITY_NAMES: readonly QuantityName[] = Object.freeze(Object.keys(AIR_QUANTITIES) as QuantityName[]);
