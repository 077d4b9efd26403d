/**
 * Analog turbidity probe (DFRobot SEN0189 class) on an ADC, ECMA-419 Sensor Class Pattern.
 *
 * `measure()` switches the probe on (when a power pin is given: the probe draws up to 40 mA, more than a sleeping
 * node, so a battery buoy powers it only to read), waits its response time on a host timer, averages `samples`
 * ADC readings, switches it off and converts: pin volts → sensor volts (÷ dividerRatio) → NTU by the curve from
 * the part options (curve.ts). A voltage outside the curve's span is clamped (`clamped: true`); below
 * `noSignalVolts` there is no signal at all (probe unplugged or its cable reversed) and that is a "range" error,
 * not a reading of 3000 NTU.
 */
import type { TimerHandle, Timers } from "../../hal/host.js";
import type { Analog, AnalogClass, Digital, DigitalClass, PinSpecifier } from "../../hal/io.js";
import { ErrorReporter, SensorError, type SensorOptions, type TriggeredSensor } from "../../hal/sensor.js";
import { curveSpan, evaluate, TURBIDITY_DEFAULTS, type TurbidityCurve } from "./curve.js";

export interface TurbiditySample {
  /** NTU */
  turbidity: number;
  /** Sensor output, V (before the divider). */
  volts: number;
  /** The voltage was outside the curve's span and the turbidity is its end value. */
  clamped: boolean;
}

export interface TurbidityConfig {
  curveC2: number;
  curveC1: number;
  curveC0: number;
  minVolts: number;
  maxVolts: number;
  maxNtu: number;
  dividerRatio: number;
  noSignalVolts: number;
  warmupMs: number;
  samples: number;
}

export interface TurbidityOptions extends SensorOptions {
  sensor: { io: AnalogClass; pin: PinSpecifier };
  /** A Digital output that switches the probe's supply; absent: powered all the time. */
  power?: { io: DigitalClass; pin: PinSpecifier } | undefined;
  timer: Timers;
  /** The ADC's full-scale voltage on this board. */
  fullScaleVolts: number;
}

export class Turbidity implements TriggeredSensor<TurbiditySample, TurbidityConfig> {
  readonly #adc: Analog;
  readonly #power: Digital | undefined;
  readonly #timers: Timers;
  readonly #errors: ErrorReporter;
  readonly #onSample: (() => void) | undefined;
  readonly #fullScale: number;
  #config: TurbidityConfig = { ...TURBIDITY_DEFAULTS };
  #span: { lo: number; hi: number };
  #timer: TimerHandle | undefined;
  #last: TurbiditySample | undefined;
  #closed = false;

  constructor(options: TurbidityOptions) {
    if (!(options.fullScaleVolts > 0)) throw new RangeError("turbidity: fullScaleVolts must be > 0");
    this.#fullScale = options.fullScaleVolts;
    this.#timers = options.timer;
    this.#adc = new options.sensor.io({ pin: options.sensor.pin });
    if (options.power) {
      this.#power = new options.power.io({ pin: options.power.pin, mode: options.power.io.Output });
      this.#power.write(0);
    }
    const { onError, onSample } = options;
    this.#errors = new ErrorReporter(options.timer, onError ? (e) => !this.#closed && onError.call(this, e) : undefined);
    this.#onSample = onSample ? () => onSample.call(this) : undefined;
    this.#span = curveSpan(this.#curve());
  }

  configure(options: Partial<TurbidityConfig>): void {
    this.#assertOpen();
    const next = { ...this.#config };
    for (const key of Object.keys(options) as (keyof TurbidityConfig)[]) {
      if (!(key in next)) throw new RangeError(`turbidity: unknown option "${key}"`);
      const v = options[key];
      if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`turbidity: ${key} must be a finite number, got ${String(v)}`);
      next[key] = v;
    }
    if (!(next.dividerRatio > 0 && next.dividerRatio <= 1)) throw new RangeError(`turbidity: dividerRatio must be in (0, 1], got ${next.dividerRatio}`);
    if (!(next.samples >= 1 && next.samples <= 64 && Math.floor(next.samples) === next.samples)) throw new RangeError(`turbidity: samples must be an integer 1–64, got ${next.samples}`);
    if (!(next.warmupMs >= 0) || !(next.noSignalVolts >= 0) || !(next.maxNtu > 0)) throw new RangeError("turbidity: warmupMs, noSignalVolts must be ≥ 0 and maxNtu > 0");
    const span = curveSpan(curveOf(next));
    this.#config = next;
    this.#span = span;
  }

  /** The probe's response time when it is switched, else nothing: ms. */
  get conversionMs(): number {
    return this.#power ? this.#config.warmupMs : 0;
  }

  get busy(): boolean {
    return this.#timer !== undefined;
  }

  measure(): void {
    this.#assertOpen();
    if (this.#timer) return;
    this.#power?.write(1);
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#read();
    }, this.conversionMs);
  }

  sample(): TurbiditySample | undefined {
    this.#assertOpen();
    return this.#last ? { ...this.#last } : undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#power?.write(0);
    this.#adc.close();
    this.#power?.close();
  }

  #read(): void {
    const c = this.#config;
    let sum = 0;
    try {
      for (let i = 0; i < c.samples; i++) sum += this.#adc.read();
    } finally {
      this.#power?.write(0);
    }
    const max = 2 ** this.#adc.resolution - 1;
    const volts = ((sum / c.samples / max) * this.#fullScale) / c.dividerRatio;
    if (volts < c.noSignalVolts) {
      this.#last = undefined;
      this.#errors.report(new SensorError("turbidity", "range", `no signal (${volts.toFixed(3)} V at the sensor): probe unplugged or its cable reversed`));
      return;
    }
    const { ntu, clamped } = evaluate(this.#curve(), volts, this.#span);
    this.#last = { turbidity: ntu, volts, clamped };
    if (this.#onSample) this.#onSample();
  }

  #curve(): TurbidityCurve {
    return curveOf(this.#config);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("turbidity: closed");
  }
}

function curveOf(c: TurbidityConfig): TurbidityCurve {
  return { c2: c.curveC2, c1: c.curveC1, c0: c.curveC0, minVolts: c.minVolts, maxVolts: c.maxVolts, maxNtu: c.maxNtu };
}
