/**
 * Tipping-bucket rain gauge (0.2794 mm per tip on the Argent 80422 kit) on a digital input with pull-up: each tip
 * closes a reed switch and pulls the line low. Edges within the debounce window of a counted tip are contact
 * bounce and are ignored.
 */
import type { Clock } from "../../hal/host.js";
import type { Digital, DigitalClass, PinSpecifier } from "../../hal/io.js";
import type { Sensor } from "../../hal/sensor.js";

export interface RainSample {
  /** Rain since the previous sample, mm. */
  rain: number;
  tips: number;
  /** Intensity from the interval between the last two tips, mm/h; 0 after `dryAfterMs` without a tip. */
  rate: number;
}

export interface RainGaugeOptions {
  sensor: { io: DigitalClass; pin: PinSpecifier };
  clock: Clock;
  mmPerTip: number;
  /** Edges this soon after a counted tip are contact bounce, ms. */
  debounceMs: number;
  /** No tip for this long means it is not raining, ms. */
  dryAfterMs: number;
}

export class TippingBucket implements Sensor<RainSample> {
  readonly #input: Digital;
  readonly #clock: Clock;
  #mmPerTip: number;
  readonly #debounceMs: number;
  readonly #dryAfterMs: number;
  #tips = 0;
  #bounces = 0;
  #lastTipMs = -Infinity;
  #tipIntervalMs = Infinity;

  constructor(options: RainGaugeOptions) {
    if (!(options.mmPerTip > 0)) throw new RangeError(`rain gauge: mmPerTip must be > 0, got ${options.mmPerTip}`);
    this.#clock = options.clock;
    this.#mmPerTip = options.mmPerTip;
    this.#debounceMs = options.debounceMs;
    this.#dryAfterMs = options.dryAfterMs;
    const io = options.sensor.io;
    const self = this;
    this.#input = new io({
      pin: options.sensor.pin,
      mode: io.InputPullUp,
      edge: io.Falling,
      onReadable() {
        self.#onTip();
      },
    });
  }

  #onTip(): void {
    const now = this.#clock.ticks();
    const since = now - this.#lastTipMs;
    if (since < this.#debounceMs) {
      this.#bounces++;
      return;
    }
    this.#tipIntervalMs = since;
    this.#lastTipMs = now;
    this.#tips++;
  }

  configure(options: Partial<{ mmPerTip: number }>): void {
    if (options.mmPerTip !== undefined && options.mmPerTip > 0) this.#mmPerTip = options.mmPerTip;
  }

  sample(): RainSample {
    const tips = this.#tips;
    this.#tips = 0;
    const now = this.#clock.ticks();
    const raining = now - this.#lastTipMs < this.#dryAfterMs && this.#tipIntervalMs !== Infinity;
    const rate = raining ? (this.#mmPerTip * 3_600_000) / this.#tipIntervalMs : 0;
    return { rain: tips * this.#mmPerTip, tips, rate };
  }

  /** Edges rejected as contact bounce since start. */
  get bounces(): number {
    return this.#bounces;
  }

  close(): void {
    this.#input.close();
  }
}
