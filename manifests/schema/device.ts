/**
 * Device manifest schema: a node type — its parts (by role), how they are wired on each board, how often it
 * samples and reports, and where it sends.
 */
import { s, type Static } from "./builder.js";
import { i2cAddress, IDENT_HINT, IDENT_PATTERN, ident, name, NAME_PATTERN, pinRef } from "./common.js";
import { partCatalogue, partNames } from "./parts.js";
import { toJsonSchema } from "./builder.js";

const pinNameOrPin = (description: string) =>
  s.union([ident("Pin name, resolved per board through `wiring` (the board's own `wiring.<device>` first)."), pinRef()], { description });

export const PartEntrySchema = s.object(
  {
    part: s.string({
      description: "Part name from the catalogue (manifests/schema/parts.ts).",
      minLength: 1,
      jsonSchema: { enum: [...partNames] },
    }),
    description: s.optional(s.string()),
    bus: s.optional(ident('Bus name on the board for I2C, SPI and serial parts (default "default").')),
    address: s.optional(i2cAddress('I2C address, a number or "0x76" (I2C parts; default: the part\'s first address).')),
    pin: s.optional(
      pinNameOrPin("Pin for pin-connected parts: a name looked up in `wiring.<board>` (then the board's own pins), or a literal pin."),
    ),
    powerPin: s.optional(
      pinNameOrPin(
        "Analog parts: a GPIO output that powers the part's circuit (a vane's divider) only while it is read, so it draws nothing between readings. Looked up like `pin`.",
      ),
    ),
    pins: s.optional(
      s.record(pinNameOrPin("A named pin of the part, looked up like `pin`."), {
        description:
          "The part's named pins (BUSY, DIO1, RESET, PWRKEY, an SPI part's chip select …), as its parts/<part>/part.ts names them: pin name or literal pin.",
        keyPattern: IDENT_PATTERN,
        keyHint: IDENT_HINT,
      }),
    ),
    io: s.optional(
      s.enumOf(["i2c", "spi", "uart", "pulse-count", "digital-edge", "analog"], {
        description: "Force a connection kind when the part allows more than one (cup-anemometer: pulse-count or digital-edge).",
      }),
    ),
    optional: s.optional(
      s.boolean({
        description:
          "The part is fitted only on boards that wire it: where its pins have no wiring it is left out of the configuration (an error if `requires` names its part).",
        default: false,
      }),
    ),
    options: s.optional(s.record(s.any(), { description: "Part options; each part's schema is in parts/<part>/part.ts." })),
  },
  {
    description: "One part of the device, by role.",
    // Editors: check `options` against the named part's schema.
    jsonSchema: {
      allOf: Object.values(partCatalogue).map((p) => ({
        if: { properties: { part: { const: p.name } }, required: ["part"] },
        then: { properties: { options: toJsonSchema(p.options) } },
      })),
    },
  },
);

export const SamplingGroupSchema = s.object(
  {
    intervalMs: s.integer({ description: "Sample these roles every this many ms.", minimum: 1 }),
    roles: s.array(ident("Role from `parts`."), { minItems: 1, uniqueItems: true }),
    description: s.optional(s.string()),
  },
  { description: "Roles sampled together at one interval." },
);

export const UplinkSchema = s.object(
  {
    link: s.enumOf(["mqtt", "lorawan", "nbiot"], { description: "Uplink protocol on every board that `boards` does not name." }),
    boards: s.optional(
      s.record(s.enumOf(["mqtt", "lorawan", "nbiot"], { description: "The uplink protocol on this board." }), {
        description: 'Per board (or overlay, or a base it extends): the link there, e.g. {"nrf52840-dk": "lorawan"}.',
        keyPattern: NAME_PATTERN,
        keyHint: 'a board name such as "nrf52840-dk"',
      }),
    ),
    lorawan: s.optional(
      s.object(
        {
          radio: ident("Role of the LoRa transceiver (an sx1262 part) in `parts`."),
          adr: s.optional(s.boolean({ description: "Let the network set the data rate (LoRaWAN ADR).", default: true })),
          dataRate: s.optional(s.integer({ description: "Data rate of Join-Requests and first uplinks (CN470 DR0 = SF12 … DR5 = SF7).", minimum: 0, maximum: 5, default: 0 })),
          confirmed: s.optional(s.boolean({ description: "Send telemetry as confirmed uplinks (each acknowledged by the network).", default: false })),
        },
        { description: "LoRaWAN 1.0.4 class A in CN470-510, on the boards whose link is lorawan." },
      ),
    ),
    nbiot: s.optional(
      s.object(
        {
          modem: ident("Role of the NB-IoT modem (a bc95 part) in `parts`."),
          server: s.object(
            {
              address: s.string({ description: "CoAP server, a numeric IPv4 address (the modem resolves no names).", minLength: 1 }),
              port: s.optional(s.integer({ description: "CoAP server UDP port.", minimum: 1, maximum: 65535, default: 5683 })),
            },
            { description: "Where the modem sends its CoAP requests." },
          ),
        },
        { description: "CoAP over NB-IoT (UDP through the modem), on the boards whose link is nbiot." },
      ),
    ),
    broker: s.object(
      {
        address: s.string({ description: "Broker address. Moddable's lwIP TCP takes a numeric IP; a host name needs a DNS lookup first.", minLength: 1 }),
        port: s.integer({ description: "Broker TCP port.", minimum: 1, maximum: 65535, default: 1883 }),
      },
      { description: "MQTT broker." },
    ),
    topic: s.string({
      description: 'Topic template; "{id}" becomes the node id, e.g. "kunming/weather/{id}".',
      minLength: 1,
    }),
    qos: s.enumOf([0, 1, 2], { description: "MQTT QoS of uplink publishes." }),
    keepAliveS: s.integer({ description: "MQTT keep-alive, s (0 disables).", minimum: 0, maximum: 65535 }),
  },
  { description: "Where and how the node sends." },
);

export const DeviceSchema = s.object(
  {
    $schema: s.optional(s.string({ description: "Path of this JSON Schema, for editors." })),
    name: name("Device name; must match the file name (`manifests/devices/<name>.json`)."),
    description: s.string({ minLength: 1 }),
    main: s.string({
      description: "Main module, relative to the repository root; it exports `default function main(host)`.",
      pattern: "^[^/].*\\.(ts|js)$",
      patternHint: 'module path relative to the repository root, such as "devices/weather-station/main.ts"',
    }),
    parts: s.record(PartEntrySchema, {
      description: "Parts by role (the role is how device code finds a part: `host.config.parts.<role>`).",
      keyPattern: IDENT_PATTERN,
      keyHint: IDENT_HINT,
      minProperties: 1,
    }),
    requires: s.optional(
      s.array(s.string({ description: "A part name from the catalogue.", minLength: 1, jsonSchema: { enum: [...partNames] } }), {
        description:
          "Parts the firmware cannot run without (it refuses to start otherwise): `ganzhi check` reports a manifest, or a board's wiring, that lacks one.",
        uniqueItems: true,
      }),
    ),
    wiring: s.record(
      s.record(pinRef(), { description: "Pin name → pin on this board.", keyPattern: IDENT_PATTERN, keyHint: IDENT_HINT }),
      {
        description: 'Per board: pin names used in `parts` → pins, e.g. {"esp32-devkitc": {"wind": 27}}.',
        keyPattern: NAME_PATTERN,
        keyHint: 'a board name such as "esp32-devkitc"',
      },
    ),
    sampling: s.record(SamplingGroupSchema, {
      description: "Sampling groups by name (e.g. air every 60 s, wind every 250 ms).",
      keyPattern: IDENT_PATTERN,
      keyHint: IDENT_HINT,
    }),
    reporting: s.object(
      {
        intervalS: s.integer({ description: "Report every this many seconds.", minimum: 1 }),
        minIntervalS: s.integer({ description: "Smallest interval a downlink may set, s.", minimum: 1 }),
        maxIntervalS: s.integer({ description: "Largest interval a downlink may set, s.", minimum: 1 }),
      },
      { description: "Reporting cadence and the bounds a downlink may move it within." },
    ),
    uplink: UplinkSchema,
    budgets: s.optional(
      s.object(
        {
          jitterMs: s.optional(s.number({ description: "Largest allowed sampling jitter, ms.", minimum: 0 })),
          cpuPercent: s.optional(s.number({ description: "Largest average CPU load, %.", minimum: 0, maximum: 100 })),
          heapBytes: s.optional(s.integer({ description: "Largest XS heap use, bytes.", minimum: 0 })),
          latencyMs: s.optional(s.number({ description: "Largest sample-to-uplink latency (report slot to PUBLISH on the socket), ms.", minimum: 0 })),
          averageMicroamps: s.optional(
            s.record(s.number({ description: "Largest mean supply current, µA.", exclusiveMinimum: 0 }), {
              description:
                "Per board: the largest mean supply current an emulated run's energy estimate may show, µA (boards not named have no energy budget).",
              keyPattern: NAME_PATTERN,
              keyHint: 'a board name such as "nrf52840-dk"',
            }),
          ),
        },
        { description: "Budgets CI enforces (`ganzhi emulate` and the emulated tests)." },
      ),
    ),
  },
  { description: "A ganzhi device manifest." },
);

export type Device = Static<typeof DeviceSchema>;
export type PartEntry = Static<typeof PartEntrySchema>;
export type SamplingGroup = Static<typeof SamplingGroupSchema>;
export type Uplink = Static<typeof UplinkSchema>;
