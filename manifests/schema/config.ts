/**
 * The resolved node configuration: a device manifest resolved against one board by `resolveNode` in
 * manifests/load.ts. It is what device code receives as `host.config` — frozen, JSON-serialisable, every pin a
 * number, every bus a concrete set of pins, every part option filled in.
 */

export type PartOptionValue = string | number | boolean;

interface ResolvedPartBase {
  /** Catalogue name, e.g. "sht3x". */
  readonly part: string;
  /** Every option of the part, defaults filled in. */
  readonly options: Readonly<Record<string, PartOptionValue>>;
  /** The part's named pins (parts/<part>/part.ts `pins`) that are wired on this board, e.g. `{ busy: 4, reset: 5 }`. */
  readonly pins?: Readonly<Record<string, number>>;
}

export interface ResolvedI2CPart extends ResolvedPartBase {
  readonly io: "i2c";
  /** Bus name on the board, e.g. "default" (`host.I2C.default`). */
  readonly bus: string;
  readonly address: number;
  /** The bus's pins and clock, so the part can be opened as `{...config.parts.x, io: host.io.I2C}`-style options. */
  readonly data: number;
  readonly clock: number;
  readonly hz: number;
  readonly port?: number;
}

export interface ResolvedSPIPart extends ResolvedPartBase {
  readonly io: "spi";
  /** Bus name on the board (`host.SPI.<bus>`). */
  readonly bus: string;
  readonly clock: number;
  readonly out?: number;
  readonly in?: number;
  /** Chip select: the part's own select pin where wired, else the bus's fixed one. */
  readonly select: number;
  /** SCK frequency: the bus's, which the part supports. */
  readonly hz: number;
  readonly mode: 0 | 1 | 2 | 3;
  readonly port?: number;
  /** The part's named pins that are wired on this board (an SX1262: nss, busy, dio1, reset); {} when none are. */
  readonly pins: Readonly<Record<string, number>>;
}

export interface ResolvedUARTPart extends ResolvedPartBase {
  readonly io: "uart";
  /** Serial port name on the board (`host.Serial.<bus>`). */
  readonly bus: string;
  readonly receive: number;
  readonly transmit: number;
  /** The part's baud rate (the node opens the port at it). */
  readonly baud: number;
  readonly port?: number;
  /** The part's named pins that are wired on this board (a modem's reset); {} when none are. */
  readonly pins: Readonly<Record<string, number>>;
}

export interface ResolvedPinPart extends ResolvedPartBase {
  /** "pulse-count": `embedded:io/pulsecount` with `signal: pin`; "digital-edge": Digital input with edge interrupts. */
  readonly io: "pulse-count" | "digital-edge";
  readonly pin: number;
  /** Name of the pin in `host.pin` (the wiring name), or undefined when the manifest gave a literal pin. */
  readonly pinName?: string;
  readonly edge: "rising" | "falling" | "both";
  readonly pull: "up" | "down" | "none";
}

export interface ResolvedAnalogPart extends ResolvedPartBase {
  readonly io: "analog";
  readonly pin: number;
  readonly pinName?: string;
  /** A Digital output that powers the part's circuit only while it is read (absent: powered all the time). */
  readonly powerPin?: number;
  readonly powerPinName?: string;
  /** ADC channel name on the board, e.g. "ADC1_CH6" or "AIN1". */
  readonly channel: string;
  /** Raw readings are 0 … 2^resolutionBits − 1 … */
  readonly resolutionBits: number;
  /** … for 0 … fullScaleVolts at the pin. */
  readonly fullScaleVolts: number;
}

export type ResolvedPart = ResolvedI2CPart | ResolvedSPIPart | ResolvedUARTPart | ResolvedPinPart | ResolvedAnalogPart;

export interface ResolvedI2CBus {
  readonly data: number;
  readonly clock: number;
  readonly hz: number;
  readonly port?: number;
}

export interface ResolvedSPIBus {
  readonly clock: number;
  readonly out?: number;
  readonly in?: number;
  readonly hz: number;
  readonly port?: number;
}

export interface ResolvedSerialBus {
  readonly receive?: number;
  readonly transmit?: number;
  readonly baud: number;
  readonly port?: number;
}

export interface NodeConfig {
  /** Device manifest name, e.g. "weather-station". */
  readonly device: string;
  /** Board manifest name, e.g. "esp32-devkitc" (an overlay's own name, e.g. "kunming-ws-v1"). */
  readonly board: string;
  /** Moddable platform and target (`mcconfig -p <target>`). */
  readonly platform: "esp32" | "nrf52";
  readonly target: string;
  /** Main module path, relative to the repository root. */
  readonly main: string;
  /** Parts by role. */
  readonly parts: Readonly<Record<string, ResolvedPart>>;
  /** The buses the parts use, by name (`spi` and `serial` only when a part uses one). */
  readonly buses: {
    readonly i2c: Readonly<Record<string, ResolvedI2CBus>>;
    readonly spi?: Readonly<Record<string, ResolvedSPIBus>>;
    readonly serial?: Readonly<Record<string, ResolvedSerialBus>>;
  };
  /** Named pins: the board's own (led, button, …) and the device's wiring on this board (wind, rain, …). */
  readonly pins: Readonly<Record<string, number>>;
  /** Sampling groups by name. */
  readonly sampling: Readonly<Record<string, { readonly intervalMs: number; readonly roles: readonly string[] }>>;
  readonly reporting: { readonly intervalS: number; readonly minIntervalS: number; readonly maxIntervalS: number };
  readonly uplink: {
    /** The link on this board (the device manifest's `uplink.boards` entry for it, else `uplink.link`). */
    readonly link: "mqtt" | "lorawan" | "nbiot";
    /** What carries it: the board's built-in interface for MQTT, the radio part for LoRaWAN, the modem for NB-IoT. */
    readonly interface: "wifi" | "ethernet" | "cellular" | "lora" | "nbiot" | null;
    /** Telemetry asks for an end-to-end acknowledgement (MQTT QoS ≥ 1, LoRaWAN confirmed uplinks, CoAP CON). */
    readonly confirmed: boolean;
    readonly broker: { readonly address: string; readonly port: number };
    /** Template; "{id}" stands for `host.id`. */
    readonly topic: string;
    readonly qos: 0 | 1 | 2;
    readonly keepAliveS: number;
    readonly lorawan?: {
      /** Role of the SX1262 part. */
      readonly radio: string;
      readonly adr: boolean;
      readonly dataRate: number;
      /** The node's OTAA identity, hex: provisioned per node (the simulator fills it in; a board reads it from its keys). */
      readonly identity?: { readonly devEui: string; readonly joinEui: string; readonly appKey: string };
    };
    readonly nbiot?: {
      /** Role of the BC95 part. */
      readonly modem: string;
      readonly server: { readonly address: string; readonly port: number };
    };
  };
  /** Flash partition for the store-and-forward log (`host.flash.open(storage.partition)`). */
  readonly storage: { readonly partition: string; readonly size: number; readonly blockLength: number; readonly writeAlign: number };
  /** What the device needs of the XS machine beyond the board's creation (the device manifest's `creation`). */
  readonly creation?: { readonly heap?: number; readonly stack?: number };
  readonly budgets?: Readonly<Record<string, number>>;
}
