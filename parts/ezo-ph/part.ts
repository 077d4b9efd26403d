/**
 * Atlas Scientific EZO-pH as manifests see it: I2C at 0x63 (or any address set with `I2C,n`), options mirroring the
 * driver's `configure`. Defaults come from circuit.ts, where the driver takes them too.
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { ezoConnection } from "../ezo/circuit.js";
import { EZO_PH, PH_DEFAULTS } from "./circuit.js";

export const part = definePart({
  name: EZO_PH.name,
  title: "Atlas Scientific EZO-pH circuit",
  connection: ezoConnection(EZO_PH.defaultAddress),
  options: s.object(
    { sleep: s.optional(s.boolean({ description: "Send Sleep after each reading (the next command wakes the circuit).", default: PH_DEFAULTS.sleep })) },
    { description: "EZO-pH options (driver `configure`)." },
  ),
  defaults: { ...PH_DEFAULTS },
  source: "Atlas Scientific EZO-pH datasheet v5.8: default I2C address 99 (0x63), I2C,n 1–127",
});
