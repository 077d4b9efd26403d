/**
 * What differs between ESP32 and nRF52 under Moddable, behind one small interface. `ganzhi build` bundles exactly
 * one implementation (`esp32.ts` or `nrf52.ts`) chosen from the board manifest, so nothing is sniffed at run time
 * and the other platform's native modules are never referenced by the bundle.
 */
import type { ResetReason, RetainedMemory } from "../host.js";
import type { TCPClass } from "../io.js";
import type { PlatformName } from "./board.js";

export interface Platform {
  readonly name: PlatformName;
  /**
   * The TCP socket class. `provided` is the host provider's (`device.io.TCP`, ECMA-419 §30) when the target's
   * provider has one. On a platform without an IP stack (nRF52) and no provided TCP, a class whose constructor throws.
   */
  tcp(provided: TCPClass | undefined): TCPClass;
  /** Read the reason for this boot. `createHost` calls it once per boot (on nRF52 it also clears the deep-sleep marker). */
  readResetReason(): ResetReason;
  /** Enter deep sleep for `ms`; the board reboots on wake. Throws where the platform cannot. */
  deepSleep(ms: number): void;
  /** Retained 32-bit words as device code sees them (a platform may keep some for itself). */
  createRetained(): RetainedMemory;
  /** Supply voltage in volts, NaN when the board has no way to measure it. */
  supplyVoltage(): number;
  /** One line logged at boot about what this platform cannot do, or undefined. */
  readonly limitations: string | undefined;
}

/** Validate a retained-memory index, as both platforms must. */
export function checkRetainedIndex(index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`retained index ${index} out of range 0..${length - 1}`);
  }
}
