/**
 * What part models read from the simulated world. Every quantity is a pure function of virtual time (µs since the
 * run's start) and the environment's seed, so a model may ask as often as it likes without changing the world.
 */
import type { Micros } from "../engine.js";

export interface AirState {
  /** °C */
  temperature: number;
  /** relative humidity, % (0–100) */
  humidity: number;
  /** station pressure, Pa */
  pressure: number;
}

export interface WindState {
  /** instantaneous speed, m/s (already including gusts) */
  speed: number;
  /** direction the wind comes from, degrees clockwise from north, [0, 360) */
  direction: number;
}

export interface Atmosphere {
  air(t: Micros): AirState;
  wind(t: Micros): WindState;
  /** `wind` into a caller's object (hot paths: no allocation per query). */
  windInto(t: Micros, out: WindState): WindState;
  /** `wind(t).speed` alone: a model that needs one half does not pay for the other. */
  windSpeed(t: Micros): number;
  /** `wind(t).direction` alone. */
  windDirection(t: Micros): number;
  /** rain intensity, mm/h */
  rainRate(t: Micros): number;
  /**
   * Integral of rainRate over [t0, t1] in mm. Models use it to place bucket tips exactly; implementations must make
   * rainBetween(a, b) + rainBetween(b, c) equal rainBetween(a, c) up to rounding.
   */
  rainBetween(t0: Micros, t1: Micros): number;
  /** Unix epoch ms at virtual time 0 (SenML timestamps, diurnal cycle). */
  readonly epochMs: number;
}

/** Magnetic flux density at a sensor, µT, along the sensor's own axes (x, y, z as its datasheet draws them). */
export interface MagneticField {
  x: number;
  y: number;
  z: number;
}

/**
 * The field at a magnetometer as a function of virtual time (Earth's field plus whatever is near: a parked car, a
 * passing one), written into `out` so a model asks without allocating.
 */
export type MagneticFieldAt = (t: Micros, out: MagneticField) => MagneticField;

/** Named quantities of a body of water, as functions of virtual time (what water-measuring part models read). */
export interface WaterQuantities {
  /** °C */
  temperature(t: Micros): number;
  pH(t: Micros): number;
  /** Dissolved oxygen, mg/L. */
  oxygen(t: Micros): number;
  /** Specific conductance (at 25 °C), µS/cm. */
  conductivity(t: Micros): number;
  /** Oxidation-reduction potential, mV. */
  orp(t: Micros): number;
  /** NTU */
  turbidity(t: Micros): number;
}
