/**
 * The nRF52 `sleep` module of the Moddable SDK ($(BUILD)/devices/nrf52/modules/sleep, included by the generated
 * manifest for nRF52 only). @moddable/typings ships no declaration for it; this one follows
 * `build/devices/nrf52/modules/sleep/sleep.js` and `documentation/devices/nRF52-low-power.md` of SDK 8.2.x.
 */
declare module "sleep" {
  export const Sleep: {
    /** Without `ms`: System OFF. With `ms`: RAM off and an RTC wake-up. The device reboots on wake either way. */
    deep(ms?: number): void;
    /** RESETREAS bits (see `ResetReason`) as the SDK saved them at boot (`nrf52_get_reset_reason()`); the same all boot long. */
    readonly resetReason: number;
    powerMode: number;
    /** One of 32 32-bit slots kept in a `.no_init` RAM region across System OFF; 0 when nothing was retained. */
    getRetainedValue(index: number): number;
    setRetainedValue(index: number, value: number): void;
    setup(): void;
  };
  export const PowerMode: { readonly ConstantLatency: number; readonly LowPower: number };
  export const SleepMode: { readonly SystemOn: number; readonly SystemOff: number };
  export const ResetReason: {
    readonly RESETPIN: number;
    readonly DOG: number;
    readonly SREQ: number;
    readonly LOCKUP: number;
    readonly GPIO: number;
    readonly LPCOMP: number;
    readonly DIF: number;
    readonly NFC: number;
  };
  export default Sleep;
}
