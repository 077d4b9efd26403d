/**
 * Lines the image writes for the host (emulator/host/console.ts parses them). One record per line, first token
 * its kind:
 *   E stream due start end gc slots chunks device provider work armedIn armedWork
 *                            an event ran (written by the firmware, hexadecimal: due, start and end in 25 MHz ticks,
 *                            µs collecting, slots and chunk bytes allocated, busy ticks of device code and of the
 *                            provider on its behalf, the device + provider ticks of the run before it, and for a timer
 *                            the dispatch that armed it and the device + provider ticks then, "-" for other events)
 *   N stream label           a new event stream (a timer callback, an edge pin, a connection)
 *   T conn at now work hex   the device sent bytes (virtual µs, real µs, device + provider ticks of the run so far)
 *   R conn at hex            bytes reached the device's socket layer
 *   P target at now work hex an SPI transaction (target: index into the recording's SPI targets; MOSI bytes)
 *   U port at now work hex   the device wrote to a serial port (port: index into the replay's `uarts`)
 *   L at level message       host.log
 *   C at phase message       the device crashed (the node reboots as the simulator's does)
 *   D message                the device left the recording (it did something the simulated device did not)
 *   B json / S json          boot figures / the summary at the end
 */
import type { Native } from "./native.js";

const HEX = "0123456789abcdef";

export function hex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
}

/** Text on one line: newlines and carriage returns escaped. */
export function oneLine(text: string): string {
  return text.split("\\").join("\\\\").split("\n").join("\\n").split("\r").join("\\r");
}

export class Out {
  readonly #native: Native;
  #divergences = 0;
  /** Divergences reported in full; later ones are only counted. */
  static readonly MAX_DIVERGENCES = 20;

  constructor(native: Native) {
    this.#native = native;
  }

  get divergences(): number {
    return this.#divergences;
  }

  line(text: string): void {
    this.#native.write(text + "\n");
  }

  diverge(message: string): void {
    this.#divergences++;
    if (this.#divergences <= Out.MAX_DIVERGENCES) this.line(`D ${oneLine(message)}`);
  }
}
