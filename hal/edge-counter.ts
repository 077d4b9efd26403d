/**
 * A pulse counter built from a Digital input with edge interrupts, for boards without a free hardware counter
 * (Moddable's nRF52 PulseCount is the QDEC quadrature decoder: it cannot count one reed switch). It has the
 * ECMA-419 PulseCount shape, so a driver takes either. Every edge costs an interrupt and a callback, so it suits
 * slow signals (an anemometer at tens of Hz), not fast ones.
 */
import type { Digital, DigitalClass, PulseCount, PulseCountClass, PulseCountOptions } from "./io.js";

export function edgeCounterClass(Digital: DigitalClass, edge: "rising" | "falling" = "falling", pull: "up" | "down" | "none" = "up"): PulseCountClass {
  return class EdgeCounter implements PulseCount {
    readonly #input: Digital;
    #count = 0;
    target: unknown;

    constructor(options: PulseCountOptions) {
      const self = this;
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
  };
}
