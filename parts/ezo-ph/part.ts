/** Atlas Scientific EZO-pH as manifests see it: I2C at 0x63 (or any address set with `I2C,n`). */
import { defineEzoPart } from "../ezo/part.js";
import { EZO_PH, PH_DEFAULTS } from "./circuit.js";

export const part = defineEzoPart(EZO_PH, "Atlas Scientific EZO-pH circuit", PH_DEFAULTS, {}, "v5.8, default I2C address 99 (0x63)");
