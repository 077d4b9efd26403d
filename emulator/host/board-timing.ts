/**
 * How a board's clock differs from the emulator's, for the timing model (timeline.ts): which timer grid a sleeping
 * board wakes on, what waking costs, and how many cycles an emulated instruction takes.
 *
 * The emulator's own clock is ideal: one instruction every 16 ns and an idle wait that ends exactly at its deadline.
 * A board running the Moddable build `ganzhi build` writes does not:
 *
 * - nRF52 (nrf52840-dk): Moddable runs XS on FreeRTOS with tickless idle (build/devices/nrf52/config/
 *   FreeRTOSConfig.h: configUSE_TICKLESS_IDLE 1, configTICK_RATE_HZ 1024), the tick kept by RTC1 on the 32.768 kHz
 *   LFCLK (32 RTC counts a tick); its millisecond clock is that tick count (systemclock.c `nrf52_milliseconds`), and
 *   the main loop waits for the next timer with xQueueReceive in ticks (xsHost.c `modMessageService`). A timer
 *   therefore wakes the CPU on the 1/1024 s grid, never between two ticks. Waking from System ON idle costs the
 *   restart of the 64 MHz clock from HFINT: 3 µs (nRF52840 Product Specification, CLOCK electrical specification,
 *   tSTART_HFINT, typical). An interrupt (a GPIO edge, a radio's DIO line) wakes it at once, with the same start-up.
 * - ESP32 (esp32-devkitc): FreeRTOS at 1000 Hz (Moddable's build/devices/esp32/xsProj-esp32/sdkconfig.defaults
 *   CONFIG_FREERTOS_HZ=1000), modMilliseconds from the tick count (xs/platforms/esp/xsHost.h). The board's
 *   idleState is cpuActive: ESP-IDF power management and automatic light sleep are off (Moddable's default), so the
 *   idle task waits with the CPU clocked and a wake-up costs no start-up. A board that declares light sleep for an
 *   ESP32 would wake on the RTC slow clock (150 kHz internal RC by default) with a light-sleep exit time this model
 *   has no datasheet figure for: it is refused rather than guessed.
 *
 * Cycles per instruction: `CORTEX_M4_CPI`, the range emulator/host/cycles.ts prices from the device's traced
 * instruction stream with the ARM Cortex-M4 TRM's cycle counts (`node out/emulator/host/cycles.js` prints it; a
 * test holds this constant to a fresh trace). The ESP32's Xtensa LX6 at 240 MHz runs other instructions than the
 * emulated Cortex-M4: its CPU times here are those of a 64 MHz Cortex-M4, on the slow side.
 */
import type { Board } from "../../manifests/schema/board.js";
import type { CycleRange } from "./cycles.js";

/** Cycles per emulated instruction on a Cortex-M4: the traced range, rounded outwards (cycles.ts). */
export const CORTEX_M4_CPI: Readonly<CycleRange> = Object.freeze({ best: 1.56, worst: 2.14 });

/** The emulated core's clock, Hz: a 64 MHz Cortex-M4F, the nRF52840's. */
export const CORE_HZ = 64_000_000;

export interface BoardTiming {
  /** The timer grid a sleeping board wakes on, Hz (the RTOS tick). */
  tickHz: number;
  /** From the wake-up event to the first instruction, µs. */
  wakeUs: Readonly<CycleRange>;
  /** Cycles per emulated instruction. */
  cpi: Readonly<CycleRange>;
  coreHz: number;
  /** Whether the CPU sleeps between events (the board's idleState is lightSleep). */
  sleeps: boolean;
  /** What the device's `clock.microseconds()` reads on the board: Moddable's microseconds. nRF52: its milliseconds
   * × 1000 (xs/platforms/nrf52/xsHost.h modMicroseconds), so the RTOS clock's truncated ms; ESP32: esp_timer_get_time,
   * true µs. */
  microseconds: "rtos-ms" | "exact";
  source: string;
}

export class TimingModelError extends Error {}

export function boardTiming(board: Board): BoardTiming {
  const sleeps = board.power.idleState === "lightSleep";
  if (board.platform === "nrf52") {
    return {
      tickHz: 1024,
      wakeUs: sleeps ? { best: 3, worst: 3 } : { best: 0, worst: 0 },
      cpi: CORTEX_M4_CPI,
      coreHz: CORE_HZ,
      sleeps,
      microseconds: "rtos-ms",
      source: "FreeRTOS tickless idle at 1024 Hz on RTC1 (Moddable nrf52 FreeRTOSConfig.h); HFINT start-up 3 µs (nRF52840 PS, tSTART_HFINT)",
    };
  }
  if (board.platform === "esp32") {
    if (sleeps) {
      throw new TimingModelError(
        `board ${board.name}: idleState lightSleep on an ESP32 needs a light-sleep wake-up time the timing model has no datasheet figure for (emulator/host/board-timing.ts)`,
      );
    }
    return {
      tickHz: 1000,
      wakeUs: { best: 0, worst: 0 },
      cpi: CORTEX_M4_CPI,
      coreHz: CORE_HZ,
      sleeps,
      microseconds: "exact",
      source: "FreeRTOS at 1000 Hz with the CPU clocked while idle (Moddable esp32 sdkconfig.defaults, ESP-IDF power management off)",
    };
  }
  throw new TimingModelError(`board ${board.name}: no timing model for platform "${board.platform}"`);
}
