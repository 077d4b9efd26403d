/**
 * The image's pulse train for hal's ClockedSerial: the simulator's class (simulator/core/io/clocked-serial.ts) hands
 * its reads to this `PinWorld.train`, which makes them in C (emulator/firmware/clocked_serial.c) as a board's host
 * makes them: one host call running the provider's C, charged as the provider's instructions on the Cortex-M4, its
 * phase waits included. The C reads what the part answered from the replay's WriteAnswers stream in place; here,
 * as the harness, the stream's cursor and the line levels are brought to where the simulator's edge-by-edge read
 * left them: the write count moves on by two a pulse, and the data line goes through the same level changes (after
 * the train rather than inside it, still inside the read: a Digital listening for the data-ready edge sees the same
 * edges, and coalesces them the same way, as the simulator's).
 */
import type { DigitalLine, PinWorld, PulseTrain } from "../../simulator/core/io/lines.js";
import { HARNESS } from "./modes.js";
import type { Modes } from "./modes.js";
import type { Native } from "./native.js";
import type { Out } from "./out.js";

/** The WriteAnswers stream as the train needs it (emulator/image/world.ts). */
export interface AnswerStream {
  readonly pending: number;
  readonly end: number;
  resumeAt(offset: number): void;
}

const TICKS_PER_US = 25;
const STRAYS = 0x80000000;

export class ClockedReads implements PulseTrain {
  highUs = 0;
  readonly #world: PinWorld;
  readonly #answers: AnswerStream;
  readonly #native: Native;
  readonly #out = new ArrayBuffer(16);
  readonly #words = new Uint32Array(this.#out);
  readonly #settle: (clock: DigitalLine, data: DigitalLine, first: number, pulses: number) => void;

  constructor(world: PinWorld, answers: AnswerStream, native: Native, modes: Modes, out: Out) {
    this.#world = world;
    this.#answers = answers;
    this.#native = native;
    const words = this.#words;
    this.#settle = modes.inMode(HARNESS, (clock: DigitalLine, data: DigitalLine, first: number, pulses: number): void => {
      world.writes = first + 2 * pulses;
      answers.resumeAt(words[0]!);
      const changes = words[1]! & ~STRAYS;
      if ((words[1]! & STRAYS) !== 0 || changes > 2 * pulses) {
        out.diverge(`clocked serial read at device write ${first}: the recording has a part's answers to other lines or earlier writes inside its ${pulses} pulses`);
      }
      clock.set(0);
      for (let i = 0; i < changes; i++) data.set(data.level === 1 ? 0 : 1);
      if (data.level !== words[2]) data.set(words[2]!);
      this.highUs = words[3]! / TICKS_PER_US;
    });
  }

  /** Called by the ClockedSerial as the provider: the C is the provider's work; the bookkeeping after it the harness's. */
  read(clock: DigitalLine, data: DigitalLine, bits: number, extraPulses: number): number {
    const first = this.#world.writes;
    const answers = this.#answers;
    const v = this.#native.clockedSerial(first, data.pin, data.level, bits, extraPulses, answers.pending, answers.end, this.#out);
    this.#settle(clock, data, first, bits + extraPulses);
    return v;
  }
}
