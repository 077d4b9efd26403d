/**
 * The part of a board manifest the simulator needs to build a board: buses with their pins, the ADC, counters,
 * named pins, flash layout and supply. The manifest loader produces it; tests can write one by hand.
 */
import type { FlashLayout } from "./flash.js";

export interface SimBoardSpec {
  name: string;
  adc: { resolution: number; fullScaleVolts: number; pins: readonly number[] };
  pulseCountUnits: number;
  i2c: Readonly<Record<string, { data: number; clock: number; hz: number; port?: number }>>;
  spi: Readonly<Record<string, { clock: number; in?: number; out?: number; hz: number; port?: number }>>;
  serial: Readonly<Record<string, { receive?: number; transmit?: number; baud: number; port?: number }>>;
  /** Board-named pins (led, button). */
  pins: Readonly<Record<string, number>>;
  /** The board names its pins by port ("P1.04", numbered port*32 + pin) rather than by GPIO number: how errors spell them. */
  portPins?: boolean;
  flash: FlashLayout;
  supplyVolts: number;
}
