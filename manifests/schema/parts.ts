/**
 * The part catalogue: every part a device manifest may name in `parts.<role>.part`.
 * Each part keeps its declaration next to its driver and model, in `parts/<name>/part.ts`.
 */
import { part as ads1220 } from "../../parts/ads1220/part.js";
import { part as bc95 } from "../../parts/bc95/part.js";
import { part as bme280 } from "../../parts/bme280/part.js";
import { part as cjt188 } from "../../parts/cjt188/part.js";
import { part as cupAnemometer } from "../../parts/cup-anemometer/part.js";
import { part as ezoDo } from "../../parts/ezo-do/part.js";
import { part as ezoEc } from "../../parts/ezo-ec/part.js";
import { part as ezoOrp } from "../../parts/ezo-orp/part.js";
import { part as ezoPh } from "../../parts/ezo-ph/part.js";
import { part as ezoRtd } from "../../parts/ezo-rtd/part.js";
import { part as dlt645 } from "../../parts/dlt645/part.js";
import { part as s0Pulse } from "../../parts/s0-pulse/part.js";
import { part as hx711 } from "../../parts/hx711/part.js";
import { part as lis3mdl } from "../../parts/lis3mdl/part.js";
import { part as qmc5883l } from "../../parts/qmc5883l/part.js";
import { part as sht3x } from "../../parts/sht3x/part.js";
import { part as sx1262 } from "../../parts/sx1262/part.js";
import { part as tippingBucket } from "../../parts/tipping-bucket/part.js";
import { part as turbidity } from "../../parts/turbidity/part.js";
import { part as windVane } from "../../parts/wind-vane/part.js";
import type { PartDefinition } from "./part.js";

export type { PartDefinition } from "./part.js";

export const partCatalogue: Readonly<Record<string, PartDefinition>> = Object.freeze({
  [ads1220.name]: ads1220,
  [bc95.name]: bc95,
  [bme280.name]: bme280,
  [cjt188.name]: cjt188,
  [cupAnemometer.name]: cupAnemometer,
  [ezoDo.name]: ezoDo,
  [ezoEc.name]: ezoEc,
  [ezoOrp.name]: ezoOrp,
  [ezoPh.name]: ezoPh,
  [ezoRtd.name]: ezoRtd,
  [dlt645.name]: dlt645,
  [s0Pulse.name]: s0Pulse,
  [hx711.name]: hx711,
  [lis3mdl.name]: lis3mdl,
  [qmc5883l.name]: qmc5883l,
  [sht3x.name]: sht3x,
  [sx1262.name]: sx1262,
  [tippingBucket.name]: tippingBucket,
  [turbidity.name]: turbidity,
  [windVane.name]: windVane,
});

export const partNames: readonly string[] = Object.freeze(Object.keys(partCatalogue).sort());

export function getPart(name: string): PartDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(partCatalogue, name) ? partCatalogue[name] : undefined;
}
