/**
 * Holding virtual time while a bridge to real I/O is owed something (tcp-bridge.ts's rule, for the datagram
 * bridges): `idle()` resolves once `busy()` is false, or after `maxWaitMs` of wall time, when `giveUp` forgets
 * what was owed (the bridge counts that as a stall) so a silent server cannot hang a run.
 */
export class WallHold {
  readonly #busy: () => boolean;
  readonly #maxWaitMs: number;
  readonly #giveUp: () => void;
  #waiters: (() => void)[] = [];
  #limit: NodeJS.Timeout | undefined;

  constructor(busy: () => boolean, maxWaitMs: number, giveUp: () => void) {
    this.#busy = busy;
    this.#maxWaitMs = maxWaitMs;
    this.#giveUp = giveUp;
  }

  idle(): Promise<void> {
    if (!this.#busy()) return Promise.resolve();
    if (!this.#limit) {
      this.#limit = setTimeout(() => {
        this.#limit = undefined;
        if (!this.#busy()) return;
        this.#giveUp();
        this.release();
      }, this.#maxWaitMs);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Something owed may have arrived: let the waiters go if nothing is owed any more. */
  check(): void {
    if (!this.#busy()) this.release();
  }

  release(): void {
    if (this.#limit) clearTimeout(this.#limit);
    this.#limit = undefined;
    const w = this.#waiters;
    this.#waiters = [];
    for (const fn of w) fn();
  }
}
