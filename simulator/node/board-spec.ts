/** A validated board manifest, as the simulator builds boards from it. */
import type { Board } from "../../manifests/schema/board.js";
import type { SimBoardSpec } from "../core/board.js";

export function simBoardFromManifest(name: string, b: Board): SimBoardSpec {
  const partitions: Record<string, { offset: number; size: number }> = {};
  for (const [k, p] of Object.entries(b.flash.partitions)) partitions[k] = { offset: p.offset, size: p.size };
  const strip = <T extends { description?: string }>(rec: Readonly<Record<string, T>> | undefined) => {
    const out: Record<string, Omit<T, "description">> = {};
    for (const [k, v] of Object.entries(rec ?? {})) {
      const { description: _d, ...rest } = v;
      out[k] = rest;
    }
    return out;
  };
  return {
    name,
    adc: {
      resolution: b.analog.resolutionBits,
      fullScaleVolts: b.analog.fullScaleVolts,
      pins: Object.keys(b.analog.channels).map(Number),
    },
    pulseCountUnits: b.pulseCount.units,
    i2c: strip(b.buses.i2c),
    spi: strip(b.buses.spi),
    serial: strip(b.buses.serial),
    pins: { ...b.pins },
    portPins: b.gpio.ports !== undefined,
    flash: { size: b.flash.size, blockLength: b.flash.blockLength, writeAlign: b.flash.writeAlign, partitions },
    supplyVolts: b.power.supplyVolts,
  };
}
