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
 *
 * A few provider methods are, on a board, one host call that touches a register: Moddable's Digital `read`/`write`
 * (a GPIO register) and its clock's `microseconds`/`ticks`. Their stand-ins here are the simulator's JS IO classes,
 * some thousands of instructions a call on XS (the line's listeners, the replay's bookkeeping), ten times the board's;
 * a bit-banged read makes a hundred of them a sample (an HX711's 25 pulses: 50 writes, 25 reads, 25 clock reads), and
 * charged at that they made the strain monitor's HX711 build busy 72–98 % of the time where its own code took 14–19 %.
 * `asHostCall` runs such a stand-in and charges the provider one host call instead, as measured at boot (an integer
 * in, a few lines of C, an integer out), so the device pays what a board's GPIO and clock calls cost. An I2C or SPI
 * transfer is one such call too, plus the time the bus takes to carry it (Moddable's I2C and SPI return when it is
 * done: `HostWait`, emulator/image/main.ts), and so is arming or clearing a timer. Everything else the provider does
 * (serial, network, flash) is charged at its stand-in's cost: more than a board's, on the side of failing.
 */
import type { Native } from "./native.js";

export const HARNESS = 0;
export const DEVICE = 1;
export const PROVIDER = 2;
export type Mode = typeof HARNESS | typeof DEVICE | typeof PROVIDER;

type Fn = (this: unknown, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown) => unknown;

/** Ticks a host call waits on a board beyond its own instructions (an I2C transfer's bus time), from its receiver and
 * first argument. */
export type HostWait = (self: unknown, first: unknown) => number;

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

  /** What one host call costs, ticks, measured in `calibrate`: `native.mode(m)` in mode m, an integer argument
   * converted, compared and returned (XS's host-call path and a few lines of C, as Moddable's Digital `write`). */
  hostCallTicks = 0;
  /** What a stand-in is charged on top of what its wrapper leaves with the provider, so that it costs one host call. */
  #standInCharge = 0;

  /**
   * `fn`, a stand-in for what is one host call on a board, run as the provider (a switch like any provider method's),
   * with what it costs moved to the harness and one host call (`hostCallTicks`) charged in its place. A device
   * callback it sets off (an edge inside a write) is the device's as ever; a stand-in nested in another is charged
   * its host call inside the outer one's, which moves it to the harness too.
   */
  asHostCall<F extends (...args: never[]) => unknown>(fn: F, wait?: HostWait): F {
    if (this.#wrapped.has(fn)) return fn;
    const native = this.#native;
    const modes = this;
    const f = fn as unknown as Fn;
    const w = function (this: unknown, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown): unknown {
      const previous = native.mode(PROVIDER);
      native.standIn(0);
      try {
        return f.call(this, a, b, c, d, e);
      } finally {
        native.standIn(-1, modes.#standInCharge + (wait === undefined ? 0 : wait(this, a)));
        native.mode(previous);
      }
    };
    this.#wrapped.add(w);
    return w as unknown as F;
  }

  /** The named methods of `target` (its own or its prototypes') as host calls (`asHostCall`), on `target` itself; or,
   * with `inPlace`, where they are defined (a class's prototype: every instance). */
  methodsAsHostCalls(target: object, names: readonly string[], inPlace = false, wait?: HostWait): void {
    for (const key of names) {
      for (let proto: object | null = target; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
        const d = Object.getOwnPropertyDescriptor(proto, key);
        if (!d) continue;
        if (typeof d.value !== "function") break;
        Object.defineProperty(inPlace ? proto : target, key, { ...d, value: this.asHostCall(d.value as Fn, wait), writable: true, configurable: true, enumerable: false });
        break;
      }
    }
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
    this.hostCallTicks = this.#hostCall();
    this.#standInCharge = Math.max(0, this.hostCallTicks - this.#standInResidue());
  }

  /** Provider ticks an `asHostCall` wrapper leaves by itself (its switches and marks), called from the device. */
  #standInResidue(): number {
    const native = this.#native;
    this.#standInCharge = 0;
    const call = this.asHostCall(function (): void {});
    const before = native.mode(DEVICE);
    const t0 = native.modeTicks();
    for (let i = 0; i < ROUNDS; i++) call();
    const t1 = native.modeTicks();
    native.mode(before);
    return (t1[PROVIDER]! - t0[PROVIDER]!) / ROUNDS;
  }

  /** Ticks of one host call (`native.mode` to the mode it is in: no switch), the loop's own cost left out: the whole
   * call, its dispatch included (the device's call of the stand-in pays a dispatch too: on the side of failing). */
  #hostCall(): number {
    const native = this.#native;
    let sink = 0;
    const before = native.mode(HARNESS);
    let t0 = native.modeTicks();
    for (let i = 0; i < ROUNDS; i++) sink += i;
    let t1 = native.modeTicks();
    const loop = t1[HARNESS]! - t0[HARNESS]!;
    t0 = native.modeTicks();
    for (let i = 0; i < ROUNDS; i++) sink += native.mode(HARNESS);
    t1 = native.modeTicks();
    native.mode(before);
    void sink;
    return Math.max(0, (t1[HARNESS]! - t0[HARNESS]! - loop) / ROUNDS);
  }
}
