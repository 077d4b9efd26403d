/**
 * nRF52840 under the Moddable SDK.
 *
 * - Deep sleep: `Sleep.deep(ms)` of the SDK's `sleep` module ($(BUILD)/devices/nrf52/modules/sleep): RAM off,
 *   RTC wake-up, reboot. It only really sleeps in release (`mcconfig` without -d) and `-i` builds; debug builds
 *   emulate System OFF.
 * - Retained memory: `Sleep.getRetainedValue/setRetainedValue`, 32 words in a `.no_init` RAM region. ganzhi keeps
 *   the last word as its deep-sleep marker, so device code sees 31.
 * - Reset reason: `Sleep.resetReason` (RESETREAS as the SDK saved it at boot). A wake from System OFF sets GPIO/LPCOMP/NFC;
 *   a wake from a timed `Sleep.deep(ms)` is recognised by the marker word written just before sleeping.
 * - TCP: the Moddable nRF52 port has no IP stack and no `embedded:io/socket/tcp`. A target whose host provider offers
 *   a TCP class (`device.io.TCP`, e.g. over a network co-processor) gets that one; Moddable's own nRF52 providers
 *   offer none, so on them constructing `host.io.TCP` throws.
 */
import { ResetReason as RESETREAS, Sleep } from "sleep";
import type { ResetReason, RetainedMemory } from "../host.js";
import type { ByteBuffer, TCP, TCPClass, TCPOptions } from "../io.js";
import { checkRetainedIndex, type Platform } from "./platform.js";

const SLOTS = 32;
/** The slot ganzhi keeps for its deep-sleep marker. */
const MARKER_SLOT = SLOTS - 1;
/** "gzSL": written to MARKER_SLOT right before `Sleep.deep`, cleared at the next boot. */
const MARKER = 0x677a534c;
const USER_SLOTS = SLOTS - 1;

class SleepRetained implements RetainedMemory {
  readonly length = USER_SLOTS;
  get(index: number): number {
    checkRetainedIndex(index, USER_SLOTS);
    return Sleep.getRetainedValue(index) >>> 0;
  }
  set(index: number, value: number): void {
    checkRetainedIndex(index, USER_SLOTS);
    // The native side takes a 32-bit integer: pass the same bits as a signed value.
    Sleep.setRetainedValue(index, value | 0);
  }
}

function unavailable(): Error {
  return new Error("TCP is not available on nRF52: the Moddable nRF52 port has no IP stack (use a modem link over Serial)");
}

/** Stands in for `embedded:io/socket/tcp`, which the nRF52 port does not have. */
class NoTCP implements TCP {
  constructor(_options: TCPOptions) {
    throw unavailable();
  }
  get remoteAddress(): string | undefined {
    throw unavailable();
  }
  get remotePort(): number | undefined {
    throw unavailable();
  }
  read(_byteLength?: number): ArrayBuffer | undefined {
    throw unavailable();
  }
  write(_buffer: ByteBuffer): void {
    throw unavailable();
  }
  close(): void {}
}

const nrf52: Platform = Object.freeze({
  name: "nrf52" as const,
  tcp(provided: TCPClass | undefined): TCPClass {
    return provided ?? (NoTCP as TCPClass);
  },
  readResetReason(): ResetReason {
    const bits = Sleep.resetReason;
    const marked = Sleep.getRetainedValue(MARKER_SLOT) >>> 0 === MARKER;
    if (marked) Sleep.setRetainedValue(MARKER_SLOT, 0);
    if (bits & (RESETREAS.GPIO | RESETREAS.LPCOMP | RESETREAS.NFC)) return "deep-sleep";
    if (bits & RESETREAS.DOG) return "watchdog";
    // A timed wake reboots the chip; a reset pin press while asleep is a power-on as far as the node cares.
    if (marked && !(bits & (RESETREAS.RESETPIN | RESETREAS.LOCKUP))) return "deep-sleep";
    if (bits & (RESETREAS.SREQ | RESETREAS.LOCKUP | RESETREAS.DIF)) return "software";
    // RESETPIN, or 0: power-on / brown-out reset (RESETREAS does not tell those two apart).
    return "power-on";
  },
  deepSleep(ms: number): void {
    if (!(ms > 0) || !Number.isFinite(ms)) throw new RangeError(`deep sleep needs a positive, finite ms (got ${ms})`);
    Sleep.setRetainedValue(MARKER_SLOT, MARKER | 0);
    Sleep.deep(Math.ceil(ms));
  },
  createRetained(): RetainedMemory {
    return new SleepRetained();
  },
  supplyVoltage(): number {
    return NaN;
  },
  limitations: undefined,
});

export default nrf52;
