/**
 * A sampling group: sensors whose conversions start together on one drift-free schedule (a manifest's
 * `sampling.<group>`), with what became of each slot counted.
 *
 * Each slot calls `measure()` on every triggered sensor; the sensor's own `onSample`/`onError` carry the result.
 * A sensor still busy when its next slot comes starts nothing new (drivers let the running conversion finish):
 * the slot is counted as an overlap, which says the period is shorter than the part's conversion time.
 */
import type { TriggeredSensor } from "../hal/sensor.js";
import type { Scheduler, Task } from "./scheduler.js";

export interface SampledSensor {
  readonly name: string;
  readonly sensor: Pick<TriggeredSensor<unknown>, "measure" | "busy">;
}

export interface SamplerStats {
  slots: number;
  /** Conversions started. */
  started: number;
  /** Slots a sensor skipped because its previous conversion had not finished. */
  overlaps: number;
}

export class Sampler {
  readonly name: string;
  readonly stats: SamplerStats = { slots: 0, started: 0, overlaps: 0 };
  readonly #sensors: readonly SampledSensor[];
  readonly #task: Task;

  constructor(scheduler: Scheduler, name: string, periodMs: number, sensors: readonly SampledSensor[], phaseMs?: number) {
    this.name = name;
    this.#sensors = sensors;
    this.#task = scheduler.every(periodMs, () => this.#slot(), { name, phaseMs: phaseMs ?? periodMs });
  }

  #slot(): void {
    this.stats.slots++;
    for (let i = 0; i < this.#sensors.length; i++) {
      const s = this.#sensors[i]!.sensor;
      if (s.busy) {
        this.stats.overlaps++;
        continue;
      }
      this.stats.started++;
      s.measure();
    }
  }

  get task(): Task {
    return this.#task;
  }

  stop(): void {
    this.#task.stop();
  }
}
