/**
 * `ganzhi new part --bus analog`: a linear voltage-output sensor on an ADC pin, with a TMP36's figures as the
 * example (Analog Devices TMP35/TMP36/TMP37 datasheet: 10 mV/°C, 750 mV at 25 °C so 0.5 V at 0 °C, specified
 * from −40 °C to +125 °C).
 */
import { AIR_TEMPERATURE, driverFrame, errorTest, modelHead, partFile, truthFunction, type BusTemplate } from "./part-kit.js";

const q = { ...AIR_TEMPERATURE, resolution: 0.5 };

export const analogTemplate: BusTemplate = {
  bus: "analog",
  quantity: q,
  shared: (n) => ({
    "response.ts": `/**
 * ${n.name}'s output: a voltage linear in what it measures, and the range it is specified over. Shared by its
 * driver (device code) and its model (simulator). Written by \`ganzhi new part\` with a TMP36's figures (Analog
 * Devices TMP35/TMP36/TMP37 datasheet): replace them with your part's, and cite it in part.ts \`source\`.
 */

/** Output at 0 (volts) and its slope (volts per unit); the manifest may override both as options. */
export const VOLTS_AT_ZERO = 0.5;
export const VOLTS_PER_UNIT = 0.01;
/** The range the part is specified over; a reading outside it is a fault (open or shorted wiring). */
export const MIN = -40;
export const MAX = 125;

/** The volts the part puts out for \`value\`. */
export function volts(value: number, voltsAtZero: number, voltsPerUnit: number): number {
  return voltsAtZero + voltsPerUnit * value;
}
`,
  }),
  part: (n) =>
    partFile(n, q, {
      doc: `/** ${n.name} as manifests see it: a voltage output on an ADC pin (response.ts), read with the board's ADC. */`,
      imports: [`import { VOLTS_AT_ZERO, VOLTS_PER_UNIT } from "./response.js";`],
      connection: `{ kind: "analog" }`,
      options: `voltsAtZero: s.optional(s.number({ description: "Output at 0 ${q.unit}, V.", default: VOLTS_AT_ZERO })),
voltsPerUnit: s.optional(s.number({ description: "Output slope, V per ${q.unit}.", exclusiveMinimum: 0, default: VOLTS_PER_UNIT })),`,
      defaults: "voltsAtZero: VOLTS_AT_ZERO, voltsPerUnit: VOLTS_PER_UNIT",
      source: "Analog Devices TMP35/TMP36/TMP37 datasheet (TMP36: 10 mV/°C, 750 mV at 25 °C, −40 °C to +125 °C), as a `ganzhi new part` example",
    }),
  driver: (n) =>
    driverFrame(n, q, {
      doc: `/**
 * ${n.name} driver (device code): each \`measure()\` reads the ADC on the next timer turn and turns the volts into
 * a value with the part's line (response.ts). A value outside the part's range is a "range" error.
 */`,
      imports: [`import type { Analog, AnalogClass } from "../../hal/io.js";`, `import { MAX, MIN, VOLTS_AT_ZERO, VOLTS_PER_UNIT } from "./response.js";`],
      sensorType: `${n.cls}Input`,
      types: `/** The part's ADC input, and the line from its volts to its value. */
export interface ${n.cls}Input {
  io: AnalogClass;
  pin: number;
  /** Volts that read as the ADC's largest value (the board's, \`host.config.parts.<role>.fullScaleVolts\`). */
  fullScaleVolts: number;
  voltsAtZero?: number;
  voltsPerUnit?: number;
}`,
      fields: ["readonly #io: Analog;", "readonly #voltsPerCount: number;", "readonly #voltsAtZero: number;", "readonly #voltsPerUnit: number;"],
      open: `this.#name = \`${n.name}@\${s.pin}\`;
this.#io = new s.io({ pin: s.pin });
this.#voltsPerCount = s.fullScaleVolts / (2 ** this.#io.resolution - 1);
this.#voltsAtZero = s.voltsAtZero ?? VOLTS_AT_ZERO;
this.#voltsPerUnit = s.voltsPerUnit ?? VOLTS_PER_UNIT;`,
      start: "this.#timer.set(() => this.#finish(), 0);",
      close: "this.#io.close();",
      methods: `#finish(): void {
  if (this.#closed) return;
  const value = (this.#io.read() * this.#voltsPerCount - this.#voltsAtZero) / this.#voltsPerUnit;
  if (value < MIN || value > MAX) this.#fail("range", \`reads \${value.toFixed(1)}, outside the part's \${MIN} to \${MAX}: check its wiring\`);
  else this.#done(value);
}`,
      conversionMs: "0",
      openFromConfig: `if (part.io !== "analog") throw new Error(\`${n.name}: expected an analog part, got \${part.io}\`);
return new ${n.cls}({
  sensor: {
    io: host.io.Analog,
    pin: part.pin,
    fullScaleVolts: part.fullScaleVolts,
    voltsAtZero: numberOption(part, "voltsAtZero"),
    voltsPerUnit: numberOption(part, "voltsPerUnit"),
  },
  timer: host.timer,
  offset: numberOption(part, "offset"),
  ...handlers,
});`,
    }),
  model: (n) => `${modelHead(
    `/** ${n.name} as hardware (simulator): the voltage response.ts gives for the world's value, at its ADC pin. */`,
    [`import { volts } from "./response.js";`],
  )}

${truthFunction(q)}

/** The simulator's registry calls this for every part "${n.name}" a device manifest wires. */
export function attach${n.cls}Model(role: string, part: ResolvedPart, ctx: ModelContext): (t: Micros) => number {
  if (part.io !== "analog") throw new Error(\`${n.name} (\${role}): expected an analog part, got \${part.io}\`);
  const at0 = part.options["voltsAtZero"] as number;
  const slope = part.options["voltsPerUnit"] as number;
  const source = (t: Micros): number => volts(truth(ctx.atmosphere, t), at0, slope);
  ctx.node.world.analog.set(part.pin, source);
  return source;
}
`,
  faultTest: (n) =>
    errorTest(n, {
      title: "reports a pin at 0 V (an open wire) as a range error, not as a reading",
      imports: [`import type { ResolvedAnalogPart } from "../../manifests/schema/config.js";`],
      fault: "bench.node.world.analog.set((bench.part as ResolvedAnalogPart).pin, () => 0);",
      runMs: 10,
      kind: "range",
    }),
};
