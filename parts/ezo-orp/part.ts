/**
 * Atlas Scientific EZO-ORP as manifests see it: I2C at 0x62 (or any address set with `I2C,n`), options mirroring
 * the driver's `configure`. Defaults come from circuit.ts, where the driver takes them too.
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { ezoConnection } from "../ezo/circuit.js";
import { EZO_ORP, ORP_DEFAULTS } from "./circuit.js";

export const part = definePart({
  name: EZO_ORP.name,
  title: "Atlas Scientific EZO-ORP circuit",
  connection: ezoConnection(EZO_ORP.defaultAddress),
  options: s.object(
    { sleep: s.optional(s.boolean({ description: "Send Sleep after each reading (the next command wakes the circuit).", default: ORP_DEFAULTS.sleep })) },
    { description: "EZO-ORP options (driver `configure`)." },
  ),
  defaults: { ...ORP_DEFAULTS },
  source: "Atlas Scientific EZO-ORP datasheet v4.8: default I2C address 98 (0x62), I2C,n 1–127",
});
