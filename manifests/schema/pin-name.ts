/**
 * How a pin is spelled: nRF52 boards print port pins ("P1.04"), which Moddable numbers port*32 + pin (36); ESP32
 * boards print GPIO numbers. Its own module, free of the schema builder, so the simulator core (and the emulated
 * image it is bundled into) can name pins in its errors as the board manifest does.
 */

/** "P1.04" → 36; undefined when `name` is not a port pin name. */
export function parsePinName(name: string): number | undefined {
  const m = /^P([0-9])\.([0-9]{1,2})$/u.exec(name);
  if (!m) return undefined;
  const pin = Number(m[2]);
  if (pin > 31) return undefined;
  return Number(m[1]) * 32 + pin;
}

/** 36 → "P1.04". */
export function formatPortPin(pin: number): string {
  return `P${pin >> 5}.${String(pin & 31).padStart(2, "0")}`;
}

/** "GPIO27" on boards numbered by GPIO, "P1.04 (pin 36)" on boards with ports. */
export function pinLabel(pin: number, ports: boolean): string {
  return ports ? `${formatPortPin(pin)} (pin ${pin})` : `GPIO${pin}`;
}
