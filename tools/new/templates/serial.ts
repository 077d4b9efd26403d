/**
 * `ganzhi new part --bus uart`: a sensor that answers a text command on a UART (8N1), as many probes and modems
 * do: the node sends COMMAND, the part measures and answers one line `T=<value>` with two decimals.
 */
import { AIR_TEMPERATURE, driverFrame, errorTest, modelHead, partFile, truthFunction, type BusTemplate } from "./part-kit.js";

const q = AIR_TEMPERATURE;

export const serialTemplate: BusTemplate = {
  bus: "uart",
  quantity: q,
  shared: (n) => ({
    "protocol.ts": `/**
 * ${n.name}'s line protocol on its UART, shared by its driver (device code) and its model (simulator). Written by
 * \`ganzhi new part\`: replace it with your part's manual, and cite that in part.ts \`source\`.
 */

/** The baud rate the part answers at (8N1). */
export const BAUD = 115200;
/** What the node sends to start a measurement. */
export const COMMAND = "MEAS\\r\\n";
/** The answer: \`T=\` then the value with a sign and two decimals, then CR LF. */
export const REPLY = /^T=([+-][0-9]+\\.[0-9]{2})$/;
/** Worst-case time from the command to the answer's first byte, ms. */
export const CONVERSION_MS = 20;
/** How long the node waits for the answer before it gives up, ms. */
export const TIMEOUT_MS = 200;
/** The longest line the part sends, bytes (without CR LF). */
export const MAX_LINE = 32;
`,
  }),
  part: (n) =>
    partFile(n, q, {
      doc: `/** ${n.name} as manifests see it: a UART at 115200 baud, 8N1 (protocol.ts). */`,
      imports: [`import { BAUD } from "./protocol.js";`],
      connection: `{ kind: "uart", baud: BAUD }`,
      source: "ganzhi new part template (protocol.ts): replace with the manual's baud rate and commands",
    }),
  driver: (n) =>
    driverFrame(n, q, {
      doc: `/**
 * ${n.name} driver (device code): each \`measure()\` sends COMMAND and parses the one-line answer as it arrives
 * (protocol.ts). No answer within TIMEOUT_MS is a "timeout" error, an answer that is not a reading a "state" error.
 */`,
      imports: [`import type { TimerHandle } from "../../hal/host.js";`, `import type { Serial, SerialClass } from "../../hal/io.js";`, `import { COMMAND, MAX_LINE, REPLY, TIMEOUT_MS } from "./protocol.js";`],
      sensorType: `${n.cls}Port`,
      types: `/** The part's UART (Moddable's \`device.Serial.<name>\` shape). */
export interface ${n.cls}Port {
  io: SerialClass;
  receive?: number;
  transmit?: number;
  baud: number;
  port?: number;
}`,
      fields: ["readonly #io: Serial;", "#line = \"\";", "#timeout: TimerHandle | undefined;"],
      open: `this.#name = \`${n.name}@\${s.transmit ?? "-"}/\${s.receive ?? "-"}\`;
const self = this;
this.#io = new s.io({
  receive: s.receive,
  transmit: s.transmit,
  baud: s.baud,
  ...(s.port === undefined ? {} : { port: s.port }),
  onReadable() {
    self.#readable();
  },
});`,
      start: `this.#line = "";
const bytes = new Uint8Array(COMMAND.length);
for (let i = 0; i < COMMAND.length; i++) bytes[i] = COMMAND.charCodeAt(i);
this.#io.write(bytes);
this.#timeout = this.#timer.set(() => {
  this.#timeout = undefined;
  this.#fail("timeout", \`no answer within \${TIMEOUT_MS} ms\`);
}, TIMEOUT_MS);`,
      close: `this.#timer.clear(this.#timeout);
this.#io.close();`,
      methods: `/** Bytes arrived: collect them into lines; a complete line while a measurement waits is its answer. */
#readable(): void {
  const buffer = this.#io.read();
  if (buffer === undefined) return;
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 10) {
      this.#answer(this.#line);
      this.#line = "";
    } else if (c !== 13 && this.#line.length < MAX_LINE) {
      this.#line += String.fromCharCode(c);
    }
  }
}

#answer(line: string): void {
  if (!this.#busy || this.#closed) return;
  this.#timer.clear(this.#timeout);
  this.#timeout = undefined;
  const m = REPLY.exec(line);
  if (m) this.#done(Number(m[1]));
  else this.#fail("state", \`unexpected answer \${JSON.stringify(line)}\`);
}`,
      conversionMs: "TIMEOUT_MS",
      openFromConfig: `if (part.io !== "uart") throw new Error(\`${n.name}: expected a UART part, got \${part.io}\`);
const port = host.Serial[part.bus];
if (!port) throw new Error(\`${n.name}: the board has no UART "\${part.bus}"\`);
return new ${n.cls}({ sensor: { ...port, baud: part.baud }, timer: host.timer, offset: numberOption(part, "offset"), ...handlers });`,
    }),
  model: (n) => `${modelHead(
    `/**
 * ${n.name} as hardware (simulator): answers COMMAND on its UART CONVERSION_MS later with the world's value, as
 * protocol.ts says; anything else it ignores, as the part would.
 */`,
    [`import type { Engine } from "../../simulator/core/engine.js";`, `import type { UARTLink, UARTPeer } from "../../simulator/core/buses/uart.js";`, `import { COMMAND, CONVERSION_MS } from "./protocol.js";`],
  )}

${truthFunction(q)}

export class ${n.cls}Model implements UARTPeer {
  readonly #engine: Engine;
  readonly #link: UARTLink;
  readonly #truth: (t: Micros) => number;
  #received = "";
  answers = 0;
  /** Set to stop answering (a probe unplugged). */
  silent = false;

  constructor(engine: Engine, link: UARTLink, value: (t: Micros) => number) {
    this.#engine = engine;
    this.#link = link;
    this.#truth = value;
  }

  receive(bytes: Uint8Array): void {
    for (const b of bytes) {
      this.#received += String.fromCharCode(b);
      if (b !== 10) continue;
      const line = this.#received;
      this.#received = "";
      if (line === COMMAND && !this.silent) this.#engine.after(CONVERSION_MS * 1000, () => this.#answer());
    }
  }

  #answer(): void {
    const v = Math.round(this.#truth(this.#engine.now) * 100) / 100;
    const text = \`T=\${v < 0 ? "-" : "+"}\${Math.abs(v).toFixed(2)}\\r\\n\`;
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    this.answers++;
    this.#link.fromPeer(out);
  }
}

/** The simulator's registry calls this for every part "${n.name}" a device manifest wires. */
export function attach${n.cls}Model(role: string, part: ResolvedPart, ctx: ModelContext): ${n.cls}Model {
  if (part.io !== "uart") throw new Error(\`${n.name} (\${role}): expected a UART part, got \${part.io}\`);
  const link = ctx.node.uart[part.bus];
  if (!link) throw new Error(\`${n.name} (\${role}): node \${ctx.node.id} has no UART "\${part.bus}"\`);
  const model = new ${n.cls}Model(ctx.node.engine, link, (t) => truth(ctx.atmosphere, t));
  link.peer = model;
  return model;
}
`,
  faultTest: (n) =>
    errorTest(n, {
      title: "reports a part that stops answering as a timeout error, not as a reading",
      imports: [`import type { ${n.cls}Model } from "../../parts/${n.name}/model.js";`],
      fault: `(bench.models[0]!.model as ${n.cls}Model).silent = true;`,
      runMs: 1000,
      kind: "timeout",
    }),
};
