/**
 * Device manifest schema: a node type — its parts (by role), how they are wired on each board, how often it
 * samples and reports, and where it sends.
 */
import { s, type Static } from "./builder.js";
import { i2cAddress, IDENT_HINT, IDENT_PATTERN, ident, name, NAME_PATTERN, pinRef } from "./common.js";
import { partCatalogue, partNames } from "./parts.js";
import { QUANTITY_NAMES, WORLD_NAMES } from "./worlds.js";
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
    world: s.optional(
      s.array(s.enumOf([...WORLD_NAMES], { description: "A simulated world (manifests/schema/worlds.ts)." }), {
        description: "Simulated worlds the device's parts stand in besides Kunming's air (e.g. [\"lake\"] for a buoy's probes): `ganzhi sim` builds them from the seed.",
        uniqueItems: true,
      }),
    ),
    report: s.optional(
      s.record(s.enumOf([...QUANTITY_NAMES], { description: "A named quantity of the simulated world (manifests/schema/worlds.ts), in the record's SenML unit." }), {
        description:
          'What `ganzhi sim --report` sets each SenML record against: record name → the world quantity it measures, e.g. {"temp": "air.temperature"}. Records not named are charted alone.',
        keyPattern: IDENT_PATTERN,
        keyHint: IDENT_HINT,
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
    creation: s.optional(
      s.object(
        {
          heap: s.optional(
            s.integer({
              description:
                "XS slots the device's heap starts with (Moddable's creation.heap.initial), at least: a board whose creation gives more keeps its own. On a board with a static block (nRF52) the slots come out of the same block, so this moves where slots and chunks meet and no more; XS grows a slot heap only after two collections in a row free fewer slots than its increment, so a device whose live slots sit near the board's initial count collects on nearly every allocation until then.",
              minimum: 64,
            }),
          ),
          stack: s.optional(
            s.integer({
              description:
                "XS stack slots the device needs (Moddable's creation.stack), at least: a board whose creation gives more keeps its own. Its deepest callback chain (a sample's handler down through its paced work, the uplink and a radio stack into the driver) must fit, or XS throws a stack overflow; `ganzhi emulate` measures the peak. On a static-block board the stack comes out of the same block.",
              minimum: 64,
            }),
          ),
        },
        { description: "What the device needs of the XS machine beyond the board's creation (merged as a Moddable app's manifest is over its platform's)." },
      ),
    ),
    budgets: s.optional(
      s.object(
        {
          jitterMs: s.optional(s.number({ description: "Largest allowed sampling jitter, ms.", minimum: 0 })),
          cpuPercent: s.optional(s.number({ description: "Largest average CPU load, %.", minimum: 0, maximum: 100 })),
          heapBytes: s.optional(s.integer({ description: "Largest XS heap use, bytes.", minimum: 0 })),
          latencyMs: s.optional(s.number({ description: "Largest sample-to-uplink latency (report slot to PUBLISH on the socket), ms.", minimum: 0 })),
          rxWindowErrorUs: s.optional(
            s.number({
              description:
                "LoRaWAN class A: largest |receive window opening error| on the board's clock (listening − (TxDone + RECEIVE_DELAY1/2 or JOIN_ACCEPT_DELAY1/2)), µs, over RX1 and RX2 of every uplink; a run with no window fails.",
              minimum: 0,
            }),
          ),
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
