/**
 * An analog IR turbidity probe (DFRobot SEN0189 class) as a voltage source on an ADC pin.
 *
 * The sensor output is the curve from the part options inverted: on the curve's monotone span the voltage whose
 * NTU is the water's (the quadratic's root, solved here rather than looked up from the driver's evaluation).
 * Clearer than the span's top: the voltage keeps rising along the curve's slope there, up to the 4.5 V the output
 * reaches at most (wiki: analog output 0–4.5 V). More turbid than the span's bottom: the manufacturer's curve
 * ends; the model lets the voltage fall in proportion (V·NTU constant), an assumption. The pin sees the output
 * through the board's divider. Unpowered (switched supply off) or `fault = "unplugged"`: 0 V.
 * Noise: seeded, uniform ±5 mV at the sensor (no accuracy is published; an assumption).
 */
import type { Micros } from "../../simulator/core/engine.js";
import { hashNoise, seed32, type Seed } from "../../simulator/core/rng.js";
import { curveNtu, curveSpan, type TurbidityCurve } from "./curve.js";

/** Highest output of the sensor, V (wiki: analog output 0–4.5 V). */
export const TURBIDITY_MAX_OUTPUT_VOLTS = 4.5;

export interface TurbidityModelOptions {
  /** The water's turbidity at time t, NTU. */
  turbidity: (t: Micros) => number;
  curve: TurbidityCurve;
  /** V at the pin per V at the sensor. */
  dividerRatio: number;
  seed?: Seed;
  /** A broken or unplugged probe: the pin reads 0 V. */
  fault?: "unplugged" | undefined;
  /** Whether the probe's supply is on (a switched supply); absent: always on. */
  powered?: (() => boolean) | undefined;
}

/** Sensor output for a turbidity, V (before the divider). */
export function sensorVolts(c: TurbidityCurve, ntu: number): number {
  const { lo, hi } = curveSpan(c);
  const top = curveNtu(c, hi);
  if (ntu <= top) {
    const slope = 2 * c.c2 * hi + c.c1; // NTU per V, negative
    const v = hi + (ntu - top) / slope;
    return v > TURBIDITY_MAX_OUTPUT_VOLTS ? TURBIDITY_MAX_OUTPUT_VOLTS : v;
  }
  const bottom = curveNtu(c, lo);
  if (ntu >= bottom) return (lo * bottom) / ntu;
  if (c.c2 === 0) return (ntu - c.c0) / c.c1;
  // c2·V² + c1·V + (c0 − ntu) = 0; on the falling side of a downward parabola the larger root.
  const d = c.c1 * c.c1 - 4 * c.c2 * (c.c0 - ntu);
  const r = Math.sqrt(d > 0 ? d : 0);
  const a = (-c.c1 + r) / (2 * c.c2);
  const b = (-c.c1 - r) / (2 * c.c2);
  return a >= lo && a <= hi ? a : b;
}

/** The pin voltage as a function of time, for the simulator's analog world. */
export function turbidityVoltage(options: TurbidityModelOptions): (t: Micros) => number {
  const seed = options.seed === undefined ? undefined : seed32(options.seed);
  return (t) => {
    if (options.powered && !options.powered()) return 0;
    if (options.fault === "unplugged") return 0;
    let v = sensorVolts(options.curve, options.turbidity(t));
    if (seed !== undefined) v += 0.005 * (hashNoise(seed, t) * 2 - 1);
    return (v < 0 ? 0 : v) * options.dividerRatio;
  };
}
