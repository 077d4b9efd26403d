/**
 * Voltage → turbidity for an analog IR turbidity probe of the DFRobot SEN0189 class, shared by the driver and the
 * model. The manufacturer publishes a graph and its fit (DFRobot wiki SKU SEN0189, reproduced on the DFRobot forum):
 *
 *   NTU = −1120.4·V² + 5742.3·V − 4352.9,  V the sensor output at its 5 V supply,
 *
 * drawn for 2.5 V ≤ V ≤ 4.2 V; below 2.5 V the wiki says to take 3000 NTU. The output falls as turbidity rises.
 * The fit is a downward parabola whose vertex is at V = 5742.3/2240.8 = 2.563 V (3005 NTU), so between 2.5 V and
 * the vertex it *rises* with voltage: the usable, monotone span is vertex…4.2 V (3005 … 0.9 NTU). Above 4.2 V
 * (clearer than the curve) it turns negative within 0.1 V. The curve is taken from the part options (a manifest
 * can carry a probe's own fit); evaluate() clamps to the monotone span and says when it did.
 *
 * Sensor facts (same wiki, "Specification"): 5 V DC, 40 mA max, response < 500 ms, analog output 0–4.5 V,
 * 5–90 °C; the top of the probe is not waterproof. Wiki FAQ: a probe cable plugged the wrong way reads 0.04 V.
 */

export interface TurbidityCurve {
  /** NTU = c2·V² + c1·V + c0. */
  readonly c2: number;
  readonly c1: number;
  readonly c0: number;
  /** Lowest sensor voltage the curve is drawn for, V. */
  readonly minVolts: number;
  /** Highest sensor voltage the curve is drawn for, V. */
  readonly maxVolts: number;
  /** What readings below the curve's span are taken as, NTU. */
  readonly maxNtu: number;
}

/** Part-option defaults (parts/turbidity/part.ts states them from here). */
export const TURBIDITY_DEFAULTS = Object.freeze({
  curveC2: -1120.4,
  curveC1: 5742.3,
  curveC0: -4352.9,
  minVolts: 2.5,
  maxVolts: 4.2,
  maxNtu: 3000,
  /** V at the ADC pin per V at the sensor: its 0–4.5 V output divided to fit a 3.3 V ADC (4.5 × 0.6 = 2.7 V). */
  dividerRatio: 0.6,
  /** Below this sensor voltage there is no signal (the wiki FAQ's 0.04 V with a reversed cable), V. */
  noSignalVolts: 0.1,
  /** Wait after switching the probe on before reading: the wiki's response time, ms. */
  warmupMs: 500,
  /** ADC readings averaged per measurement. */
  samples: 8,
});

/** Maximum operating current (wiki specification), mA: what an always-powered probe draws. */
export const TURBIDITY_MAX_MA = 40;

/**
 * The lower end of the span where the curve falls monotonically with voltage: the drawn minimum, or the vertex
 * of the parabola if that lies above it. A curve that does not fall over its span is an error naming the fault.
 */
export function curveSpan(c: TurbidityCurve): { lo: number; hi: number } {
  if (!(c.maxVolts > c.minVolts)) throw new RangeError(`turbidity curve: maxVolts (${c.maxVolts}) must exceed minVolts (${c.minVolts})`);
  let lo = c.minVolts;
  if (c.c2 < 0) {
    const vertex = -c.c1 / (2 * c.c2);
    if (vertex > lo) lo = vertex;
  }
  const slope = (v: number): number => 2 * c.c2 * v + c.c1;
  if (!(lo < c.maxVolts) || slope(lo) > 0 || slope(c.maxVolts) >= 0) {
    throw new RangeError(`turbidity curve ${c.c2}·V² + ${c.c1}·V + ${c.c0} does not fall with voltage between ${c.minVolts} and ${c.maxVolts} V`);
  }
  return { lo, hi: c.maxVolts };
}

export function curveNtu(c: TurbidityCurve, volts: number): number {
  return (c.c2 * volts + c.c1) * volts + c.c0;
}

/**
 * Turbidity for a sensor voltage: on the curve inside its span; above it (clearer) the curve's value at the top
 * end, floored at 0; below it `maxNtu`. `clamped` says the voltage was outside the span.
 */
export function evaluate(c: TurbidityCurve, volts: number, span: { lo: number; hi: number }): { ntu: number; clamped: boolean } {
  if (volts > span.hi) {
    const top = curveNtu(c, span.hi);
    return { ntu: top > 0 ? top : 0, clamped: true };
  }
  if (volts < span.lo) return { ntu: c.maxNtu, clamped: true };
  const ntu = curveNtu(c, volts);
  return { ntu: ntu < 0 ? 0 : ntu > c.maxNtu ? c.maxNtu : ntu, clamped: false };
}
