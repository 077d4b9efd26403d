/**
 * Part models by catalogue name: how the simulator wires a resolved part (manifests/schema/config.ts) to a node's
 * board, driven by the world's atmosphere. One place maps manifest parts to models, so a device manifest alone
 * decides what hardware a simulated node has.
 */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import { ADS1220Model } from "../../parts/ads1220/model.js";
import { MAX_SCLK_HZ } from "../../parts/ads1220/registers.js";
import { Bc95Model } from "../../parts/bc95/model.js";
import { BME280Model } from "../../parts/bme280/model.js";
import { Cjt188MeterModel, type WaterSupply } from "../../parts/cjt188/model.js";
import { AnemometerModel, driveAnemometerLine } from "../../parts/cup-anemometer/model.js";
import { EzoDOModel } from "../../parts/ezo-do/model.js";
import { EzoECModel } from "../../parts/ezo-ec/model.js";
import type { EzoModel, EzoModelOptions } from "../../parts/ezo/model.js";
import { EzoORPModel } from "../../parts/ezo-orp/model.js";
import { EzoPHModel } from "../../parts/ezo-ph/model.js";
import { EzoRTDModel } from "../../parts/ezo-rtd/model.js";
import { Dlt645MeterModel, type ElectricitySupply } from "../../parts/dlt645/model.js";
import { Rs485Bus, type Framing } from "../../parts/rs485/model.js";
import { S0PulseModel } from "../../parts/s0-pulse/model.js";
import { HX711Model } from "../../parts/hx711/model.js";
import { LIS3MDLModel } from "../../parts/lis3mdl/model.js";
import { QMC5883LModel } from "../../parts/qmc5883l/model.js";
import { SHT3xModel } from "../../parts/sht3x/model.js";
import { SX1262Model, type LoraAir } from "../../parts/sx1262/model.js";
import { TippingBucketModel } from "../../parts/tipping-bucket/model.js";
import { turbidityVoltage, type TurbidityModelOptions } from "../../parts/turbidity/model.js";
import { windVaneVoltage } from "../../parts/wind-vane/model.js";
import type { WindVaneModelOptions } from "../../parts/wind-vane/model.js";
import type { Micros } from "./engine.js";
import type { Atmosphere, MagneticFieldAt, WaterQuantities } from "./environment/types.js";
import { deriveSeed } from "./rng.js";
import type { NbiotAccess } from "./nbiot/access.js";
import type { Position } from "./radio/channel.js";
import type { SimNode } from "./node.js";

export type { WaterQuantities } from "./environment/types.js";

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
}

/** A part's model on a node, with the handle tests and fault injection use. */
export interface AttachedModel {
  role: string;
  part: string;
  /** The model object (SHT3xModel, BME280Model, AnemometerModel, …). */
  model: unknown;
}

type Factory = (role: string, part: ResolvedPart, ctx: ModelContext) => unknown;

function i2cBus(part: ResolvedPart, ctx: ModelContext) {
  if (part.io !== "i2c") throw new Error(`${part.part}: expected an I2C connection, got ${part.io}`);
  const bus = ctx.node.i2c[part.bus];
  if (!bus) throw new Error(`${part.part}: node ${ctx.node.id} has no I2C bus "${part.bus}"`);
  return { bus, address: part.address };
}

function pinOf(part: ResolvedPart): number {
  if (!("pin" in part)) throw new Error(`${part.part}: expected a pin connection, got ${part.io}`);
  return part.pin;
}

function spiPart(part: ResolvedPart, ctx: ModelContext, pins: readonly string[]) {
  if (part.io !== "spi") throw new Error(`${part.part}: expected an SPI connection, got ${part.io}`);
  const bus = ctx.node.spi[part.bus];
  if (!bus) throw new Error(`${part.part}: node ${ctx.node.id} has no SPI bus "${part.bus}"`);
  for (const p of pins) if (typeof part.pins[p] !== "number") throw new Error(`${part.part}: pin "${p}" is not wired (resolved config)`);
  return { bus, pins: part.pins };
}

/** The RS-485 bus a meter part's UART leads to (one per port, shared by the meters on it), with its DE pin. */
function meterBus(part: ResolvedPart, ctx: ModelContext): { bus: Rs485Bus; framing: Framing } {
  if (part.io !== "uart") throw new Error(`${part.part}: expected a UART connection, got ${part.io}`);
  const uart = ctx.node.uart[part.bus];
  if (!uart) throw new Error(`${part.part}: node ${ctx.node.id} has no serial port "${part.bus}"`);
  const de = part.pins["de"];
  const parity = part.options["parity"];
  if (parity !== "none" && parity !== "even" && parity !== "odd") throw new Error(`${part.part}: option parity must be none, even or odd (resolved config)`);
  return { bus: Rs485Bus.on(uart, ctx.node.engine, de === undefined ? undefined : ctx.node.world.line(de)), framing: { baud: num(part, "baud"), parity } };
}

function household<K extends "electricity" | "water">(role: string, part: ResolvedPart, ctx: ModelContext, what: K) {
  const supply = ctx.household?.[what];
  if (!supply) throw new Error(`${part.part} (role ${role}): the scenario gives no household ${what} (ModelContext.household.${what}) for it to meter`);
  return supply as NonNullable<NonNullable<ModelContext["household"]>[K]>;
}

function structureOf(role: string, part: ResolvedPart, ctx: ModelContext) {
  if (!ctx.structure) throw new Error(`${part.part} (role ${role}): the scenario gives no structure (ModelContext.structure), so there is no strain to measure`);
  return ctx.structure;
}

function bridgeOptions(part: ResolvedPart) {
  const bridge = part.options["bridge"];
  if (bridge !== "full" && bridge !== "half" && bridge !== "quarter") throw new Error(`${part.part}: option bridge must be full, half or quarter (resolved config)`);
  return { gaugeFactor: num(part, "gaugeFactor"), bridge, excitationVolts: num(part, "excitationVolts") } as const;
}

/** What a magnetometer model reads: the street's field and sensor temperature, and a noise seed per node and role. */
function magnetometerWorld(role: string, part: ResolvedPart, ctx: ModelContext) {
  const street = ctx.street;
  if (!street) throw new Error(`${part.part} (role ${role}): the scenario gives no street (ModelContext.street), so there is no field to measure`);
  return { now: () => ctx.node.engine.now, field: street.magneticField, temperature: (t: number) => street.temperature(t), seed: deriveSeed(ctx.node.id, role) };
}

function num(part: ResolvedPart, key: string): number {
  const v = part.options[key];
  if (typeof v !== "number") throw new Error(`${part.part}: option ${key} must be a number (resolved config)`);
  return v;
}

function waterOf(role: string, part: ResolvedPart, ctx: ModelContext): WaterQuantities {
  if (!ctx.water) throw new Error(`${part.part} (role ${role}): the scenario has no water for it to measure`);
  return ctx.water;
}

/** An EZO circuit's model on its I2C address, its noise seeded by node and role. */
function ezo(role: string, part: ResolvedPart, ctx: ModelContext, make: (o: EzoModelOptions, w: WaterQuantities) => EzoModel): EzoModel {
  const { bus, address } = i2cBus(part, ctx);
  const model = make({ now: () => ctx.node.engine.now, seed: `${ctx.node.id}/${role}` }, waterOf(role, part, ctx));
  bus.attach(address, model);
  return model;
}

/** A switched divider or probe supply: whether the firmware drives its power pin high; undefined when always on. */
function switchedSupply(part: ResolvedPart, ctx: ModelContext): (() => boolean) | undefined {
  const powerPin = part.io === "analog" ? part.powerPin : undefined;
  if (powerPin === undefined) return undefined;
  const supply = ctx.node.world.line(powerPin);
  supply.set(0); // a GPIO is not driving until the firmware makes it an output
  return () => supply.level === 1;
}

const FACTORIES: Readonly<Record<string, Factory>> = {
  sht3x(role, part, ctx) {
    const { bus, address } = i2cBus(part, ctx);
    const model = new SHT3xModel({ now: () => ctx.node.engine.now, air: (t) => ctx.atmosphere.air(t) });
    bus.attach(address, model);
    return model;
  },
  bc95(role, part, ctx) {
    if (part.io !== "uart") throw new Error(`${part.part}: expected a UART connection, got ${part.io}`);
    const uart = ctx.node.uart[part.bus];
    if (!uart) throw new Error(`${part.part}: node ${ctx.node.id} has no serial port "${part.bus}"`);
    const reset = part.pins["reset"];
    return new Bc95Model({
      engine: ctx.node.engine,
      uart,
      name: ctx.node.id,
      ...(reset !== undefined ? { reset: ctx.node.world.line(reset) } : {}),
      ...(ctx.nbiot ? { network: ctx.nbiot } : {}),
    });
  },
  dlt645(role, part, ctx) {
    const { bus, framing } = meterBus(part, ctx);
    const address = String(part.options["address"]);
    // The wildcard is how the device finds the one meter on the bus; the meter itself has a real address.
    return new Dlt645MeterModel({ engine: ctx.node.engine, bus, framing, address: /^A+$/i.test(address) ? "1" : address, supply: household(role, part, ctx, "electricity"), epochMs: ctx.atmosphere.epochMs });
  },
  cjt188(role, part, ctx) {
    const { bus, framing } = meterBus(part, ctx);
    const address = String(part.options["address"]);
    return new Cjt188MeterModel({
      engine: ctx.node.engine,
      bus,
      framing,
      address: /^A+$/i.test(address) ? "1" : address,
      type: num(part, "meterType"),
      supply: household(role, part, ctx, "water"),
      epochMs: ctx.atmosphere.epochMs,
    });
  },
  "s0-pulse"(role, part, ctx) {
    const supply = household(role, part, ctx, "electricity");
    return new S0PulseModel({
      engine: ctx.node.engine,
      line: ctx.node.world.line(pinOf(part)),
      energyWh: (t) => supply.energyWh(t),
      impulsesPerKwh: num(part, "impulsesPerKwh"),
      pulseMs: num(part, "pulseMs"),
    });
  },
  sx1262(role, part, ctx) {
    const { bus, pins } = spiPart(part, ctx, ["nss", "busy", "dio1", "reset"]);
    const line = (p: string) => ctx.node.world.line(pins[p]!);
    const tcxo = part.options["tcxoVolts"];
    const model = new SX1262Model({
      engine: ctx.node.engine,
      busy: line("busy"),
      dio1: line("dio1"),
      reset: line("reset"),
      name: `${ctx.node.id}/${role}`,
      ...(ctx.air ? { air: ctx.air } : {}),
      ...(ctx.position ? { position: ctx.position } : {}),
      ...(typeof tcxo === "number" && tcxo > 0 ? { tcxoVolts: tcxo } : {}),
    });
    bus.attach(pins["nss"]!, model);
    return model;
  },
  ads1220(role, part, ctx) {
    const { bus, pins } = spiPart(part, ctx, ["cs", "drdy"]);
    const world = structureOf(role, part, ctx);
    const inputs = part.options["inputs"];
    const model = new ADS1220Model({
      engine: ctx.node.engine,
      drdy: ctx.node.world.line(pins["drdy"]!),
      strain: (t) => world.strain(t),
      temperature: (t) => world.temperature(t),
      ...bridgeOptions(part),
      bridgeOhms: num(part, "bridgeOhms"),
      ...(typeof inputs === "string" ? { inputs: inputs as never } : {}),
      // The driver clocks at the bus rate, at most the part's.
      sclkHz: Math.min(part.io === "spi" ? (ctx.node.board.spi[part.bus]?.hz ?? MAX_SCLK_HZ) : MAX_SCLK_HZ, MAX_SCLK_HZ),
      // Noise per node and role: the same run gives the same codes (ModelContext carries no run seed).
      seed: deriveSeed(ctx.node.id, role),
    });
    bus.attach(pins["cs"]!, model);
    return model;
  },
  hx711(role, part, ctx) {
    // DOUT is the part's pin; PD_SCK arrives as pins.pd_sck (the named-pin extension's resolved shape).
    const dout = pinOf(part);
    const pdSck = (part as { pins?: Readonly<Record<string, number>> }).pins?.["pd_sck"];
    if (typeof pdSck !== "number") throw new Error(`${part.part} (role ${role}): pin "pd_sck" is not wired (resolved config pins.pd_sck)`);
    const world = structureOf(role, part, ctx);
    const rate = num(part, "rate");
    return new HX711Model({
      engine: ctx.node.engine,
      pdSck: ctx.node.world.line(pdSck),
      dout: ctx.node.world.line(dout),
      strain: (t) => world.strain(t),
      rate: rate === 10 ? 10 : 80,
      ...bridgeOptions(part),
      seed: deriveSeed(ctx.node.id, role),
    });
  },
  bme280(role, part, ctx) {
    const { bus, address } = i2cBus(part, ctx);
    const model = new BME280Model({ now: () => ctx.node.engine.now, air: (t) => ctx.atmosphere.air(t) });
    bus.attach(address, model);
    return model;
  },
  qmc5883l(role, part, ctx) {
    const { bus, address } = i2cBus(part, ctx);
    const model = new QMC5883LModel(magnetometerWorld(role, part, ctx));
    bus.attach(address, model);
    return model;
  },
  lis3mdl(role, part, ctx) {
    const { bus, address } = i2cBus(part, ctx);
    const model = new LIS3MDLModel(magnetometerWorld(role, part, ctx));
    bus.attach(address, model);
    return model;
  },
  "cup-anemometer"(role, part, ctx) {
    const w = { speed: 0, direction: 0 };
    const model = new AnemometerModel({ speed: (t) => ctx.atmosphere.windInto(t, w).speed, kmhPerHz: num(part, "kmhPerHz") });
    if (part.io === "pulse-count") ctx.node.world.pulse.set(pinOf(part), model);
    else driveAnemometerLine(model, ctx.node.engine, ctx.node.world.line(pinOf(part)));
    return model;
  },
  "tipping-bucket"(role, part, ctx) {
    const line = ctx.node.world.line(pinOf(part));
    return new TippingBucketModel({
      engine: ctx.node.engine,
      line,
      rainBetween: (a, b) => ctx.atmosphere.rainBetween(a, b),
      mmPerTip: num(part, "mmPerTip"),
    });
  },
  "wind-vane"(role, part, ctx) {
    const w = { speed: 0, direction: 0 };
    const options: WindVaneModelOptions = {
      direction: (t) => ctx.atmosphere.windInto(t, w).direction,
      pullupOhms: num(part, "pullupOhms"),
      supplyVolts: num(part, "supplyVolts"),
    };
    options.powered = switchedSupply(part, ctx);
    ctx.node.world.analog.set(pinOf(part), windVaneVoltage(options));
    return options; // fault injection flips options.fault
  },
  "ezo-ph": (role, part, ctx) => ezo(role, part, ctx, (o, w) => new EzoPHModel({ ...o, pH: (t) => w.pH(t), temperature: (t) => w.temperature(t) })),
  "ezo-orp": (role, part, ctx) => ezo(role, part, ctx, (o, w) => new EzoORPModel({ ...o, orp: (t) => w.orp(t) })),
  "ezo-rtd": (role, part, ctx) => ezo(role, part, ctx, (o, w) => new EzoRTDModel({ ...o, temperature: (t) => w.temperature(t) })),
  "ezo-ec": (role, part, ctx) =>
    ezo(role, part, ctx, (o, w) => new EzoECModel({ ...o, conductivity: (t) => w.conductivity(t), temperature: (t) => w.temperature(t) })),
  "ezo-do": (role, part, ctx) =>
    ezo(role, part, ctx, (o, w) =>
      new EzoDOModel({
        ...o,
        oxygen: (t) => w.oxygen(t),
        temperature: (t) => w.temperature(t),
        conductivity: (t) => w.conductivity(t),
        airPressure: (t) => ctx.atmosphere.air(t).pressure / 1000,
      }),
    ),
  turbidity(role, part, ctx) {
    const w = waterOf(role, part, ctx);
    const options: TurbidityModelOptions = {
      turbidity: (t) => w.turbidity(t),
      curve: { c2: num(part, "curveC2"), c1: num(part, "curveC1"), c0: num(part, "curveC0"), minVolts: num(part, "minVolts"), maxVolts: num(part, "maxVolts"), maxNtu: num(part, "maxNtu") },
      dividerRatio: num(part, "dividerRatio"),
      seed: `${ctx.node.id}/${role}`,
      powered: switchedSupply(part, ctx),
    };
    ctx.node.world.analog.set(pinOf(part), turbidityVoltage(options));
    return options; // fault injection sets options.fault
  },
};

function memoWind(a: Atmosphere): Atmosphere {
  let t = NaN;
  const w = { speed: 0, direction: 0 };
  const windInto = (at: number, out: { speed: number; direction: number }) => {
    if (at !== t) {
      a.windInto(at, w);
      t = at;
    }
    out.speed = w.speed;
    out.direction = w.direction;
    return out;
  };
  return {
    epochMs: a.epochMs,
    air: (at) => a.air(at),
    wind: (at) => windInto(at, { speed: 0, direction: 0 }),
    windInto,
    rainRate: (at) => a.rainRate(at),
    rainBetween: (t0, t1) => a.rainBetween(t0, t1),
  };
}

export function knownModels(): string[] {
  return Object.keys(FACTORIES);
}

/** Attach a model for every part of the resolved config; an unmodelled part is an error naming it. */
export function attachModels(parts: Readonly<Record<string, ResolvedPart>>, ctx: ModelContext): AttachedModel[] {
  const out: AttachedModel[] = [];
  // One node's anemometer and vane ask for the wind at the same instants; in a fleet the shared atmosphere's own
  // memo sees other nodes' instants in between, so each node keeps its own.
  ctx = { ...ctx, atmosphere: memoWind(ctx.atmosphere) };
  for (const role of Object.keys(parts)) {
    const part = parts[role]!;
    const factory = FACTORIES[part.part];
    if (!factory) throw new Error(`simulator: no model for part "${part.part}" (role ${role}); models exist for ${knownModels().join(", ")}`);
    out.push({ role, part: part.part, model: factory(role, part, ctx) });
  }
  return out;
}
