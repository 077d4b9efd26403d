/**
 * QST QMC5883L 3-axis magnetometer as manifests see it: I2C at its one address 0x0D, options mirroring the driver's
 * `configure` (full scale, output data rate, over-sample ratio), defaults QMC5883L_DEFAULTS.
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { ODR_HZ, OSR, QMC5883L_ADDRESS, QMC5883L_DEFAULTS, RANGE_G } from "./registers.js";

const d = QMC5883L_DEFAULTS;

export const part = definePart({
  name: "qmc5883l",
  title: "QST QMC5883L 3-axis magnetometer",
  connection: { kind: "i2c", addresses: [QMC5883L_ADDRESS], maxHz: 400_000 },
  options: s.object(
    {
      range: s.optional(s.enumOf([...RANGE_G], { description: "Full scale, gauss (RNG): 12 000 LSB/G at ±2 G, 3 000 LSB/G at ±8 G.", default: d.range })),
      odr: s.optional(s.enumOf([...ODR_HZ], { description: "Output data rate, Hz (ODR). A reading keeps the part in continuous mode for one period.", default: d.odr })),
      osr: s.optional(s.enumOf([...OSR], { description: "Over-sample ratio (OSR): larger filters more noise and draws more current.", default: d.osr })),
    },
    { description: "QMC5883L options (driver `configure`)." },
  ),
  defaults: { ...d },
  source:
    "QMC5883L datasheet §9 (Tables 13–20: register map, CTRL1 OSR/RNG/ODR/MODE codes); Rev B: chip id 0xFF, sensitivity 12 000 / 3 000 LSB/G; I2C address 0x0D, standard and fast mode",
});
