/**
 * What each Moddable platform's chips can have at most, so a board manifest with an absurd figure (a 1 TB flash, a
 * 2 GHz CPU) is an error rather than a build that cannot exist. The limits are the largest chip of the platform
 * that ganzhi's boards use, each with its source.
 */
export interface PlatformLimits {
  readonly chip: string;
  readonly flashBytes: number;
  readonly ramBytes: number;
  readonly mhz: number;
  readonly cores: number;
  /** Where each figure comes from. */
  readonly source: { readonly flash: string; readonly ram: string; readonly cpu: string };
}

const MiB = 1024 * 1024;

export const PLATFORM_LIMITS: Readonly<Record<"esp32" | "nrf52", PlatformLimits>> = Object.freeze({
  esp32: Object.freeze({
    chip: "ESP32",
    flashBytes: 16 * MiB,
    ramBytes: 520 * 1024,
    mhz: 240,
    cores: 2,
    source: Object.freeze({
      flash: "ESP-FAQ: ESP32 supports up to 16 MB of external flash",
      ram: "ESP32 datasheet: 520 KB of SRAM",
      cpu: "ESP32 datasheet: dual-core Xtensa LX6 up to 240 MHz",
    }),
  }),
  nrf52: Object.freeze({
    chip: "nRF52840",
    flashBytes: 1 * MiB,
    ramBytes: 256 * 1024,
    mhz: 64,
    cores: 1,
    source: Object.freeze({
      flash: "nRF52840 Product Specification: 1 MB of flash, the most of any nRF52",
      ram: "nRF52840 Product Specification: 256 KB of RAM, the most of any nRF52",
      cpu: "nRF52840 Product Specification: one Cortex-M4F at 64 MHz",
    }),
  }),
});

/** "16 MiB", "1 TiB", "512 KiB", "100 bytes". */
export function byteSize(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}
