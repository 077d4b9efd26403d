/** Atlas Scientific EZO-ORP as manifests see it: I2C at 0x62 (or any address set with `I2C,n`). */
import { defineEzoPart } from "../ezo/part.js";
import { EZO_ORP, ORP_DEFAULTS } from "./circuit.js";

export const part = defineEzoPart(EZO_ORP, "Atlas Scientific EZO-ORP circuit", ORP_DEFAULTS, {}, "v4.8, default I2C address 98 (0x62)");
