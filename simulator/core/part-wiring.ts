/**
 * What model factories (parts/<name>/attach.ts) share: finding a resolved part's bus, pins and options on a
 * simulated node, and the world quantities it needs, each failure an error naming the part and role.
 */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { EzoModel, EzoModelOptions } from "../../parts/ezo/model.js";
import { Rs485Bus, type Framing } from "../../parts/rs485/model.js";
import type { WaterQuantities } from "./environment/types.js";
import type { ModelContext } from "./model-context.js";
import { deriveSeed } from "./rng.js";

export function i2cBus(part: ResolvedPart, ctx: ModelContext) {
  if (part.io !== "i2c") throw new Error(`${part.part}: expected an I2C connection, got ${part.io}`);
  const bus = ctx.node.i2c[part.bus];
  if (!bus) throw new Error(`${part.part}: node ${ctx.node.id} has no I2C bus "${part.bus}"`);
  return { bus, address: part.address };
}

export function pinOf(part: ResolvedPart): number {
  if (!("pin" in part)) throw new Error(`${part.part}: expected a pin connection, got ${part.io}`);
  return part.pin;
}

export function spiPart(part: ResolvedPart, ctx: ModelContext, pins: readonly string[]) {
  if (part.io !== "spi") throw new Error(`${part.part}: expected an SPI connection, got ${part.io}`);
  const bus = ctx.node.spi[part.bus];
  if (!bus) throw new Error(`${part.part}: node ${ctx.node.id} has no SPI bus "${part.bus}"`);
  for (const p of pins) if (typeof part.pins[p] !== "number") throw new Error(`${part.part}: pin "${p}" is not wired (resolved config)`);
  return { bus, pins: part.pins };
}

/** The RS-485 bus a meter part's UART leads to (one per port, shared by the meters on it), with its DE pin. */
export function meterBus(part: ResolvedPart, ctx: ModelContext): { bus: Rs485Bus; framing: Framing } {
  if (part.io !== "uart") throw new Error(`${part.part}: expected a UART connection, got ${part.io}`);
  const uart = ctx.node.uart[part.bus];
  if (!uart) throw new Error(`${part.part}: node ${ctx.node.id} has no serial port "${part.bus}"`);
  const de = part.pins["de"];
  const parity = part.options["parity"];
  if (parity !== "none" && parity !== "even" && parity !== "odd") throw new Error(`${part.part}: option parity must be none, even or odd (resolved config)`);
  return { bus: Rs485Bus.on(uart, ctx.node.engine, de === undefined ? undefined : ctx.node.world.line(de)), framing: { baud: num(part, "baud"), parity } };
}

export function household<K extends "electricity" | "water">(role: string, part: ResolvedPart, ctx: ModelContext, what: K) {
  const supply = ctx.household?.[what];
  if (!supply) throw new Error(`${part.part} (role ${role}): the scenario gives no household ${what} (ModelContext.household.${what}) for it to meter`);
  return supply as NonNullable<NonNullable<ModelContext["household"]>[K]>;
}

export function structureOf(role: string, part: ResolvedPart, ctx: ModelContext) {
  if (!ctx.structure) throw new Error(`${part.part} (role ${role}): the scenario gives no structure (ModelContext.structure), so there is no strain to measure`);
  return ctx.structure;
}

export function bridgeOptions(part: ResolvedPart) {
  const bridge = part.options["bridge"];
  if (bridge !== "full" && bridge !== "half" && bridge !== "quarter") throw new Error(`${part.part}: option bridge must be full, half or quarter (resolved config)`);
  return { gaugeFactor: num(part, "gaugeFactor"), bridge, excitationVolts: num(part, "excitationVolts") } as const;
}

/** What a magnetometer model reads: the street's field and sensor temperature, and a noise seed per node and role. */
export function magnetometerWorld(role: string, part: ResolvedPart, ctx: ModelContext) {
  const street = ctx.street;
  if (!street) throw new Error(`${part.part} (role ${role}): the scenario gives no street (ModelContext.street), so there is no field to measure`);
  return { now: () => ctx.node.engine.now, field: street.magneticField, temperature: (t: number) => street.temperature(t), seed: deriveSeed(ctx.node.id, role) };
}

export function num(part: ResolvedPart, key: string): number {
  const v = part.options[key];
  if (typeof v !== "number") throw new Error(`${part.part}: option ${key} must be a number (resolved config)`);
  return v;
}

export function waterOf(role: string, part: ResolvedPart, ctx: ModelContext): WaterQuantities {
  if (!ctx.water) throw new Error(`${part.part} (role ${role}): the scenario has no water for it to measure`);
  return ctx.water;
}

/**
 * An EZO circuit's model on its I2C address, its noise seeded by node and role. Its probe is immersed in the
 * scenario's water: a calibration by downlink is against that water, not a standard.
 */
export function ezo(role: string, part: ResolvedPart, ctx: ModelContext, make: (o: EzoModelOptions, w: WaterQuantities) => EzoModel): EzoModel {
  const { bus, address } = i2cBus(part, ctx);
  const model = make({ now: () => ctx.node.engine.now, seed: `${ctx.node.id}/${role}`, immersed: true }, waterOf(role, part, ctx));
  bus.attach(address, model);
  return model;
}

/** A switched divider or probe supply: whether the firmware drives its power pin high; undefined when always on. */
export function switchedSupply(part: ResolvedPart, ctx: ModelContext): (() => boolean) | undefined {
  const powerPin = part.io === "analog" ? part.powerPin : undefined;
  if (powerPin === undefined) return undefined;
  const supply = ctx.node.world.line(powerPin);
  supply.set(0); // a GPIO is not driving until the firmware makes it an output
  return () => supply.level === 1;
}
