/**
 * Atlas Scientific EZO-EC as manifests see it: I2C at 0x64 (or any address set with `I2C,n`), options mirroring the
 * driver's `configure` (probe K, TDS factor, outputs). Defaults come from circuit.ts, where the driver takes them
 * too.
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { ezoConnection } from "../ezo/circuit.js";
import { EC_DEFAULTS, EZO_EC } from "./circuit.js";

const d = EC_DEFAULTS;

export const part = definePart({
  name: EZO_EC.name,
  title: "Atlas Scientific EZO-EC conductivity circuit",
  connection: ezoConnection(EZO_EC.defaultAddress),
  options: s.object(
    {
      sleep: s.optional(s.boolean({ description: "Send Sleep after each reading (the next command wakes the circuit).", default: d.sleep })),
      k: s.optional(s.number({ description: "Probe cell constant K (K,n).", minimum: 0.1, maximum: 10, default: d.k })),
      tdsFactor: s.optional(s.number({ description: "TDS conversion factor (TDS,n): TDS = EC × factor.", minimum: 0.01, maximum: 1, default: d.tdsFactor })),
      conductivity: s.optional(s.boolean({ description: "Report conductivity, µS/cm (O,EC,1).", default: d.conductivity })),
      tds: s.optional(s.boolean({ description: "Report total dissolved solids, ppm (O,TDS,1).", default: d.tds })),
      salinity: s.optional(s.boolean({ description: "Report practical salinity, PSU (O,S,1).", default: d.salinity })),
      specificGravity: s.optional(s.boolean({ description: "Report specific gravity (sea water; O,SG,1).", default: d.specificGravity })),
    },
    { description: "EZO-EC options (driver `configure`)." },
  ),
  defaults: { ...d },
  source: "Atlas Scientific EZO-EC datasheet v6.2: default I2C address 100 (0x64), I2C,n 1–127, probes K 0.1–10, outputs EC/TDS/S/SG",
});
