/**
 * What a part's model factory (`parts/<name>/attach.ts`) is handed: the node it is wired into and the named
 * quantities of the worlds a scenario assembled for it; and what it hands back.
 */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ElectricitySupply } from "../../parts/dlt645/model.js";
import type { WaterSupply } from "../../parts/cjt188/model.js";
import type { LoraAir } from "../../parts/sx1262/model.js";
import type { Micros } from "./engine.js";
import type { Atmosphere, MagneticFieldAt, WaterQuantities } from "./environment/types.js";
import type { NbiotAccess } from "./nbiot/access.js";
import type { Position } from "./radio/channel.js";
import type { SimNode } from "./node.js";

export interface ModelContext {
  node: SimNode;
  atmosphere: Atmosphere;
  /** The NB-IoT network modems attach to; without it they never find a cell. */
  nbiot?: NbiotAccess;
  /** The LoRa air (a RadioChannel) radio parts transmit into and hear from; without it their frames go nowhere. */
  air?: LoraAir;
  /** Where the node stands on the air. */
  position?: Position;
  /** The structure a node's strain gauges are bonded to (a bridge deck); parts that measure strain need it. */
  structure?: StructureQuantities;
  /** The water a node's probes are in (a lake); parts that measure water need it. */
  water?: WaterQuantities;
  /** What a household's meters measure; meter parts need it. */
  household?: { electricity?: ElectricitySupply; water?: WaterSupply };
  /** The parking bay a node's magnetometer is buried in (a street); magnetometer parts need it. */
  street?: StreetQuantities;
}

/** Named quantities of a parking bay, as functions of virtual time. */
export interface StreetQuantities {
  /** The field at the magnetometer, µT along its axes: Earth's, plus whatever vehicle is near. */
  magneticField: MagneticFieldAt;
  /** The sensor's own temperature in the pavement, °C (it drifts the readings). */
  temperature(t: Micros): number;
}

/** Named quantities of a structure, as functions of virtual time. */
export interface StructureQuantities {
  /** Strain at the gauges, µε (tension positive). */
  strain(t: Micros): number;
  /** Temperature at the gauges' ADC (its die), °C. */
  temperature(t: Micros): number;
  /** The structure's own temperature at the gauges, °C (what a thermometer bonded beside them reads). */
  deckTemperature(t: Micros): number;
}

/** A part's model on a node, with the handle tests and fault injection use. */
export interface AttachedModel {
  role: string;
  part: string;
  /** The model object (SHT3xModel, BME280Model, AnemometerModel, …). */
  model: unknown;
}

/**
 * A part's model factory: builds the model of `part` (resolved from a device manifest, role `role`) and wires it to
 * the node's buses and pins. The registry (simulator/core/parts.ts) calls it under the part's name.
 */
export type ModelFactory = (role: string, part: ResolvedPart, ctx: ModelContext) => unknown;
