/**
 * The host functions the bare-metal image gives JS (emulator/firmware/natives.c, replay.c), as the global
 * `native`. Only the in-image provider uses them; device code never sees them.
 */
import type { AesNatives } from "../../simulator/core/ciphers.js";

/** With the native AES-128 behind `host.cipher` (emulator/firmware/cipher_natives.c). */
export interface Native extends AesNatives {
  /** Raw console text. */
  write(text: string): void;
  flush(): void;
  /** µs since reset, from SysTick (busy time at 16 ns per instruction, plus idle skipped). */
  now(): number;
  /** Mark the start of a dispatched event. */
  begin(): void;
  /** Write the `E` record of the event begun last (emulator/image/out.ts); a timer's with the dispatch that armed it
   * and the device + provider ticks at that point (-1: not a timer). */
  end(stream: number, dueUs: number, armedIn: number, armedWork: number): void;
  /** Device + provider ticks of the run so far. */
  work(): number;
  exit(code: number): never;
  /** `T conn at now work hex` ("T", with real µs and device + provider ticks), the same for an SPI transaction's MOSI
   * ("P", key: the SPI target) and for bytes the device wrote to a serial port ("U", key: the port's index in the
   * replay's `uarts`), or `R conn at hex` ("R") for an ArrayBuffer, formatted in C. */
  wire(kind: "T" | "R" | "P" | "U", conn: number, atUs: number, bytes: ArrayBuffer): void;
  /** [heap used, heap peak, heap size, C stack peak, C stack size, XS chunks peak, XS slots peak bytes, JS stack peak slots, JS stack slots, collections, µs collecting] */
  memory(): number[];
  gc(): void;
  /** The program is loaded and the harness about to be built: what XS holds is the board's machine and program. */
  baseline(): void;
  /** The harness is built: what it holds leaves the device's XS budget (emulator/firmware/budget.c). */
  settle(): void;
  /** Run as mode `m` (0 harness, 1 device, 2 provider) from now; returns the mode before (emulator/image/modes.ts). */
  mode(m: number): number;
  /** Busy ticks so far: [harness, device, provider]. */
  modeTicks(): number[];
  /** What an empty round trip beginning with the switch from → to charges each side, ticks. */
  calibrate(from: number, to: number, chargedFrom: number, chargedTo: number): void;
  /** `standIn(0)` marks; `standIn(-1, ticks)` moves the provider's ticks since the mark to the harness and charges the
   * provider `ticks` in their place (a board's cost for the stand-in's work: emulator/image/modes.ts asHostCall). */
  standIn(mark: number, ticks?: number): void;
  /** A ClockedSerial read's pulse train in C over the WriteAnswers stream (emulator/firmware/clocked_serial.c): the
   * value; `out` (16 bytes) gets the stream offset after it, the data line's changes (top bit: strays), its level, the
   * longest high phase in ticks. */
  clockedSerial(firstWrite: number, dataPin: number, level: number, bits: number, extraPulses: number, at: number, end: number, out: ArrayBuffer): number;
  readonly programBytes: number;
  readonly programKind: string;
  /** The replay region as a host buffer (DataView and typed arrays work on it in place), or undefined. */
  readonly replay: ArrayBuffer | undefined;
  /** UTF-8 bytes of the replay region at [offset, offset + length) as a string. */
  string(offset: number, length: number): string;
}

export function getNative(): Native {
  const n = (globalThis as unknown as { native?: Native }).native;
  if (!n) throw new Error("not running in the ganzhi image: no `native` global");
  return n;
}
