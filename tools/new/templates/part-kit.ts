/**
 * What every part `ganzhi new part` writes has in common, whatever its bus: the names, the quantity it measures,
 * and the driver's frame (an ECMA-419 Sensor Class Pattern sensor whose `measure()` never blocks and whose errors
 * reach `onError` on a later turn). Each bus (i2c.ts, spi.ts, serial.ts, analog.ts, digital.ts) fills in how the
 * part is opened, asked and read, and writes its model and test.
 */

export interface PartNames {
  /** Catalogue name, "acme-th1". */
  readonly name: string;
  /** Class name, "AcmeTh1". */
  readonly cls: string;
}

/** The quantity a generated part measures from the simulated world, and how device code reports it. */
export interface Quantity {
  /** SenML record name and unit (IANA SenML units). */
  readonly senml: string;
  readonly unit: string;
  /** Step of a reading, in `unit`: how far apart two readings can be for the same world. */
  readonly resolution: number;
  /** What it is, for comments. */
  readonly words: string;
  /** The model's `truth(atmosphere, t)` body: the value the world gives at virtual time t. */
  readonly truth: string;
}

export const AIR_TEMPERATURE: Quantity = {
  senml: "temp",
  unit: "Cel",
  resolution: 0.01,
  words: "air temperature, °C",
  truth: "return atmosphere.air(t).temperature;",
};

export const WIND_SPEED: Quantity = {
  senml: "wspd",
  unit: "m/s",
  resolution: 1,
  words: "wind speed, m/s",
  truth: "return atmosphere.wind(t).speed;",
};

/** A generated bus: everything `ganzhi new part --bus <bus>` writes for it. */
export interface BusTemplate {
  /** What the user types after --bus. */
  readonly bus: "i2c" | "spi" | "uart" | "analog" | "digital";
  readonly quantity: Quantity;
  /** parts/<name>/part.ts */
  part(n: PartNames): string;
  /** parts/<name>/driver.ts */
  driver(n: PartNames): string;
  /** parts/<name>/model.ts */
  model(n: PartNames): string;
  /** Other files in parts/<name>/ (a register map both sides share), by file name. */
  shared(n: PartNames): Record<string, string>;
  /** For test/parts/<name>.test.ts: a test that the part's faults are reported as errors, and what it imports. */
  faultTest(n: PartNames): { readonly imports: readonly string[]; readonly body: string };
}

/** The pieces of a driver that differ by bus; `driverFrame` writes the rest. */
export interface DriverParts {
  readonly doc: string;
  /** Import lines besides host, sensor and config types. */
  readonly imports: readonly string[];
  /** The `sensor` option's type (its connection), e.g. "I2CSensorBus". */
  readonly sensorType: string;
  /** Type declarations placed before the class (the sensor option's shape when hal/ has none). */
  readonly types?: string;
  /** Private fields besides the frame's (one declaration per line). */
  readonly fields: readonly string[];
  /** Constructor statements after the frame's: open the IO (options are in `options`, the sensor in `s`). */
  readonly open: string;
  /** `measure()` after `#busy` is set: start a reading, and finish with `#done(value)` or `#fail(kind, message)` later. */
  readonly start: string;
  /** `close()` after `#closed` is set. */
  readonly close: string;
  /** Further private methods. */
  readonly methods: string;
  /** Worst-case ms from measure() to onSample, as an expression. */
  readonly conversionMs: string;
  /** Body of `open(host, part, handlers)`. */
  readonly openFromConfig: string;
}

/** Indent every line of `text` by `n` spaces (blank lines stay empty). */
export function indent(text: string, n: number): string {
  const pad = " ".repeat(n);
  return text
    .split("\n")
    .map((l) => (l === "" ? l : pad + l))
    .join("\n");
}

export function driverFrame(n: PartNames, q: Quantity, p: DriverParts): string {
  const C = n.cls;
  return `${p.doc}
import type { Host, Timers } from "../../hal/host.js";
${p.imports.join("\n")}
import { ErrorReporter, SensorError, type SensorErrorKind, type TriggeredSensor } from "../../hal/sensor.js";
import type { ResolvedPart } from "../../manifests/schema/config.js";

/** What device code reports from this part (SenML name and unit), and the step its readings come in. */
export const READING = Object.freeze({ name: "${q.senml}", unit: "${q.unit}", resolution: ${q.resolution} });

export interface ${C}Sample {
  /** ${q.words} */
  readonly value: number;
}

export interface ${C}Config {
  /** Added to every reading (a calibration against a reference), in ${q.unit}. */
  offset: number;
}

export interface ${C}Handlers {
  onSample?: (this: ${C}) => void;
  onError?: (this: ${C}, error: SensorError) => void;
}
${p.types ? `\n${p.types}\n` : ""}
export interface ${C}Options extends ${C}Handlers, Partial<${C}Config> {
  sensor: ${p.sensorType};
  timer: Timers;
}

export class ${C} implements TriggeredSensor<${C}Sample, ${C}Config> {
  readonly #timer: Timers;
  readonly #errors: ErrorReporter;
  readonly #onSample: (() => void) | undefined;
  readonly #name: string;
${p.fields.map((f) => `  ${f}`).join("\n")}
  #offset: number;
  #busy = false;
  #closed = false;
  #sample: ${C}Sample | undefined;

  constructor(options: ${C}Options) {
    const { onSample, onError } = options;
    const s = options.sensor;
    this.#timer = options.timer;
    this.#errors = new ErrorReporter(
      options.timer,
      onError
        ? (e) => {
            if (!this.#closed) onError.call(this, e);
          }
        : undefined,
    );
    this.#onSample = onSample ? () => onSample.call(this) : undefined;
    this.#offset = options.offset ?? 0;
${indent(p.open, 4)}
  }

  /** Worst-case time from \`measure()\` to \`onSample\`, ms. */
  get conversionMs(): number {
    return ${p.conversionMs};
  }

  get busy(): boolean {
    return this.#busy;
  }

  configure(options: Partial<${C}Config>): void {
    if (options.offset !== undefined) this.#offset = options.offset;
  }

  /** Start a reading: \`onSample\` (or \`onError\`) follows on a later timer turn, never from inside this call. */
  measure(): void {
    if (this.#busy || this.#closed) return;
    this.#busy = true;
${indent(p.start, 4)}
  }

  /** The latest reading, once: \`undefined\` when none has completed since the last call. */
  sample(): ${C}Sample | undefined {
    const s = this.#sample;
    this.#sample = undefined;
    return s;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
${indent(p.close, 4)}
  }

  #done(value: number): void {
    this.#busy = false;
    if (this.#closed) return;
    this.#sample = { value: value + this.#offset };
    this.#onSample?.();
  }

  #fail(kind: SensorErrorKind, message: string): void {
    this.#busy = false;
    this.#errors.report(new SensorError(this.#name, kind, message));
  }
${p.methods ? `\n${indent(p.methods, 2)}\n` : ""}}

/** This part as a node has it: its connection from the resolved configuration (\`host.config.parts.<role>\`). */
export function open(host: Host, part: ResolvedPart, handlers: ${C}Handlers = {}): ${C} {
${indent(p.openFromConfig, 2)}
}

function numberOption(part: ResolvedPart, key: string): number {
  const v = part.options[key];
  if (typeof v !== "number") throw new Error(\`${n.name}: option \${key} must be a number (resolved config)\`);
  return v;
}
`;
}

/** The model file's head: what it models, and the imports every model has. */
export function modelHead(doc: string, imports: readonly string[]): string {
  return `${doc}
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { Atmosphere } from "../../simulator/core/environment/types.js";
import type { Micros } from "../../simulator/core/engine.js";
import type { ModelContext } from "../../simulator/core/parts.js";
${imports.join("\n")}`;
}

/** The model's `truth`: what the world gives this part at virtual time t (tests compare readings with it). */
export function truthFunction(q: Quantity): string {
  return `/** The ${q.words} the part measures at virtual time \`t\`: what its readings should come back as. */
export function truth(atmosphere: Atmosphere, t: Micros): number {
  ${q.truth}
}`;
}

/** The options schema every generated part has (an offset), plus the bus's own. */
export function partFile(
  n: PartNames,
  q: Quantity,
  o: { doc: string; imports?: readonly string[]; connection: string; pins?: string; options?: string; defaults?: string; source: string },
): string {
  return `${o.doc}
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
${(o.imports ?? []).join("\n")}${o.imports?.length ? "\n" : ""}
export const part = definePart({
  name: "${n.name}",
  title: "${n.name}: ${q.words.split(",")[0]} (a \`ganzhi new part\` starting point)",
  connection: ${o.connection},${o.pins ? `\n  pins: ${o.pins},` : ""}
  options: s.object(
    {
      offset: s.optional(s.number({ description: "Added to every reading (calibration against a reference), ${q.unit}.", default: 0 })),${o.options ? `\n${indent(o.options, 6)}` : ""}
    },
    { description: "${n.name} options (driver \`configure\` and \`open\`)." },
  ),
  defaults: { offset: 0${o.defaults ? `, ${o.defaults}` : ""} },
  source: ${JSON.stringify(o.source)},
});
`;
}

/** A part test that a fault (made by `fault`, code using `bench`) ends as one `kind` error and no reading. */
export function errorTest(n: PartNames, o: { title: string; imports?: readonly string[]; fault: string; runMs: number; kind: string }): { imports: readonly string[]; body: string } {
  return {
    imports: [`import type { SensorError } from "../../hal/sensor.js";`, ...(o.imports ?? [])],
    body: `  it(${JSON.stringify(o.title)}, () => {
    const bench = partBench("${n.name}");
    const errors: SensorError[] = [];
    const sensor = open(bench.host, bench.part, { onError: (e) => errors.push(e) });
    ${o.fault}
    sensor.measure();
    bench.run(${o.runMs});
    expect(sensor.sample()).toBeUndefined();
    expect(errors.map((e) => e.kind)).toEqual([${JSON.stringify(o.kind)}]);
  });`,
  };
}

/** The model's `attach…Model` for a part on a shared bus (I2C by address, SPI by chip select). */
export function attachToBus(n: PartNames, o: { io: "i2c" | "spi"; title: string; key: "address" | "select" }): string {
  return `/** The simulator's registry calls this for every part "${n.name}" a device manifest wires. */
export function attach${n.cls}Model(role: string, part: ResolvedPart, ctx: ModelContext): ${n.cls}Model {
  if (part.io !== "${o.io}") throw new Error(\`${n.name} (\${role}): expected an ${o.title} part, got \${part.io}\`);
  const bus = ctx.node.${o.io}[part.bus];
  if (!bus) throw new Error(\`${n.name} (\${role}): node \${ctx.node.id} has no ${o.title} bus "\${part.bus}"\`);
  const model = new ${n.cls}Model(() => ctx.node.engine.now, (t) => truth(ctx.atmosphere, t));
  bus.attach(part.${o.key}, model);
  return model;
}
`;
}

/** The registers an I2C or SPI template's part has: identity, a start bit, a result in hundredths. */
export const REGISTER_MAP = `/** Reads IDENTITY: tells this part from a missing or different one. */
export const WHO_AM_I = 0x0f;
export const IDENTITY = 0xa5;
/** Writing START here starts one conversion. */
export const CTRL = 0x01;
export const START = 0x01;
/** The last conversion: big-endian two's-complement int16, in units of LSB. */
export const RESULT = 0x00;
export const LSB = 0.01;
/** Worst-case conversion time, ms. */
export const CONVERSION_MS = 10;`;
