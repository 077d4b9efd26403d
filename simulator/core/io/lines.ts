/**
 * The electrical side of a simulated board's pins: what part models drive and IO classes read.
 *
 * A digital line has a level and edge listeners; an analog input is a voltage source; a pulse input is a
 * monotone counter a model integrates from the physical world. Models own the sources; IO classes only observe.
 */
import type { Micros } from "../engine.js";

/**
 * When a part's change of a line happens, for replaying it on a board's clock (emulator/host/timeline.ts):
 * - `answer`: in answer to what the device last did to the part (an SPI command or read), so on a board it comes as
 *   long after that as in the simulation (a late command makes a late answer);
 * - `clock-start`: likewise, and the part's own clock starts there (a converter's first conversion after START);
 * - `clock`: on the part's own clock, whatever the device did since (a continuous converter's later conversions: a
 *   late read does not move the next data-ready edge). On the board timeline it comes at its simulated time: the
 *   part's clock keeps the simulation's phase against the device's timers, as the timers armed at boot keep its
 *   schedule. (A converter's oscillator has its own tolerance, so on a board that phase drifts anyway; carrying each
 *   restart's lateness into it instead would add up over a run and move the device's work to other samples than the
 *   ones it ran after.)
 */
export type LineTiming = "answer" | "clock-start" | "clock";

/** A line change's timing as a recording and the emulated image's replay carry it (0 is the default, `answer`). */
export const LINE_TIMING_CODE: Readonly<Record<LineTiming, number>> = Object.freeze({ answer: 0, "clock-start": 1, clock: 2 });

/**
 * The code of a change a part made inside one of the device's writes to another line (`PinWorld.writing`): a
 * bit-banged part's answer (an HX711's next data bit on DOUT as PD_SCK rises). It is part of that write, not an event
 * of its own: the recording keeps the write's index, and the emulated image applies the change inside the same write.
 */
export const LINE_ANSWERS_WRITE_CODE = 3;

export type EdgeListener = (level: number, timing: LineTiming) => void;

export class DigitalLine {
  readonly pin: number;
  #level: number;
  /** Whether something outside the MCU drives the line (a model), or it floats at its pull. */
  driven = false;
  /** Replaced, never changed in place, so `set` can walk it while a listener unlistens, without copying it per edge. */
  #listeners: readonly EdgeListener[] = [];
  constructor(pin: number, idle = 1) {
    this.pin = pin;
    this.#level = idle;
  }
  get level(): number {
    return this.#level;
  }
  /** Set the level; listeners hear only real changes. */
  set(level: number, timing: LineTiming = "answer"): void {
    const v = level ? 1 : 0;
    if (v === this.#level) return;
    this.#level = v;
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(v, timing);
  }
  listen(fn: EdgeListener): () => void {
    this.#listeners = [...this.#listeners, fn];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== fn);
    };
  }
}

/** A voltage at an ADC pin as a function of virtual time. */
export type VoltageSource = (t: Micros) => number;

/** Pulses on a counter input: `count(t)` is monotone; `nextAfter(t)` is when it next increments (Infinity: never). */
export interface PulseSource {
  count(t: Micros): number;
  nextAfter(t: Micros): Micros;
}

/**
 * A clocked serial read's pulses made somewhere else than edge by edge through `PinWorld.write` (the emulated image's
 * native, which replays what the part answered: emulator/image/world.ts). It counts its writes in `PinWorld.writes`
 * and leaves both lines at the levels the edge-by-edge read would.
 */
export interface PulseTrain {
  read(clock: DigitalLine, data: DigitalLine, bits: number, extraPulses: number): number;
  /** The longest high phase of the last read, µs. */
  readonly highUs: number;
}

/** What models attach to and IO classes find, keyed by pin number. */
export class PinWorld {
  readonly digital = new Map<number, DigitalLine>();
  readonly analog = new Map<number, VoltageSource>();
  readonly pulse = new Map<number, PulseSource>();

  /** The device's writes to its output lines so far: every `Digital.write`, whether it changed the level or not. */
  writes = 0;
  /** The index of the write being made now, -1 outside one: a part's line that changes inside it answers it. */
  writing = -1;
  /** The write `onWrite` waits for (-1: none). Only that write pays for the call: a bit-banged read is ~50 writes. */
  awaitedWrite = -1;
  /** Called inside the awaited write, once its line has its level (the emulated image's replay applies there what the
   * part answered: emulator/image/world.ts). */
  onWrite: ((index: number) => void) | undefined;
  /** Who makes a ClockedSerial's pulses instead of its own writes (io/clocked-serial.ts), if anyone. */
  train: PulseTrain | undefined;

  /** The device sets one of its output lines (one of this world's). No try/finally: on the emulated MCU it cost ~600
   * instructions a write, and only a part model's listener could throw here (device callbacks are guarded), which is
   * the simulator's bug and stops the node. */
  write(line: DigitalLine, level: number): void {
    const index = this.writes++;
    const outer = this.writing;
    this.writing = index;
    line.set(level);
    if (index === this.awaitedWrite) this.onWrite?.(index);
    this.writing = outer;
  }

  line(pin: number): DigitalLine {
    let l = this.digital.get(pin);
    if (!l) {
      l = new DigitalLine(pin);
      this.digital.set(pin, l);
    }
    return l;
  }
}
