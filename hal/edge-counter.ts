/**
 * A pulse counter built from a Digital input with edge interrupts, for boards without a free hardware counter
 * (Moddable's nRF52 PulseCount is the QDEC quadrature decoder: it cannot count one reed switch). It has the
 * ECMA-419 PulseCount shape, so a driver takes either. Every edge costs an interrupt and a callback, so it suits
 * slow signals (an anemometer at tens of Hz), not fast ones.
 */
import type { Digital, DigitalClass, PulseCount, PulseCountClass, PulseCountOptions } from "./io.js";

interface EdgeInput {
  Digital: DigitalClass;
  edge: "rising" | "falling";
  pull: "up" | "down" | "none";
}

/**
 * One class for every counter, told its input in the constructor: a class made per call would give each node's
 * counters their own shape, and a driver reading a fleet's counters would slow down as the fleet grows.
 */
class EdgeCounter implements PulseCount {
  readonly #input: Digital;
  #count = 0;
  target: unknown;

  constructor(input: EdgeInput, options: PulseCountOptions) {
    const self = this;
    const { Digital, edge, pull } = input;
    const { onReadable } = options;
    this.target = options.target;
    this.#input = new Digital({
      pin: options.signal,
      mode: pull === "up" ? Digital.InputPullUp : pull === "down" ? Digital.InputPullDown : Digital.Input,
      edge: edge === "rising" ? Digital.Rising : Digital.Falling,
      onReadable() {
        self.#count++;
        onReadable?.call(self);
      },
    });
  }

  read(): number {
    return this.#count;
  }

  write(count: number): void {
    this.#count = count;
  }

  close(): void {
    this.#input.close();
  }
}

export function edgeCounterClass(Digital: DigitalClass, edge: "rising" | "falling" = "falling", pull: "up" | "down" | "none" = "up"): PulseCountClass {
  const input: EdgeInput = Object.freeze({ Digital, edge, pull });
  // `new` on a function that returns an object gives that object: the caller gets an EdgeCounter (and a subclass's
  // `super()` gets one with the subclass's prototype).
  const Counter = function (options: PulseCountOptions): PulseCount {
    if (!new.target) throw new TypeError("EdgeCounter: use new");
    if (new.target !== Counter) return Reflect.construct(EdgeCounter, [input, options], new.target) as PulseCount;
    return new EdgeCounter(input, options);
  };
  Counter.prototype = EdgeCounter.prototype;
  return Counter as unknown as PulseCountClass;
}
