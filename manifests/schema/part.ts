/**
 * What a part (a sensor model) declares about itself for manifests: how it connects, which I2C addresses it can
 * answer on, and the schema of its options. Each part keeps this in `parts/<name>/part.ts`; the catalogue is
 * `manifests/schema/parts.ts`.
 */
import { validate, type ObjectSchema, type Schema, type Shape, type Static } from "./builder.js";

export type Edge = "rising" | "falling" | "both";
export type Pull = "up" | "down" | "none";

/** Connection kinds, named as the resolved config names its `io`. */
export type ConnectionKind = "i2c" | "spi" | "uart" | "pulse-count" | "digital-edge" | "analog";

export interface I2CConnection {
  readonly kind: "i2c";
  /** Every address the part can be strapped to, e.g. BME280: 0x76 (SDO low), 0x77 (SDO high). */
  readonly addresses: readonly number[];
  /** Highest SCL frequency the part supports, Hz. */
  readonly maxHz: number;
}
export interface SPIConnection {
  readonly kind: "spi";
  /** Highest SCK frequency the part supports, Hz. */
  readonly maxHz: number;
  /** SPI mode (CPOL/CPHA) the part speaks. */
  readonly mode: 0 | 1 | 2 | 3;
  /**
   * The named pin (in `pins`) that is the part's chip select, as its datasheet names it (SX1262: "nss"). A device
   * wires it like any named pin; when the part declares it optional and it is left unwired, the bus's fixed
   * `select` is used.
   */
  readonly select: string;
}
export interface UARTConnection {
  /** A UART (a board's `buses.serial`), always 8N1 in ECMA-419. */
  readonly kind: "uart";
  /**
   * The baud rate the part answers at: the node opens the UART at it, whatever the board's default (a `baud`
   * option of the part, when a device sets one, wins).
   */
  readonly baud: number;
  /**
   * An RS-485 (or M-Bus) port: several such parts may share it, each answering to its own address, and share the
   * named pins of its transceiver (a driver enable).
   */
  readonly multidrop?: boolean;
}
export interface PulseCountConnection {
  readonly kind: "pulse-count";
  /** Bias the input needs (a reed switch to ground needs a pull-up). */
  readonly pull: Pull;
  /** The edge that counts. */
  readonly edge: Edge;
  /**
   * Counted with edge interrupts on a Digital input instead, when the board has no pulse-counter unit left
   * (or none that counts a single channel).
   */
  readonly fallback?: "digital-edge";
}
export interface DigitalEdgeConnection {
  readonly kind: "digital-edge";
  readonly pull: Pull;
  readonly edge: Edge;
}
export interface AnalogConnection {
  readonly kind: "analog";
}
export type Connection = I2CConnection | SPIConnection | UARTConnection | PulseCountConnection | DigitalEdgeConnection | AnalogConnection;

/**
 * A named pin a part needs besides its bus or signal pin (an SX1262's BUSY, DIO1 and RESET; a modem's PWRKEY): a
 * device manifest wires it in `parts.<role>.pins.<name>`, and the resolved config carries it as
 * `parts.<role>.pins.<name>`.
 */
export interface PartPin {
  /** "output": the MCU drives it (must not be an input-only pin); "input": the part drives it. */
  readonly direction: "input" | "output";
  /** Bias an input needs (an open-drain output of the part needs a pull-up). */
  readonly pull?: Pull;
  /** Optional pins may be left unwired (the driver copes without them). */
  readonly optional?: boolean;
  readonly description: string;
}

export interface PartDefinition<P extends Shape = Shape> {
  /** Catalogue name, used as `"part"` in device manifests. */
  readonly name: string;
  readonly title: string;
  readonly connection: Connection;
  /** Named pins besides the connection's own (an SPI part's chip select is one of these; see `SPIConnection.select`). */
  readonly pins?: Readonly<Record<string, PartPin>>;
  /** Options a device manifest may set in `parts.<role>.options`. */
  readonly options: ObjectSchema<P>;
  /**
   * A value for every option, taken from each option's schema `default` (stated there once: it also feeds the
   * JSON schema and `ganzhi check`); the resolved config always carries the full set, so a driver needs none of
   * its own.
   */
  readonly defaults: Required<Static<ObjectSchema<P>>>;
  /** Where the connection facts and defaults come from. */
  readonly source: string;
  /**
   * For energy estimates: what an analog part draws from the supply while its pin reads `volts`, mA (a divider's
   * current, say). Absent: the part's draw is not counted.
   */
  // A method, so a part's own option type fits the catalogue's (method parameters are bivariant).
  analogDrawMilliamps?(options: Required<Static<ObjectSchema<P>>>, volts: number): number;
  /**
   * A converter that paces its own samples (its data-ready signal), as these options run it: the option that sets
   * its output rate and the rate, samples per second; undefined when the firmware paces it (single shots). A
   * sampling group that lists the part must sample it at that rate (one every ⌊1000 / rate⌋ ms): a device reads
   * it neither faster nor slower than it converts.
   */
  pacing?(options: Required<Static<ObjectSchema<P>>>): { option: string; rate: number } | undefined;
}

/** What a part states in `parts/<name>/part.ts`: everything but its defaults, which its options' schemas carry. */
export type PartDeclaration<P extends Shape = Shape> = Omit<PartDefinition<P>, "defaults">;

/**
 * Each option's schema `default`, normalised as a manifest value would be. An optional option without one is an
 * error (the driver would need a fallback of its own), and so is a default its own schema rejects.
 */
function defaultsOf(name: string, options: ObjectSchema<Shape>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(options.shape)) {
    const entry = options.shape[key]!;
    const schema: Schema = entry.kind === "optional" ? entry.inner : entry;
    if (schema.default === undefined) {
      if (entry.kind === "optional") throw new Error(`part ${name}: option ${key} is optional but has no default: state it in its schema (default: …)`);
      continue;
    }
    const checked = validate(schema, schema.default);
    if (checked.issues.length > 0) throw new Error(`part ${name}: option ${key}'s default ${JSON.stringify(schema.default)} fails its own schema: ${checked.issues[0]!.message}`);
    out[key] = checked.value;
  }
  return out;
}

export function definePart<const P extends Shape>(decl: PartDeclaration<P>): PartDefinition<P> {
  const def = { ...decl, defaults: Object.freeze(defaultsOf(decl.name, decl.options as ObjectSchema<Shape>)) as PartDefinition<P>["defaults"] };
  const pins = def.pins ? Object.freeze(Object.fromEntries(Object.entries(def.pins).map(([k, v]) => [k, Object.freeze({ ...v })]))) : undefined;
  if (def.connection.kind === "spi" && !(pins && Object.prototype.hasOwnProperty.call(pins, def.connection.select))) {
    throw new Error(`part ${def.name}: its SPI chip select "${def.connection.select}" must be one of its pins`);
  }
  return Object.freeze({ ...def, connection: Object.freeze({ ...def.connection }), ...(pins ? { pins } : {}) });
}
