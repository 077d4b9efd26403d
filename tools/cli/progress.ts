/**
 * A progress line for long runs: a bar on a terminal (redrawn in place), a line every 25 % otherwise (CI logs).
 */
import type { Output } from "./command.js";

export class Progress {
  readonly #io: Output;
  readonly #label: string;
  #lastQuarter = -1;
  #drawn = false;

  constructor(io: Output, label: string) {
    this.#io = io;
    this.#label = label;
  }

  update(fraction: number, detail: string): void {
    const f = Math.max(0, Math.min(1, fraction));
    if (this.#io.tty) {
      const width = 30;
      const full = Math.round(f * width);
      const bar = "█".repeat(full) + "░".repeat(width - full);
      this.#io.err(`\r${this.#label} ${bar} ${(f * 100).toFixed(0).padStart(3)}%  ${detail}\x1b[K`);
      this.#drawn = true;
      return;
    }
    const quarter = Math.floor(f * 4);
    if (quarter > this.#lastQuarter) {
      this.#lastQuarter = quarter;
      this.#io.err(`${this.#label} ${(quarter * 25).toString().padStart(3)}%  ${detail}\n`);
    }
  }

  done(): void {
    if (this.#drawn) this.#io.err("\n");
    this.#drawn = false;
  }
}
