/**
 * Memory profiles of the emulated MCU: one linker script (emulator/firmware/link.ld), sizes given at link time.
 * Flash starts at 0x00000000 and RAM at 0x20000000 in both; QEMU's mps2-an386 has 4 MB of each there, so the
 * nRF52840 profile simply uses less of it, and anything beyond (a stack overflow, a heap past 256 KB) is outside
 * the image's memory map.
 */
export interface MemoryProfile {
  name: ProfileName;
  flashBytes: number;
  ramBytes: number;
  /** The C stack (XS's native recursion; the JS stack is a separate XS allocation on the heap). */
  stackBytes: number;
  description: string;
}

export type ProfileName = "mps2-4m" | "nrf52840";

export const PROFILES: Readonly<Record<ProfileName, MemoryProfile>> = {
  "mps2-4m": {
    name: "mps2-4m",
    flashBytes: 4 * 1024 * 1024,
    ramBytes: 4 * 1024 * 1024,
    stackBytes: 64 * 1024,
    description: "QEMU mps2-an386 as it is: 4 MB flash (SSRAM1), 4 MB RAM (SSRAM2/3)",
  },
  nrf52840: {
    name: "nrf52840",
    flashBytes: 1024 * 1024,
    ramBytes: 256 * 1024,
    stackBytes: 16 * 1024,
    description: "nRF52840 sizes: 1 MB flash, 256 KB RAM (16 KB of it the C stack)",
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function profile(name: string): MemoryProfile {
  const p = PROFILES[name as ProfileName];
  if (!p) throw new Error(`unknown memory profile "${name}"; profiles: ${PROFILE_NAMES.join(", ")}`);
  return p;
}

/** The profile a board's platform runs on: the nRF52840's own sizes for nRF52 boards; the whole mps2 map for ESP32
 * boards (520 KB of SRAM and 4 MB of flash do not fit the nRF52840's, and QEMU has no Xtensa machine). */
export const PROFILE_FOR_PLATFORM: Readonly<Record<string, ProfileName>> = Object.freeze({ nrf52: "nrf52840", esp32: "mps2-4m" });

/** The profile a board runs on; a clear error for a platform no profile models. */
export function profileForPlatform(platform: string, board: string): ProfileName {
  const p = PROFILE_FOR_PLATFORM[platform];
  if (!p) throw new Error(`board ${board}: no memory profile models its platform "${platform}"; profiles: ${PROFILE_NAMES.join(", ")}`);
  return p;
}
