/**
 * Board manifest schema: what a board offers device code (pins, buses, ADC, pulse counters, flash partitions,
 * memory, power figures, network interfaces). A vendor overlay names a base board in `extends` and is merged onto
 * it RFC 7396-style (objects merge, null deletes, arrays replace) before this schema validates the result.
 */
import { s, type Static } from "./builder.js";
import { hexInt, IDENT_HINT, IDENT_PATTERN, name, NAME_PATTERN, pinRecord, pinRef } from "./common.js";

const busName = "a bus name; `default` is the one ECMA-419 recommends and device code reaches first";

export const I2CBusSchema = s.object(
  {
    data: pinRef("SDA pin."),
    clock: pinRef("SCL pin."),
    hz: s.integer({ description: "SCL frequency, Hz.", minimum: 1000, maximum: 5_000_000 }),
    port: s.optional(s.integer({ description: "I2C controller number (ECMA-419 port specifier).", minimum: 0 })),
    description: s.optional(s.string()),
  },
  { description: "An I2C bus in Moddable's provider shape (`device.I2C.<name>`)." },
);

export const SPIBusSchema = s.object(
  {
    clock: pinRef("SCK pin."),
    out: s.optional(pinRef("MOSI pin.")),
    in: s.optional(pinRef("MISO pin.")),
    select: s.optional(pinRef("Chip-select pin, when the bus has one fixed device.")),
    hz: s.integer({ description: "SCK frequency, Hz.", minimum: 1000 }),
    port: s.optional(s.integer({ description: "SPI controller number.", minimum: 0 })),
    description: s.optional(s.string()),
  },
  { description: "An SPI bus in Moddable's provider shape (`device.SPI.<name>`)." },
);

export const SerialBusSchema = s.object(
  {
    receive: s.optional(pinRef("RX pin.")),
    transmit: s.optional(pinRef("TX pin.")),
    baud: s.integer({ description: "Baud rate (always 8N1 in ECMA-419).", minimum: 1 }),
    port: s.optional(s.integer({ description: "UART number.", minimum: 0 })),
    description: s.optional(s.string()),
  },
  { description: "A UART in Moddable's provider shape (`device.Serial.<name>`)." },
);

export const PartitionSchema = s.object(
  {
    offset: hexInt("Start in flash, bytes (a number or a \"0x…\" string); a multiple of flash.blockLength."),
    size: hexInt("Length, bytes; a multiple of flash.blockLength.", { minimum: 1, hint: "size of at least 1 byte" }),
    description: s.optional(s.string()),
  },
  { description: "A flash partition." },
);

const currents = s.object(
  {
    cpuActive: s.number({ description: "CPU running, radio off, mA.", minimum: 0 }),
    radioTx: s.number({ description: "Radio transmitting (with the CPU), mA.", minimum: 0 }),
    radioRx: s.number({ description: "Radio receiving/listening (with the CPU), mA.", minimum: 0 }),
    lightSleep: s.number({ description: "Light sleep (RAM kept, wakes where it stopped), mA.", minimum: 0 }),
    deepSleep: s.number({ description: "Deep sleep (reboot on wake; ganzhi's `power.deepSleep`), mA.", minimum: 0 }),
  },
  { description: "Typical supply currents, mA, for the energy model." },
);

export const BoardSchema = s.object(
  {
    $schema: s.optional(s.string({ description: "Path of this JSON Schema, for editors." })),
    name: name("Board name; must match the file name (`manifests/boards/<name>.json`)."),
    description: s.string({ description: "What the board is, in a sentence or two.", minLength: 1 }),
    extends: s.optional(name("Base board this manifest overlays (RFC 7396 merge: objects merge, null deletes, arrays replace).")),
    platform: s.enumOf(["esp32", "nrf52"], { description: "Moddable platform (the part of `-p` before any `/`)." }),
    target: s.string({
      description: "Moddable build target: what follows `mcconfig -p`, e.g. \"esp32\" or \"nrf52/dk\".",
      pattern: "^[a-z0-9_]+(/[a-z0-9_]+)?$",
      patternHint: 'Moddable target such as "esp32" or "nrf52/dk"',
    }),
    cpu: s.object(
      {
        core: s.string({ description: "CPU core, e.g. \"Xtensa LX6\".", minLength: 1 }),
        cores: s.optional(s.integer({ description: "Number of cores.", minimum: 1, default: 1 })),
        mhz: s.integer({ description: "Clock, MHz.", minimum: 1 }),
      },
      { description: "Processor." },
    ),
    memory: s.object(
      {
        ramBytes: s.integer({ description: "On-chip SRAM, bytes.", minimum: 1024 }),
        creation: s.object(
          {
            static: s.integer({ description: "Bytes of one static block for the VM (0: separate chunk/heap/stack blocks).", minimum: 0 }),
            chunk: s.integer({ description: "Chunk heap, bytes (strings, array buffers, byte code).", minimum: 1024 }),
            heap: s.integer({ description: "Slot heap, in slots of 16 bytes (objects, closures).", minimum: 64 }),
            stack: s.integer({ description: "Stack, in slots of 16 bytes.", minimum: 64 }),
            keys: s.optional(s.integer({ description: "Property-name keys.", minimum: 1 })),
          },
          { description: "XS `creation` budgets (Moddable manifest `creation`), what mcconfig is given for this board." },
        ),
      },
      { description: "Memory." },
    ),
    gpio: s.object(
      {
        pins: s.array(pinRef(), {
          description: "Every GPIO the board brings out (including reserved ones, which `reserved` then forbids).",
          minItems: 1,
          uniqueItems: true,
        }),
        ports: s.optional(
          s.array(s.integer({ minimum: 1, maximum: 32 }), {
            description: "Pins per GPIO port, when pins are named P<port>.<pin> (nRF52: [32, 16]); pin number = port*32 + pin.",
            minItems: 1,
          }),
        ),
        inputOnly: s.array(pinRef(), { description: "Pins that cannot drive an output.", uniqueItems: true }),
        noInternalPull: s.optional(s.array(pinRef(), { description: "Pins without internal pull-up/pull-down resistors.", uniqueItems: true })),
        reserved: pinRecord(s.string({ minLength: 1 }), "Pins device code must not use, each with the reason."),
        strapping: pinRecord(s.string({ minLength: 1 }), "Pins sampled at reset to choose boot modes: usable, but an external pull can stop the board booting."),
      },
      { description: "GPIO facts." },
    ),
    analog: s.object(
      {
        resolutionBits: s.integer({ description: "Bits of a raw reading from `embedded:io/analog` on this board.", minimum: 1, maximum: 24 }),
        fullScaleVolts: s.number({ description: "Input voltage that reads as the maximum raw value, V.", exclusiveMinimum: 0 }),
        channels: pinRecord(s.string({ minLength: 1 }), "Analog-capable pins and their ADC channel names."),
        unavailableWith: s.optional(
          s.array(
            s.object({
              interface: s.enumOf(["wifi", "ethernet", "cellular"], { description: "Network interface that takes these channels when on." }),
              pins: s.array(pinRef(), { minItems: 1, uniqueItems: true }),
              reason: s.string({ minLength: 1 }),
            }),
            { description: "Analog pins that cannot be read while a network interface is on." },
          ),
        ),
        source: s.string({ description: "Where these figures come from.", minLength: 1 }),
      },
      { description: "ADC." },
    ),
    pulseCount: s.object(
      {
        units: s.integer({ description: "Single-channel pulse counters `embedded:io/pulsecount` can give device code.", minimum: 0 }),
        source: s.string({ minLength: 1 }),
      },
      { description: "Hardware pulse counters." },
    ),
    buses: s.object(
      {
        i2c: s.optional(s.record(I2CBusSchema, { description: `I2C buses by name: ${busName}.`, keyPattern: IDENT_PATTERN, keyHint: IDENT_HINT })),
        spi: s.optional(s.record(SPIBusSchema, { description: `SPI buses by name: ${busName}.`, keyPattern: IDENT_PATTERN, keyHint: IDENT_HINT })),
        serial: s.optional(s.record(SerialBusSchema, { description: `UARTs by name: ${busName}.`, keyPattern: IDENT_PATTERN, keyHint: IDENT_HINT })),
      },
      { description: "Bus defaults (ECMA-419 host provider `device.I2C` / `SPI` / `Serial`)." },
    ),
    pins: s.record(pinRef(), {
      description: "The board's own named pins (`led`, `button`, …), merged into `host.pin`.",
      keyPattern: IDENT_PATTERN, keyHint: IDENT_HINT,
    }),
    devices: s.optional(
      s.array(name("A device this board is made for."), {
        description:
          'The devices this board is made for, e.g. ["weather-station"] for a weather station\'s carrier board: `ganzhi check`, the tests and the benchmark pair it with these only. Absent: every device whose wiring names the board or one of its bases.',
        uniqueItems: true,
      }),
    ),
    wiring: s.optional(
      s.record(
        s.record(pinRef(), {
          description: "Pin name (as the device's parts name it in `pin`, `powerPin` or `pins`) → pin on this board.",
          keyPattern: IDENT_PATTERN,
          keyHint: IDENT_HINT,
        }),
        {
          description:
            'Per device: where this board puts the pins that device\'s parts use, e.g. {"weather-station": {"vane": 35}}. Each name given here overrides the device manifest\'s wiring for this board (and for its bases); names not given keep it. Lets a vendor move a part\'s pin from their own file.',
          keyPattern: NAME_PATTERN,
          keyHint: 'a device name such as "weather-station"',
        },
      ),
    ),
    flash: s.object(
      {
        size: hexInt("Flash size, bytes.", { minimum: 4096, hint: "flash size of at least 4096 bytes" }),
        blockLength: s.integer({ description: "Erase block, bytes.", minimum: 256 }),
        writeAlign: s.integer({ description: "Writes must start and end on this byte alignment.", minimum: 1 }),
        eraseValue: s.optional(s.integer({ description: "Value of an erased byte.", minimum: 0, maximum: 255, default: 255 })),
        partitions: s.record(PartitionSchema, {
          description: "Partitions by name; `storage` holds the store-and-forward log.",
          keyPattern: IDENT_PATTERN, keyHint: IDENT_HINT,
          minProperties: 1,
        }),
        source: s.optional(s.string()),
      },
      { description: "Flash layout." },
    ),
    power: s.object(
      {
        supplyVolts: s.number({ description: "Supply voltage the currents are given at, V.", exclusiveMinimum: 0 }),
        currentsMa: currents,
        idleState: s.enumOf(["cpuActive", "lightSleep"], {
          description:
            "Which of `currentsMa` the board draws between events when the device does not deep-sleep: `lightSleep` where the platform sleeps the CPU on its own (nRF52: System ON idle), `cpuActive` where the clock keeps running (ESP32 without ESP-IDF power management, Moddable's default).",
        }),
        radio: s.optional(
          s.object(
            {
              bitsPerSecond: s.number({ description: "PHY rate the radioTx/radioRx currents are given at, bit/s.", exclusiveMinimum: 0 }),
              overheadBytesPerPacket: s.integer({
                description: "Bytes on air besides the payload of one packet (IP, TCP, MAC headers, preamble as bytes at that rate).",
                minimum: 0,
              }),
            },
            { description: "The network interface's radio, for air time: one packet per socket write or delivery." },
          ),
        ),
        source: s.string({ description: "Where each figure comes from (datasheet tables, measurements).", minLength: 1 }),
      },
      { description: "Power figures for energy estimates." },
    ),
    network: s.array(s.enumOf(["wifi", "ethernet", "cellular"]), {
      description: "Built-in IP network interfaces that can carry an uplink ([] when the board has none).",
      uniqueItems: true,
    }),
  },
  { description: "A ganzhi board manifest." },
);

export type Board = Static<typeof BoardSchema>;
export type I2CBusInfo = Static<typeof I2CBusSchema>;
export type SPIBusInfo = Static<typeof SPIBusSchema>;
export type SerialBusInfo = Static<typeof SerialBusSchema>;
