/**
 * Atlas Scientific EZO-RTD (PT-1000 water temperature) as manifests see it: I2C at 0x66 (or any address set with
 * `I2C,n`), options mirroring the driver's `configure`. Defaults come from circuit.ts, where the driver takes
 * them too.
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { ezoConnection } from "../ezo/circuit.js";
import { EZO_RTD, RTD_DEFAULTS } from "./circuit.js";

export const part = definePart({
  name: EZO_RTD.name,
  title: "Atlas Scientific EZO-RTD temperature circuit",
  connection: ezoConnection(EZO_RTD.defaultAddress),
  options: s.object(
    { sleep: s.optional(s.boolean({ description: "Send Sleep after each reading (the next command wakes the circuit).", default: RTD_DEFAULTS.sleep })) },
    { description: "EZO-RTD options (driver `configure`)." },
  ),
  defaults: { ...RTD_DEFAULTS },
  source: "Atlas Scientific EZO-RTD datasheet v3.6: default I2C address 102 (0x66), I2C,n 1–127",
});
