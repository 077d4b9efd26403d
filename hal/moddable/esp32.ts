/**
 * ESP32 under the Moddable SDK.
 *
 * - Reset reason: the SDK's `resetReason` module (`esp_reset_reason()`).
 * - Deep sleep: **not available.** The SDK has no ESP32 deep-sleep module: `System.deepSleep` of
 *   `embedded:io/system` is compiled for ESP8266 only and is a no-op on ESP32, and `modules/base/sleep` is
 *   Gecko-only. `deepSleep` therefore throws a clear error instead of silently staying awake. A node that must
 *   deep-sleep on ESP32 needs a small native module (esp_sleep_enable_timer_wakeup + esp_deep_sleep_start, and
 *   RTC_DATA_ATTR words for retained memory); see hal/moddable/README.md.
 * - Retained memory: a RAM fallback. It survives nothing — not deep sleep (which is unavailable anyway), not a
 *   reset — it only lets device code that uses `host.retained` run unchanged within one boot.
 * - TCP: `embedded:io/socket/tcp` (lwIP). Wi-Fi must be brought up by the application/network layer.
 */
import TCP from "embedded:io/socket/tcp";
import getResetReason from "resetReason";
import type { ResetReason, RetainedMemory } from "../host.js";
import type { TCPClass } from "../io.js";
import { checkRetainedIndex, type Platform } from "./platform.js";

const RETAINED_WORDS = 32;

/** Plain RAM words: lost on every reset. Documented as such; see the module comment. */
class RamRetained implements RetainedMemory {
  readonly length = RETAINED_WORDS;
  readonly #words = new Uint32Array(RETAINED_WORDS);
  get(index: number): number {
    checkRetainedIndex(index, RETAINED_WORDS);
    return this.#words[index]!;
  }
  set(index: number, value: number): void {
    checkRetainedIndex(index, RETAINED_WORDS);
    this.#words[index] = value >>> 0;
  }
}

/** `esp_reset_reason_t` → hal's reset reasons. */
function mapResetReason(reason: number): ResetReason {
  switch (reason) {
    case 8: // ESP_RST_DEEPSLEEP
      return "deep-sleep";
    case 5: // ESP_RST_INT_WDT
    case 6: // ESP_RST_TASK_WDT
    case 7: // ESP_RST_WDT
      return "watchdog";
    case 9: // ESP_RST_BROWNOUT
      return "brown-out";
    case 3: // ESP_RST_SW
    case 4: // ESP_RST_PANIC
    case 10: // ESP_RST_SDIO
      return "software";
    default: // 0 unknown, 1 power-on, 2 external pin
      return "power-on";
  }
}

const esp32: Platform = Object.freeze({
  name: "esp32" as const,
  tcp(): TCPClass {
    // lwIP's socket module, which is the class any ESP32 provider would hand out.
    return TCP as unknown as TCPClass;
  },
  readResetReason(): ResetReason {
    return mapResetReason(getResetReason().reason);
  },
  deepSleep(ms: number): void {
    throw new Error(
      `deep sleep (${ms} ms) is not available on ESP32 with the Moddable SDK: it ships no ESP32 deep-sleep module ` +
        "(System.deepSleep is ESP8266-only). Keep this node awake or add a native sleep module (hal/moddable/README.md).",
    );
  },
  createRetained(): RetainedMemory {
    return new RamRetained();
  },
  supplyVoltage(): number {
    return NaN;
  },
  limitations:
    "esp32: no deep sleep in the Moddable SDK (host.power.deepSleep throws); host.retained is plain RAM and does not survive a reset",
});

export default esp32;
