/**
 * Recording what reached one simulated device from outside its code, so the emulated MCU can replay it
 * (emulator/, `ganzhi emulate`, `ganzhi sim --record`).
 *
 * Recorded at the pins and the network, where the board meets the world:
 * - every I2C transaction on every bus, as a logic analyser sees it (the bus's transaction recorder);
 * - every SPI transaction on every bus, per chip select: what the device clocked out (MOSI), what the part answered
 *   (MISO), and the virtual time of it (a LoRa transceiver's commands: the emulated run times its SetTx and SetRx);
 * - what each ADC pin's source said (volts) and each pulse input's counter (counts, and when its next pulse comes);
 * - the digital lines the part models drive: their levels at boot and every change, with its virtual time (a
 *   transceiver's BUSY and DIO1 among them);
 * - the bytes each UART delivered to the device (a modem's or a meter's reply), with their virtual time;
 * - every value `host.random()` returned;
 * - each connection the device opened: the bytes it sent, and what the broker's side did (connected, bytes,
 *   closed) with the virtual time it was posted and how many device callbacks had run by then, which is enough
 *   to put it back at the same place among the device's own events, even at one virtual instant.
 * The emulator feeds these to the same portable IO classes the simulator uses, so the device sees the same bytes
 * whatever the engine and the CPU under it. Recording changes nothing in the run: frames are the same as without.
 */
import { writeFileSync } from "node:fs";
import type { PathOrFileDescriptor } from "node:fs";
import type { DeviceMain, Host } from "../../hal/host.js";
import type { I2CTransaction } from "../core/buses/i2c.js";
import type { SPITransaction } from "../core/buses/spi.js";
import type { EventHandle, Micros } from "../core/engine.js";
import type { NetSocket, NetSocketEvents } from "../core/network.js";
import { LINE_ANSWERS_WRITE_CODE, LINE_TIMING_CODE } from "../core/io/lines.js";
import { loadBoard, loadDevice, resolveNode } from "../../manifests/load.js";
import { runSim } from "./session.js";
import { loadDeviceMain } from "./device-main.js";
import type { SimOptions, SimResult, SimWorld } from "./session.js";
import type { Frame } from "./frame-log.js";

export const RECORDING_FORMAT = "ganzhi-recording";
export const RECORDING_VERSION = 2;

export interface RecordedI2C {
  bus: string;
  address: number;
  transactions: { op: "write" | "read"; ack: boolean; hex: string }[];
}

export interface RecordedSPI {
  bus: string;
  /** The chip-select pin. */
  select: number;
  /** Virtual µs of each transaction, MOSI and MISO (same length). */
  transactions: { at: Micros; txHex: string; rxHex: string }[];
}

export interface RecordedNetEvent {
  conn: number;
  kind: "connected" | "data" | "closed";
  /** Virtual µs it was posted (and delivered). */
  at: Micros;
  /** Device callbacks that had run when it was posted. */
  after: number;
  /** data: the bytes. */
  hex?: string;
  /** closed: the error message, or absent for a clean close. */
  error?: string;
}

export interface Recording {
  format: typeof RECORDING_FORMAT;
  version: typeof RECORDING_VERSION;
  device: string;
  board: string;
  seed: number;
  hours: number;
  id: string;
  epochMs: number;
  endUs: Micros;
  watchdogMs: number;
  /** The board as the simulator built it (flash layout only, not its contents). */
  spec: unknown;
  /** The node's `host.config`. */
  config: unknown;
  rolePins: Record<string, number>;
  i2c: RecordedI2C[];
  spi: RecordedSPI[];
  analog: { pin: number; volts: number[] }[];
  /** `next` holds null for "no next pulse" (Infinity in the run). */
  pulse: { pin: number; counts: number[]; next: (number | null)[] }[];
  lines: { pin: number; level: number; driven: boolean }[];
  /** [pin, virtual µs, level] in the order they happened, with the change's timing (LINE_TIMING_CODE) when it is not
   * an answer to the device's last command; a change made inside the device's write to a line is
   * [pin, µs, level, LINE_ANSWERS_WRITE_CODE, the write's index] (simulator/core/io/lines.ts PinWorld.writing). */
  lineChanges: [number, Micros, number, number?, number?][];
  /** Bytes each UART (by its board name) delivered to the device, in the order they arrived. */
  uartRx?: { link: string; at: Micros; hex: string }[];
  /** Bytes the device wrote to each UART, in order: not replayed (the device writes them again), but what the
   * emulated device's writes are compared with. */
  uartTx?: { link: string; at: Micros; hex: string }[];
  random: number[];
  connections: { address: string; port: number; txHex: string }[];
  net: RecordedNetEvent[];
  /** Parts whose models keep time in each power state (a LoRa transceiver's `residency()`), at the end of the run. */
  partStates?: { role: string; part: string; states: { state: string; milliamps: number; us: number }[] }[];
  /** The uplink frames the simulated device sent (the `ganzhi sim --out` lines), for the replay to be checked against. */
  frames: Frame[];
}

export interface RecordResult {
  recording: Recording;
  result: SimResult;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

type Callback = (...args: unknown[]) => unknown;

/**
 * The host the device gets while recording: the simulator's, with every callback the device hands it counted
 * when it runs, and `random()` values kept. Nothing else changes.
 */
function countingHost(host: Host, onCallback: () => void, onRandom: (v: number) => void): Host {
  const wrapFn = (f: Callback): Callback =>
    function (this: unknown, ...args: unknown[]) {
      onCallback();
      return f.apply(this, args);
    };
  const wrapClass = <C extends object>(C: C, keys: readonly string[]): C => {
    const Ctor = C as unknown as new (o: unknown) => object;
    const W = function (options: unknown): object {
      let o = options;
      if (options && typeof options === "object") {
        const copy: Record<string, unknown> = { ...(options as Record<string, unknown>) };
        for (const k of keys) if (typeof copy[k] === "function") copy[k] = wrapFn(copy[k] as Callback);
        o = copy;
      }
      return new Ctor(o);
    };
    for (const key of Object.getOwnPropertyNames(C)) {
      if (key === "prototype" || key === "length" || key === "name") continue;
      const d = Object.getOwnPropertyDescriptor(C, key);
      if (d) Object.defineProperty(W, key, d);
    }
    return W as unknown as C;
  };
  const io = {
    ...host.io,
    Digital: wrapClass(host.io.Digital, ["onReadable"]),
    PulseCount: wrapClass(host.io.PulseCount, ["onReadable", "onError"]),
    Serial: wrapClass(host.io.Serial, ["onReadable", "onWritable"]),
    TCP: wrapClass(host.io.TCP, ["onReadable", "onWritable", "onError"]),
  };
  const Serial: Host["Serial"] = Object.fromEntries(Object.entries(host.Serial).map(([k, b]) => [k, { ...b, io: io.Serial }]));
  return Object.freeze({
    id: host.id,
    board: host.board,
    io: Object.freeze(io),
    pin: host.pin,
    I2C: host.I2C,
    SPI: host.SPI,
    Serial: Object.freeze(Serial),
    timer: {
      set: (callback: () => void, delay: number, repeat?: number) => host.timer.set(wrapFn(callback) as () => void, delay, repeat),
      clear: (handle) => host.timer.clear(handle),
    },
    clock: host.clock,
    power: host.power,
    retained: host.retained,
    flash: host.flash,
    cipher: host.cipher,
    random: () => {
      const v = host.random();
      onRandom(v);
      return v;
    },
    log: (level, message) => host.log(level, message),
    config: host.config,
  } satisfies Host);
}

/** The broker the device manifest names (the simulation dials its own broker instead, on a port it picks). */
function manifestBroker(device: string, board: string): { address: string; port: number } {
  return resolveNode(loadDevice(device), loadBoard(board)).config.uplink.broker;
}

async function deviceMain(device: string, board: string): Promise<DeviceMain> {
  return loadDeviceMain(resolveNode(loadDevice(device), loadBoard(board)).config.main);
}

/** Run the simulation as `runSim` does, recording one node's inputs. */
export async function recordSim(opts: SimOptions): Promise<RecordResult> {
  if ((opts.nodes ?? 1) !== 1) throw new Error("recording is for one node (--nodes 1)");
  const main = opts.main ?? (await deviceMain(opts.device, opts.board));
  let callbacks = 0;
  const random: number[] = [];
  let firstHost: Host | undefined;
  const counted: DeviceMain = (host) => {
    firstHost ??= host;
    return main(countingHost(host, () => callbacks++, (v) => random.push(v)));
  };

  const i2c = new Map<string, RecordedI2C>();
  const spi = new Map<string, RecordedSPI>();
  const analog: Recording["analog"] = [];
  const pulse: Recording["pulse"] = [];
  const lines: Recording["lines"] = [];
  const lineChanges: Recording["lineChanges"] = [];
  const uartRx: NonNullable<Recording["uartRx"]> = [];
  const uartTx: NonNullable<Recording["uartTx"]> = [];
  const connections: { address: string; port: number; tx: Uint8Array[] }[] = [];
  const net: RecordedNetEvent[] = [];
  let captured: SimWorld | undefined;

  const hook = (world: SimWorld): void => {
    captured = world;
    const node = world.nodes[0]!;
    const engine = world.engine;
    for (const [name, bus] of Object.entries(node.i2c)) {
      const previous = bus.recorder;
      bus.recorder = (t: I2CTransaction) => {
        previous?.(t);
        const key = `${name}\0${t.address}`;
        let r = i2c.get(key);
        if (!r) i2c.set(key, (r = { bus: name, address: t.address, transactions: [] }));
        r.transactions.push({ op: t.op, ack: t.ack, hex: hex(t.bytes) });
      };
    }
    for (const [name, bus] of Object.entries(node.spi)) {
      const previous = bus.recorder;
      bus.recorder = (t: SPITransaction) => {
        previous?.(t);
        const key = `${name}\0${t.select}`;
        let r = spi.get(key);
        if (!r) spi.set(key, (r = { bus: name, select: t.select, transactions: [] }));
        r.transactions.push({ at: t.at, txHex: hex(t.tx), rxHex: hex(t.rx) });
      };
    }
    for (const [pin, source] of [...node.world.analog]) {
      const rec = { pin, volts: [] as number[] };
      analog.push(rec);
      node.world.analog.set(pin, (t) => {
        const v = source(t);
        rec.volts.push(v);
        return v;
      });
    }
    for (const [pin, source] of [...node.world.pulse]) {
      const rec = { pin, counts: [] as number[], next: [] as (number | null)[] };
      pulse.push(rec);
      node.world.pulse.set(pin, {
        count: (t) => {
          const v = source.count(t);
          rec.counts.push(v);
          return v;
        },
        nextAfter: (t) => {
          const v = source.nextAfter(t);
          rec.next.push(Number.isFinite(v) ? v : null);
          return v;
        },
      });
    }
    for (const [name, link] of Object.entries(node.uart)) {
      // What the peer sent the MCU is replayed; what the device wrote happens in the replay too, and is kept to compare.
      const previous = link.recorder;
      link.recorder = (t) => {
        previous?.(t);
        (t.dir === "rx" ? uartRx : uartTx).push({ link: name, at: t.at, hex: hex(t.bytes) });
      };
    }
    for (const [pin, line] of [...node.world.digital]) {
      lines.push({ pin, level: line.level, driven: line.driven });
      // Only what the world does to a line: the device's own outputs (a switched supply, say) happen in the replay
      // too, by the device's own writes.
      if (line.driven) {
        const pins = node.world;
        line.listen((level, timing) => {
          // Inside a device write, the part answers that write (a bit-banged read's data bit), whatever it said.
          if (pins.writing >= 0) {
            lineChanges.push([pin, engine.now, level, LINE_ANSWERS_WRITE_CODE, pins.writing]);
            return;
          }
          const code = LINE_TIMING_CODE[timing];
          lineChanges.push(code === 0 ? [pin, engine.now, level] : [pin, engine.now, level, code]);
        });
      }
    }

    // Network events are posted by the bridge between engine steps, from Node's I/O callbacks: mark those posts
    // with the number of device callbacks run so far.
    let inStep = false;
    let postedAfter = -1;
    const step = engine.step.bind(engine);
    engine.step = (limit?: Micros) => {
      inStep = true;
      try {
        return step(limit);
      } finally {
        inStep = false;
      }
    };
    const at = engine.at.bind(engine);
    engine.at = (when: Micros, fn: () => void): EventHandle => {
      if (inStep) return at(when, fn);
      const after = callbacks;
      return at(when, () => {
        postedAfter = after;
        try {
          fn();
        } finally {
          postedAfter = -1;
        }
      });
    };
    const bridge = world.bridge;
    const connect = bridge.connect.bind(bridge);
    bridge.connect = (nodeId: string, address: string, port: number, events: NetSocketEvents): NetSocket => {
      const conn = connections.length;
      const c = { address, port, tx: [] as Uint8Array[] };
      connections.push(c);
      const note = (e: Omit<RecordedNetEvent, "conn" | "at" | "after">): void => {
        net.push({ conn, at: engine.now, after: postedAfter >= 0 ? postedAfter : callbacks, ...e });
      };
      const socket = connect(nodeId, address, port, {
        connected: () => {
          note({ kind: "connected" });
          events.connected();
        },
        data: (bytes) => {
          note({ kind: "data", hex: hex(bytes) });
          events.data(bytes);
        },
        closed: (error) => {
          note({ kind: "closed", ...(error ? { error: error.message } : {}) });
          events.closed(error);
        },
      });
      return {
        write: (bytes: Uint8Array) => {
          c.tx.push(bytes.slice());
          socket.write(bytes);
        },
        close: () => socket.close(),
      };
    };
  };

  const result = await runSim({
    ...opts,
    nodes: 1,
    main: counted,
    beforeStart: async (world) => {
      hook(world);
      await opts.beforeStart?.(world);
    },
  });
  const world = captured!;
  const node = world.nodes[0]!;
  // The run's broker listened on whatever port it got: record the manifest's broker in its place, so a recording
  // (and the emulated run replaying it, down to its memory layout) depends only on device, board, seed and hours.
  const named = manifestBroker(opts.device, opts.board);
  const hostConfig = (firstHost?.config ?? {}) as { uplink?: { broker?: { address: string; port: number } } };
  const simBroker = hostConfig.uplink?.broker;
  const config = hostConfig.uplink ? { ...hostConfig, uplink: { ...hostConfig.uplink, broker: named } } : hostConfig;
  const dialled = (c: { address: string; port: number }) =>
    simBroker && c.address === simBroker.address && c.port === simBroker.port ? named : { address: c.address, port: c.port };
  const spec = { ...node.board, flash: node.board.flash };
  const partStates: NonNullable<Recording["partStates"]> = [];
  for (const m of world.models.get(node.id) ?? []) {
    const model = m.model as { residency?: () => { state: string; milliamps: number; us: number }[] };
    if (typeof model?.residency !== "function") continue;
    partStates.push({ role: m.role, part: m.part, states: model.residency().map((r) => ({ state: r.state, milliamps: r.milliamps, us: r.us })) });
  }
  const recording: Recording = {
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    device: opts.device,
    board: opts.board,
    seed: opts.seed,
    // A run stopped early (Ctrl-C) is recorded as far as it went.
    hours: result.summary.virtualHours,
    id: node.id,
    epochMs: world.atmosphere.epochMs,
    endUs: world.engine.now,
    watchdogMs: 1000,
    spec,
    config,
    // host.pin is the board's pins then the device's wiring; replayed as the role pins, it builds the same object.
    rolePins: { ...(firstHost?.pin ?? {}) },
    i2c: [...i2c.values()],
    spi: [...spi.values()],
    analog,
    pulse,
    lines,
    lineChanges,
    uartRx,
    uartTx,
    random,
    connections: connections.map((c) => ({ ...dialled(c), txHex: c.tx.map(hex).join("") })),
    net,
    partStates,
    frames: result.frames,
  };
  return { recording, result };
}

/** `runSim` that also writes the recording to `file` (a path or an open descriptor) as JSON (`ganzhi sim --record`). */
export function recordSimTo(file: PathOrFileDescriptor): (opts: SimOptions) => Promise<SimResult> {
  return async (opts) => {
    const { recording, result } = await recordSim(opts);
    writeFileSync(file, JSON.stringify(recording) + "\n");
    return result;
  };
}
