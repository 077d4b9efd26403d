/**
 * A simulation run from the shell: manifests → board and config, a Kunming atmosphere from the seed, one node or
 * a fleet on the event engine, their sockets bridged to a real MQTT broker (embedded aedes by default), every
 * uplink frame tapped and decoded independently, and a summary at the end.
 */
import type { DeviceConfig, DeviceMain, LogLevel } from "../../hal/host.js";
import { loadDeviceMain } from "./device-main.js";
import type { SimBoardSpec } from "../core/board.js";
import { formatDiagnostic, loadBoard, loadDevice, resolveNode } from "../../manifests/load.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import { Engine, HOUR } from "../core/engine.js";
import type { Micros } from "../core/engine.js";
import { createKunmingWeather } from "../core/environment/kunming.js";
import type { KunmingWeather } from "../core/environment/kunming.js";
import { attachModels } from "../core/parts.js";
import type { AttachedModel } from "../core/parts.js";
import { SimNode } from "../core/node.js";
import type { NodeCrash, NodeLogEntry } from "../core/node.js";
import { Rng } from "../core/rng.js";
import { simBoardFromManifest } from "./board-spec.js";
import { startEmbeddedBroker } from "./broker.js";
import type { EmbeddedBroker } from "./broker.js";
import { FrameLog } from "./frame-log.js";
import type { Frame } from "./frame-log.js";
import { runEngine } from "./loop.js";
import type { LoopProgress } from "./loop.js";
import { TcpBridge } from "./tcp-bridge.js";
import { MqttTap } from "./mqtt-tap.js";

/** What a run is, on any engine (V8 here, XS in simulator/xs/session.ts). */
export interface RunOptions {
  device: string;
  board: string;
  hours: number;
  seed: number;
  nodes?: number;
  /** External broker, "mqtt://host:port"; default: an embedded aedes broker on loopback. */
  broker?: string;
  /** Unix ms of virtual time 0 (default: the atmosphere's own, 2026-06-01 00:00 Kunming time). */
  epochMs?: number;
  onProgress?: (p: LoopProgress) => void;
  onLog?: (entry: NodeLogEntry) => void;
}

export interface SimOptions extends RunOptions {
  /** Device entry point, when the caller already has it (tests); default: devices/<device>/main. */
  main?: DeviceMain;
  /** Called once the world is built and before time starts (tests inject faults here). */
  beforeStart?: (world: SimWorld) => void | Promise<void>;
  /** Called at each whole virtual hour (tests stop and start the broker here). */
  onHour?: (hour: number, world: SimWorld) => void | Promise<void>;
}

export interface SimWorld {
  engine: Engine;
  atmosphere: KunmingWeather;
  bridge: TcpBridge;
  nodes: SimNode[];
  models: Map<string, AttachedModel[]>;
  broker: EmbeddedBroker | undefined;
  brokerUrl: string;
  config: NodeConfig;
  frames: FrameLog;
  mqtt: MqttTap;
  /** The manifests' warnings for this device on this board, formatted `file:line:col: pointer: warning: …`. */
  manifestWarnings: string[];
}

export interface SimSummary {
  device: string;
  board: string;
  seed: number;
  nodes: number;
  virtualHours: number;
  wallSeconds: number;
  /** Simulated seconds per wall second. */
  speedup: number;
  events: number;
  framesSent: number;
  framesAcked: number;
  /** Uplink frames that were retransmissions (DUP). */
  framesDup: number;
  bytesOnAir: number;
  payloadBytes: number;
  deviceStats: Record<string, number>;
  crashes: NodeCrash[];
  warnings: string[];
  broker: string;
}

export interface SimResult {
  summary: SimSummary;
  frames: Frame[];
  world: SimWorld;
}

export function parseBroker(url: string): { address: string; port: number } {
  const m = /^mqtt:\/\/([0-9.]+)(?::(\d+))?\/?$/.exec(url);
  if (!m) throw new Error(`broker URL must be mqtt://<IPv4>[:port], got "${url}"`);
  return { address: m[1]!, port: m[2] ? Number(m[2]) : 1883 };
}

export function nodeId(device: string, i: number): string {
  const prefix = device
    .split("-")
    .map((w) => w[0])
    .join("");
  return `${prefix}-${String(i + 1).padStart(4, "0")}`;
}

/** What every engine's run shares: the resolved device on its board, the broker, the node ids and their config. */
export interface SimSetup {
  config: NodeConfig;
  /** The board as the simulator builds it. */
  spec: SimBoardSpec;
  /** The device's wiring on this board (role → pin). */
  rolePins: Readonly<Record<string, number>>;
  /** What each node's `host.config` is: the resolved config, dialling the run's broker. */
  nodeConfig: DeviceConfig;
  ids: string[];
  broker: EmbeddedBroker | undefined;
  brokerUrl: string;
  /** The manifests' warnings for this device on this board, formatted `file:line:col: pointer: warning: …`. */
  manifestWarnings: string[];
}

/** Resolve the manifests and start the embedded broker (unless an external one is named). */
export async function setupSim(opts: Pick<SimOptions, "device" | "board" | "broker" | "nodes">): Promise<SimSetup> {
  const device = loadDevice(opts.device);
  const board = loadBoard(opts.board);
  const resolution = resolveNode(device, board);
  const config = resolution.config;
  let broker: EmbeddedBroker | undefined;
  let target: { address: string; port: number };
  if (opts.broker) {
    target = parseBroker(opts.broker);
  } else {
    broker = await startEmbeddedBroker();
    target = { address: broker.address, port: broker.port };
  }
  const count = opts.nodes ?? 1;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(nodeId(config.device, i));
  return {
    config,
    spec: simBoardFromManifest(board.name, board.manifest),
    rolePins: resolution.pins,
    // The device dials the broker its config names: in a simulation, the run's broker.
    nodeConfig: Object.freeze({ ...config, uplink: Object.freeze({ ...config.uplink, broker: target }) }) as unknown as DeviceConfig,
    ids,
    broker,
    brokerUrl: opts.broker ?? broker!.url,
    manifestWarnings: resolution.warnings.map(formatDiagnostic),
  };
}

/** The MQTT tap and the frame log over it (telemetry topics end in /senml). */
export function createFrameTap(): { mqtt: MqttTap; frames: FrameLog } {
  const mqtt = new MqttTap();
  const telemetry = /\/senml$/;
  return { mqtt, frames: new FrameLog(mqtt, (topic) => telemetry.test(topic)) };
}

export async function buildWorld(opts: SimOptions): Promise<SimWorld> {
  const setup = await setupSim(opts);
  try {
    return await populateWorld(opts, setup);
  } catch (e) {
    // The embedded broker listens until closed: a world that fails to build must not leave the process hanging.
    await setup.broker?.close();
    throw e;
  }
}

async function populateWorld(opts: SimOptions, setup: SimSetup): Promise<SimWorld> {
  const { config, broker, brokerUrl } = setup;
  const main = opts.main ?? (await loadDeviceMain(config.main));

  const engine = new Engine();
  const atmosphere = createKunmingWeather(opts.epochMs === undefined ? { seed: opts.seed } : { seed: opts.seed, epochMs: opts.epochMs });
  const { mqtt, frames } = createFrameTap();
  const bridge = new TcpBridge(engine, { ledger: mqtt, tap: mqtt.tap });

  const spec = setup.spec;
  const rng = new Rng(opts.seed).fork("nodes");
  const nodes: SimNode[] = [];
  const models = new Map<string, AttachedModel[]>();
  for (const id of setup.ids) {
    const nodeRng = rng.fork(id);
    const node = new SimNode({
      id,
      board: spec,
      config: setup.nodeConfig,
      rolePins: setup.rolePins,
      main,
      engine,
      network: bridge,
      epochMs: atmosphere.epochMs,
      random: () => nodeRng.float(),
      log: opts.onLog,
    });
    models.set(id, attachModels(config.parts, { node, atmosphere }));
    nodes.push(node);
  }
  return { engine, atmosphere, bridge, nodes, models, broker, brokerUrl, config, frames, mqtt, manifestWarnings: setup.manifestWarnings };
}

export interface SummaryInput {
  opts: Pick<SimOptions, "device" | "board" | "seed" | "hours">;
  nodes: number;
  wallSeconds: number;
  events: number;
  frames: FrameLog;
  mqtt: MqttTap;
  bridge: TcpBridge;
  deviceStats: readonly Readonly<Record<string, number>>[];
  crashes: NodeCrash[];
  brokerUrl: string;
  /** Warnings known before the run (the manifests'). */
  warnings?: readonly string[];
}

/** The run summary both engines print, from the frames the tap saw and the devices' own counters. */
export function summarize(input: SummaryInput): SimSummary {
  const { opts, bridge, wallSeconds } = input;
  const deviceStats: Record<string, number> = {};
  for (const s of input.deviceStats) {
    for (const [k, v] of Object.entries(s)) deviceStats[k] = (deviceStats[k] ?? 0) + v;
  }
  const f = input.frames.frames;
  const telemetry = f.filter((x) => typeof x.decoded !== "string");
  const warnings: string[] = [...(input.warnings ?? []), ...input.mqtt.protocolErrors];
  if (bridge.stats.stalls > 0) warnings.push(`the broker left ${bridge.stats.stalls} request(s) unanswered for 10 s of wall time; virtual time moved on`);
  return {
    device: opts.device,
    board: opts.board,
    seed: opts.seed,
    nodes: input.nodes,
    virtualHours: opts.hours,
    wallSeconds,
    speedup: (opts.hours * 3600) / wallSeconds,
    events: input.events,
    framesSent: telemetry.filter((x) => !x.dup).length,
    framesAcked: telemetry.filter((x) => !x.dup && x.acked !== null).length,
    framesDup: telemetry.filter((x) => x.dup).length,
    bytesOnAir: bridge.stats.bytesTx + bridge.stats.bytesRx,
    payloadBytes: telemetry.reduce((a, x) => a + x.bytes, 0),
    deviceStats,
    crashes: input.crashes,
    warnings,
    broker: input.brokerUrl,
  };
}

export async function runSim(opts: SimOptions): Promise<SimResult> {
  if (!(opts.hours > 0)) throw new Error(`hours must be > 0, got ${opts.hours}`);
  const world = await buildWorld(opts);
  const { engine, bridge, nodes } = world;
  const warnings: string[] = [...world.manifestWarnings];
  const wallStart = performance.now();
  try {
    await opts.beforeStart?.(world);
    // A fleet does not power up in lock-step: stagger boots over the first minute.
    const stagger = new Rng(opts.seed).fork("boot");
    for (const node of nodes) engine.at(nodes.length > 1 ? Math.floor(stagger.float() * 60_000_000) : 0, () => node.boot("power-on"));
    const end: Micros = Math.round(opts.hours * HOUR);
    for (let h = 1; engine.now < end; h++) {
      const until = Math.min(end, h * HOUR);
      await runEngine(engine, bridge, until, opts.onProgress && ((p) => opts.onProgress!({ ...p, untilUs: end })));
      if (until < end || h * HOUR === end) await opts.onHour?.(h, world);
    }
    for (const node of nodes) node.halt();
    // Let the last PUBACKs that were already on their way land in the tap.
    await bridge.idle();
  } finally {
    bridge.closeAll();
    await world.broker?.close();
  }
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const summary = summarize({
    opts,
    nodes: nodes.length,
    wallSeconds,
    events: engine.executed,
    frames: world.frames,
    mqtt: world.mqtt,
    bridge,
    deviceStats: nodes.map((n) => n.app?.stats() ?? {}),
    crashes: nodes.flatMap((n) => n.crashes),
    brokerUrl: world.brokerUrl,
    warnings,
  });
  return { summary, frames: world.frames.frames, world };
}

export type { LogLevel };
