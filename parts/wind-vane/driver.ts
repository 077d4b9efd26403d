/**
 * Resistor-ladder wind vane (Argent Data Systems 80422, as in the SparkFun SEN-15901 kit) on an ADC.
 *
 * Eight reed switches with resistors; the vane's magnet closes one, or two adjacent ones (the 22.5° points are the
 * parallel pairs), so 16 directions give 16 resistances. With a pull-up to the supply the ADC sees
 * V = Vs·R/(R + Rpullup). The driver picks the nearest of the 16 expected codes; a reading far from all of them
 * (open wire, shorted cable) is not a direction and is reported as an error.
 *
 * Powered all the time, the divider draws Vs/(R + Rpullup) whichever way the vane points: a quarter of a milliamp
 * on average, more than a sleeping nRF52840 node's MCU. With `power`, a GPIO output feeds the divider only for the
 * reading: through about 10 kΩ into the ADC's sampling capacitor it settles in microseconds, less than the
 * driver's own instructions between the write and the conversion (a filter capacitor on the pin would need a
 * settling wait).
 */
import type { Timers } from "../../hal/host.js";
import type { Analog, AnalogClass, Digital, DigitalClass, PinSpecifier } from "../../hal/io.js";
import { ErrorReporter, SensorError } from "../../hal/sensor.js";
import type { Sensor, SensorOptions } from "../../hal/sensor.js";

/** Argent 80422 datasheet: resistance in ohms for each direction, 0°, 22.5°, … 337.5°. */
export const ARGENT_80422_OHMS: readonly number[] = Object.freeze([
  33000, 6570, 8200, 891, 1000, 688, 2200, 1410, 3900, 3140, 16000, 14120, 120000, 42120, 64900, 21880,
]);

export interface WindVaneSample {
  /** Degrees clockwise from north the wind blows from, a multiple of 22.5. */
  direction: number;
  raw: number;
}

export interface WindVaneOptions extends SensorOptions {
  sensor: { io: AnalogClass; pin: PinSpecifier };
  /** A Digital output that powers the divider; absent: the divider is powered all the time. */
  power?: { io: DigitalClass; pin: PinSpecifier } | undefined;
  timer: Timers;
  pullupOhms: number;
  /** Divider supply voltage (the ADC's full scale is the board's). */
  supplyVolts: number;
  /** The ADC's full-scale voltage on this board. */
  fullScaleVolts: number;
  /** Vane mounted rotated: degrees added to every reading (alignment to true north). */
  northOffset: number;
}

export class WindVane implements Sensor<WindVaneSample> {
  readonly #adc: Analog;
  readonly #power: Digital | undefined;
  readonly #expected = new Float64Array(16);
  readonly #tolerance: number;
  readonly #errors: ErrorReporter;
  #northOffset: number;
  #last: WindVaneSample | undefined;

  constructor(options: WindVaneOptions) {
    const { pullupOhms, supplyVolts, fullScaleVolts } = options;
    if (!(pullupOhms > 0) || !(supplyVolts > 0) || !(fullScaleVolts > 0)) {
      throw new RangeError("wind vane: pullupOhms, supplyVolts and fullScaleVolts must be > 0");
    }
    this.#adc = new options.sensor.io({ pin: options.sensor.pin });
    if (options.power) {
      this.#power = new options.power.io({ pin: options.power.pin, mode: options.power.io.Output });
      this.#power.write(0);
    }
    const max = 2 ** this.#adc.resolution - 1;
    for (let i = 0; i < 16; i++) {
      const r = ARGENT_80422_OHMS[i]!;
      this.#expected[i] = ((supplyVolts * r) / (r + pullupOhms) / fullScaleVolts) * max;
    }
    // Half the smallest gap between neighbouring codes: beyond it a reading matches no direction.
    const sorted = Array.from(this.#expected).sort((a, b) => a - b);
    let gap = Infinity;
    for (let i = 1; i < sorted.length; i++) gap = Math.min(gap, sorted[i]! - sorted[i - 1]!);
    this.#tolerance = Math.max(gap / 2, 2);
    this.#northOffset = options.northOffset;
    this.#errors = new ErrorReporter(options.timer, options.onError);
  }

  configure(options: Partial<{ northOffset: number }>): void {
    if (options.northOffset !== undefined) this.#northOffset = options.northOffset;
  }

  /** Read the vane now (an ADC conversion is microseconds: no conversion wait needed). */
  sample(): WindVaneSample | undefined {
    const power = this.#power;
    let raw: number;
    power?.write(1);
    try {
      raw = this.#adc.read();
    } finally {
      power?.write(0);
    }
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < 16; i++) {
      const d = Math.abs(raw - this.#expected[i]!);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    if (bestD > this.#tolerance) {
      this.#errors.report(new SensorError("wind-vane", "range", `ADC reading ${raw} matches no vane position (open or shorted cable?)`));
      this.#last = undefined;
      return undefined;
    }
    let direction = best * 22.5 + this.#northOffset;
    direction = ((direction % 360) + 360) % 360;
    this.#last = { direction, raw };
    return { direction, raw };
  }

  get last(): WindVaneSample | undefined {
    return this.#last;
  }

  close(): void {
    this.#adc.close();
    this.#power?.close();
  }
}
