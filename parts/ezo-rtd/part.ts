/** Atlas Scientific EZO-RTD (PT-1000 water temperature) as manifests see it: I2C at 0x66 (or any address set with `I2C,n`). */
import { defineEzoPart } from "../ezo/part.js";
import { EZO_RTD, RTD_DEFAULTS } from "./circuit.js";

export const part = defineEzoPart(EZO_RTD, "Atlas Scientific EZO-RTD temperature circuit", RTD_DEFAULTS, {}, "v3.6, default I2C address 102 (0x66)");
