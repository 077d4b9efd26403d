/**
 * Ctrl-C for a long command: the first SIGINT asks the run to stop where it is (so it can write what it has), a
 * second one ends the process as usual.
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stop listening (the run is over). */
  release(): void;
}

export function catchInterrupt(onFirst?: () => void): Interrupt {
  const controller = new AbortController();
  const handler = (): void => {
    // `once`: the second Ctrl-C finds no listener and Node ends the process.
    onFirst?.();
    controller.abort();
  };
  process.once("SIGINT", handler);
  return { signal: controller.signal, release: () => process.off("SIGINT", handler) };
}
