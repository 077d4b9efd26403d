/**
 * Atlas Scientific EZO-DO as manifests see it: I2C at 0x61 (or any address set with `I2C,n`), with the driver's
 * outputs and its salinity and pressure compensation.
 */
import { s } from "../../manifests/schema/builder.js";
import { defineEzoPart } from "../ezo/part.js";
import { DO_DEFAULTS, EZO_DO } from "./circuit.js";

const d = DO_DEFAULTS;

export const part = defineEzoPart(
  EZO_DO,
  "Atlas Scientific EZO-DO dissolved oxygen circuit",
  d,
  {
    mgPerLitre: s.optional(s.boolean({ description: "Report dissolved oxygen in mg/L (O,mg,1).", default: d.mgPerLitre })),
    saturation: s.optional(s.boolean({ description: "Report % saturation (O,%,1).", default: d.saturation })),
    salinity: s.optional(
      s.number({ description: "Salinity compensation as the water's conductivity, µS/cm (S,n); 0 for fresh water.", minimum: 0, maximum: 500_000, default: d.salinity }),
    ),
    pressure: s.optional(
      s.number({ description: "Pressure compensation, kPa (P,n): the air pressure at the water (Dianchi: about 81).", minimum: 10, maximum: 1000, default: d.pressure }),
    ),
  },
  "v4.1, default I2C address 97 (0x61), O,mg / O,% (p.55), pressure compensation",
);
