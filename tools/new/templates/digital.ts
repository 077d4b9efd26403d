/**
 * `ganzhi new part --bus digital`: a sensor with a pulse output whose rate follows what it measures (a cup
 * anemometer's reed switch, a flow meter), counted with edge interrupts on a Digital input over a gate time.
 */
import { driverFrame, modelHead, partFile, truthFunction, WIND_SPEED, type BusTemplate } from "./part-kit.js";

const q = WIND_SPEED;

export const digitalTemplate: BusTemplate = {
  bus: "digital",
  quantity: q,
  shared: (n) => ({
    "pulses.ts": `/**
 * ${n.name}'s pulse output, shared by its driver (device code) and its model (simulator). Written by
 * \`ganzhi new part\`: replace these with your part's datasheet, and cite it in part.ts \`source\`.
 */

/** Pulses per second for one unit of what it measures (the manifest may override it as an option). */
export const HZ_PER_UNIT = 1;
/** How long the driver counts pulses for one reading, ms. */
export const GATE_MS = 1000;
/** How long the switch stays closed per pulse, ms. */
export const PULSE_MS = 5;
/** The fastest the part pulses; more counted is contact bounce or interference. */
export const MAX_HZ = 100;
`,
  }),
  part: (n) =>
    partFile(n, q, {
      doc: `/** ${n.name} as manifests see it: a switch to ground per pulse, so a pulled-up input counting falling edges. */`,
      imports: [`import { GATE_MS, HZ_PER_UNIT } from "./pulses.js";`],
      connection: `{ kind: "digital-edge", pull: "up", edge: "falling" }`,
      options: `hzPerUnit: s.optional(s.number({ description: "Pulses per second per ${q.unit}.", exclusiveMinimum: 0, default: HZ_PER_UNIT })),
gateMs: s.optional(s.integer({ description: "Pulses are counted for this long per reading, ms.", minimum: 10, maximum: 60000, default: GATE_MS })),`,
      defaults: "hzPerUnit: HZ_PER_UNIT, gateMs: GATE_MS",
      source: "ganzhi new part template (pulses.ts): replace with the datasheet's pulses per unit",
    }),
  driver: (n) =>
    driverFrame(n, q, {
      doc: `/**
 * ${n.name} driver (device code): counts falling edges on a pulled-up Digital input; each \`measure()\` counts for
 * the gate time on a host timer and reports pulses per second divided by the pulses per unit (pulses.ts); more
 * than MAX_HZ is a "range" error.
 */`,
      imports: [`import type { Digital, DigitalClass } from "../../hal/io.js";`, `import { GATE_MS, HZ_PER_UNIT, MAX_HZ } from "./pulses.js";`],
      sensorType: `${n.cls}Input`,
      types: `/** The part's input pin, and how its pulses become a value. */
export interface ${n.cls}Input {
  io: DigitalClass;
  pin: number;
  hzPerUnit?: number;
  gateMs?: number;
}`,
      fields: ["readonly #io: Digital;", "readonly #hzPerUnit: number;", "readonly #gateMs: number;", "#pulses = 0;"],
      open: `this.#name = \`${n.name}@\${s.pin}\`;
this.#hzPerUnit = s.hzPerUnit ?? HZ_PER_UNIT;
this.#gateMs = s.gateMs ?? GATE_MS;
const self = this;
this.#io = new s.io({
  pin: s.pin,
  mode: s.io.InputPullUp,
  edge: s.io.Falling,
  onReadable() {
    self.#pulses++;
  },
});`,
      start: `const from = this.#pulses;
this.#timer.set(() => this.#count(this.#pulses - from), this.#gateMs);`,
      close: "this.#io.close();",
      methods: `#count(pulses: number): void {
  const hz = pulses / (this.#gateMs / 1000);
  if (hz > MAX_HZ) this.#fail("range", \`\${hz} pulses per second is more than the part gives (\${MAX_HZ}): contact bounce or interference\`);
  else this.#done(hz / this.#hzPerUnit);
}`,
      conversionMs: "this.#gateMs",
      openFromConfig: `if (part.io !== "digital-edge") throw new Error(\`${n.name}: expected a digital-edge part, got \${part.io}\`);
return new ${n.cls}({
  sensor: { io: host.io.Digital, pin: part.pin, hzPerUnit: numberOption(part, "hzPerUnit"), gateMs: numberOption(part, "gateMs") },
  timer: host.timer,
  offset: numberOption(part, "offset"),
  ...handlers,
});`,
    }),
  model: (n) => `${modelHead(
    `/**
 * ${n.name} as hardware (simulator): closes its switch (the pulled-up line goes low for PULSE_MS) at the rate the
 * world's value gives, each pulse at the instant the previous one's period ends.
 */`,
    [`import type { Engine } from "../../simulator/core/engine.js";`, `import type { DigitalLine } from "../../simulator/core/io/lines.js";`, `import { PULSE_MS } from "./pulses.js";`],
  )}

${truthFunction(q)}

/** Below this rate the part is still: look again a second later. */
const SLOWEST_HZ = 0.01;

export class ${n.cls}Model {
  readonly #engine: Engine;
  readonly #line: DigitalLine;
  readonly #hz: (t: Micros) => number;
  pulses = 0;
  /** Set to hold the switch open (a broken lead): no pulses. */
  stuck = false;

  constructor(engine: Engine, line: DigitalLine, hz: (t: Micros) => number) {
    this.#engine = engine;
    this.#line = line;
    this.#hz = hz;
    line.driven = true;
    line.set(1);
    this.#next();
  }

  #next(): void {
    const hz = this.#hz(this.#engine.now);
    if (hz < SLOWEST_HZ || this.stuck) {
      this.#engine.after(1_000_000, () => this.#next());
      return;
    }
    this.#engine.after(Math.max(2 * PULSE_MS * 1000, Math.round(1_000_000 / hz)), () => {
      if (!this.stuck) {
        this.pulses++;
        this.#line.set(0);
        this.#engine.after(PULSE_MS * 1000, () => this.#line.set(1));
      }
      this.#next();
    });
  }
}

/** The simulator's registry calls this for every part "${n.name}" a device manifest wires. */
export function attach${n.cls}Model(role: string, part: ResolvedPart, ctx: ModelContext): ${n.cls}Model {
  if (part.io !== "digital-edge") throw new Error(\`${n.name} (\${role}): expected a digital-edge part, got \${part.io}\`);
  const hzPerUnit = part.options["hzPerUnit"] as number;
  return new ${n.cls}Model(ctx.node.engine, ctx.node.world.line(part.pin), (t) => truth(ctx.atmosphere, t) * hzPerUnit);
}
`,
  faultTest: (n) => ({
    imports: [`import type { ${n.cls}Model } from "../../parts/${n.name}/model.js";`],
    body: `  it("reads 0 when the switch stops pulsing (a broken lead), and nothing before the gate time is over", () => {
    const bench = partBench("${n.name}");
    const values: number[] = [];
    const sensor = open(bench.host, bench.part, {
      onSample() {
        values.push(this.sample()!.value);
      },
    });
    (bench.models[0]!.model as ${n.cls}Model).stuck = true;
    bench.run(2000);
    sensor.measure();
    bench.run(sensor.conversionMs - 1);
    expect(values).toEqual([]);
    bench.run(1);
    expect(values).toEqual([0]);
  });`,
  }),
};
