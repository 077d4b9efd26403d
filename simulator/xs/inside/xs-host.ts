/**
 * The host API ganzhi's XS runner (tools/xs/runner.c) gives a bundle, as the global `$xs`. Portable code reaches it
 * through `xsHost()`, which fails clearly when it runs anywhere else.
 */
import type { AesNatives } from "../../core/ciphers.js";

/** With the native AES-128 behind `host.cipher` (emulator/firmware/cipher_natives.c, shared with the emulated image). */
export interface XsHost extends AesNatives {
  /** Write one line to the protocol stream. */
  send(line: string): void;
  /** Read one line from the shell (blocks); null when the input ended. */
  receive(): string | null;
  /** Metered work so far (XS metering units), without what ran between pause() and resume(). */
  meter(): number;
  pause(): void;
  resume(): void;
  /** A fatal "meter" report after `units` more units of work; 0 removes the limit. */
  budget(units: number): void;
  /** Context printed with any fatal report: phase code, node index, virtual time (µs). */
  mark(phase: number, node: number, at: number): void;
  /** Heap figure `i` (0 chunk bytes, 1 slots, 2 peak chunk bytes, 3 peak slots, 4 reserved chunk bytes,
   * 5 reserved slots, 6 bytes per slot). */
  heap(i: number): number;
  /** Collect garbage now. */
  gc(): void;
  /** Peaks restart from the current use. */
  resetPeak(): void;
  /** Monotonic wall-clock ms: wall-time figures only, never behaviour. */
  now(): number;
  exit(code: number): never;
}

export function xsHost(): XsHost {
  const xs = (globalThis as unknown as { $xs?: XsHost }).$xs;
  if (!xs) throw new Error("not running in ganzhi's XS runner (no $xs)");
  return xs;
}

const HEX = "0123456789abcdef";

/**
 * Hex of `bytes`, pushed and joined once. (On XS, `s += …` in a loop and filling a `new Array(n)` by index are
 * both quadratic; push and join are linear.)
 */
export function toHex(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    parts.push(HEX[b >> 4]! + HEX[b & 15]!);
  }
  return parts.join("");
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  throw new RangeError("bad hex digit");
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
  return out;
}
