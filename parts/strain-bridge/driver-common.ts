/**
 * What every strain-ADC driver does alike: check the pins it was given; bind `onSample` and `onError` to the driver
 * (the Sensor Class Pattern calls them with `this` the instance), errors reported on a later timer turn and dropped
 * once the driver is closed; merge a partial configuration over the current one and check it. Device code.
 */
import type { Timers } from "../../hal/host.js";
import { ErrorReporter, type SensorError } from "../../hal/sensor.js";

/** Throws a TypeError naming the first of `keys` in `pins` that is not a pin number. */
export function checkPins<K extends string>(who: string, pins: Readonly<Record<K, unknown>>, keys: readonly K[]): void {
  for (const key of keys) {
    if (typeof pins[key] !== "number") throw new TypeError(`${who}: pins.${key} must be a pin number, got ${String(pins[key])}`);
  }
}

export interface BoundCallbacks {
  errors: ErrorReporter;
  onSample: (() => void) | undefined;
}

export function bindCallbacks<S>(
  self: S,
  timer: Timers,
  onSample: ((this: S) => void) | undefined,
  onError: ((this: S, error: SensorError) => void) | undefined,
  isClosed: () => boolean,
): BoundCallbacks {
  return {
    errors: new ErrorReporter(
      timer,
      onError
        ? (e) => {
            if (!isClosed()) onError.call(self, e);
          }
        : undefined,
    ),
    onSample: onSample ? () => onSample.call(self) : undefined,
  };
}

/** `options` over `current`, checked by `validate` (which throws naming the field) and frozen. */
export function mergeConfig<C extends object>(who: string, current: Readonly<C>, options: Partial<C> | undefined, validate: (c: C) => void): Readonly<C> {
  if (options !== undefined && (options === null || typeof options !== "object")) throw new TypeError(`${who}: the configuration must be an object`);
  const next = { ...current, ...(options ?? {}) } as C;
  validate(next);
  return Object.freeze(next);
}
