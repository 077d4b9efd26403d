/**
 * `ganzhi new part --bus i2c`: a register-mapped I2C sensor. WHO_AM_I answers with an identity byte; writing START
 * to CTRL starts a conversion; CONVERSION_MS later RESULT holds the reading as a big-endian two's-complement
 * int16 in hundredths, and the part NACKs a read of RESULT before then.
 */
import { AIR_TEMPERATURE, attachToBus, driverFrame, errorTest, modelHead, partFile, REGISTER_MAP, truthFunction, type BusTemplate } from "./part-kit.js";

const q = AIR_TEMPERATURE;

export const i2cTemplate: BusTemplate = {
  bus: "i2c",
  quantity: q,
  shared: (n) => ({
    "registers.ts": `/**
 * ${n.name}'s register map, shared by its driver (device code) and its model (simulator). Written by
 * \`ganzhi new part\`: replace these with your part's datasheet, and cite it in part.ts \`source\`.
 */

/** I2C addresses the part can be strapped to (ADDR low, ADDR high). */
export const ADDRESSES: readonly number[] = Object.freeze([0x48, 0x49]);
/** Highest SCL frequency, Hz (fast mode). */
export const MAX_HZ = 400_000;
${REGISTER_MAP}
/** The part NACKs a read of RESULT before the conversion is over. */
`,
  }),
  part: (n) =>
    partFile(n, q, {
      doc: `/** ${n.name} as manifests see it: I2C at 0x48 or 0x49 (registers.ts), up to 400 kHz. */`,
      imports: [`import { ADDRESSES, MAX_HZ } from "./registers.js";`],
      connection: `{ kind: "i2c", addresses: ADDRESSES, maxHz: MAX_HZ }`,
      source: "ganzhi new part template (registers.ts): replace with the datasheet's addresses, bus speed and registers",
    }),
  driver: (n) =>
    driverFrame(n, q, {
      doc: `/**
 * ${n.name} driver (device code): checks WHO_AM_I when opened, and for each \`measure()\` writes START to CTRL and
 * reads RESULT CONVERSION_MS later on a host timer (registers.ts). A NACK is a "nack" error, a part that does not
 * identify itself an "identity" error thrown when it is opened.
 */`,
      imports: [`import type { I2C } from "../../hal/io.js";`, `import type { I2CSensorBus } from "../../hal/sensor.js";`, `import { ADDRESSES, CONVERSION_MS, CTRL, IDENTITY, LSB, RESULT, START, WHO_AM_I } from "./registers.js";`],
      sensorType: "I2CSensorBus",
      fields: ["readonly #io: I2C;"],
      open: `const address = s.address ?? ADDRESSES[0]!;
this.#name = \`${n.name}@0x\${address.toString(16)}\`;
this.#io = new s.io(s.port === undefined ? { data: s.data, clock: s.clock, hz: s.hz, address } : { data: s.data, clock: s.clock, hz: s.hz, port: s.port, address });
let id = -1;
try {
  id = this.#read(WHO_AM_I, 1)[0]!;
} catch {
  // no answer: reported just below
}
if (id !== IDENTITY) {
  this.#io.close();
  throw new SensorError(this.#name, "identity", id < 0 ? "no answer at this address" : \`WHO_AM_I reads 0x\${id.toString(16)}, expected 0x\${IDENTITY.toString(16)}\`);
}`,
      start: `try {
  this.#io.write(Uint8Array.of(CTRL, START));
} catch {
  this.#fail("nack", "no answer to the start of a conversion");
  return;
}
this.#timer.set(() => this.#finish(), CONVERSION_MS);`,
      close: "this.#io.close();",
      methods: `#finish(): void {
  if (this.#closed) return;
  let b: Uint8Array;
  try {
    b = this.#read(RESULT, 2);
  } catch {
    this.#fail("nack", "no answer reading the result");
    return;
  }
  this.#done((((b[0]! << 8) | b[1]!) << 16 >> 16) * LSB);
}

/** Point at \`register\` (no stop: a repeated start follows) and read \`count\` bytes from it. */
#read(register: number, count: number): Uint8Array {
  this.#io.write(Uint8Array.of(register), false);
  const out = new Uint8Array(count);
  this.#io.read(out);
  return out;
}`,
      conversionMs: "CONVERSION_MS",
      openFromConfig: `if (part.io !== "i2c") throw new Error(\`${n.name}: expected an I2C part, got \${part.io}\`);
const bus = host.I2C[part.bus];
if (!bus) throw new Error(\`${n.name}: the board has no I2C bus "\${part.bus}"\`);
return new ${n.cls}({ sensor: { ...bus, address: part.address }, timer: host.timer, offset: numberOption(part, "offset"), ...handlers });`,
    }),
  model: (n) => `${modelHead(
    `/**
 * ${n.name} as hardware (simulator): the register map of registers.ts. A conversion samples the world when it
 * finishes; RESULT is NACKed until then.
 */`,
    [`import type { I2CTarget } from "../../simulator/core/buses/i2c.js";`, `import { CONVERSION_MS, CTRL, IDENTITY, LSB, RESULT, START, WHO_AM_I } from "./registers.js";`],
  )}

${truthFunction(q)}

export class ${n.cls}Model implements I2CTarget {
  readonly #now: () => Micros;
  readonly #truth: (t: Micros) => number;
  #pointer = 0;
  /** When the running conversion ends (-1: none started yet). */
  #readyAt: Micros = -1;
  conversions = 0;

  constructor(now: () => Micros, value: (t: Micros) => number) {
    this.#now = now;
    this.#truth = value;
  }

  write(bytes: Uint8Array): boolean {
    if (bytes.length === 0) return true;
    this.#pointer = bytes[0]!;
    if (this.#pointer === CTRL && bytes.length > 1 && (bytes[1]! & START) !== 0) {
      this.#readyAt = this.#now() + CONVERSION_MS * 1000;
      this.conversions++;
    }
    return true;
  }

  read(count: number): Uint8Array | null {
    const out = new Uint8Array(count);
    if (this.#pointer === WHO_AM_I) {
      out[0] = IDENTITY;
    } else if (this.#pointer === RESULT) {
      if (this.#readyAt < 0 || this.#now() < this.#readyAt) return null;
      const raw = Math.max(-32768, Math.min(32767, Math.round(this.#truth(this.#readyAt) / LSB)));
      out[0] = (raw >> 8) & 0xff;
      if (count > 1) out[1] = raw & 0xff;
    }
    return out;
  }
}

${attachToBus(n, { io: "i2c", title: "I2C", key: "address" })}`,
  faultTest: (n) =>
    errorTest(n, {
      title: "reports a part that stops answering as a nack error, not as a reading",
      imports: [`import type { ResolvedI2CPart } from "../../manifests/schema/config.js";`],
      fault: "const part = bench.part as ResolvedI2CPart;\n    bench.node.i2c[part.bus]!.injectNack(part.address);",
      runMs: 1000,
      kind: "nack",
    }),
};
