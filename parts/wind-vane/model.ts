/**
 * Argent 80422 vane as hardware: eight reed switches, each with its own resistor, closed by a magnet on the vane.
 * Between two switch positions the magnet holds both closed, so the sensor presents the parallel resistance.
 * The model works from the eight physical resistors, not from the driver's 16-entry table, so the two are
 * independent derivations of the datasheet.
 */
import type { Micros } from "../../simulator/core/engine.js";

/** Resistors on the switches at 0°, 45°, … 315° (datasheet schematic). */
const SWITCH_OHMS = [33000, 8200, 1000, 2200, 3900, 16000, 120000, 64900];

/** Resistance presented for a true wind direction (degrees from which it blows). */
export function vaneResistance(direction: number): number {
  // ((direction % 360) + 360) % 360, without V8's floating-point modulo for the directions the weather gives (0–360):
  // there direction % 360 is direction, and y % 360 is y − 360 exactly for 360 ≤ y < 720 (Sterbenz).
  let d: number;
  if (direction >= 0 && direction < 360) {
    const y = direction + 360;
    d = y < 720 ? y - 360 : 0;
  } else {
    d = ((direction % 360) + 360) % 360;
  }
  const position = Math.round(d / 22.5) % 16; // the vane settles on the nearest of 16 detents
  if (position % 2 === 0) return SWITCH_OHMS[position / 2]!;
  const a = SWITCH_OHMS[(position - 1) / 2]!;
  const b = SWITCH_OHMS[((position + 1) / 2) % 8]!;
  return (a * b) / (a + b);
}

export interface WindVaneModelOptions {
  direction: (t: Micros) => number;
  pullupOhms: number;
  supplyVolts: number;
  /** A broken cable: the input reads as pulled fully up. */
  fault?: "open" | undefined;
  /** Whether the divider's supply is on (a switched supply); absent: always on. Off, the pin reads 0 V. */
  powered?: (() => boolean) | undefined;
}

/** Voltage at the ADC pin: the vane to ground, a pull-up to the supply. */
export function windVaneVoltage(options: WindVaneModelOptions): (t: Micros) => number {
  return (t) => {
    if (options.powered && !options.powered()) return 0;
    if (options.fault === "open") return options.supplyVolts;
    const r = vaneResistance(options.direction(t));
    return (options.supplyVolts * r) / (r + options.pullupOhms);
  };
}
