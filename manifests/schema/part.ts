/**
 * What a part (a sensor model) declares about itself for manifests: how it connects, which I2C addresses it can
 * answer on, and the schema of its options. Each part keeps this in `parts/<name>/part.ts`; the catalogue is
 * `manifests/schema/parts.ts`.
 */
import type { ObjectSchema, Shape, Static } from "./builder.js";

export type Edge = "rising" | "falling" | "both";
export type Pull = "up" | "down" | "none";

/** Connection kinds, named as the resolved config names its `io`. */
export type ConnectionKind = "i2c" | "pulse-count" | "digital-edge" | "analog" | "spi" | "uart";

export interface I2CConnection {
  readonly kind: "i2c";
  /** Every address the part can be strapped to, e.g. BME280: 0x76 (SDO low), 0x77 (SDO high). */
  readonly addresses: readonly number[];
  /** Highest SCL frequency the part supports, Hz. */
  readonly maxHz: number;
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
export interface SPIConnection {
  readonly kind: "spi";
  /** Highest SCK frequency the part supports, Hz. */
  readonly maxHz: number;
  /** SPI mode (CPOL·2 + CPHA). */
  readonly mode: 0 | 1 | 2 | 3;
  /** The part's own pins besides the bus, by name (an SX1262: nss, busy, dio1, reset). */
  readonly pins: readonly string[];
}
export interface UARTConnection {
  readonly kind: "uart";
  /** The part's default baud rate (8N1). */
  readonly baud: number;
  /** The part's own pins besides RX/TX that a board may wire, by name (a modem's reset). */
  readonly pins: readonly string[];
}
export type Connection = I2CConnection | PulseCountConnection | DigitalEdgeConnection | AnalogConnection | SPIConnection | UARTConnection;

export interface PartDefinition<P extends Shape = Shape> {
  /** Catalogue name, used as `"part"` in device manifests. */
  readonly name: string;
  readonly title: string;
  readonly connection: Connection;
  /** Options a device manifest may set in `parts.<role>.options`. */
  readonly options: ObjectSchema<P>;
  /** A value for every option; the resolved config always carries the full set. */
  readonly defaults: Required<Static<ObjectSchema<P>>>;
  /** Where the connection facts and defaults come from. */
  readonly source: string;
  /**
   * For energy estimates: what an analog part draws from the supply while its pin reads `volts`, mA (a divider's
   * current, say). Absent: the part's draw is not counted.
   */
  // A method, so a part's own option type fits the catalogue's (method parameters are bivariant).
  analogDrawMilliamps?(options: Required<Static<ObjectSchema<P>>>, volts: number): number;
}

export function definePart<const P extends Shape>(def: PartDefinition<P>): PartDefinition<P> {
  return Object.freeze({ ...def, connection: Object.freeze({ ...def.connection }) });
}
