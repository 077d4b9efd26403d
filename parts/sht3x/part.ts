/**
 * Sensirion SHT3x-DIS (SHT30/31/35) as manifests see it: I2C at 0x44 (ADDR low) or 0x45 (ADDR high), options
 * mirroring the driver's `configure` (repeatability, heater).
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { SHT3X_DEFAULTS } from "./registers.js";

export const part = definePart({
  name: "sht3x",
  title: "Sensirion SHT3x-DIS humidity and temperature sensor",
  connection: { kind: "i2c", addresses: [0x44, 0x45], maxHz: 1_000_000 },
  options: s.object(
    {
      repeatability: s.optional(
        s.enumOf(["high", "medium", "low"], {
          description: "Single-shot repeatability: sets the command and the conversion time (max 15 / 6 / 4 ms).",
          default: SHT3X_DEFAULTS.repeatability,
        }),
      ),
      heater: s.optional(s.boolean({ description: "Internal heater (plausibility checks, driving off condensation).", default: SHT3X_DEFAULTS.heater })),
    },
    { description: "SHT3x options (driver `configure`)." },
  ),
  source: "Sensirion SHT3x-DIS datasheet: I2C address 0x44/0x45 by ADDR pin, I2C fast mode plus up to 1 MHz, Table 9 repeatability",
});
