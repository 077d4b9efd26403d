/**
 * A simulation run from the shell: manifests → board and config, a Kunming atmosphere from the seed, one node or
 * a fleet on the event engine, their sockets bridged to a real MQTT broker (embedded aedes by default), every
 * uplink frame tapped and decoded independently, and a summary at the end.
 */
import type { DeviceConfig, DeviceMain, LogLevel, SummaryLine } from "../../hal/host.js";
import { isSenmlTopic } from "../../runtime/node/topics.js";
import { loadDeviceMain } from "./device-main.js";
import type { SimBoardSpec } from "../core/board.js";
import { formatDiagnostic, loadBoard, loadDevice, resolveNode } from "../../manifests/load.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import type { WorldName } from "../../manifests/schema/worlds.js";
import type { NodeWorld } from "../core/worlds.js";
import { Engine, HOUR } from "../core/engine.js";
import type { Micros } from "../core/engine.js";
import { createKunmingWeather } from "../core/environment/kunming.js";
import type { KunmingWeather } from "../core/environment/kunming.js";
import { attachModelsWith } from "../core/model-attach.js";
import { loadModels } from "./models.js";
import type { AttachedModel } from "../core/parts.js";
import { SimNode } from "../core/node.js";
import { NODE_CIPHERS } from "./ciphers.js";
import type { NodeCrash, NodeLogEntry, SimNodeOptions } from "../core/node.js";
import { addAccounting, droppedTotal, emptyAccounting, ReportLedger } from "../core/report-ledger.js";
import type { ReportAccounting } from "../core/report-ledger.js";
import { Rng } from "../core/rng.js";
import { simBoardFromManifest } from "./board-spec.js";
import { startEmbeddedBroker } from "./broker.js";
import type { EmbeddedBroker } from "./broker.js";
import { BrokerWatch } from "./broker-watch.js";
import type { BrokerReport } from "./broker-watch.js";
import { hoursOf } from "./figures.js";
import { LogDigest } from "./log-digest.js";
import type { RepeatedLog } from "./log-digest.js";
import { FrameLog } from "./frame-log.js";
import type { Frame } from "./frame-log.js";
import { combineGates, runEngine, runFleet } from "./loop.js";
import type { LoopProgress } from "./loop.js";
import { TcpBridge } from "./tcp-bridge.js";
import { startLinkWorld } from "./link-world.js";
import type { LinkWorld } from "./link-world.js";
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
  /** Every log line of every node, with how many times its level and message have come so far (1: the first). */
  onLog?: (entry: NodeLogEntry, seen: number) => void;
  /** Stops the run where it is (Ctrl-C): the result covers what ran, and says it was stopped. */
  signal?: AbortSignal;
  /** LoRaWAN: a real network server's Semtech UDP endpoint ("udp://ip:port") instead of the embedded one. */
  lns?: string;
  /** NB-IoT: a real CoAP server ("coap://host:port") instead of the embedded one. */
  coap?: string;
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
  nodes: SessionNode[];
  /** Each node's reports across its boots. */
  ledgers: Map<string, ReportLedger>;
  /** The broker as the nodes met it. */
  watch: BrokerWatch;
  logs: LogDigest;
  models: Map<string, AttachedModel[]>;
  broker: EmbeddedBroker | undefined;
  brokerUrl: string;
  config: NodeConfig;
  frames: FrameLog;
  mqtt: MqttTap;
  /** The network side of the device's link on this board (gateways and network server, NB-IoT core, …). */
  linkWorld: LinkWorld;
  /** Warnings from the network side, as they come. */
  linkWarnings: string[];
  /** The manifests' warnings for this device on this board, formatted `file:line:col: pointer: warning: …`. */
  manifestWarnings: string[];
}

/** A node whose start-up threw at every boot: held down after BOOT_LOOP boots in a row. */
export interface BootLoop {
  node: string;
  boots: number;
  /** Virtual µs of the first of those boots' crash. */
  from: number;
  error: string;
}

export interface SimSummary {
  device: string;
  board: string;
  seed: number;
  nodes: number;
  /** Virtual hours run: the hours asked for, unless the run was stopped early. */
  virtualHours: number;
  requestedHours: number;
  /** Why and when (virtual µs) the run ended before the hours asked for; null when it ran them all. */
  stopped: { at: number; why: "interrupted" | "every node crashes at every boot" } | null;
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
  /** How the device shows its own counters (its app's `summary()`); null when it says nothing. */
  deviceSummary: readonly SummaryLine[] | null;
  /**
   * Every report the nodes made: delivered, still held, or dropped and why (made = delivered + held + dropped);
   * null when the device keeps no standard uplink counters.
   */
  reports: ReportAccounting | null;
  /** Reports made and not delivered (held at the end, or dropped). */
  undelivered: number;
  crashes: NodeCrash[];
  bootLoops: BootLoop[];
  /** The nodes' distinct warnings and errors, each once with its count. */
  logs: RepeatedLog[];
  warnings: string[];
  broker: string;
  /** Connections to the broker: attempts, failures, outages and what the nodes held through them. */
  brokerStatus: BrokerReport;
  /** The link the device uses on this board, and its network side's counters (air, gateways, server, core). */
  link: NodeConfig["uplink"]["link"];
  linkStats: Record<string, number>;
  /** Reports in flight on a radio link at the end that were delivered in the virtual µs the run went on for them. */
  drain: { deliveredAfterEnd: number; us: number };
}

export interface SimResult {
  summary: SimSummary;
  frames: Frame[];
  world: SimWorld;
}

/**
 * "mqtt://a.b.c.d[:port][/]", each octet 0…255 and the port 1…65535 (default 1883). Throws saying what is wrong,
 * naming the URL as `what` ("--broker" in the CLI).
 */
export function parseBroker(url: string, what = "broker URL"): { address: string; port: number } {
  const m = /^mqtt:\/\/([^:/]*)(?::([^/]*))?\/?$/.exec(url);
  const octets = m ? m[1]!.split(".") : [];
  if (!m || octets.length !== 4 || !octets.every((o) => /^\d{1,3}$/.test(o))) {
    throw new Error(`${what} must be mqtt://<IPv4>[:port] (devices dial numeric addresses), got "${url}"`);
  }
  const bad = octets.find((o) => Number(o) > 255 || (o.length > 1 && o.startsWith("0")));
  if (bad !== undefined) throw new Error(`${what}: IPv4 octet "${bad}" must be 0…255 without leading zeros, in "${url}"`);
  if (m[2] === undefined) return { address: m[1]!, port: 1883 };
  const port = /^\d{1,5}$/.test(m[2]) ? Number(m[2]) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new Error(`${what}: port must be 1…65535, got "${m[2]}" in "${url}"`);
  return { address: m[1]!, port };
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
  /** The worlds the device's parts stand in besides the air (its manifest's `world`). */
  worlds: readonly WorldName[];
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
    worlds: device.manifest.world ?? [],
  };
}

/** The MQTT tap and the frame log over it (telemetry topics are the node skeleton's, runtime/node/topics.ts). */
export function createFrameTap(): { mqtt: MqttTap; frames: FrameLog } {
  const mqtt = new MqttTap();
  return { mqtt, frames: new FrameLog(mqtt, isSenmlTopic) };
}

/** Start-ups that throw this many boots in a row make a node a boot loop: it is held down, not rebooted again. */
export const BOOT_LOOP = 3;

/** A simulated node as a run keeps it: one that crashes at every boot is held down once it has shown it. */
export class SessionNode extends SimNode {
  /** Boots in a row whose start-up threw. */
  failedBoots = 0;
  #firstFailure: NodeCrash | undefined;
  bootLoop: BootLoop | undefined;
  readonly #onBootLoop: (node: SessionNode) => void;

  constructor(options: SimNodeOptions & { onBootLoop: (node: SessionNode) => void }) {
    super(options);
    this.#onBootLoop = options.onBootLoop;
  }

  override boot(reason?: Parameters<SimNode["boot"]>[0]): void {
    if (this.bootLoop) return;
    super.boot(reason);
  }

  /** The start-up returned: the node is up. */
  started(): void {
    this.failedBoots = 0;
    this.#firstFailure = undefined;
  }

  protected override crashed(crash: NodeCrash): void {
    super.crashed(crash);
    if (crash.phase !== "start-up") return;
    this.#firstFailure ??= crash;
    if (++this.failedBoots < BOOT_LOOP) return;
    this.bootLoop = { node: this.id, boots: this.failedBoots, from: this.#firstFailure.at, error: crash.error };
    this.#onBootLoop(this);
  }
}

export async function buildWorld(opts: SimOptions, onBootLoop: (node: SessionNode) => void = () => {}): Promise<SimWorld> {
  const setup = await setupSim(opts);
  try {
    return await populateWorld(opts, setup, onBootLoop);
  } catch (e) {
    // The embedded broker listens until closed: a world that fails to build must not leave the process hanging.
    await setup.broker?.close();
    throw e;
  }
}

async function populateWorld(opts: SimOptions, setup: SimSetup, onBootLoop: (node: SessionNode) => void): Promise<SimWorld> {
  const { config, broker, brokerUrl } = setup;
  const main = opts.main ?? (await loadDeviceMain(config.main));

  const engine = new Engine();
  const atmosphere = createKunmingWeather(opts.epochMs === undefined ? { seed: opts.seed } : { seed: opts.seed, epochMs: opts.epochMs });
  // A device that stands only in the air needs none of the worlds' models: they are loaded only by the runs that do.
  const worldOf =
    setup.worlds.length === 0
      ? (): NodeWorld => ({})
      : (await import("../core/worlds.js")).buildWorlds(setup.worlds, { seed: opts.seed, atmosphere, nodes: setup.ids.length });
  const { mqtt, frames } = createFrameTap();
  const ledgers = new Map<string, ReportLedger>();
  const clocks = new Map<string, Engine>();
  const watch = new BrokerWatch(
    (id) => (clocks.get(id) ?? engine).now,
    (id) => ledgers.get(id)?.held() ?? 0,
  );
  const bridge = new TcpBridge(engine, { ledger: mqtt, tap: mqtt.tap, observer: watch });
  const logs = new LogDigest();
  const log = (e: NodeLogEntry): void => {
    const seen = logs.add(e);
    opts.onLog?.(e, seen);
  };

  const linkWarnings: string[] = [];
  const linkWorld = await startLinkWorld({
    config,
    engine,
    seed: opts.seed,
    epochMs: atmosphere.epochMs,
    brokerUrl,
    ids: setup.ids,
    frames,
    ...(opts.lns ? { lns: opts.lns } : {}),
    ...(opts.coap ? { coap: opts.coap } : {}),
    onWarning: (m) => linkWarnings.push(m),
  });

  const spec = setup.spec;
  const registry = await loadModels(config.parts);
  const rng = new Rng(opts.seed).fork("nodes");
  const nodes: SessionNode[] = [];
  const models = new Map<string, AttachedModel[]>();
  // A fleet's nodes each run on an engine of their own (loop.ts `runFleet`); `engine` keeps the world's events.
  // Nodes that share the air (LoRaWAN) or a cell (NB-IoT) meet in virtual time: they stay on the world's engine.
  const fleet = setup.ids.length > 1 && !linkWorld.shared;
  setup.ids.forEach((id, index) => {
    const nodeRng = rng.fork(id);
    const nodeEngine = fleet ? new Engine() : engine;
    clocks.set(id, nodeEngine);
    const ledger = new ReportLedger();
    ledgers.set(id, ledger);
    const counted = ledger.wrap(main, () => node.crashes);
    const node: SessionNode = new SessionNode({
      id,
      board: spec,
      config: linkWorld.nodeConfig(setup.nodeConfig, index),
      rolePins: setup.rolePins,
      main: (host) => {
        const app = counted(host);
        node.started();
        return app;
      },
      engine: nodeEngine,
      network: bridge,
      epochMs: atmosphere.epochMs,
      random: () => nodeRng.float(),
      cipher: NODE_CIPHERS,
      log,
      onBootLoop,
    });
    models.set(id, attachModelsWith(registry, config.parts, { node, atmosphere, ...worldOf(index), ...linkWorld.modelContext(index) }));
    nodes.push(node);
  });
  return { engine, atmosphere, bridge, nodes, ledgers, watch, logs, models, broker, brokerUrl, config, frames, mqtt, linkWorld, linkWarnings, manifestWarnings: setup.manifestWarnings };
}

export interface SummaryInput {
  opts: Pick<SimOptions, "device" | "board" | "seed" | "hours">;
  nodes: number;
  /** Virtual µs the run reached. */
  endUs: number;
  stopped: SimSummary["stopped"];
  wallSeconds: number;
  events: number;
  frames: FrameLog;
  mqtt: MqttTap;
  bridge: TcpBridge;
  deviceStats: readonly Readonly<Record<string, number>>[];
  deviceSummary: readonly SummaryLine[] | undefined;
  /** Each node's accounting (undefined: its device keeps no standard uplink counters). */
  reports: readonly (ReportAccounting | undefined)[];
  crashes: NodeCrash[];
  bootLoops: BootLoop[];
  logs: LogDigest;
  brokerUrl: string;
  brokerStatus: BrokerReport;
  /** Warnings known before the run (the manifests'). */
  warnings?: readonly string[];
  link?: NodeConfig["uplink"]["link"];
  linkStats?: Record<string, number>;
  drain?: SimSummary["drain"];
}

/** What the broker's side of the run calls for: unreachable, lost and not back, or outages it came back from. */
function brokerWarnings(b: BrokerReport, nodes: number, endUs: number): string[] {
  const out: string[] = [];
  const why = b.lastError ? ` (${b.lastError})` : "";
  if (b.failures > 0 && b.neverConnected === nodes) {
    out.push(`broker ${b.url} unreachable: no node ever connected; ${b.failures} connection attempt${b.failures === 1 ? "" : "s"} failed${why}`);
  } else if (b.failures > 0 && b.neverConnected > 0) {
    out.push(`broker ${b.url}: ${b.neverConnected} of ${nodes} nodes never connected${why}`);
  }
  for (const o of b.outages) {
    if (o.neverConnected === o.nodes && o.to === null) continue; // said above: never reached
    const who = nodes > 1 ? `${o.nodes} node${o.nodes === 1 ? "" : "s"} ` : "";
    if (o.to === null) {
      out.push(`broker ${b.url} lost at ${hoursOf(o.from)} and not back by the end of the run (${hoursOf(endUs)}): ${who}without it for ${hoursOf(endUs - o.from)}${why}`);
    } else {
      out.push(`broker ${b.url} outage ${hoursOf(o.from)} to ${hoursOf(o.to)} (${hoursOf(o.to - o.from)}): ${who}held ${o.held} report${o.held === 1 ? "" : "s"} until it came back`);
    }
  }
  return out;
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
  const accounted = input.reports.filter((r): r is ReportAccounting => r !== undefined);
  // A node that never started made nothing; a device that keeps no counters cannot be accounted at all.
  const reports = accounted.length > 0 ? accounted.reduce(addAccounting, emptyAccounting()) : null;
  const warnings: string[] = [...(input.warnings ?? []), ...input.mqtt.protocolErrors];
  if (bridge.stats.stalls > 0) warnings.push(`the broker left ${bridge.stats.stalls} request(s) unanswered for 10 s of wall time; virtual time moved on`);
  warnings.push(...brokerWarnings(input.brokerStatus, input.nodes, input.endUs));
  // Unconfirmed LoRaWAN uplinks count as delivered once on the air: what the air lost only the server can tell.
  const heard = input.linkStats?.["lns.uplinks"];
  const sent = deviceStats["linkFramesOut"];
  if (input.link === "lorawan" && heard !== undefined && sent !== undefined && heard < sent) {
    warnings.push(`${sent - heard} of ${sent} uplink frames the nodes sent never reached the network server (lost on the air; unconfirmed uplinks count as delivered once sent)`);
  }
  const virtualHours = input.endUs / HOUR;
  return {
    device: opts.device,
    board: opts.board,
    seed: opts.seed,
    nodes: input.nodes,
    virtualHours,
    requestedHours: opts.hours,
    stopped: input.stopped,
    wallSeconds,
    speedup: (virtualHours * 3600) / wallSeconds,
    events: input.events,
    framesSent: telemetry.filter((x) => !x.dup).length,
    framesAcked: telemetry.filter((x) => !x.dup && x.acked !== null).length,
    framesDup: telemetry.filter((x) => x.dup).length,
    bytesOnAir: bridge.stats.bytesTx + bridge.stats.bytesRx,
    payloadBytes: telemetry.reduce((a, x) => a + x.bytes, 0),
    deviceStats,
    deviceSummary: input.deviceSummary ?? null,
    reports,
    undelivered: reports ? reports.held + droppedTotal(reports) : 0,
    crashes: input.crashes,
    bootLoops: input.bootLoops,
    logs: input.logs.entries(),
    warnings,
    broker: input.brokerUrl,
    brokerStatus: input.brokerStatus,
    link: input.link ?? "mqtt",
    linkStats: input.linkStats ?? {},
    drain: input.drain ?? { deliveredAfterEnd: 0, us: 0 },
  };
}

/** An AbortSignal that fires when any of `signals` does. */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((x): x is AbortSignal => x !== undefined));
}

/** How long a run on a radio link goes on after its end for reports in flight, and how often it looks. */
export const DRAIN_US = 5 * 60_000_000;
export const DRAIN_STEP_US = 5_000_000;

/**
 * The reports at the end (`atEnd`), with those held then and delivered during the drain (`after`) counted as
 * delivered; reports made after the end are not counted. Both engines' runs account the drain this way.
 */
export function drainedAccounts(
  atEnd: readonly (ReportAccounting | undefined)[],
  after: readonly (ReportAccounting | undefined)[],
): { reports: (ReportAccounting | undefined)[]; deliveredAfterEnd: number } {
  let deliveredAfterEnd = 0;
  const reports = atEnd.map((a, i) => {
    const b = after[i];
    if (!a || !b) return a;
    const late = Math.max(0, Math.min(a.held, b.delivered - a.delivered));
    deliveredAfterEnd += late;
    return { ...a, delivered: a.delivered + late, held: a.held - late };
  });
  return { reports, deliveredAfterEnd };
}

export async function runSim(opts: SimOptions): Promise<SimResult> {
  if (!(opts.hours > 0)) throw new Error(`hours must be > 0, got ${opts.hours}`);
  // Every node crashing at every boot leaves nothing to simulate: the run stops there rather than loop for hours.
  const allDown = new AbortController();
  const world = await buildWorld(opts, () => {
    if (world.nodes.every((n) => n.bootLoop)) allDown.abort();
  });
  const { engine, bridge, nodes } = world;
  const signal = anySignal(opts.signal, allDown.signal);
  const warnings: string[] = [...world.manifestWarnings];
  const wallStart = performance.now();
  const end: Micros = Math.round(opts.hours * HOUR);
  let reports: (ReportAccounting | undefined)[] = [];
  let deliveredAfterEnd = 0;
  let drainedUs = 0;
  const gate = world.linkWorld.gate ? combineGates(bridge, world.linkWorld.gate) : bridge;
  try {
    await opts.beforeStart?.(world);
    // A fleet does not power up in lock-step: stagger boots over the first minute.
    const stagger = new Rng(opts.seed).fork("boot");
    for (const node of nodes) node.engine.at(nodes.length > 1 ? Math.floor(stagger.float() * 60_000_000) : 0, () => node.boot("power-on"));
    const lanes = nodes.length > 1 && !world.linkWorld.shared ? nodes.map((n) => bridge.lane(n.id, n.engine)) : undefined;
    for (let h = 1; engine.now < end; h++) {
      const until = Math.min(end, h * HOUR);
      const progress = opts.onProgress && ((p: LoopProgress) => opts.onProgress!({ ...p, untilUs: end }));
      const ran = lanes ? runFleet(engine, lanes, bridge, until, progress, { signal }) : runEngine(engine, gate, until, progress, { signal });
      if (!(await ran)) break;
      if (until < end || h * HOUR === end) await opts.onHour?.(h, world);
    }
    // Before the halt: what a node that is down at the end held in RAM is gone.
    const totals = () =>
      nodes.map((n) => {
        const ledger = world.ledgers.get(n.id)!;
        return ledger.total(ledger.pendingReset(n.running, n.crashes));
      });
    reports = totals();
    // A radio link takes seconds to minutes to deliver (join, RX windows, duty cycle, CoAP retransmissions): what
    // was on its way when the run ended may land in the next minutes; reports made after the end are not counted.
    if (world.linkWorld.shared && engine.now >= end && !signal.aborted && nodes.some((n) => world.ledgers.get(n.id)!.held() > 0)) {
      const atEnd = reports;
      for (let t = end + DRAIN_STEP_US; t <= end + DRAIN_US; t += DRAIN_STEP_US) {
        if (!(await runEngine(engine, gate, t, undefined, { signal }))) break;
        if (nodes.every((n) => world.ledgers.get(n.id)!.held() === 0)) break;
      }
      const drained = drainedAccounts(atEnd, totals());
      reports = drained.reports;
      deliveredAfterEnd = drained.deliveredAfterEnd;
      drainedUs = engine.now - end;
    }
    for (const node of nodes) node.halt();
    // Let the last PUBACKs that were already on their way land in the tap.
    await bridge.idle();
  } finally {
    bridge.closeAll();
    await world.linkWorld.close();
    await world.broker?.close();
  }
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const stopped: SimSummary["stopped"] =
    engine.now >= end ? null : { at: engine.now, why: opts.signal?.aborted ? "interrupted" : "every node crashes at every boot" };
  const summary = summarize({
    opts,
    nodes: nodes.length,
    endUs: engine.now,
    stopped,
    wallSeconds,
    events: nodes.reduce((n, node) => (node.engine === engine ? n : n + node.engine.executed), engine.executed),
    frames: world.frames,
    mqtt: world.mqtt,
    bridge,
    deviceStats: nodes.map((n) => n.app?.stats() ?? {}),
    deviceSummary: nodes.map((n) => n.app?.summary?.()).find((d) => d !== undefined),
    reports,
    crashes: nodes.flatMap((n) => n.crashes),
    bootLoops: nodes.flatMap((n) => (n.bootLoop ? [n.bootLoop] : [])),
    logs: world.logs,
    brokerUrl: world.brokerUrl,
    brokerStatus: world.watch.report(world.brokerUrl, nodes.map((n) => n.id)),
    warnings: [...warnings, ...world.linkWarnings],
    link: world.linkWorld.link,
    linkStats: world.linkWorld.stats(),
    drain: { deliveredAfterEnd, us: drainedUs },
  });
  return { summary, frames: world.frames.frames, world };
}

export type { LogLevel };
