/**
 * The simulated world's named quantities (manifests/schema/worlds.ts), in SenML units, as a run report reads them:
 * a value at an instant, or (for a total) what accumulated over an interval.
 */
import { AIR_QUANTITIES, type QuantityName } from "../../manifests/schema/worlds.js";
import type { Micros } from "./engine.js";
import type { KunmingWeather } from "./environment/kunming.js";

export interface Quantity {
  readonly unit: string;
  readonly kind: "mean" | "total" | "angle";
  readonly title: string;
  /** The value at `t` (a total's rate is not needed: use `between`). */
  at(t: Micros): number;
  /** What accumulated over [t0, t1) (totals); the mean over it otherwise. */
  between(t0: Micros, t1: Micros): number;
}

const MINUTE = 60_000_000;

/** Every air quantity, read from the atmosphere (its snapshot in °C, %, Pa, m/s and degrees; rain in mm). */
export function airQuantities(atmosphere: KunmingWeather): Readonly<Record<QuantityName, Quantity>> {
  const instant = (name: QuantityName, at: (t: Micros) => number): Quantity => ({
    ...AIR_QUANTITIES[name],
    at,
    // The mean of whole-minute samples ending at t1, as a node's interval mean is taken.
    between(t0, t1) {
      let acc = 0;
      let n = 0;
      for (let t = t0 + MINUTE; t <= t1; t += MINUTE, n++) acc += at(t);
      return acc / n;
    },
  });
  return Object.freeze({
    "air.temperature": instant("air.temperature", (t) => atmosphere.snapshot(t).temperature),
    "air.humidity": instant("air.humidity", (t) => atmosphere.snapshot(t).humidity),
    "air.pressure": instant("air.pressure", (t) => atmosphere.snapshot(t).pressure),
    "air.dewPoint": instant("air.dewPoint", (t) => atmosphere.snapshot(t).dewPoint),
    "air.windMeanSpeed": instant("air.windMeanSpeed", (t) => atmosphere.snapshot(t).windMeanSpeed),
    "air.windDirection": instant("air.windDirection", (t) => (atmosphere.snapshot(t).windDirection * Math.PI) / 180),
    "air.rain": { ...AIR_QUANTITIES["air.rain"], at: () => NaN, between: (t0: Micros, t1: Micros) => atmosphere.rainBetween(t0, t1) / 1000 },
  });
}
