/**
 * Bosch BME280 (temperature, humidity, pressure) as manifests see it: I2C at 0x76 (SDO to GND) or 0x77 (SDO to
 * VDDIO), options mirroring the driver's `configure` (oversampling and IIR filter).
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { BME280_DEFAULTS as d } from "./registers.js";

export const part = definePart({
  name: "bme280",
  title: "Bosch BME280 humidity, pressure and temperature sensor",
  connection: { kind: "i2c", addresses: [0x76, 0x77], maxHz: 3_400_000 },
  options: s.object(
    {
      temperatureOversampling: s.optional(
        s.enumOf([1, 2, 4, 8, 16], {
          description: "osrs_t: temperature oversampling ×1…×16. Cannot be skipped: pressure and humidity compensation need t_fine.",
          default: d.temperatureOversampling,
        }),
      ),
      pressureOversampling: s.optional(
        s.enumOf([0, 1, 2, 4, 8, 16], { description: "osrs_p: pressure oversampling ×1…×16; 0 skips pressure.", default: d.pressureOversampling }),
      ),
      humidityOversampling: s.optional(
        s.enumOf([0, 1, 2, 4, 8, 16], { description: "osrs_h: humidity oversampling ×1…×16; 0 skips humidity.", default: d.humidityOversampling }),
      ),
      filter: s.optional(s.enumOf([0, 2, 4, 8, 16], { description: "IIR filter coefficient for T and P; 0 = off.", default: d.filter })),
    },
    { description: "BME280 options (driver `configure`)." },
  ),
  source:
    "Bosch BST-BME280-DS002: I2C address 0x76/0x77 by SDO (§6.2), I2C up to 3.4 MHz (§6.2), weather monitoring setting (§3.5.1)",
});
