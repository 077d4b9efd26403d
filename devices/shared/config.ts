/**
 * Reading a device's parts out of `host.config` (the manifest resolved for a board, `NodeConfig`): by part kind, so
 * a manifest may name its roles as it likes, with a clear error naming the device and what is missing or miswired.
 * Every device reads its configuration once at start-up through this one reader. Options carry no fallbacks here:
 * resolution fills in each part schema's defaults (parts/<part>/part.ts), so a default is stated once, there, and
 * an option missing or of the wrong type is an error naming the part and the option.
 *
 * The reader also hands out a part wired to the host: its bus as the ECMA-419 options its driver opens, its named
 * pins as numbers, so a device neither looks up buses by name nor casts the resolved configuration itself.
 */
import type { DeviceConfig, Host } from "../../hal/host.js";
import type { SPIBus } from "../../hal/io.js";
import type { I2CSensorBus } from "../../hal/sensor.js";
import type { NodeConfig, ResolvedI2CPart, ResolvedPart, ResolvedSPIPart } from "../../manifests/schema/config.js";

export class ConfigReader {
  readonly node: NodeConfig;
  readonly #who: string;

  constructor(who: string, config: DeviceConfig) {
    this.#who = who;
    // Typed, but on a board it is `mc/config` as the build wrote it: a project built by an older ganzhi, or edited
    // by hand, fails here by name rather than later with an undefined.
    const c: Partial<NodeConfig> | null = config;
    if (!c || typeof c !== "object" || !c.parts || !c.sampling || !c.reporting || !c.uplink) {
      this.fail("expected a resolved node configuration (parts, sampling, reporting, uplink)");
    }
    this.node = config;
  }

  fail(what: string): never {
    throw new Error(`${this.#who} config: ${what}`);
  }

  /** The one part of `kind`, connected as one of `io`. */
  part<T extends ResolvedPart>(kind: string, ...io: T["io"][]): { role: string; part: T } {
    const found = this.optionalPart<T>(kind, ...io);
    return found ?? this.fail(`no ${kind} among parts (${Object.keys(this.node.parts).join(", ")})`);
  }

  /** The part of `kind` if the board fits it (an optional part), connected as one of `io`. */
  optionalPart<T extends ResolvedPart>(kind: string, ...io: T["io"][]): { role: string; part: T } | undefined {
    const parts = this.node.parts;
    for (const role of Object.keys(parts)) {
      const p = parts[role]!;
      if (p.part !== kind) continue;
      if (io.indexOf(p.io) < 0) this.fail(`part ${role} (${kind}) is connected as ${p.io}, expected ${io.join(" or ")}`);
      return { role, part: p as T };
    }
    return undefined;
  }

  /** The interval of the (first) sampling group that samples `role`, ms. */
  intervalOf(role: string): number {
    for (const name of Object.keys(this.node.sampling)) {
      const g = this.node.sampling[name]!;
      if (g.roles.indexOf(role) >= 0) return g.intervalMs;
    }
    return this.fail(`part ${role} is in no sampling group`);
  }

  /** An I2C part on its bus, as a Sensor Class Pattern driver opens it (`sensor` in its options). */
  i2cSensor(host: Host, p: { role: string; part: ResolvedI2CPart }): I2CSensorBus {
    const b = host.I2C[p.part.bus] ?? this.fail(`board has no I2C bus "${p.part.bus}" for ${p.role}`);
    return { io: b.io, data: b.data, clock: b.clock, hz: p.part.hz, ...(b.port !== undefined ? { port: b.port } : {}), address: p.part.address };
  }

  /** The SPI bus an SPI part is on. */
  spiBus(host: Host, p: { role: string; part: ResolvedSPIPart }): SPIBus {
    return host.SPI[p.part.bus] ?? this.fail(`board has no SPI bus "${p.part.bus}" for ${p.role}`);
  }

  /** A named pin of a part (`pins.<name>` in the manifest), as the board numbers it. */
  namedPin(p: { role: string; part: ResolvedPart }, name: string): number {
    const pins = (p.part as { pins?: Readonly<Record<string, number>> }).pins;
    const pin = pins?.[name];
    return typeof pin === "number" ? pin : this.fail(`part ${p.role} (${p.part.part}): pin ${name} is not wired`);
  }

  /** A numeric option of a part (resolution fills in the part's defaults, so a missing one is an error). */
  number(p: { role: string; part: ResolvedPart }, key: string): number {
    const v = p.part.options[key];
    return typeof v === "number" ? v : this.#wrong(p, key, "a number");
  }

  string(p: { role: string; part: ResolvedPart }, key: string): string {
    const v = p.part.options[key];
    return typeof v === "string" ? v : this.#wrong(p, key, "a string");
  }

  flag(p: { role: string; part: ResolvedPart }, key: string): boolean {
    const v = p.part.options[key];
    return typeof v === "boolean" ? v : this.#wrong(p, key, "true or false");
  }

  /** A text option that must be one of `allowed` (the part schema's enum, narrowed for the driver's type). */
  oneOf<T extends string | number>(p: { role: string; part: ResolvedPart }, key: string, allowed: readonly T[]): T {
    const v = p.part.options[key];
    return allowed.indexOf(v as T) >= 0 ? (v as T) : this.#wrong(p, key, `one of ${allowed.join(", ")}`);
  }

  #wrong(p: { role: string; part: ResolvedPart }, key: string, what: string): never {
    return this.fail(`part ${p.role} (${p.part.part}): option ${key} must be ${what}, got ${JSON.stringify(p.part.options[key])}`);
  }
}
