/**
 * Whose code runs: the harness's (event loop, replay world, console records), the device's (its callbacks), or the
 * host provider's on the device's behalf (the IO classes, timers and clock it calls). The firmware counts the
 * instructions of each (emulator/firmware/natives.c `native.mode`), so that CPU time and energy charge the device
 * its own work and not the emulator's.
 *
 * The switches are wrappers around the boundaries: every device callback (emulator/image/main.ts), every method of
 * the provider's host objects, and every call the provider makes into the replay world (a real board's peripherals
 * and network). Each switch is a host call, some hundreds of instructions; `calibrate` measures what an empty round
 * trip charges each side and the firmware moves that back to the harness at every switch.
 */
import type { Native } from "./native.js";

export const HARNESS = 0;
export const DEVICE = 1;
export const PROVIDER = 2;
export type Mode = typeof HARNESS | typeof DEVICE | typeof PROVIDER;

type Fn = (this: unknown, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown) => unknown;

const ROUNDS = 32;

export class Modes {
  readonly #native: Native;
  /** Wrappers already made, so that nothing is wrapped twice (a class shared by two boots). */
  readonly #wrapped = new WeakSet<object>();

  constructor(native: Native) {
    this.#native = native;
  }

  /**
   * `fn` run as `mode`. Five arguments at most (no host method takes more), passed on as they are, so the wrapper
   * allocates nothing (rest parameters or `arguments` would, on every call).
   */
  inMode<F extends (...args: never[]) => unknown>(mode: Mode, fn: F): F {
    if (this.#wrapped.has(fn)) return fn;
    const native = this.#native;
    const f = fn as unknown as Fn;
    const w = function (this: unknown, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown): unknown {
      const previous = native.mode(mode);
      try {
        return f.call(this, a, b, c, d, e);
      } finally {
        native.mode(previous);
      }
    };
    this.#wrapped.add(w);
    return w as unknown as F;
  }

  /** Every method `target` has (its own and its prototypes', up to Object.prototype; or only those named) runs as
   * `mode` when called on it. */
  methodsInMode(mode: Mode, target: object, names?: readonly string[]): void {
    const done = new Set<string>();
    for (let proto: object | null = target; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (key === "constructor" || done.has(key) || (names && !names.includes(key))) continue;
        done.add(key);
        const d = Object.getOwnPropertyDescriptor(proto, key);
        if (!d || typeof d.value !== "function") continue;
        Object.defineProperty(target, key, { value: this.inMode(mode, d.value as Fn), writable: true, configurable: true, enumerable: false });
      }
    }
  }

  /** The methods of a class (its prototype chain up to Object.prototype), in place: every instance runs them as `mode`. */
  classInMode(mode: Mode, cls: { prototype: object }): void {
    for (let proto: object | null = cls.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (key === "constructor") continue;
        const d = Object.getOwnPropertyDescriptor(proto, key);
        if (!d || typeof d.value !== "function" || !d.writable) continue;
        Object.defineProperty(proto, key, { ...d, value: this.inMode(mode, d.value as Fn) });
      }
    }
  }

  /** How much an empty round trip from `from` into `to` charges each, ticks (the loop's own cost left out). */
  #roundTrip(from: Mode, to: Mode): [number, number] {
    const native = this.#native;
    const noop = function (): void {};
    const call = this.inMode(to, noop);
    const before = native.mode(from);
    let t0 = native.modeTicks();
    for (let i = 0; i < ROUNDS; i++) noop();
    let t1 = native.modeTicks();
    const loop = t1[from]! - t0[from]!;
    t0 = native.modeTicks();
    for (let i = 0; i < ROUNDS; i++) call();
    t1 = native.modeTicks();
    native.mode(before);
    return [Math.max(0, (t1[from]! - t0[from]! - loop) / ROUNDS), Math.max(0, (t1[to]! - t0[to]!) / ROUNDS)];
  }

  /** Measure the switches' own cost (before the device runs) and hand it to the firmware. */
  calibrate(): void {
    const pairs: [Mode, Mode][] = [
      [HARNESS, DEVICE],
      [DEVICE, PROVIDER],
      [PROVIDER, HARNESS],
      [DEVICE, HARNESS],
    ];
    for (const [from, to] of pairs) {
      const [a, b] = this.#roundTrip(from, to);
      this.#native.calibrate(from, to, a, b);
    }
  }
}
