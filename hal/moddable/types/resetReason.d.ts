/**
 * The ESP32 `resetReason` module of the Moddable SDK ($(BUILD)/devices/esp32/modules/resetReason, included by the
 * generated manifest for ESP32 only). No declaration ships in @moddable/typings; this one follows its `resetReason.js`:
 * `reason` is `esp_reset_reason()` (0 Unknown, 1 Power-On, 2 External Pin, 3 Software, 4 Panic, 5 Interrupt WDT,
 * 6 Task WDT, 7 Other WDT, 8 Deep Sleep, 9 Brownout, 10 SDIO).
 */
declare module "resetReason" {
  export default function getResetReason(): { reason: number; string: string };
}
