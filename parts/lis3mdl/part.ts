/**
 * ST LIS3MDL 3-axis magnetometer as manifests see it: I2C at 0x1C (SA1 low) or 0x1E (SA1 high), options mirroring
 * the driver's `configure` (full scale, operating mode), defaults LIS3MDL_DEFAULTS.
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { LIS3MDL_ADDRESSES, LIS3MDL_DEFAULTS, MODES, RANGE_G } from "./registers.js";

const d = LIS3MDL_DEFAULTS;

export const part = definePart({
  name: "lis3mdl",
  title: "ST LIS3MDL 3-axis magnetometer",
  connection: { kind: "i2c", addresses: [...LIS3MDL_ADDRESSES], maxHz: 400_000 },
  options: s.object(
    {
      range: s.optional(s.enumOf([...RANGE_G], { description: "Full scale, gauss (FS): 6842, 3421, 2281, 1711 LSB/G at ±4, 8, 12, 16 G.", default: d.range })),
      mode: s.optional(
        s.enumOf([...MODES], { description: "Operating mode of all axes (OM, OMZ): more performance is less noise and a longer conversion (1 ms to 6.5 ms).", default: d.mode }),
      ),
    },
    { description: "LIS3MDL options (driver `configure`)." },
  ),
  defaults: { ...d },
  source:
    "ST DocID024204 (±4/8/12/16 G, single-conversion mode, I2C 100/400 kHz); ST lis3mdl-pid lis3mdl_reg.h/.c (register map, SA1 addresses 0x1C/0x1E, WHO_AM_I 0x3D, FS sensitivities, OM/FAST_ODR rates)",
});
