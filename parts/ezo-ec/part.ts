/**
 * Atlas Scientific EZO-EC as manifests see it: I2C at 0x64 (or any address set with `I2C,n`), with the driver's
 * probe cell constant, TDS factor and outputs.
 */
import { s } from "../../manifests/schema/builder.js";
import { defineEzoPart } from "../ezo/part.js";
import { EC_DEFAULTS, EZO_EC } from "./circuit.js";

const d = EC_DEFAULTS;

export const part = defineEzoPart(
  EZO_EC,
  "Atlas Scientific EZO-EC conductivity circuit",
  d,
  {
    k: s.optional(s.number({ description: "Probe cell constant K (K,n).", minimum: 0.1, maximum: 10, default: d.k })),
    tdsFactor: s.optional(s.number({ description: "TDS conversion factor (TDS,n): TDS = EC × factor.", minimum: 0.01, maximum: 1, default: d.tdsFactor })),
    conductivity: s.optional(s.boolean({ description: "Report conductivity, µS/cm (O,EC,1).", default: d.conductivity })),
    tds: s.optional(s.boolean({ description: "Report total dissolved solids, ppm (O,TDS,1).", default: d.tds })),
    salinity: s.optional(s.boolean({ description: "Report practical salinity, PSU (O,S,1).", default: d.salinity })),
    specificGravity: s.optional(s.boolean({ description: "Report specific gravity (sea water; O,SG,1).", default: d.specificGravity })),
  },
  "v6.2, default I2C address 100 (0x64), probes K 0.1–10, outputs EC/TDS/S/SG",
);
