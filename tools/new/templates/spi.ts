/**
 * `ganzhi new part --bus spi`: a register-mapped SPI sensor (mode 0). A transfer's first byte is the register with
 * bit 7 set to read; the part answers one byte per byte clocked. Its chip select is the named pin "select"
 * (the bus's own select when a device does not wire it).
 */
import { AIR_TEMPERATURE, attachToBus, driverFrame, modelHead, partFile, REGISTER_MAP, truthFunction, type BusTemplate } from "./part-kit.js";

const q = AIR_TEMPERATURE;

export const spiTemplate: BusTemplate = {
  bus: "spi",
  quantity: q,
  shared: (n) => ({
    "registers.ts": `/**
 * ${n.name}'s SPI register map, shared by its driver (device code) and its model (simulator). Written by
 * \`ganzhi new part\`: replace these with your part's datasheet, and cite it in part.ts \`source\`.
 */

/** Highest SCK frequency, Hz. */
export const MAX_HZ = 8_000_000;
/** CPOL 0, CPHA 0. */
export const MODE = 0;
/** Set in the first byte of a transfer to read the register it names. */
export const READ = 0x80;
${REGISTER_MAP}
/** What RESULT reads while a conversion runs. */
export const NOT_READY = -32768;
`,
  }),
  part: (n) =>
    partFile(n, q, {
      doc: `/** ${n.name} as manifests see it: SPI mode 0 up to 8 MHz (registers.ts); its chip select is the pin "select". */`,
      imports: [`import { MAX_HZ, MODE } from "./registers.js";`],
      connection: `{ kind: "spi", maxHz: MAX_HZ, mode: MODE, select: "select" }`,
      pins: `{ select: { direction: "output", optional: true, description: "Chip select (active low); the bus's select pin when not wired" } }`,
      source: "ganzhi new part template (registers.ts): replace with the datasheet's SPI mode, clock and registers",
    }),
  driver: (n) =>
    driverFrame(n, q, {
      doc: `/**
 * ${n.name} driver (device code): checks WHO_AM_I when opened, and for each \`measure()\` writes START to CTRL and
 * reads RESULT CONVERSION_MS later on a host timer (registers.ts). A part that does not identify itself is an
 * "identity" error thrown when it is opened (a select with nothing behind it reads 0xFF); RESULT still NOT_READY
 * is a "state" error.
 */`,
      imports: [`import type { SPI, SPIClass } from "../../hal/io.js";`, `import { CONVERSION_MS, CTRL, IDENTITY, LSB, MODE, NOT_READY, READ, RESULT, START, WHO_AM_I } from "./registers.js";`],
      sensorType: `${n.cls}Bus`,
      types: `/** The part's SPI connection: the bus (Moddable's \`device.SPI.<name>\` shape) and its chip select. */
export interface ${n.cls}Bus {
  io: SPIClass;
  clock: number;
  out?: number;
  in?: number;
  select: number;
  hz: number;
  port?: number;
}`,
      fields: ["readonly #io: SPI;"],
      open: `this.#name = \`${n.name}@select \${s.select}\`;
this.#io = new s.io({ clock: s.clock, out: s.out, in: s.in, select: s.select, hz: s.hz, mode: MODE, ...(s.port === undefined ? {} : { port: s.port }) });
const id = this.#read(WHO_AM_I, 1)[0]!;
if (id !== IDENTITY) {
  this.#io.close();
  throw new SensorError(this.#name, "identity", \`WHO_AM_I reads 0x\${id.toString(16)}, expected 0x\${IDENTITY.toString(16)}\`);
}`,
      start: `this.#io.write(Uint8Array.of(CTRL, START));
this.#timer.set(() => this.#finish(), CONVERSION_MS);`,
      close: "this.#io.close();",
      methods: `#finish(): void {
  if (this.#closed) return;
  const b = this.#read(RESULT, 2);
  const raw = (((b[0]! << 8) | b[1]!) << 16) >> 16;
  if (raw === NOT_READY) this.#fail("state", "the conversion had not finished");
  else this.#done(raw * LSB);
}

/** One transfer: the register with READ set, then \`count\` bytes clocked in. */
#read(register: number, count: number): Uint8Array {
  const buffer = new Uint8Array(count + 1);
  buffer[0] = register | READ;
  this.#io.transfer(buffer);
  return buffer.subarray(1);
}`,
      conversionMs: "CONVERSION_MS",
      openFromConfig: `if (part.io !== "spi") throw new Error(\`${n.name}: expected an SPI part, got \${part.io}\`);
const bus = host.SPI[part.bus];
if (!bus) throw new Error(\`${n.name}: the board has no SPI bus "\${part.bus}"\`);
return new ${n.cls}({ sensor: { ...bus, select: part.select }, timer: host.timer, offset: numberOption(part, "offset"), ...handlers });`,
    }),
  model: (n) => `${modelHead(
    `/**
 * ${n.name} as hardware (simulator): the SPI register map of registers.ts. A conversion samples the world when it
 * finishes; RESULT reads NOT_READY until then.
 */`,
    [`import type { SPITarget } from "../../simulator/core/buses/spi.js";`, `import { CONVERSION_MS, CTRL, IDENTITY, LSB, NOT_READY, READ, RESULT, START, WHO_AM_I } from "./registers.js";`],
  )}

${truthFunction(q)}

export class ${n.cls}Model implements SPITarget {
  readonly #now: () => Micros;
  readonly #truth: (t: Micros) => number;
  /** When the running conversion ends (-1: none started yet). */
  #readyAt: Micros = -1;
  conversions = 0;

  constructor(now: () => Micros, value: (t: Micros) => number) {
    this.#now = now;
    this.#truth = value;
  }

  exchange(tx: Uint8Array): Uint8Array {
    const rx = new Uint8Array(tx.length);
    if (tx.length === 0) return rx;
    const register = tx[0]! & ~READ;
    if ((tx[0]! & READ) === 0) {
      if (register === CTRL && tx.length > 1 && (tx[1]! & START) !== 0) {
        this.#readyAt = this.#now() + CONVERSION_MS * 1000;
        this.conversions++;
      }
      return rx;
    }
    if (register === WHO_AM_I) rx[1] = IDENTITY;
    else if (register === RESULT) {
      const ready = this.#readyAt >= 0 && this.#now() >= this.#readyAt;
      const raw = ready ? Math.max(-32767, Math.min(32767, Math.round(this.#truth(this.#readyAt) / LSB))) : NOT_READY;
      rx[1] = (raw >> 8) & 0xff;
      if (tx.length > 2) rx[2] = raw & 0xff;
    }
    return rx;
  }
}

${attachToBus(n, { io: "spi", title: "SPI", key: "select" })}`,
  faultTest: (n) => ({
    imports: [],
    body: `  it("refuses to open when nothing answers on its chip select (MISO reads 0xFF): an identity error", () => {
    const bench = partBench("${n.name}", { models: false });
    expect(() => open(bench.host, bench.part)).toThrow(/identity|WHO_AM_I reads 0xff/);
  });`,
  }),
};
