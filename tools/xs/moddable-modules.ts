/**
 * The module specifiers the Moddable SDK provides to an app on each platform ganzhi targets, as `ganzhi build`'s
 * project includes them (tools/build/project.ts: manifest_base, modules/io, the flash module, and per platform
 * resetReason or sleep). Source: Moddable SDK 8.x manifests — modules/io/manifests/esp32 and nrf52 (ECMA-419 IO;
 * sockets only on ESP32, which has lwIP; PulseCount on both), build/devices/esp32/modules/resetReason,
 * build/devices/nrf52/modules/sleep, examples/manifest_base.json (timer, time, Resource, instrumentation) and
 * modules/files/flash, modules/crypt/digest (`crypt`). A bundle importing anything else does not link on the board.
 */
import { NATIVE_SPECIFIERS } from "../build/native.js";
import type { PlatformName } from "../build/project.js";

const COMMON = [
  "mc/config",
  "timer",
  "time",
  "Resource",
  "instrumentation",
  "flash",
  "crypt",
  "preference",
  "system",
  "embedded:provider/builtin",
  "embedded:io/analog",
  "embedded:io/digital",
  "embedded:io/digitalbank",
  "embedded:io/i2c",
  "embedded:io/smbus",
  "embedded:io/pwm",
  "embedded:io/pulsecount",
  "embedded:io/serial",
  "embedded:io/spi",
  // The host provider's own native modules, which `ganzhi build` adds to every project (tools/build/native.ts).
  ...NATIVE_SPECIFIERS,
];

export const MODDABLE_MODULES: Readonly<Record<PlatformName, ReadonlySet<string>>> = {
  esp32: new Set([
    ...COMMON,
    "embedded:io/pulsewidth",
    "embedded:io/socket/tcp",
    "embedded:io/socket/udp",
    "embedded:io/socket/listener",
    "resetReason",
    "microseconds",
  ]),
  nrf52: new Set([...COMMON, "sleep"]),
};

/** Why `specifier` cannot be imported on `platform`, or undefined when Moddable provides it there. */
export function platformModuleFault(specifier: string, platform: PlatformName): string | undefined {
  if (MODDABLE_MODULES[platform].has(specifier)) return undefined;
  const elsewhere = (Object.keys(MODDABLE_MODULES) as PlatformName[]).filter((p) => MODDABLE_MODULES[p].has(specifier));
  return elsewhere.length > 0
    ? `"${specifier}" exists in Moddable only on ${elsewhere.join(", ")}, not on ${platform}`
    : `"${specifier}" is not a module Moddable provides on ${platform}`;
}
